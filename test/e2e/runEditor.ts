// `npm run test:editor`: the editor tier on an offline machine. In a real VS Code 1.100.3 (from
// code-server, see scripts/install-editor.sh) driven by headless chromium:
//   1. the extension-host suite (test/e2e/suite) against the development tree;
//   2. UI tests: what a person sees (grammar colours, hover on `return 444`, log lens click-through),
//      with screenshots in test/e2e/screenshots/;
//   3. the packaged .vsix installed with `server-main.js --install-extension`, hover + lens again.
// Prints one `N passed, N failed` line for all of it and exits non-zero on any failure.
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { format } from 'node:util';
import type { Page } from 'playwright-core';
import {
  installExtension,
  makeDirs,
  launchBrowser,
  newPage,
  remote,
  repoRoot,
  startServer,
  workbenchUrl,
  type Dirs,
} from './vscodeServer';
import { uiTests, userSettings, type UiTest } from './ui';
import type { SuiteResults } from './suite/index';

const runsDir = join(repoRoot, '.vscode-test/runs');
const screenshots = join(repoRoot, 'test/e2e/screenshots');
const verbose = process.env.NGINX_LENS_E2E_VERBOSE === '1';
const args = process.argv.slice(2);
const only = args.filter((a) => !a.startsWith('--')); // phase names: suite, ui, vsix
/** --docs: copy the installed package's screenshots into docs/ for the README. */
const docs = args.includes('--docs');
const docsShots: Record<string, string> = {
  'hover-vsix.png': 'hover-444.png',
  'log-lens-vsix.png': 'log-lenses.png',
  'click-through-vsix.png': 'click-through.png',
  'rule-drops-vsix.png': 'rule-drops.png',
  'log-hover-vsix.png': 'log-line-hover.png',
};

/** Measurements from all phases, written to .vscode-test/runs/metrics.json for bench/editor.mjs. */
const metrics: Record<string, number> = {};
let passed = 0;
let failed = 0;
const failures: string[] = [];
const t0 = Date.now();
const secs = (from: number) => `${((Date.now() - from) / 1000).toFixed(1)}s`;

function record(name: string, ok: boolean, detail = '') {
  if (ok) passed++;
  else {
    failed++;
    failures.push(`${name}${detail ? `\n    ${detail.split('\n').join('\n    ')}` : ''}`);
  }
  console.log(`  ${ok ? 'ok    ' : 'NOT OK'} ${name}${!ok && detail ? ` — ${detail.split('\n')[0]}` : ''}`);
}

/** Server, user and extension dirs for one run, with the user settings every run starts from. */
function prepare(run: string): Dirs {
  const dirs = makeDirs(run);
  mkdirSync(join(dirs.userData, 'User'), { recursive: true });
  writeFileSync(join(dirs.userData, 'User/settings.json'), JSON.stringify(userSettings, null, 2));
  return dirs;
}

/** A fresh copy of the fixture workspace: tests write files into it. */
function freshWorkspace(run: string): string {
  // The folder name shows in the title bar and explorer of the screenshots.
  const ws = join(run, 'webserver');
  cpSync(join(repoRoot, 'test/e2e/workspace'), ws, { recursive: true });
  return ws;
}

async function withWorkbench<T>(
  run: string,
  dirs: Dirs,
  env: NodeJS.ProcessEnv,
  url: (port: number) => string,
  body: (page: Page, exitCode: Promise<number>) => Promise<T>,
): Promise<T> {
  const server = await startServer(dirs, env);
  const context = await launchBrowser(join(run, 'chromium-profile'));
  try {
    const page = await newPage(context);
    let resolveExit!: (code: number) => void;
    const exitCode = new Promise<number>((r) => (resolveExit = r));
    // The workbench calls these when the smoke-test driver is on: exit with the tests' status,
    // and every log line of the workbench and extension host.
    await page.exposeFunction('codeAutomationExit', (code: number) => resolveExit(code));
    await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
      const text = format(...(Array.isArray(args) ? args : [args]));
      if (verbose || /\[e2e\]|nginx-lens|Error|✔|✗|passing|failing|^\s+\d+\) /.test(text)) {
        for (const line of text.split('\n')) if (line.trim()) console.log(`    | ${line}`);
      }
      void type;
    });
    const loading = Date.now();
    await page.goto(url(server.port));
    if (verbose) {
      await page.waitForSelector('.monaco-workbench .part.statusbar', { timeout: 90_000 });
      console.log(`    workbench up in ${secs(loading)} (server port ${server.port})`);
    }
    return await body(page, exitCode);
  } finally {
    await context.close().catch(() => undefined);
    await server.stop();
    if (verbose) console.log(server.log.join(''));
  }
}

