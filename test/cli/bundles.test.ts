// The bundles stay pure ASCII. One non-ASCII byte anywhere (esbuild keeps the doc comments of
// class members, and escapes only code) makes node read the whole 2.9 MB file through its slow
// UTF-8 path into a two-byte string: ~30 ms more at every start of the CLI and the server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBuilt, repoRoot } from '../support/build';

test('dist bundles are ASCII only (fast to load)', () => {
  for (const name of ['cli.js', 'server.js', 'client.js', 'reference.js']) {
    const file = join(repoRoot, 'dist', name);
    ensureBuilt(file);
    const bytes = readFileSync(file);
    const at = bytes.findIndex((b) => b > 0x7f);
    if (at < 0) continue;
    const line = bytes.subarray(0, at).toString('latin1').split('\n').length;
    assert.fail(`${name}:${line} has a non-ASCII character (in a doc comment? write it in ASCII)`);
  }
});
