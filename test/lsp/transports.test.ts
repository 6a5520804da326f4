// The same server over the other transports: node IPC (what the VS Code client uses) and the CLI's
// `nginx-lens lsp --stdio` (for other editors).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fork, spawn } from 'node:child_process';
import { join } from 'node:path';
import {
  createProtocolConnection,
  HoverRequest,
  InitializeRequest,
  IPCMessageReader,
  IPCMessageWriter,
  StreamMessageReader,
  StreamMessageWriter,
  DidOpenTextDocumentNotification,
  type MarkupContent,
  type ProtocolConnection,
} from 'vscode-languageserver-protocol/node';
import { ensureBuilt, repoRoot } from './client';

async function hoverListen(connection: ProtocolConnection): Promise<string> {
  connection.listen();
  await connection.sendRequest(InitializeRequest.type, {
    processId: process.pid,
    rootUri: null,
    capabilities: {},
    initializationOptions: { trusted: false, settings: {} },
  });
  connection.sendNotification('initialized', {});
  const uri = 'untitled:Untitled-1';
  await connection.sendNotification(DidOpenTextDocumentNotification.type, {
    textDocument: { uri, languageId: 'nginx', version: 1, text: 'http {\n  server { listen 80; }\n}\n' },
  });
  const h = await connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 1, character: 13 } });
  return (h!.contents as MarkupContent).value;
}

test('node IPC transport (the VS Code client) answers a hover', async () => {
  ensureBuilt();
  const child = fork(join(repoRoot, 'dist/server.js'), ['--node-ipc'], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  const connection = createProtocolConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
  try {
    assert.match(await hoverListen(connection), /\*\*listen\*\*/);
  } finally {
    connection.dispose();
    child.kill();
  }
});

test('nginx-lens lsp --stdio (the CLI entry) answers a hover', async () => {
  ensureBuilt();
  const child = spawn(process.execPath, [join(repoRoot, 'dist/cli.js'), 'lsp', '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  try {
    assert.match(await hoverListen(connection), /\*\*listen\*\*/);
  } finally {
    connection.dispose();
    child.kill();
  }
});