async function phaseSuite(): Promise<void> {
  const start = Date.now();
  console.log('extension-host suite (development tree)');
  const run = join(runsDir, 'suite');
  const dirs = prepare(run);
  const ws = freshWorkspace(run);
  const resultsFile = join(run, 'results.json');
  const suiteIndex = join(repoRoot, 'out/e2e/suite/index.js');
  if (!existsSync(suiteIndex)) throw new Error('out/e2e/suite/index.js missing: node test/e2e/build.mjs');
  const payload: [string, string][] = [
    ['extensionDevelopmentPath', remote(repoRoot)],
    ['extensionTestsPath', remote(suiteIndex)],
  ];
  const code = await withWorkbench(
    run,
    dirs,
    { NGINX_LENS_E2E_RESULTS: resultsFile },
    (port) => workbenchUrl(port, ws, payload),
    (_page, exitCode) =>
      Promise.race([exitCode, new Promise<number>((r) => setTimeout(() => r(-1), 240_000))]),
  );
  if (!existsSync(resultsFile)) {
    record('extension-host suite ran', false, code === -1 ? 'timed out after 240 s' : `exit ${code}, no results file`);
    return;
  }
  const results = JSON.parse(readFileSync(resultsFile, 'utf8')) as SuiteResults;
  for (const t of results.tests) record(t.title, t.state === 'passed', t.error);
  const m = results.metrics ?? {};
  for (const [k, v] of Object.entries(m)) metrics[`suite.${k}`] = v;
  if (m.openToActiveMs !== undefined) {
    console.log(`  activation: ${m.openToActiveMs} ms from opening nginx.conf to active, server ready after ${m.openToServerReadyMs} ms`);
  }
  if (code !== 0 && results.failed === 0) record('extension-host suite exit status', false, `codeAutomationExit(${code})`);
  console.log(`  (${secs(start)})`);
}

async function phaseUi(kind: 'dev' | 'vsix', tests: UiTest[]): Promise<void> {
  const start = Date.now();
  const run = join(runsDir, kind);
  const dirs = prepare(run);
  const ws = freshWorkspace(run);
  let payload: [string, string][] | undefined;
  if (kind === 'dev') {
    console.log('UI tests (development tree)');
    payload = [['extensionDevelopmentPath', remote(repoRoot)]];
  } else {
    console.log('UI tests (installed .vsix)');
    const vsix = join(run, 'nginx-lens.vsix');
    const pack = spawnSync('npx', ['vsce', 'package', '--no-dependencies', '-o', vsix], { cwd: repoRoot, encoding: 'utf8' });
    if (pack.status !== 0) {
      record('npm run package builds the .vsix', false, `${pack.stdout}${pack.stderr}`);
      return;
    }
    metrics['vsix.bytes'] = statSync(vsix).size;
    console.log(`  .vsix: ${(statSync(vsix).size / 1024).toFixed(1)} KB`);
    try {
      installExtension(dirs, vsix);
      record('server-main.js --install-extension installs the .vsix', true);
    } catch (err) {
      record('server-main.js --install-extension installs the .vsix', false, String(err));
      return;
    }
  }
  await withWorkbench(run, dirs, {}, (port) => workbenchUrl(port, ws, payload), async (page) => {
    for (const t of tests) {
      const ts = Date.now();
      try {
        const m = await t.run(page, { workspace: ws, screenshots, label: kind });
        record(`${kind}: ${t.name} (${secs(ts)})`, true);
        for (const [k, v] of Object.entries(m ?? {})) {
          metrics[`${kind}.${k}`] = v;
          console.log(`         ${k}: ${v}`);
        }
      } catch (err) {
        await page.screenshot({ path: join(run, `failed-${kind}-${t.name.replace(/\W+/g, '-')}.png`) }).catch(() => undefined);
        record(`${kind}: ${t.name}`, false, String((err as Error)?.stack ?? err));
      }
    }
  });
  console.log(`  (${secs(start)})`);
}

async function main() {
  rmSync(runsDir, { recursive: true, force: true });
  mkdirSync(screenshots, { recursive: true });
  const want = (p: string) => only.length === 0 || only.includes(p);
  const phases: [string, () => Promise<void>][] = [
    ['suite', phaseSuite],
    ['ui', () => phaseUi('dev', uiTests.filter((t) => t.phases.includes('dev')))],
    ['vsix', () => phaseUi('vsix', uiTests.filter((t) => t.phases.includes('vsix')))],
  ];
  for (const [name, phase] of phases) {
    if (!want(name)) continue;
    try {
      await phase();
    } catch (err) {
      record(`${name} phase`, false, String((err as Error)?.stack ?? err));
    }
  }
  writeFileSync(join(runsDir, 'metrics.json'), JSON.stringify(metrics, null, 2));
  if (docs && failed === 0) {
    mkdirSync(join(repoRoot, 'docs'), { recursive: true });
    for (const [from, to] of Object.entries(docsShots)) {
      if (existsSync(join(screenshots, from))) copyFileSync(join(screenshots, from), join(repoRoot, 'docs', to));
    }
    console.log(`screenshots copied to docs/: ${Object.values(docsShots).join(', ')}`);
  }
  if (failures.length) console.log(`\nfailures:\n  ${failures.join('\n  ')}`);
  console.log(`editor tier took ${secs(t0)}`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed > 0 || passed === 0 ? 1 : 0);
}

void main();
