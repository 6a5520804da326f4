// Large logs read from disk (nginx-lens/diskLog): the server answers lenses and hovers for a log it
// never received the text of, re-reads it when the client says it changed, and forgets it on close.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CodeLensRequest, HoverRequest, type CodeLens } from 'vscode-languageserver-protocol/node';
import { startClient, uriOf, type TestClient } from './client';
import { DiskLogNotification, type DiskLogParams } from '../../server/src/lsp/protocol';

const fixture = join(__dirname, 'fixtures/site');
let dir: string;
let c: TestClient;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nginx-lens-disklog-'));
  cpSync(fixture, dir, { recursive: true });
  c = await startClient({ rootPath: dir });
});
after(async () => {
  await c?.close();
  rmSync(dir, { recursive: true, force: true });
});

const lenses = async (uri: string) => ((await c.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } })) ?? []) as CodeLens[];
const diskLog = (p: DiskLogParams) => c.connection.sendNotification(DiskLogNotification, p);

test('a log opened from disk gets the same lenses as one opened with its text', async () => {
  const log = join(dir, 'logs/access.log');
  const other = join(dir, 'logs/copy-access.log');
  cpSync(log, other);
  await c.open(other, readFileSync(other, 'utf8'), 'nginx-access-log');
  const synced = await lenses(uriOf(other));
  assert.ok(synced.length >= 3, JSON.stringify(synced));

  await diskLog({ uri: uriOf(log), state: 'open' });
  const fromDisk = await lenses(uriOf(log));
  assert.deepEqual(
    fromDisk.map((l) => [l.range.start.line, l.command?.title]),
    synced.map((l) => [l.range.start.line, l.command?.title]),
  );
  const hover = await c.connection.sendRequest(HoverRequest.type, { textDocument: { uri: uriOf(log) }, position: { line: 1, character: 3 } });
  assert.ok(hover, 'a hover on a 444 line of a log read from disk');

  // Reloaded from disk (nginx appended lines): read again shortly after `changed`, once for a burst.
  const line = '203.0.113.9 - - [27/Nov/2026:10:00:04 +0000] "GET / HTTP/1.1" 444 0 "-" "curl/8.0" "10.0.0.1"\n';
  const refreshes = c.refreshCount();
  appendFileSync(log, line);
  await diskLog({ uri: uriOf(log), state: 'changed' });
  appendFileSync(log, line);
  await diskLog({ uri: uriOf(log), state: 'changed' });
  await c.lensRefresh();
  const grown = await lenses(uriOf(log));
  assert.equal(grown.length, fromDisk.length + 2);
  assert.equal(grown[grown.length - 1].range.start.line, 5);
  await new Promise((r) => setTimeout(r, 600));
  assert.equal(c.refreshCount(), refreshes + 1, 'one lens refresh for the burst');

  await diskLog({ uri: uriOf(log), state: 'closed' });
  assert.deepEqual(await lenses(uriOf(log)), [], 'closed: no lenses');
});

test('a log that cannot be read from disk gets no lenses and the server keeps going', async () => {
  const missing = join(dir, 'logs/missing-access.log');
  await diskLog({ uri: uriOf(missing), state: 'open' });
  assert.deepEqual(await lenses(uriOf(missing)), []);
  await diskLog({ uri: 'untitled:Untitled-1', state: 'open' });
  assert.deepEqual(await lenses('untitled:Untitled-1'), []);
  assert.ok((await lenses(uriOf(join(dir, 'logs/copy-access.log')))).length >= 3, 'other logs still answered');
});
