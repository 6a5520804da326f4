// Bundles the extension-host suite into out/e2e/suite/index.js (what VS Code loads as extensionTestsPath).
// vscode comes from the host; mocha stays external and is required from node_modules at run time.
import { build } from 'esbuild';

await build({
  entryPoints: ['test/e2e/suite/index.ts'],
  outfile: 'out/e2e/suite/index.js',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external: ['vscode', 'mocha'],
  sourcemap: 'inline',
  logLevel: 'warning',
});
