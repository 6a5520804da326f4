// Starts and stops the offline real VS Code (the server inside code-server@4.100.3, installed by
// scripts/install-editor.sh) and a headless chromium that connects to its workbench.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const repoRoot = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');
export const vscodeDir = join(repoRoot, '.vscode-test/code-server/node_modules/code-server/lib/vscode');
export const serverMain = join(vscodeDir, 'out/server-main.js');
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface Dirs {
  userData: string;
  serverData: string;
  extensions: string;
}

export function makeDirs(base: string): Dirs {
  const d = { userData: join(base, 'user-data'), serverData: join(base, 'server-data'), extensions: join(base, 'extensions') };
  for (const p of Object.values(d)) mkdirSync(p, { recursive: true });
  return d;
}

function serverArgs(dirs: Dirs): string[] {
  return [
    '--accept-server-license-terms',
    '--telemetry-level', 'off',
    '--user-data-dir', dirs.userData,
    '--server-data-dir', dirs.serverData,
    '--extensions-dir', dirs.extensions,
  ];
}

/** `server-main.js --install-extension <vsix>` into dirs.extensions; returns its output. */
export function installExtension(dirs: Dirs, vsix: string): string {
  const r = spawnSync(process.execPath, [serverMain, ...serverArgs(dirs), '--install-extension', vsix, '--force'], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  const out = `${r.stdout}${r.stderr}`;
  if (r.status !== 0) throw new Error(`--install-extension failed (${r.status}): ${out}`);
  return out;
}

export interface RunningServer {
  port: number;
  log: string[];
  stop(): Promise<void>;
}

export async function startServer(dirs: Dirs, env: NodeJS.ProcessEnv = {}): Promise<RunningServer> {
  if (!existsSync(serverMain)) throw new Error(`${serverMain} missing: run scripts/install-editor.sh first`);
  const args = [
    serverMain,
    '--host', '127.0.0.1',
    '--port', '0',
    '--without-connection-token',
    '--enable-smoke-test-driver',
    ...serverArgs(dirs),
  ];
  // Own process group (setsid), so stop() ends the server with its extension hosts and watchers.
  const child: ChildProcess = spawn(process.execPath, args, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  const log: string[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`VS Code server did not report a port:\n${log.join('')}`)), 60_000);
    const onData = (b: Buffer) => {
      const s = b.toString();
      log.push(s);
      const m = /Extension host agent listening on (\d+)/.exec(s) ?? /https?:\/\/127\.0\.0\.1:(\d+)/.exec(s);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (b: Buffer) => log.push(b.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`VS Code server exited (${code}) before listening:\n${log.join('')}`));
    });
  });
  return {
    port,
    log,
    async stop() {
      if (child.exitCode !== null || child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        return;
      }
      const killed = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 5000))]);
      if (!killed) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
        await exited;
      }
    },
  };
}

export async function launchBrowser(profileDir: string): Promise<BrowserContext> {
  mkdirSync(profileDir, { recursive: true });
  return chromium.launchPersistentContext(profileDir, {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 1440, height: 900 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

/** Workbench URL for a folder, optionally with a payload (extension development path, tests path). */
export function workbenchUrl(port: number, folder: string, payload?: [string, string][]): string {
  let url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(folder)}`;
  if (payload) url += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  return url;
}

export const remote = (absPath: string) => `vscode-remote://remote${absPath}`;

export async function newPage(context: BrowserContext): Promise<Page> {
  const existing = context.pages();
  return existing.length ? existing[0] : context.newPage();
}
