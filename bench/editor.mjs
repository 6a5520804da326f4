// Editor bench (not a timed test): the packaged .vsix size and activation time in a real VS Code.
// Runs the offline editor tier's suite and .vsix phases (test/e2e/runEditor.ts), which measure:
//   - vsix.bytes: size of the package `vsce package --no-dependencies` builds;
//   - vsix.activationMs: activation time VS Code itself reports (Running Extensions) for the installed .vsix;
//   - suite.openToActiveMs / suite.openToServerReadyMs: from opening nginx.conf to the extension being
//     active, and to its language server having answered initialize (development build).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
const sh = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
sh('bash', ['scripts/install-editor.sh']);
sh('node', ['scripts/build.mjs']);
sh('node', ['test/e2e/build.mjs']);
const run = spawnSync(process.execPath, ['--import', 'tsx', 'test/e2e/runEditor.ts', 'suite', 'vsix'], { cwd: root, encoding: 'utf8' });
if (run.status !== 0) {
  process.stdout.write(run.stdout.split('\n').slice(-30).join('\n'));
  console.error('editor run failed; numbers below may be missing');
}
const m = JSON.parse(readFileSync(`${root}.vscode-test/runs/metrics.json`, 'utf8'));
const row = (label, v, unit) => console.log(`${label.padEnd(44)} ${v === undefined ? 'n/a' : `${v} ${unit}`}`);
row('.vsix size', m['vsix.bytes'] === undefined ? undefined : (m['vsix.bytes'] / 1024).toFixed(1), 'KB (target < 2048 KB)');
row('activation (VS Code Running Extensions, .vsix)', m['vsix.activationMs'], 'ms');
row('open nginx.conf → extension active (dev)', m['suite.openToActiveMs'], 'ms');
row('open nginx.conf → server initialized (dev)', m['suite.openToServerReadyMs'], 'ms');
