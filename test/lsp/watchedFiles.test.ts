// Config files created and deleted on disk (workspace/didChangeWatchedFiles) reach the log lenses,
// also after a broken file of the include glob was open and deleted while its document lingered
// (found by the real-editor suite: new files of the glob were no longer seen after that).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CodeLensRequest,
  DidChangeWatchedFilesNotification,
  DidCloseTextDocumentNotification,
  FileChangeType,
  type CodeLens,
} from 'vscode-languageserver-protocol/node';
import { startClient, uriOf, type TestClient } from './client';

const fixture = join(__dirname, 'fixtures/site');
let dir: string;
let c: TestClient;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nginx-lens-watch-'));
  cpSync(fixture, dir, { recursive: true });
  c = await startClient({ rootPath: dir });
});
after(async () => {
  await c?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Line 2 of the log: Host 10.0.0.1 matches no server_name, so port 80's default server dropped it. */
const LINE = 2;
const ANOTHER_PORT = 'server {\n    listen 8080;\n    return 444;\n}\n';
const UNCLOSED = 'server {\n    listen 8080\n    location / {\n        return 444;\n    }\n';

async function candidates(log: string): Promise<number> {
  const got = ((await c.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri: uriOf(log) } })) ?? []) as CodeLens[];
  const lens = got.find((l) => l.range.start.line === LINE);
  assert.ok(lens?.command, `no lens on line ${LINE}: ${JSON.stringify(got)}`);
  return (lens.command.arguments![0] as { locations: unknown[] }).locations.length;
}

const changed = (path: string, type: FileChangeType) =>
  c.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: uriOf(path), type }] });

/** The log does not record the port: while a server on another port exists, the line is ambiguous. */
async function assertFollowsDisk(log: string): Promise<void> {
  const extra = join(dir, 'conf.d/zz-extra.conf');
  writeFileSync(extra, ANOTHER_PORT);
  await changed(extra, FileChangeType.Created);
  assert.equal(await candidates(log), 2, 'a new server on another port makes the line ambiguous');
  rmSync(extra);
  await changed(extra, FileChangeType.Deleted);
  assert.equal(await candidates(log), 1, 'exact again once the file is deleted');
}

test('log lenses follow config files created and deleted on disk', async () => {
  const log = join(dir, 'logs/access.log');
  await c.open(log, readFileSync(log, 'utf8'), 'nginx-access-log');
  assert.equal(await candidates(log), 1);
  await assertFollowsDisk(log);
});

test('a broken included file opened, closed and deleted does not stop lenses from following the disk', async () => {
  const log = join(dir, 'logs/access.log');
  const broken = join(dir, 'conf.d/yy-broken.conf');
  writeFileSync(broken, UNCLOSED);
  await changed(broken, FileChangeType.Created);
  await c.open(broken, UNCLOSED);
  const diags = await c.diagnostics(uriOf(broken));
  assert.ok(diags.length, 'the unclosed block is reported');
  // VS Code keeps the document after its tab is closed (the extension host still holds it), so no
  // didClose comes before the file is deleted: the buffer must not stay in the include glob.
  rmSync(broken);
  await changed(broken, FileChangeType.Deleted);
  assert.equal(await candidates(log), 1, 'exact once the broken file is gone');
  await assertFollowsDisk(log);
  // The didClose that comes later changes nothing.
  await c.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri: uriOf(broken) } });
  await assertFollowsDisk(log);
});

test('a config file changed on disk is read again at once when the watcher reports it', async () => {
  const log = join(dir, 'logs/access.log');
  await c.open(log, readFileSync(log, 'utf8'), 'nginx-access-log');
  const extra = join(dir, 'conf.d/zz-changed.conf');
  writeFileSync(extra, ANOTHER_PORT);
  await changed(extra, FileChangeType.Created);
  assert.equal(await candidates(log), 2);
  // Within the server's one-second trust of kept texts: only the watcher event makes it re-read.
  writeFileSync(extra, ANOTHER_PORT.replace('444', '200'));
  await changed(extra, FileChangeType.Changed);
  assert.equal(await candidates(log), 1, 'the changed file no longer drops on another port');
  rmSync(extra);
  await changed(extra, FileChangeType.Deleted);
});
