// A log the editor has open but did not send (lsp/protocol.ts DiskLogNotification), read from its
// file a chunk at a time. Only the line starts stay in memory: holding and decoding the whole file
// (18 MB for a 100k-line log) cost more than the first code-lens request may take on a machine
// where fresh memory is slow, and a 200 MB log would have been held twice (bytes and text).
//
// Lines are read back from the file when asked (a lens scrolled into view, a hover). The editor
// reloads a log that changed on disk and the client then says so, and the server indexes it
// again; until then a line past a truncation reads as the bytes that are left.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { LineStarts, type LogLines } from '../service/logLines';

const CHUNK = 1 << 20;

/**
 * The read buffer of indexing and scanning, allocated once and kept: a fresh 1 MiB block per read
 * is mapped anew by the allocator, and its page faults cost more than copying the file from the
 * page cache (measured on the first lens request of a large log).
 */
let scratch: Buffer | undefined;
let scratchBusy = false;

/** `f` over a buffer of at least `bytes`: the kept one when it is free and big enough. */
function withBuffer<T>(bytes: number, f: (buf: Buffer) => T): T {
  if (scratchBusy || bytes > CHUNK) return f(Buffer.allocUnsafe(bytes));
  scratchBusy = true;
  try {
    return f((scratch ??= Buffer.alloc(CHUNK)));
  } finally {
    scratchBusy = false;
  }
}

export class LogFileLines implements LogLines {
  private readonly starts: Int32Array;
  readonly lineCount: number;
  /** Bytes indexed; the end of the last line. */
  readonly size: number;

  /** Indexes the file's lines; throws when it cannot be read. `chunkBytes`: read size (tests make it small). */
  constructor(
    readonly path: string,
    private readonly chunkBytes = CHUNK,
  ) {
    const fd = openSync(path, 'r');
    try {
      const index = indexLines(fd, chunkBytes);
      this.starts = index.starts;
      this.lineCount = index.count;
      this.size = index.size;
    } finally {
      closeSync(fd);
    }
  }

  /** Where a line's bytes are in the file, its line break included: [its start, the next line's start). */
  private span(line: number): [start: number, end: number] {
    return [this.starts[line], this.end(line)];
  }

  /** Where the line after `line` starts (the end of its bytes, line break included). */
  private end(line: number): number {
    return line + 1 < this.lineCount ? this.starts[line + 1] : this.size;
  }

  private read(fd: number, start: number, end: number): Buffer {
    const buf = Buffer.allocUnsafe(end - start);
    let got = 0;
    while (got < buf.length) {
      const r = readSync(fd, buf, got, buf.length - got, start + got);
      if (r <= 0) break;
      got += r;
    }
    return buf.subarray(0, got);
  }

  /**
   * `f` over the open file, or `fallback` when the file cannot be opened or read: gone or
   * unreadable since it was indexed (the client re-sends the log when the editor reloads it).
   */
  private withFile<T>(fallback: T, f: (fd: number) => T): T {
    let fd: number;
    try {
      fd = openSync(this.path, 'r');
    } catch {
      return fallback;
    }
    try {
      return f(fd);
    } catch {
      return fallback;
    } finally {
      closeSync(fd);
    }
  }

  line(line: number): string {
    if (line < 0 || line >= this.lineCount) return '';
    const [start, end] = this.span(line);
    if (end <= start) return '';
    return this.withFile('', (fd) => trimBreak(this.read(fd, start, end)).toString('utf8'));
  }

  head(count: number): string[] {
    const n = Math.min(count, this.lineCount);
    return this.withFile([], (fd) => {
      const out: string[] = [];
      for (let i = 0; i < n; i++) out.push(trimBreak(this.read(fd, ...this.span(i))).toString('utf8'));
      return out;
    });
  }

  scan(needle: string, maxBytes: number, visit: (line: number, bytes: string) => boolean): void {
    // Unreadable since it was indexed: the lines visited so far stand.
    this.withFile(undefined, (fd) => withBuffer(this.chunkBytes, (buf) => this.scanWith(fd, buf, needle, maxBytes, visit)));
  }

