import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import {
  listRotatedLogs, LogReadError, readLogBatches, readLogLines, splitLines, type LogLine,
} from '../../server/src/core/logs/reader';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'nginx-lens-reader-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function all(file: string, options = {}): Promise<LogLine[]> {
  const out: LogLine[] = [];
  for await (const l of readLogLines(file, options)) out.push(l);
  return out;
}
function write(name: string, data: string | Buffer): string {
  const file = join(dir, name);
  writeFileSync(file, typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  return file;
}

describe('readLogLines', () => {
  test('numbers lines from 1, keeps empty lines, reads a last line without newline', async () => {
    const lines = await all(write('a.log', 'one\n\nthree\nfour'));
    assert.deepEqual(lines, [
      { line: 1, text: 'one' }, { line: 2, text: '' }, { line: 3, text: 'three' }, { line: 4, text: 'four' },
    ]);
    assert.deepEqual(await all(write('b.log', 'x\n')), [{ line: 1, text: 'x' }]);
    assert.deepEqual(await all(write('empty.log', '')), []);
  });

  test('CRLF line ends and a UTF-8 BOM', async () => {
    const lines = await all(write('crlf.log', '\xef\xbb\xbfa\r\nb\r\nc\r'));
    assert.deepEqual(lines.map((l) => l.text), ['a', 'b', 'c']);
  });

  test('invalid UTF-8 is kept byte for byte (latin1: one char per byte)', async () => {
    const bytes = Buffer.from([0x61, 0xff, 0xfe, 0xc3, 0x28, 0xe2, 0x82, 0x0a, 0x80, 0x0a]);
    const lines = await all(write('bad.log', bytes));
    assert.deepEqual(lines.map((l) => l.text), ['a\xff\xfe\xc3\x28\xe2\x82', '\x80']);
    assert.deepEqual(Buffer.from(lines[0].text, 'latin1'), bytes.subarray(0, 7));
  });

  test('.gz files (by content, including multi-member gzip as nginx writes it)', async () => {
    const gz = Buffer.concat([gzipSync('first\nsecond\n'), gzipSync('third\n')]);
    const lines = await all(write('access.log.2.gz', gz));
    assert.deepEqual(lines.map((l) => l.text), ['first', 'second', 'third']);
    // A gzip file without the .gz name is still inflated.
    assert.equal((await all(write('access.log.1', gz)))[2].text, 'third');
  });

  test('a corrupt .gz reports the file and how far it got', async () => {
    const gz = gzipSync(Buffer.from(Array.from({ length: 5000 }, (_, i) => `line ${i * 7919 % 10007}\n`).join('')));
    const file = write('broken.gz', gz.subarray(0, gz.length >> 1));
    const seen: number[] = [];
    await assert.rejects(
      (async () => { for await (const l of readLogLines(file)) seen.push(l.line); })(),
      (err: unknown) => err instanceof LogReadError && err.file === file && /broken\.gz/.test(err.message) && err.line === seen.length,
    );
    assert.ok(seen.length < 5000);
  });

  test('a missing file is a clear error', async () => {
    await assert.rejects(all(join(dir, 'nope.log')), (err: unknown) => err instanceof LogReadError && /cannot open/.test(err.message));
  });

  test('a 2 MB single line is cut at the cap and reported truncated', async () => {
    const big = 'x'.repeat(2 << 20);
    const lines = await all(write('huge.log', `a\n${big}\nb\n`), { maxLineBytes: 1 << 20, chunkBytes: 64 << 10 });
    assert.deepEqual(lines.map((l) => [l.line, l.text.length, l.truncated ?? false]), [
      [1, 1, false], [2, 1 << 20, true], [3, 1, false],
    ]);
    // The same line without a newline at the end of the file.
    const last = await all(write('huge2.log', `a\n${big}`), { maxLineBytes: 1 << 20, chunkBytes: 64 << 10 });
    assert.deepEqual(last.map((l) => [l.line, l.text.length, l.truncated ?? false]), [[1, 1, false], [2, 1 << 20, true]]);
    // Under the cap it is whole.
    const whole = await all(write('huge3.log', big), { chunkBytes: 64 << 10, maxLineBytes: 4 << 20 });
    assert.equal(whole[0].text, big);
  });

  test('lines across chunk boundaries are joined', async () => {
    const text = Array.from({ length: 1000 }, (_, i) => `line ${i} ${'y'.repeat(i % 97)}`).join('\n') + '\n';
    const lines = await all(write('chunks.log', text), { chunkBytes: 1000 });
    assert.equal(lines.length, 1000);
    assert.equal(lines.map((l) => l.text).join('\n') + '\n', text);
    assert.ok(lines.every((l, i) => l.line === i + 1));
  });

  test('batches: line numbers continue from batch to batch', async () => {
    const text = 'a\n'.repeat(10_000);
    let next = 1;
    let count = 0;
    for await (const b of readLogBatches(write('batches.log', text), { chunkBytes: 4096 })) {
      assert.equal(b.firstLine, next);
      next += b.lines.length;
      count++;
    }
    assert.equal(next, 10_001);
    assert.ok(count > 1);
  });
});

test('splitLines works on any byte stream', async () => {
  const src = Readable.from([Buffer.from('a\nb'), Buffer.from('c\r\n'), Buffer.from('d')]);
  const out: string[] = [];
  for await (const b of splitLines(src)) out.push(...b.lines);
  assert.deepEqual(out, ['a', 'bc', 'd']);
});

test('listRotatedLogs: oldest first, live file last', async () => {
  const d = mkdtempSync(join(dir, 'rot-'));
  for (const n of ['access.log', 'access.log.1', 'access.log.2.gz', 'access.log.10.gz', 'access.log-20240101.gz', 'error.log.1', 'access.log.bak']) {
    writeFileSync(join(d, n), '');
  }
  const names = (await listRotatedLogs(join(d, 'access.log'))).map((p) => p.slice(d.length + 1));
  assert.deepEqual(names, ['access.log-20240101.gz', 'access.log.10.gz', 'access.log.2.gz', 'access.log.1', 'access.log']);
});

test('copyLine keeps the bytes', async () => {
  const { copyLine } = await import('../../server/src/core/logs/reader');
  assert.equal(copyLine('a\xff\x00b'), 'a\xff\x00b');
});
