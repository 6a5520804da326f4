// Differential suite on real-world configs (corpusScenarios.ts): real nginx runs each, every 444
// line of every log is traced and checked against the rule nginx really ran (nginxHarness.ts).
//
// Per 444 line: `exact` must name the rule nginx ran; `ambiguous` must list it; `unmatched` fails.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { haveNginx } from './nginxHarness';
import { runBreadth } from './breadthRunner';
import { scenarios } from './corpusScenarios';

test('differential corpus: real-world configs, our attribution of every 444 agrees with real nginx', { skip: !haveNginx && 'nginx not installed', timeout: 120_000 }, async () => {
  const { total, failures } = await runBreadth('differential corpus', scenarios());
  assert.equal(failures.length, 0, `${failures.length} failures (FAIL lines above)`);
  assert.ok(total.exact > 100, `expected most lines of the Host-carrying logs exact, got ${total.exact}`);
});
