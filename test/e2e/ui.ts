// UI tests: what a person sees in the workbench, driven through chromium the way a user would
// (Quick Open, mouse hover, clicks). Each waits and retries while the language server starts.
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Locator, Page } from 'playwright-core';

export interface UiContext {
  workspace: string;
  screenshots: string;
  /** 'dev' or 'vsix': which extension build is under test; names screenshots. */
  label: string;
}
export interface UiTest {
  name: string;
  phases: ('dev' | 'vsix')[];
  /** May return measurements (ms or bytes) for the runner to print and bench/editor.mjs to report. */
  run(page: Page, ctx: UiContext): Promise<void | Record<string, number>>;
}

interface Truth {
  log: string;
  drops: { logLine: number; rule: { file: string; line: number; column: number } }[];
}
const truth = JSON.parse(readFileSync(new URL('./access-log-truth.json', import.meta.url), 'utf8')) as Truth;

/** User settings for a clean, reproducible workbench (written before the server starts). */
export const userSettings = {
  'workbench.colorTheme': 'Default Dark Modern',
  'workbench.startupEditor': 'none',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'editor.minimap.enabled': false,
  'editor.hover.delay': 200,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  // Runs live inside the repository's checkout: no "open the parent repository?" notification.
  'git.enabled': false,
  'git.openRepositoryInParentFolders': 'never',
  // A person would answer the trust prompt once; the smoke-test driver refuses all dialogs.
  'security.workspace.trust.enabled': false,
  // The web workbench saves after a delay by default: a test's edit to a log it then reverts and
  // deletes was written back after the delete, and the drop counts read it.
  'files.autoSave': 'off',
};

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
      if (process.env.NGINX_LENS_E2E_VERBOSE === '1') console.log(`    retrying ${what}: ${String(err).split('\n')[0]}`);
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what}${last ? ` (${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

async function workbenchReady(page: Page): Promise<void> {
  await page.waitForSelector('.monaco-workbench .part.statusbar', { timeout: 90_000 });
}

/** Opens a workspace file with Quick Open (Ctrl+P), as a user would. */
export async function openFile(page: Page, rel: string): Promise<void> {
  await workbenchReady(page);
  const t = Date.now();
  const name = basename(rel);
  await eventually(`Quick Open to offer ${rel}`, async () => {
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+P');
    await page.locator('.quick-input-widget input').waitFor({ timeout: 5000 }).catch(() => { throw new Error('no quick input'); });
    await page.keyboard.type(rel);
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first();
    await row.waitFor({ timeout: 5000 }).catch(async () => { throw new Error(`no row; list: ${await page.locator('.quick-input-widget').innerText().catch(() => '?')}`); });
    await row.click();
    await page.locator(`.tab.active[aria-label^="${name}"]`).waitFor({ timeout: 5000 });
    return true;
    // File search answers once the remote extension host is up: slow on a busy 2-core machine.
  }, 90_000);
  await page.locator('.editor-instance .view-line').first().waitFor();
  if (process.env.NGINX_LENS_E2E_VERBOSE === '1') console.log(`    opened ${rel} in ${Date.now() - t} ms`);
}

/** Runs a command from the Command Palette by its title. */
async function runCommand(page: Page, title: string): Promise<void> {
  await workbenchReady(page);
  await eventually(`Command Palette to offer ${title}`, async () => {
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+Shift+P');
    await page.locator('.quick-input-widget input').waitFor({ timeout: 5000 });
    await page.keyboard.type(title);
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    await row.waitFor({ timeout: 5000 });
    await page.keyboard.press('Enter');
    return true;
  });
}

async function activeTab(page: Page): Promise<string> {
  return (await page.locator('.tab.active .label-name').first().innerText()).trim();
}

/** The status bar's cursor position, e.g. `Ln 5, Col 5`. */
async function cursorStatus(page: Page): Promise<string> {
  return (await page.locator('[id="status.editor.selection"]').innerText()).trim();
}

/** Every `return 444;` in the fixture config, as `file:line` (from the files, not from the server). */
function fixture444Rules(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
      const rel = `${dir}/${e.name}`;
      if (e.isDirectory()) walk(rel);
      else
        readFileSync(join(root, rel), 'utf8')
          .split('\n')
          .forEach((l, i) => {
            if (/^\s*return\s+444\s*;/.test(l)) found.push(`${rel}:${i + 1}`);
          });
    }
  };
  walk('nginx');
  return found.sort();
}

/** The code lens shown above the given 1-based line, once the server has provided it. */
async function lensAbove(page: Page, line: number, title?: RegExp): Promise<Locator> {
  return eventually(`a code lens above line ${line}`, async () => {
    const target = await viewLine(page, line);
    const lineBox = await target.boundingBox();
    if (!lineBox) return undefined;
    const lenses = page.locator('.editor-instance .codelens-decoration a');
    const n = await lenses.count();
    let best: { el: Locator; dy: number } | undefined;
    for (let i = 0; i < n; i++) {
      const el = lenses.nth(i);
      const b = await el.boundingBox();
      if (!b) continue;
      const dy = lineBox.y - b.y;
      if (dy > 0 && dy < 2.5 * lineBox.height && (!best || dy < best.dy)) best = { el, dy };
    }
    if (!best) return undefined;
    if (title && !title.test(await best.el.innerText())) return undefined;
    return best.el;
  }, 45_000);
}

/** The peek names access.log and, in its title, as many locations as expected: `… - Locations (4)`. */
async function peekShows(peek: Locator, count: number): Promise<true | undefined> {
  const title = await peek.locator('.peekview-title').innerText();
  return title.includes('access.log') && title.includes(`(${count})`) ? true : undefined;
}

async function statusBarText(page: Page): Promise<string> {
  return (await page.locator('.part.statusbar').innerText()).replace(/\s+/g, ' ');
}

/** The rendered editor line with the given 1-based number. */
async function viewLine(page: Page, line: number): Promise<Locator> {
  return eventually(`line ${line} rendered`, async () => {
    const numbers = page.locator('.editor-instance .margin-view-overlays .line-numbers');
    const n = await numbers.count();
    for (let i = 0; i < n; i++) {
      const el = numbers.nth(i);
      if ((await el.innerText()).trim() !== String(line)) continue;
      const box = await el.boundingBox();
      if (!box) continue;
      const lines = page.locator('.editor-instance .view-lines .view-line');
      const m = await lines.count();
      for (let j = 0; j < m; j++) {
        const b = await lines.nth(j).boundingBox();
        if (b && Math.abs(b.y - box.y) < 2) return lines.nth(j);
      }
    }
    return undefined;
  });
}

/** The innermost rendered token on `line` whose text is exactly `text`. */
async function token(page: Page, line: number, text: string): Promise<Locator> {
  const l = await viewLine(page, line);
  const spans = l.locator('span > span');
  const n = await spans.count();
  for (let i = 0; i < n; i++) if ((await spans.nth(i).innerText()) === text) return spans.nth(i);
  throw new Error(`no token "${text}" on line ${line}: ${await l.innerText()}`);
}

// Runs in the page: the DOM's getComputedStyle, not a Node global.
const colorOf = (el: Locator) => el.evaluate((e) => (globalThis as unknown as { getComputedStyle(e: unknown): { color: string } }).getComputedStyle(e).color);

async function hoverUntil(page: Page, target: Locator, expected: RegExp): Promise<string> {
  return eventually(`hover matching ${expected}`, async () => {
    await page.mouse.move(5, 5);
    const box = await target.boundingBox();
    if (!box) return undefined;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const hover = page.locator('.monaco-hover:not(.hidden) .monaco-hover-content');
    await hover.first().waitFor({ timeout: 3000 });
    const text = (await hover.allInnerTexts()).join('\n');
    if (!expected.test(text)) return undefined;
    // Let the fade-in finish, so screenshots show the hover as a person sees it.
    await page.waitForTimeout(400);
    return text;
  }, 45_000);
}

const lineOfFile = (rel: string, needle: string, root: string) =>
  readFileSync(join(root, rel), 'utf8').split('\n').findIndex((l) => l.includes(needle)) + 1;

export const uiTests: UiTest[] = [
  {
    name: 'the nginx grammar colours a config',
    phases: ['dev'],
    async run(page, ctx) {
      const rel = 'nginx/sites-enabled/shop.conf';
      await openFile(page, rel);
      const line = lineOfFile(rel, 'return 444;', ctx.workspace);
      const keyword = await eventually('return tokenized', async () => {
        const t = await token(page, line, 'return');
        return t;
      });
      const code = await token(page, line, '444');
      const comment = await viewLine(page, lineOfFile(rel, '# We serve no PHP', ctx.workspace));
      const semicolon = await token(page, line, ';');
      const colors = {
        keyword: await colorOf(keyword),
        code: await colorOf(code),
        punctuation: await colorOf(semicolon),
        comment: await colorOf(comment.locator('span > span').last()),
      };
      if (new Set(Object.values(colors)).size < 3) {
        throw new Error(`expected distinct colours for directive, argument, punctuation and comment: ${JSON.stringify(colors)}`);
      }
      if (colors.keyword === colors.code) throw new Error(`directive and 444 share a colour: ${JSON.stringify(colors)}`);
    },
  },
  {
    name: 'the access-log grammar sets 444 apart from other statuses',
    phases: ['dev'],
    async run(page) {
      await openFile(page, truth.log);
      const ok = await eventually('status 200 tokenized', async () => token(page, 1, '200'));
      const dropped = await token(page, truth.drops[0].logLine, '444');
      const [c200, c444] = [await colorOf(ok), await colorOf(dropped)];
      if (c200 === c444) throw new Error(`444 and 200 share a colour (${c444})`);
    },
  },
  {
    name: 'hovering 444 of `return 444` explains the rule',
    phases: ['dev', 'vsix'],
    async run(page, ctx) {
      const rel = 'nginx/sites-enabled/default';
      await openFile(page, rel);
      const line = lineOfFile(rel, 'return 444;', ctx.workspace);
      const code = await eventually('444 rendered', async () => token(page, line, '444'));
      await hoverUntil(page, code, /444[\s\S]*close/i);
      await page.screenshot({ path: join(ctx.screenshots, `hover-${ctx.label}.png`) });
    },
  },
  {
    name: 'Show All 444 Rules lists every rule and opens the one picked',
    phases: ['dev'],
    async run(page, ctx) {
      const expected = fixture444Rules(ctx.workspace);
      const target = expected.find((r) => r.startsWith('nginx/sites-enabled/default:'))!;
      const [file, line] = target.split(':');
      // Server-side the rule list needs a loaded config: open one first, as a user would.
      await openFile(page, 'nginx/nginx.conf');
      const rows = await eventually(`the quick pick to list ${expected.length} rules`, async () => {
        await runCommand(page, 'nginx-lens: Show All 444 Rules');
        const list = page.locator('.quick-input-list .monaco-list-row');
        await list.first().waitFor({ timeout: 5000 });
        const texts = await list.allInnerTexts();
        if (texts.length !== expected.length) return undefined;
        return texts;
      });
      for (const r of expected) {
        const [f, l] = r.split(':');
        if (!rows.some((t) => t.includes(`${f}:${l}`))) throw new Error(`rule ${r} missing from the quick pick: ${rows.join(' | ')}`);
      }
      await page.locator('.quick-input-list .monaco-list-row', { hasText: `${file}:${line}` }).click();
      await eventually(`${basename(file)} active at line ${line}`, async () =>
        (await activeTab(page)) === basename(file) && (await cursorStatus(page)).startsWith(`Ln ${line},`) ? true : undefined,
      10_000);
    },
  },
  {
    name: 'clicking the lens of a 444 log line opens the config at the rule',
    phases: ['dev', 'vsix'],
    async run(page, ctx) {
      const d = truth.drops.find((x) => x.rule.file.endsWith('shop.conf')) ?? truth.drops[0];
      await openFile(page, truth.log);
      const lens = await lensAbove(page, d.logLine, new RegExp(`${basename(d.rule.file).replace('.', '\\.')}:${d.rule.line}\\b`));
      await eventually('the log format in the status bar', async () => (/log_format: main/.test(await statusBarText(page)) ? true : undefined));
      await page.screenshot({ path: join(ctx.screenshots, `log-lens-${ctx.label}.png`) });
      await lens.click();
      await eventually(`${basename(d.rule.file)} active with the cursor on line ${d.rule.line}`, async () =>
        (await activeTab(page)) === basename(d.rule.file) && (await cursorStatus(page)).startsWith(`Ln ${d.rule.line},`) ? true : undefined,
      10_000);
      await page.screenshot({ path: join(ctx.screenshots, `click-through-${ctx.label}.png`) });
    },
  },
  {
    name: 'the reverse lens on a rule peeks at the log lines it dropped',
    phases: ['vsix'],
    async run(page, ctx) {
      const counts = new Map<string, number>();
      for (const d of truth.drops) counts.set(`${d.rule.file}:${d.rule.line}`, (counts.get(`${d.rule.file}:${d.rule.line}`) ?? 0) + 1);
      const [key, count] = [...counts].sort((a, b) => b[1] - a[1])[0];
      const file = key.slice(0, key.lastIndexOf(':'));
      const line = Number(key.slice(key.lastIndexOf(':') + 1));
      await openFile(page, file);
      const lens = await lensAbove(page, line, new RegExp(`^${count} drops? in access\\.log`));
      await lens.click();
      const peek = page.locator('.zone-widget .peekview-widget').first();
      await peek.waitFor({ timeout: 10_000 });
      // The references list names the log and as many lines as the lens counted.
      await eventually(`${count} references in the peek`, async () => {
        return peekShows(peek, count);
      }, 10_000);
      await page.screenshot({ path: join(ctx.screenshots, `rule-drops-${ctx.label}.png`) });
      await page.keyboard.press('Escape');
    },
  },
  {
    name: 'hovering a 444 log line shows the decision path',
    phases: ['vsix'],
    async run(page, ctx) {
      // A line low enough in the file for the hover to open below the tabs.
      const d = [...truth.drops].reverse().find((x) => x.rule.file.endsWith('shop.conf')) ?? truth.drops[0];
      await openFile(page, truth.log);
      const status = await eventually('the 444 status rendered', async () => token(page, d.logLine, '444'));
      await hoverUntil(page, status, new RegExp(`exact[\\s\\S]*${basename(d.rule.file).replace('.', '\\.')}:${d.rule.line}\\b`, 'i'));
      await page.screenshot({ path: join(ctx.screenshots, `log-hover-${ctx.label}.png`) });
    },
  },
  {
    name: 'Show Drops for This Rule, from the palette with the cursor on the if, peeks at its drops',
    phases: ['dev'],
    async run(page, ctx) {
      const d = truth.drops.find((x) => x.rule.file.endsWith('shop.conf') && x.rule.line === lineOfFile(x.rule.file, 'return 444;', ctx.workspace))!;
      const count = truth.drops.filter((x) => x.rule.file === d.rule.file && x.rule.line === d.rule.line).length;
      await openFile(page, d.rule.file);
      const ifLine = lineOfFile(d.rule.file, 'if ($bad_agent)', ctx.workspace);
      await page.keyboard.press('Control+G');
      await page.keyboard.type(String(ifLine));
      await page.keyboard.press('Enter');
      await eventually(`cursor on line ${ifLine}`, async () => ((await cursorStatus(page)).startsWith(`Ln ${ifLine},`) ? true : undefined), 5000);
      const peek = page.locator('.zone-widget .peekview-widget').first();
      await eventually('the drops peek', async () => {
        await runCommand(page, 'nginx-lens: Show Drops for This Rule');
        await peek.waitFor({ timeout: 5000 });
        return peekShows(peek, count);
      });
      await page.keyboard.press('Escape');
    },
  },
  {
    name: 'Running Extensions reports the activation time',
    phases: ['vsix'],
    async run(page) {
      await openFile(page, 'nginx/nginx.conf');
      // VS Code measures activation itself (code loading + activate()); read it where users see it.
      const text = await eventually('nginx-lens in Running Extensions with an activation time', async () => {
        await runCommand(page, 'Developer: Show Running Extensions');
        const row = page.locator('.runtime-extensions-editor .monaco-list-row', { hasText: 'nginx-lens' }).first();
        await row.waitFor({ timeout: 5000 });
        const t = (await row.locator('.activation-time').innerText()).trim();
        return /\d/.test(t) ? t : undefined;
      });
      const ms = Number(/(\d+(?:\.\d+)?)\s*ms/.exec(text)?.[1]);
      if (!Number.isFinite(ms)) throw new Error(`unreadable activation time: ${text}`);
      return { activationMs: ms };
    },
  },
];
