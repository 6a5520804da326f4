// A log read from its file a chunk at a time (node/logFile.ts) must number, read and scan lines
// exactly as the same bytes decoded as the editor's text (service/logLines.ts LogText): the
// editor shows the text, the server only read the file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogFileLines } from '../../server/src/node/logFile';
import { LogText, type LogLines } from '../../server/src/service/logLines';
import { computeLineStarts } from '../../server/src/core/positions';

const dir = mkdtempSync(join(tmpdir(), 'nginx-lens-logfile-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const fileOf = (bytes: Buffer) => {
  const p = join(dir, `log${files++}`);
  writeFileSync(p, bytes);
  return p;
};

/** What the editor holds for these bytes: UTF-8 decoded, a BOM dropped. */
const editorText = (bytes: Buffer) => {
  const t = bytes.toString('utf8');
  return t.charCodeAt(0) === 0xfeff ? t.slice(1) : t;
};

const scanned = (doc: LogLines, needle: string, max: number) => {
  const out: [number, string][] = [];
  doc.scan(needle, max, (line, bytes) => (out.push([line, bytes]), true));
  return out;
};

function same(bytes: Buffer, chunk: number) {
  const file = new LogFileLines(fileOf(bytes), chunk);
  const text = new LogText(editorText(bytes));
  assert.equal(file.lineCount, text.lineCount);
  assert.equal(file.lineCount, computeLineStarts(editorText(bytes)).length);
  for (let i = -1; i <= text.lineCount; i++) assert.equal(file.line(i), text.line(i), `line ${i}`);
  assert.deepEqual(file.head(5), text.head(5));
  for (const max of [8, 1 << 20]) assert.deepEqual(scanned(file, '444', max), scanned(text, '444', max), `scan, lines up to ${max}`);
}

test('line breaks as the editor counts them, across read boundaries', () => {
  // Every break kind, a "\r" and "\n" split by a read, empty lines, no final break, a BOM, UTF-8.
  const pieces = ['a 444 b', '\n', '\r\n', '\r', '', '444', 'é 444 ü', '\r\r\n', 'x'.repeat(40), ' 444 ', '\n\n'];
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (let round = 0; round < 60; round++) {
    let s = round % 3 === 0 ? '\ufeff' : '';
    const n = 1 + Math.floor(rnd() * 60);
    for (let i = 0; i < n; i++) s += pieces[Math.floor(rnd() * pieces.length)];
    const bytes = Buffer.from(s, 'utf8');
    for (const chunk of [3, 5, 16, 64, 1 << 20]) same(bytes, chunk);
  }
});

test('a line longer than a read is read on its own, and skipped when longer than asked for', () => {
  const long = `${'y'.repeat(100)} 444 ${'z'.repeat(100)}`;
  const bytes = Buffer.from(`short 444\n${long}\nlast 444`, 'latin1');
  const file = new LogFileLines(fileOf(bytes), 32);
  assert.deepEqual(scanned(file, '444', 1 << 20), [
    [0, 'short 444'],
    [1, long],
    [2, 'last 444'],
  ]);
  assert.deepEqual(scanned(file, '444', 200), [
    [0, 'short 444'],
    [2, 'last 444'],
  ]);
  assert.equal(file.line(1), long);
});

test('empty file: one empty line; invalid UTF-8 reads as the editor decodes it; the scan sees raw bytes', () => {
  same(Buffer.alloc(0), 4);
  const bad = Buffer.from([0x61, 0xff, 0x20, 0x34, 0x34, 0x34, 0x0a, 0xc3, 0x0a]);
  const file = new LogFileLines(fileOf(bad), 4);
  assert.equal(file.line(0), 'a\ufffd 444');
  assert.equal(file.line(1), '\ufffd');
  assert.deepEqual(scanned(file, '444', 100), [[0, 'a\xff 444']]);
});

test('a file truncated after indexing: lines read as what is left, the scan stops, nothing throws', () => {
  const p = fileOf(Buffer.from('one 444\ntwo 444\nthree 444\n'));
  const file = new LogFileLines(p, 8);
  truncateSync(p, 10);
  assert.equal(file.line(0), 'one 444');
  assert.equal(file.line(1), 'tw');
  assert.equal(file.line(2), '');
  assert.deepEqual(scanned(file, '444', 100), [[0, 'one 444']]);
  rmSync(p);
  assert.equal(file.line(0), '');
  assert.deepEqual(file.head(3), []);
  assert.deepEqual(scanned(file, '444', 100), []);
});
