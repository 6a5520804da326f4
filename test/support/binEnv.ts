// How the tests and benches run the CLI as npm links it: dist/cli.js through its own `#!` line
// (`env -S node …`, scripts/build.mjs), with the node running them found first on PATH.
import { dirname } from 'node:path';

/** `env` with this process's node first on PATH, for the bin's `#!` line. */
export function binEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...env, PATH: `${dirname(process.execPath)}:${env.PATH ?? ''}` };
}
