// Mutated corpus logs and random log lines: format detection, the log line parser (fast match and
// full parse), request facts and the attributor never throw and terminate; traceLog streams a
// mutated file to the end. Seeded; NGINX_LENS_FUZZ_RUNS raises the counts (npm run fuzz).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { detectLogFormat } from '../../server/src/core/logs/detect';
import { combinedFormat, compileLogFormat, type LogLineParser } from '../../server/src/core/logs/format';
import { loadConfigGraph } from '../../server/src/core/configGraph';
import { NodeFileSystem } from '../../server/src/node/fileSystem';
import { buildModelFromGraph } from '../../server/src/core/http/model';
import { Attributor } from '../../server/src/core/http/attribute';
import { factsFromLog } from '../../server/src/core/http/request';
import { traceLog } from '../../server/src/core/trace';
import { COMBINED_HOST_FORMAT, syntheticLines } from '../support/accessLog';
import { corpusFiles, fcParams, mutate, mutation, mutations, repoRoot, runs, SEED } from './support';

const logs = corpusFiles('logs');
const model = buildModelFromGraph(loadConfigGraph(join(repoRoot, 'examples/nginx.conf'), new NodeFileSystem()));
const parsers: LogLineParser[] = [
  combinedFormat(),
  compileLogFormat('host', COMBINED_HOST_FORMAT, 'default'),
  compileLogFormat('json', '{"a":"$remote_addr","r":"$request","s":"$status","h":"$host","u":"$http_user_agent"}', 'json'),
  compileLogFormat('none', '$remote_addr $host "$request" $status $request_time', 'none'),
];
const dir = mkdtempSync(join(tmpdir(), 'nginx-lens-logfuzz-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Every parser on every line; parsed lines become request facts and are attributed as 444s. */
function readLines(lines: readonly string[]): number {
  const at = new Attributor(model);
  const det = detectLogFormat(lines);
  const all = det ? [det.parser, ...parsers] : parsers;
  let attributed = 0;
  for (const p of all) {
    for (const line of lines) {
      const r = p.parse(line);
      if (!r.ok) {
        assert.ok(r.at >= 0 && r.at <= line.length, `give-up offset ${r.at} outside the line`);
        continue;
      }
      if ('match' in p && typeof p.match === 'function') p.match(line);
      const a = at.attribute(factsFromLog(p.variables, r.fields), 444);
      assert.ok(['exact', 'ambiguous', 'unmatched'].includes(a.verdict));
      attributed++;
    }
  }
  return attributed;
}

test(`every corpus log (${logs.length}), one seeded mutation each`, { timeout: 600_000 }, () => {
  const each = fc.sample(mutations, { numRuns: logs.length, seed: SEED });
  let attributed = 0;
  logs.forEach((l, i) => {
    const lines = mutate(l.text, each[i]).split(/\r?\n/);
    try {
      attributed += readLines(lines);
    } catch (e) {
      throw new Error(`${l.path} with ${JSON.stringify(each[i])}: ${(e as Error).stack}`);
    }
  });
  assert.ok(attributed > 1000, `only ${attributed} lines parsed: the mutations should leave most lines readable`);
});

test(`random mutations of generated 444 lines (${runs(200)} runs)`, { timeout: 600_000 }, () => {
  const base = syntheticLines(50, { host: true, seed: SEED }).map((l) => l.replace(/" (\d{3}) /, '" 444 '));
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat({ max: base.length - 1 }), fc.array(mutation, { maxLength: 3 })), { minLength: 1, maxLength: 20 }), (picks) => {
      readLines(picks.map(([i, ms]) => mutate(base[i], ms)));
    }),
    fcParams(200),
  );
});

test(`traceLog streams a mutated log file to its end (${runs(10)} runs)`, { timeout: 600_000 }, async () => {
  const base = syntheticLines(400, { host: true, seed: SEED }).join('\n') + '\n';
  await fc.assert(
    fc.asyncProperty(mutations, fc.boolean(), async (ms, crlf) => {
      let text = mutate(base, ms);
      if (crlf) text = text.replace(/\n/g, '\r\n');
      const file = join(dir, 'access.log');
      writeFileSync(file, text, 'latin1');
      // What is on disk: latin1 keeps the low byte of each code unit (U+6F0A is a newline there).
      text = Buffer.from(text, 'latin1').toString('latin1');
      let last = 0;
      const r = await traceLog(model, file, (e) => {
        assert.ok(e.log.line > last, 'lines in order');
        last = e.log.line;
      }, { statuses: new Set([444, 200, 404]) });
      const nl = (text.match(/\r\n|\n|\r/g) ?? []).length;
      assert.ok(r.lines >= Math.min(nl, 1) - 1 && r.lines <= nl + 1, `read ${r.lines} lines of ${nl}`);
    }),
    fcParams(10),
  );
});
