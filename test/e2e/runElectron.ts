// `npm run test:electron`: the same extension-host suite in desktop VS Code via @vscode/test-electron,
// for machines that can download VS Code (or that have one: set VSCODE_EXECUTABLE to its binary).
// CI runs the offline runner (runEditor.ts) instead.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';
import type { SuiteResults } from './suite/index';

const repoRoot = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');

async function main() {
  const tmp = mkdtempSync(join(tmpdir(), 'nginx-lens-electron-'));
  const ws = join(tmp, 'workspace');
  cpSync(join(repoRoot, 'test/e2e/workspace'), ws, { recursive: true });
  const resultsFile = join(tmp, 'results.json');
  let code = 1;
  try {
    code = await runTests({
      version: process.env.VSCODE_VERSION ?? '1.100.3',
      vscodeExecutablePath: process.env.VSCODE_EXECUTABLE,
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: join(repoRoot, 'out/e2e/suite/index.js'),
      extensionTestsEnv: { NGINX_LENS_E2E_RESULTS: resultsFile },
      launchArgs: [ws, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes', '--user-data-dir', join(tmp, 'user-data')],
    });
  } catch (err) {
    console.error(`VS Code could not run the suite: ${String(err)}`);
  }
  if (existsSync(resultsFile)) {
    const r = JSON.parse(readFileSync(resultsFile, 'utf8')) as SuiteResults;
    for (const t of r.tests) if (t.state === 'failed') console.log(`NOT OK ${t.title}\n${t.error}`);
    console.log(`${r.passed} passed, ${r.failed} failed`);
    if (r.failed > 0) code = 1;
  } else {
    console.log('0 passed, 1 failed');
    code = 1;
  }
  rmSync(tmp, { recursive: true, force: true });
  process.exit(code);
}

void main();
