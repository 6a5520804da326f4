// splitLines' skipLinesWithout: rejected lines come back as '' with their numbers kept; every
// other line is the same as without the option, also across chunk boundaries.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitLines } from '../../server/src/core/logs/reader';

async function* chunks(text: string, size: number): AsyncGenerator<Buffer> {
  const b = Buffer.from(text, 'latin1');
  for (let i = 0; i < b.length; i += size) yield Buffer.from(b.subarray(i, i + size));
}

async function lines(text: string, size: number, needles?: string[]): Promise<{ first: number[]; lines: string[] }> {
  const out = { first: [] as number[], lines: [] as string[] };
  for await (const b of splitLines(chunks(text, size), needles ? { skipLinesWithout: () => needles } : {})) {
    out.first.push(b.firstLine);
    out.lines.push(...b.lines);
  }
  return out;
}

test('lines without any needle are delivered empty, the others unchanged, for every chunk size', async () => {
  const rows = ['a 444 x', 'b 200 y', 'c 4444\r', '444', 'd 500 444', '', 'e 44 4', 'f 404 z', 'g 500'];
  const text = rows.join('\n') + '\n' + 'tail 444';
  for (let size = 1; size <= text.length + 1; size++) {
    const all = await lines(text, size);
    const some = await lines(text, size, ['444', '500']);
    assert.deepEqual(some.first, all.first, `batch line numbers, chunk ${size}`);
    assert.equal(some.lines.length, all.lines.length);
    for (let i = 0; i < all.lines.length; i++) {
      const keep = all.lines[i].includes('444') || all.lines[i].includes('500');
      if (keep) assert.equal(some.lines[i], all.lines[i], `line ${i + 1}, chunk ${size}`);
      // A line that spans two chunks is decoded whatever it holds.
      else assert.ok(some.lines[i] === '' || some.lines[i] === all.lines[i], `line ${i + 1}, chunk ${size}`);
    }
    if (size > text.length) assert.deepEqual(some.lines, ['a 444 x', '', 'c 4444', '444', 'd 500 444', '', '', '', 'g 500', 'tail 444']);
  }
});

test('dropSkipped: the delivered lines with their numbers, and where each batch ends', async () => {
  const rows = ['a 444 x', 'b 200 y', 'c 4444\r', '444', 'd 500 444', '', 'e 44 4', 'f 404 z', 'g 500'];
  for (const tail of ['\ntail 444', '\n', '\nlast 200']) {
    const text = rows.join('\n') + tail;
    for (let size = 1; size <= text.length + 1; size++) {
      const all = await lines(text, size);
      const kept: [number, string][] = [];
      let end = 1;
      for await (const b of splitLines(chunks(text, size), { skipLinesWithout: () => ['444'], dropSkipped: true })) {
        assert.equal(b.numbers!.length, b.lines.length);
        b.lines.forEach((l, i) => kept.push([b.numbers![i], l]));
        assert.ok(b.nextLine >= end);
        end = b.nextLine;
      }
      // Every line holding the needle, numbered as without the option; others only when a chunk
      // boundary made the reader decode them.
      const want = all.lines.map((l, i): [number, string] => [i + 1, l]);
      assert.deepEqual(kept.filter(([, l]) => l.includes('444')), want.filter(([, l]) => l.includes('444')), `chunk ${size}`);
      for (const [n, l] of kept) assert.equal(l, all.lines[n - 1], `line ${n}, chunk ${size}`);
      assert.equal(end - 1, all.lines.length, `line count, chunk ${size}`);
    }
  }
});
