// The built CLI (dist/cli.js) for the CLI tests, rebuilt when a server source is newer.
import { join } from 'node:path';
import { ensureBuilt, repoRoot } from '../support/build';

export { repoRoot };
export const cli = join(repoRoot, 'dist/cli.js');

export function ensureBuiltCli(): void {
  ensureBuilt(cli);
}
