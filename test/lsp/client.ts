// A real LSP client for the tests: spawns the BUILT server (dist/server.js --stdio) and talks to it
// over the child's stdio with vscode-languageserver-protocol, as an editor would.

import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ensureBuilt as ensureBundle, repoRoot } from '../support/build';
import { pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  InitializeRequest,
  InitializedNotification,
  PublishDiagnosticsNotification,
  StreamMessageReader,
  StreamMessageWriter,
  DidOpenTextDocumentNotification,
  ShutdownRequest,
  ExitNotification,
  LogMessageNotification,
  type Diagnostic,
  type ProtocolConnection,
  type InitializeResult,
} from 'vscode-languageserver-protocol/node';

export { repoRoot };
const serverJs = join(repoRoot, 'dist/server.js');

/** Rebuilds dist/ when any server source is newer than the bundle. */
export function ensureBuilt(): void {
  ensureBundle(serverJs);
}

export const uriOf = (p: string) => pathToFileURL(p).toString();

export interface TestClient {
  connection: ProtocolConnection;
  child: ChildProcess;
  init: InitializeResult;
  stderr: () => string;
  logs: string[];
  open(path: string, text: string, languageId?: string): Promise<void>;
  /** Resolves with the next diagnostics published for uri (or the current ones if already received after `since`). */
  diagnostics(uri: string, timeoutMs?: number): Promise<Diagnostic[]>;
  close(): Promise<void>;
  /** Resolves at the server's next workspace/codeLens/refresh request. */
  lensRefresh(timeoutMs?: number): Promise<void>;
  refreshCount(): number;
}

export async function startClient(opts: { rootPath?: string; initializationOptions?: unknown } = {}): Promise<TestClient> {
  ensureBuilt();
  // NGINX_LENS_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the server under a test.
  const nodeArgs = (process.env.NGINX_LENS_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, serverJs, '--stdio'], { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (b) => (err += b));
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  const published = new Map<string, Diagnostic[]>();
  const waiters = new Map<string, ((d: Diagnostic[]) => void)[]>();
  const logs: string[] = [];
  connection.onNotification(PublishDiagnosticsNotification.type, (p) => {
    published.set(p.uri, p.diagnostics);
    const ws = waiters.get(p.uri);
    if (ws) {
      waiters.delete(p.uri);
      for (const w of ws) w(p.diagnostics);
    }
  });
  connection.onNotification(LogMessageNotification.type, (p) => {
    logs.push(p.message);
  });
  connection.onRequest('workspace/configuration', () => []);
  const refreshWaiters: (() => void)[] = [];
  let refreshes = 0;
  connection.onRequest('workspace/codeLens/refresh', () => {
    refreshes++;
    for (const w of refreshWaiters.splice(0)) w();
    return null;
  });
  connection.listen();
  const root = opts.rootPath;
  const init = await connection.sendRequest(InitializeRequest.type, {
    processId: process.pid,
    rootUri: root ? uriOf(root) : null,
    workspaceFolders: root ? [{ uri: uriOf(root), name: 'ws' }] : null,
    capabilities: {
      textDocument: { hover: { contentFormat: ['markdown', 'plaintext'] }, completion: { completionItem: { snippetSupport: true } } },
      // As VS Code: edits may carry annotations that ask the user to confirm them.
      workspace: { codeLens: { refreshSupport: true }, configuration: true, workspaceEdit: { documentChanges: true, changeAnnotationSupport: { groupsOnLabel: true } } },
    },
    initializationOptions: opts.initializationOptions ?? { trusted: true, settings: {} },
  });
  await connection.sendNotification(InitializedNotification.type, {});
  const versions = new Map<string, number>();
  return {
    connection,
    child,
    init,
    logs,
    stderr: () => err,
    async open(path, text, languageId = 'nginx') {
      const uri = uriOf(path);
      versions.set(uri, 1);
      await connection.sendNotification(DidOpenTextDocumentNotification.type, {
        textDocument: { uri, languageId, version: 1, text },
      });
    },
    diagnostics(uri, timeoutMs = 20_000) {
      return new Promise((res, rej) => {
        const t = setTimeout(() => rej(new Error(`no diagnostics for ${uri} within ${timeoutMs} ms`)), timeoutMs);
        const list = waiters.get(uri) ?? [];
        list.push((d) => {
          clearTimeout(t);
          res(d);
        });
        waiters.set(uri, list);
      });
    },
    refreshCount: () => refreshes,
    lensRefresh(timeoutMs = 10_000) {
      return new Promise((res, rej) => {
        const t = setTimeout(() => rej(new Error('no codeLens refresh')), timeoutMs);
        refreshWaiters.push(() => {
          clearTimeout(t);
          res();
        });
      });
    },
    async close() {
      try {
        await Promise.race([connection.sendRequest(ShutdownRequest.type), new Promise((r) => setTimeout(r, 2000))]);
        await connection.sendNotification(ExitNotification.type);
      } catch {
        /* already gone */
      }
      connection.dispose();
      if (child.exitCode === null) {
        await Promise.race([new Promise((r) => child.once('exit', r)), new Promise((r) => setTimeout(r, 1000))]);
        if (child.exitCode === null) child.kill();
      }
    },
  };
}
