// The built bundles (dist/) the process-level tests run: rebuilt when a server source is newer.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
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

/** Rebuilds dist/ when `bundle` (e.g. dist/server.js) is older than any server source. */
export function ensureBuilt(bundle: string): void {
  let built = 0;
  try {
    built = statSync(bundle).mtimeMs;
  } catch {
    /* not built yet */
  }
  if (built >= newestMtime(join(repoRoot, 'server/src'))) return;
  const r = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: repoRoot, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('build failed');
}
