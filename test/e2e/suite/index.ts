// Entry point VS Code loads as extensionTestsPath: runs the mocha suite inside the extension host.
// Both runners (runEditor.ts: offline VS Code in chromium; runElectron.ts: downloaded VS Code) use it.
// Results also go to $NGINX_LENS_E2E_RESULTS as JSON, so a runner does not have to scrape console output.
import { writeFileSync } from 'node:fs';
import Mocha from 'mocha';
import { register as registerExtension } from './extension.test';
import { register as registerLanguageServer } from './languageServer.test';
import { register as registerAttribution } from './attribution.test';
import { metrics } from './helpers';

export interface SuiteResults {
  passed: number;
  failed: number;
  tests: { title: string; state: 'passed' | 'failed'; ms: number; error?: string }[];
  metrics: Record<string, number>;
}

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 30_000, reporter: 'spec' });
  // Suites register through mocha's exported describe/it, which only work after pre-require.
  mocha.suite.emit('pre-require', globalThis, 'nginx-lens-e2e', mocha);
  registerExtension();
  registerLanguageServer();
  registerAttribution();

  const results: SuiteResults = { passed: 0, failed: 0, tests: [], metrics };
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      console.log(`[e2e] extension-host suite: ${results.passed} ok, ${results.failed} not ok`);
      const out = process.env.NGINX_LENS_E2E_RESULTS;
      if (out) writeFileSync(out, JSON.stringify(results, null, 2));
      if (failures > 0 || results.failed > 0) reject(new Error(`${failures} test(s) failed`));
      else resolve();
    });
    runner.on('pass', (t) => {
      results.passed++;
      results.tests.push({ title: t.fullTitle(), state: 'passed', ms: t.duration ?? 0 });
    });
    runner.on('fail', (t, err: Error) => {
      results.failed++;
      results.tests.push({ title: t.fullTitle(), state: 'failed', ms: t.duration ?? 0, error: String(err?.stack ?? err) });
    });
  });
}
