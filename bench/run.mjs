// `npm run bench`: every bench script in turn (not part of `npm test`; numbers, not pass/fail).
// Each appends its results to bench/RESULTS.md. Usage: node bench/run.mjs [name...]
//   config   cold check vs nginx -t, warm re-analysis after an edit (bench/config.mjs)
//   trace    1M-line log: trace vs grep -c and goaccess (bench/trace.mjs; writes the log lsp uses)
//   lsp      hover, diagnostics, lenses, memory through the language server (bench/lsp.mjs)
//   package  .vsix size and activation proxy (bench/package.mjs)
//   editor   real VS Code: .vsix activation as VS Code reports it (bench/editor.mjs; installs the
//            offline editor tier, minutes; only when named)
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const all = ['config', 'trace', 'lsp', 'package'];
const asked = process.argv.slice(2);
const names = asked.length ? asked : all;
let failed = 0;
for (const name of names) {
  console.log(`\n=== bench/${name}.mjs ===`);
  const t = Date.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', `bench/${name}.mjs`], { cwd: root, stdio: 'inherit' });
  console.log(`=== ${name}: ${r.status === 0 ? 'done' : `FAILED (exit ${r.status})`} in ${((Date.now() - t) / 1000).toFixed(0)} s`);
  if (r.status !== 0) failed++;
}
console.log(`\nresults appended to bench/RESULTS.md${failed ? `; ${failed} script(s) failed` : ''}`);
process.exit(failed ? 1 : 0);
