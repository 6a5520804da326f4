// Include order and prefix rules checked against the real nginx 1.22 (`nginx -t` only, in a temp
// dir). Every globbed file maps one shared extension to its own MIME type inside one `types {}`
// block; nginx warns `duplicate extension ... in <file>:<line>` for each file after the first, in
// the order it read them, so the warnings spell out nginx's include order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeFileSystem } from '../../server/src/node/fileSystem';
import { loadConfigGraph, walkEffective } from '../../server/src/core/configGraph';

const NGINX = '/usr/sbin/nginx';

function nginxT(dir: string, conf: string): { status: number | null; out: string } {
  const r = spawnSync(NGINX, ['-t', '-p', dir + '/', '-c', conf], { encoding: 'utf8', timeout: 20000 });
  return { status: r.status, out: (r.stdout ?? '') + (r.stderr ?? '') };
}

test('glob include order and conf-prefix resolution match nginx -t', (t) => {
  assert.ok(existsSync(NGINX), `${NGINX} is required (apt-get install nginx-full; .ci/run does)`);
  const dir = mkdtempSync(join(tmpdir(), 'nginx-lens-order-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'logs'));
  mkdirSync(join(dir, 'types.d/sub'), { recursive: true });
  mkdirSync(join(dir, 'more'));
  mkdirSync(join(dir, 'nested'));
  writeFileSync(
    join(dir, 'nginx.conf'),
    [
      'error_log stderr;',
      'pid nginx.pid;',
      'events {}',
      'http {',
      '  types {',
      '    include types.d/*.types;',
      '    include types.d/??.types;',
      '    include m*/*.types;',
      '    include nested/inner.conf;',
      '  }',
      '}',
      '',
    ].join('\n'),
  );
  const names = ['a', 'B', '_x', '10', '9', 'é', 'a-b', 'a.b', '.hidden', 'Z9', 'z'];
  names.forEach((n, i) => writeFileSync(join(dir, 'types.d', `${n}.types`), `text/t-${i} dupext;\n`));
  writeFileSync(join(dir, 'types.d/sub/x.types'), 'text/never dupext;\n');
  writeFileSync(join(dir, 'more/m.types'), 'text/more dupext;\n');
  // nested/inner.conf includes "leaf.types" relative to the conf prefix (dir), not to nested/.
  writeFileSync(join(dir, 'nested/inner.conf'), 'include leaf.types;\n');
  writeFileSync(join(dir, 'leaf.types'), 'text/leaf dupext;\n');
  writeFileSync(join(dir, 'nested/leaf.types'), 'text/decoy dupext;\n');

  const r = nginxT(dir, join(dir, 'nginx.conf'));
  assert.equal(r.status, 0, r.out);
  const warned = [...r.out.matchAll(/duplicate extension "dupext", content type: "([^"]+)", previous content type: "([^"]+)" in (\S+):1/g)];
  assert.ok(warned.length > 5, r.out);
  const nginxOrder = [warned[0][2], ...warned.map((m) => m[1])];

  const g = loadConfigGraph(join(dir, 'nginx.conf'), new NodeFileSystem());
  assert.deepEqual(g.diagnostics, []);
  const ours: string[] = [];
  walkEffective(g, (d, anc) => {
    if (anc.length && anc[anc.length - 1].name === 'types' && d.name !== 'include') ours.push(d.name);
  });
  assert.deepEqual(ours, nginxOrder);
  assert.ok(!ours.includes('text/never') && !ours.includes('text/decoy') && ours.includes('text/leaf'));
});

test('a missing plain include fails nginx -t with the message we report', (t) => {
  assert.ok(existsSync(NGINX), `${NGINX} is required (apt-get install nginx-full; .ci/run does)`);
  const dir = mkdtempSync(join(tmpdir(), 'nginx-lens-missing-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'logs'));
  writeFileSync(join(dir, 'nginx.conf'), 'error_log stderr;\npid nginx.pid;\nevents {}\nhttp {\n  include nowhere/*.conf;\n  include nope.conf;\n}\n');
  const r = nginxT(dir, join(dir, 'nginx.conf'));
  assert.notEqual(r.status, 0);
  const g = loadConfigGraph(join(dir, 'nginx.conf'), new NodeFileSystem());
  assert.equal(g.diagnostics.length, 1);
  const d = g.diagnostics[0];
  assert.equal(d.range.start.line + 1, 6);
  // nginx: `[emerg] open() "<dir>/nope.conf" failed (2: No such file or directory) in <dir>/nginx.conf:6`
  assert.ok(r.out.includes(`${d.message} in ${join(dir, 'nginx.conf')}:6`), `${r.out}\nvs\n${d.message}`);
});

test('the conf prefix is the directory of -c, not the -p prefix', (t) => {
  assert.ok(existsSync(NGINX), `${NGINX} is required (apt-get install nginx-full; .ci/run does)`);
  const dir = mkdtempSync(join(tmpdir(), 'nginx-lens-prefix-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'logs'));
  mkdirSync(join(dir, 'conf/types.d'), { recursive: true });
  mkdirSync(join(dir, 'types.d'));
  writeFileSync(join(dir, 'conf/nginx.conf'), 'error_log stderr;\npid nginx.pid;\nevents {}\nhttp { types { include types.d/*.types; } }\n');
  writeFileSync(join(dir, 'conf/types.d/a.types'), 'text/conf-a dupext;\n');
  writeFileSync(join(dir, 'conf/types.d/b.types'), 'text/conf-b dupext;\n');
  writeFileSync(join(dir, 'types.d/a.types'), 'text/prefix-a dupext;\n');
  writeFileSync(join(dir, 'types.d/b.types'), 'text/prefix-b dupext;\n');
  const r = nginxT(dir, join(dir, 'conf/nginx.conf'));
  assert.equal(r.status, 0, r.out);
  const warned = [...r.out.matchAll(/content type: "([^"]+)", previous content type: "([^"]+)" in (\S+):1/g)];
  assert.deepEqual(warned.map((m) => [m[2], m[1], m[3]]), [['text/conf-a', 'text/conf-b', join(dir, 'conf/types.d/b.types')]]);
  const g = loadConfigGraph(join(dir, 'conf/nginx.conf'), new NodeFileSystem());
  assert.equal(g.prefix, join(dir, 'conf') + '/');
  assert.deepEqual([...g.files.keys()].slice(1), [join(dir, 'conf/types.d/a.types'), join(dir, 'conf/types.d/b.types')]);
});
