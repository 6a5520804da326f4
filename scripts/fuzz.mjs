// `npm run fuzz`: the robustness property tests (test/robustness/) with many more runs than CI.
// NGINX_LENS_FUZZ_RUNS sets the runs per property (default here 2000; CI's default is small),
// NGINX_LENS_FUZZ_SEED a seed to reproduce a failure (printed by fast-check when one fails).
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const runs = process.env.NGINX_LENS_FUZZ_RUNS ?? process.argv[2] ?? '2000';
const seed = process.env.NGINX_LENS_FUZZ_SEED ?? String(Date.now() % 2 ** 31);
console.log(`fuzz: ${runs} runs per property, seed ${seed}`);
const r = spawnSync(process.execPath, ['test/run.mjs', 'test/robustness/'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, NGINX_LENS_FUZZ_RUNS: runs, NGINX_LENS_FUZZ_SEED: seed },
});
process.exit(r.status ?? 1);