  private scanWith(fd: number, buf: Buffer, needle: string, maxBytes: number, visit: (line: number, bytes: string) => boolean): void {
    const chunk = this.chunkBytes;
    const { starts, lineCount } = this;
    let first = 0;
    while (first < lineCount) {
      const pos = starts[first];
      const r = readSync(fd, buf, 0, Math.min(chunk, this.size - pos), pos);
      if (r <= 0) return;
      // The lines that end inside this read: `first` up to (not including) `next`.
      let lo = first;
      let hi = lineCount;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (this.end(mid) <= pos + r) lo = mid + 1;
        else hi = mid;
      }
      const next = lo;
      if (next === first) {
        // A line longer than a read: read on its own, unless it is longer than asked for.
        const [s, e] = this.span(first);
        if (e - s <= maxBytes + 2) {
          const bytes = trimBreak(this.read(fd, s, e));
          if (bytes.length <= maxBytes && bytes.includes(needle, 0, 'latin1') && !visit(first, bytes.toString('latin1'))) return;
        }
        first++;
        continue;
      }
      const ends = this.end(next - 1);
      const view = buf.subarray(0, ends - pos);
      let line = first;
      for (let i = view.indexOf(needle, 0, 'latin1'); i !== -1; ) {
        while (line + 1 < next && starts[line + 1] - pos <= i) line++;
        // Offsets, not a subarray or a span per hit: this loop runs for every traced line.
        const s = starts[line] - pos;
        const end = contentEnd(view, s, this.end(line) - pos);
        if (end - s <= maxBytes && !visit(line, view.toString('latin1', s, end))) return;
        if (line + 1 >= next) break;
        i = view.indexOf(needle, starts[line + 1] - pos, 'latin1');
      }
      first = next;
    }
  }
}

/** Where the content of the line in b[start, end) ends: before its "\n", "\r\n" or "\r". */
function contentEnd(b: Buffer, start: number, end: number): number {
  if (end > start && b[end - 1] === 10) end--;
  if (end > start && b[end - 1] === 13) end--;
  return end;
}

/** A line's bytes without their "\n", "\r\n" or "\r". */
function trimBreak(b: Buffer): Buffer {
  const end = contentEnd(b, 0, b.length);
  return end === b.length ? b : b.subarray(0, end);
}

/**
 * Line starts of a file, breaking at "\r\n", "\n" and a lone "\r" as the editor does (a UTF-8 BOM
 * is not part of the first line), read a chunk at a time.
 */
function indexLines(fd: number, chunk: number): { starts: Int32Array; count: number; size: number } {
  return withBuffer(chunk, (buf) => indexWith(fd, buf, chunk, fstatSync(fd).size));
}

function indexWith(fd: number, buf: Buffer, chunk: number, size: number): { starts: Int32Array; count: number; size: number } {
  const starts = new LineStarts(size);
  const push = (at: number) => starts.push(at);
  let pos = 0;
  let pendingCr = false;
  let first = true;
  for (;;) {
    const r = readSync(fd, buf, 0, chunk, pos);
    if (r <= 0) break;
    const view = r === buf.length ? buf : buf.subarray(0, r);
    let from = 0;
    if (first) {
      first = false;
      from = r >= 3 && view[0] === 0xef && view[1] === 0xbb && view[2] === 0xbf ? 3 : 0;
      push(from);
    }
    if (pendingCr) {
      // A "\r" ended the last read: the line after it starts after a "\n" that follows at once.
      pendingCr = false;
      if (view[0] === 10) from = 1;
      push(pos + from);
    }
    if (view.indexOf(13, from) === -1) {
      for (let i = view.indexOf(10, from); i !== -1; i = view.indexOf(10, i + 1)) push(pos + i + 1);
    } else {
      for (let i = from; i < r; i++) {
        const c = view[i];
        if (c === 10) push(pos + i + 1);
        else if (c === 13) {
          if (i + 1 === r) pendingCr = true;
          else {
            if (view[i + 1] === 10) i++;
            push(pos + i + 1);
          }
        }
      }
    }
    pos += r;
  }
  if (pendingCr) push(pos);
  if (first) push(0);
  return { starts: starts.offsets, count: starts.count, size: pos };
}
