// Differential suite on more real-world configs (corpusScenariosMore.ts), same checks as
// differential-corpus.test.ts: `exact` must name the rule nginx ran; `ambiguous` must list it;
// `unmatched` fails.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { haveNginx } from './nginxHarness';
import { runBreadth } from './breadthRunner';
import { moreScenarios } from './corpusScenariosMore';

test('differential corpus, more configs: our attribution of every 444 agrees with real nginx', { skip: !haveNginx && 'nginx not installed', timeout: 120_000 }, async () => {
  const { total, failures } = await runBreadth('differential corpus (more)', moreScenarios());
  assert.equal(failures.length, 0, `${failures.length} failures (FAIL lines above)`);
  assert.ok(total.exact > 100, `expected most lines of the Host-carrying logs exact, got ${total.exact}`);
});
