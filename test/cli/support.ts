// The built CLI (dist/cli.js) for the CLI tests, rebuilt when a server source is newer.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '../..');
export const cli = join(repoRoot, 'dist/cli.js');

function newest(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    n = Math.max(n, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return n;
}

export function ensureBuiltCli(): void {
  let built = 0;
  try {
    built = statSync(cli).mtimeMs;
  } catch {
    /* not built */
  }
  if (built < newest(join(repoRoot, 'server/src'))) {
    const r = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: repoRoot, stdio: 'inherit' });
    assert.equal(r.status, 0, 'build failed');
  }
}
