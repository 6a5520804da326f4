// The client's half of large logs read from disk (client/src/diskLogs.ts), without VS Code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DiskLogSync, type LogDocument } from '../../client/src/diskLogs';
import { DISK_LOG_MIN_CHARS, type DiskLogParams } from '../../server/src/lsp/protocol';

function doc(text: string, over: Partial<{ scheme: string; languageId: string; isDirty: boolean }> = {}): LogDocument & { isDirty: boolean } {
  const scheme = over.scheme ?? 'file';
  return { uri: { scheme, toString: () => `${scheme}:///logs/access.log` }, languageId: over.languageId ?? 'nginx-access-log', isDirty: over.isDirty ?? false, getText: () => text };
}

function setup(trusted = true) {
  const sent: (DiskLogParams | 'openWithText')[] = [];
  const sync = new DiskLogSync('nginx-access-log', { diskLog: async (p) => void sent.push(p), openWithText: async () => void sent.push('openWithText') }, () => trusted);
  return { sent, sync };
}

const BIG = 'x'.repeat(DISK_LOG_MIN_CHARS);

test('only large, unmodified file: logs of a trusted workspace are read from disk', async () => {
  const { sent, sync } = setup();
  assert.equal(await sync.didOpen(doc('small')), false);
  assert.equal(await sync.didOpen(doc(BIG, { languageId: 'nginx' })), false);
  assert.equal(await sync.didOpen(doc(BIG, { scheme: 'untitled' })), false);
  assert.equal(await sync.didOpen(doc(BIG, { isDirty: true })), false);
  assert.equal(await setup(false).sync.didOpen(doc(BIG)), false, 'untrusted: synced as usual');
  assert.deepEqual(sent, []);
  assert.equal(await sync.didOpen(doc(BIG)), true);
  assert.deepEqual(sent, [{ uri: 'file:///logs/access.log', state: 'open' }]);
});

test('a reload from disk is re-read; the first edit switches the log to ordinary sync, for good', async () => {
  const { sent, sync } = setup();
  const d = doc(BIG);
  await sync.didOpen(d);
  assert.equal(await sync.didChange(d), true);
  d.isDirty = true;
  assert.equal(await sync.didChange(d), true, 'the edit is carried by the didOpen it sends');
  assert.equal(await sync.didChange(d), false, 'later edits go out as ordinary changes');
  assert.equal(await sync.didClose(d), false, 'and the close too');
  assert.deepEqual(sent, [
    { uri: 'file:///logs/access.log', state: 'open' },
    { uri: 'file:///logs/access.log', state: 'changed' },
    { uri: 'file:///logs/access.log', state: 'closed' },
    'openWithText',
  ]);
});

test('closing a log read from disk tells the server; other documents are not touched', async () => {
  const { sent, sync } = setup();
  const d = doc(BIG);
  assert.equal(await sync.didChange(d), false);
  assert.equal(await sync.didClose(d), false);
  await sync.didOpen(d);
  assert.equal(await sync.didClose(d), true);
  assert.deepEqual(sent.at(-1), { uri: 'file:///logs/access.log', state: 'closed' });
});
