// The built bundles (dist/) the process-level tests run: rebuilt when a server source is newer.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(__dirname, '../..');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function builtAt(bundle: string): number {
  try {
    return statSync(bundle).mtimeMs;
  } catch {
    return 0; // not built yet
  }
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Rebuilds dist/ when `bundle` (e.g. dist/server.js) is older than any server source. The test
 * runner runs two files at once: a lock directory keeps a second one from rebuilding (and another
 * from reading a half-written bundle) while the first builds.
 */
export function ensureBuilt(bundle: string): void {
  const lock = join(repoRoot, 'dist.build-lock');
  // Another test process may be writing dist/ right now: wait for it before looking.
  for (let waited = 0; existsSync(lock) && waited < 120_000; waited += 100) sleep(100);
  if (builtAt(bundle) >= newestMtime(join(repoRoot, 'server/src'))) return;
  for (let waited = 0; ; waited += 100) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another test process is building; a lock older than two minutes was left by a killed run.
      if (waited > 120_000) rmdirSync(lock);
      else sleep(100);
    }
  }
  try {
    if (builtAt(bundle) >= newestMtime(join(repoRoot, 'server/src'))) return;
    const r = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: repoRoot, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('build failed');
  } finally {
    rmdirSync(lock);
  }
}
