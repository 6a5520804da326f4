// Mutated corpus configs (byte flips, truncation, deleted braces and quotes, duplicated blocks,
// random Unicode, CRLF, BOM): the parser, the whole-config check (validation per context, include
// graph, 444 diagnostics), the HTTP model and the router never throw, terminate, and keep every
// range inside the document. Seeded; NGINX_LENS_FUZZ_RUNS raises the counts (npm run fuzz).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parse } from '../../server/src/core/parser';
import { MemoryFileSystem } from '../../server/src/core/fileSystem';
import { loadConfigGraph } from '../../server/src/core/configGraph';
import { checkConfig } from '../../server/src/core/check';
import { validateFile } from '../../server/src/core/validate';
import { buildModelFromGraph } from '../../server/src/core/http/model';
import { Attributor } from '../../server/src/core/http/attribute';
import { factsFromLog } from '../../server/src/core/http/request';
import { syntheticFormat, syntheticValues } from '../support/accessLog';
import { assertParseRanges, assertRange, corpusFiles, fcParams, lineTables, mutate, mutations, runs, SEED } from './support';

const configs = corpusFiles('configs');
const requests = (() => {
  const next = syntheticValues({ host: true, seed: SEED });
  const vars = syntheticFormat({ host: true }).variables;
  return Array.from({ length: 6 }, () => factsFromLog(vars, next()));
})();

/** Everything the editor and the CLI run on one config file, checked for throws and stray ranges. */
function analyse(text: string, name: string): void {
  const file = parse(text, `/w/${name}`);
  assertParseRanges(file);
  for (const ctx of [[], ['http'], ['http', 'server'], null]) {
    for (const d of validateFile(file, ctx)) assertRange(d.range, text, `${d.code} (validate ${ctx?.join('/')})`, lineTables(text));
  }
  // As a main config (with an http wrapper when it is a fragment): the whole check and the router.
  const fs = new MemoryFileSystem({ '/w/nginx.conf': text, '/w/wrapped.conf': `http {\nserver {\n${text}\n}\n}\n` });
  for (const main of ['/w/nginx.conf', '/w/wrapped.conf']) {
    const graph = loadConfigGraph(main, fs, { maxExpansions: 20_000 });
    const diags = checkConfig(graph);
    const crashed = diags.find((d) => d.code === 'analysis-failed');
    assert.equal(crashed, undefined, crashed?.message);
    for (const d of diags) {
      const f = graph.files.get(d.file);
      assert.ok(f, `diagnostic for a file not in the graph: ${d.file}`);
      assertRange(d.range, f.text, d.code, lineTables(f.text));
    }
    const model = buildModelFromGraph(graph);
    const at = new Attributor(model);
    for (const r of requests) {
      const a = at.attribute(r, 444);
      assert.ok(['exact', 'ambiguous', 'unmatched'].includes(a.verdict), a.verdict);
      for (const rule of a.rules) {
        const f = graph.files.get(rule.file);
        assert.ok(f, `rule in a file not in the graph: ${rule.file}`);
        assertRange(rule.range, f.text, 'rule', lineTables(f.text));
      }
    }
  }
}

// CI: every file is parsed (ranges checked) and a seeded sample of files gets the whole analysis;
// under `npm run fuzz` every file gets the whole analysis (minutes: the blocklists are large).
const FULL = process.env.NGINX_LENS_FUZZ_RUNS !== undefined;

test(`every corpus config (${configs.length}), one seeded mutation each: ${FULL ? 'whole analysis' : 'parse, whole analysis on a sample'}`, { timeout: 1_800_000 }, () => {
  const each = fc.sample(mutations, { numRuns: configs.length, seed: SEED });
  const sample = new Set(fc.sample(fc.nat({ max: configs.length - 1 }), { numRuns: 60, seed: SEED + 1 }));
  let slowest = { ms: 0, path: '' };
  let analysed = 0;
  configs.forEach((c, i) => {
    const text = mutate(c.text, each[i]);
    const name = c.path.slice(c.path.lastIndexOf('/') + 1);
    const t = performance.now();
    try {
      if (FULL || (sample.has(i) && text.length < 100_000)) {
        analyse(text, name);
        analysed++;
      } else assertParseRanges(parse(text, `/w/${name}`));
    } catch (e) {
      throw new Error(`${c.path} with ${JSON.stringify(each[i])}: ${(e as Error).stack}`);
    }
    const ms = performance.now() - t;
    if (ms > slowest.ms) slowest = { ms, path: c.path };
  });
  console.log(`# ${analysed} analysed in full; slowest: ${slowest.path} ${slowest.ms.toFixed(0)} ms`);
});

test(`random corpus configs under random mutations (${runs(40)} runs, seed ${SEED})`, { timeout: 600_000 }, () => {
  // Small files more often: the large blocklists are covered by the pass above.
  const small = configs.filter((c) => c.text.length < 40_000);
  fc.assert(
    fc.property(fc.nat({ max: small.length - 1 }), mutations, (i, ms) => {
      analyse(mutate(small[i].text, ms), small[i].path.slice(small[i].path.lastIndexOf('/') + 1));
    }),
    fcParams(40),
  );
});

test(`random directive soup (${runs(100)} runs): nothing throws, ranges stay inside`, { timeout: 600_000 }, () => {
  const token = fc.oneof(
    fc.constantFrom('http', 'server', 'location', 'if', 'map', 'geo', 'return', '444', 'rewrite', 'set', 'include', 'listen', 'server_name', 'limit_except', 'access_log', 'log_format'),
    fc.constantFrom('{', '}', ';', '"', "'", '\\', '#', '\n', '\r\n', ' ', '$host', '~*', '^(.*)$', '(a+)+$', '${', '\u0000', '\ufeff', '\ud800'),
    fc.string({ unit: 'binary', maxLength: 5 }),
  );
  fc.assert(
    fc.property(fc.array(token, { maxLength: 80 }), (tokens) => {
      analyse(tokens.join(' '), 'soup.conf');
    }),
    fcParams(100),
  );
});
