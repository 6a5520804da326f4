// Streams a log file from disk line by line, never holding the whole file.
//
// Lines are decoded as latin1: one char per byte. That choice is deliberate:
// - it cannot fail: invalid UTF-8 (binary garbage logged with escape=none or
//   json, truncated multi-byte sequences) is kept byte for byte instead of
//   turning into U+FFFD, so nothing a regex or a comparison needs is lost;
// - a value nginx escaped as \xC3\xA9 and the same bytes logged raw become the
//   same string (escape.ts unescapes \xHH to one char per byte);
// - offsets in a line are byte offsets in the file, and decoding is a copy
//   (the fastest decode Node has);
// - ASCII, which is all that escape=default ever writes, reads the same.
// Show a value to a person with escape.ts `toDisplayString`.
//
// `.gz` files (detected by their magic bytes, not their name) are inflated
// with node:zlib, including multi-member files such as nginx writes with
// `access_log ... gzip`.

import { createReadStream, promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

export interface LogLine {
  /** 1-based line number. */
  line: number;
  /** The line without its line break (and without a CR before it), latin1-decoded. */
  text: string;
  /** The line was longer than `maxLineBytes`; `text` holds its beginning. */
  truncated?: boolean;
}

export interface LineBatch {
  /** Line number of `lines[0]`. */
  firstLine: number;
  /**
   * The lines, as slices of the decoded chunk: keeping one alive keeps its
   * whole chunk (1 MiB) alive, so copy the few lines you keep for long
   * (`copyLine`).
   */
  lines: string[];
  /** Indexes into `lines` of truncated lines. */
  truncated: number[];
  /**
   * With `dropSkipped`: the 1-based number of each line in `lines` (skipped lines are left out,
   * and `firstLine` is the number of the chunk's first line, delivered or not).
   */
  numbers?: number[];
  /** The number of the line after the batch's last one, delivered or not. */
  nextLine: number;
}

export interface ReadLogOptions {
  /** Longer lines are cut to this many bytes and reported truncated. Default 1 MiB. */
  maxLineBytes?: number;
  /** Read size. Default 1 MiB. */
  chunkBytes?: number;
  signal?: AbortSignal;
  /**
   * Asked once per chunk: when it gives byte strings (ASCII), a line of that chunk that contains
   * none of them is delivered as '' instead of being decoded (its number is kept). A caller that
   * only wants lines holding, say, a status saves a string per rejected line. A line that spans
   * two chunks is always decoded.
   */
  skipLinesWithout?: () => readonly string[] | undefined;
  /** Leave the lines skipped by `skipLinesWithout` out of the batch instead of delivering '' (see LineBatch.numbers). */
  dropSkipped?: boolean;
}

export const DEFAULT_MAX_LINE_BYTES = 1 << 20;

/** A log that could not be read to its end; lines before the fault were delivered. */
export class LogReadError extends Error {
  constructor(message: string, readonly file: string, readonly line: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LogReadError';
  }
}

/** A copy of a line that does not hold on to the chunk it was sliced from. */
export function copyLine(line: string): string {
  return Buffer.from(line, 'latin1').toString('latin1');
}

async function isGzip(file: string): Promise<boolean> {
  const fh = await fsp.open(file, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await fh.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

/** The file's bytes as a stream, inflated if it is gzip. */
export async function openLogStream(file: string, options: ReadLogOptions = {}): Promise<Readable> {
  const highWaterMark = options.chunkBytes ?? 1 << 20;
  const gz = await isGzip(file);
  const raw = createReadStream(file, { highWaterMark, signal: options.signal });
  if (!gz) return raw;
  const gunzip = createGunzip({ chunkSize: Math.min(highWaterMark, 1 << 20) });
  raw.on('error', (err) => gunzip.destroy(err));
  return raw.pipe(gunzip);
}

/**
 * Splits a byte stream into lines. Exposed for streams that do not come from
 * a file (a pipe, a test).
 */
export async function* splitLines(
  source: AsyncIterable<Buffer | string>,
  options: ReadLogOptions = {},
): AsyncGenerator<LineBatch> {
  const max = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  let lineNo = 1;
  // The start of a line that continues in the next chunk.
  let carry = '';
  // Inside a line already cut at `max`: drop bytes up to its end.
  let skipping = false;
  let carryTruncated = false;

  for await (const chunk of source) {
    // Buffers are decoded line by line: a line that is a slice of a whole decoded chunk keeps the
    // chunk (1 MB, an external string) alive for as long as any value cut from the line is cached
    // (map and regex memos, attribution cache keys). bench/trace.mjs: 151 MB of chunks retained
    // after tracing 1M lines, 515 MB peak RSS.
    const buf = typeof chunk === 'string' ? undefined : chunk;
    const text = typeof chunk === 'string' ? chunk : undefined;
    const len = buf ? buf.length : text!.length;
    const sliceOf = (a: number, b?: number): string => (buf ? buf.toString('latin1', a, b ?? len) : text!.slice(a, b));
    const lines: string[] = [];
    const truncated: number[] = [];
    const numbers: number[] | undefined = options.dropSkipped ? [] : undefined;
    const firstLine = lineNo;
    let start = 0;
    // Per needle, its next occurrence at or after `start` (-1: none left in the chunk).
    const needles = buf ? options.skipLinesWithout?.() : undefined;
    const next = needles ? needles.map(() => -2) : undefined;
    for (;;) {
      const nl = buf ? buf.indexOf(10, start) : text!.indexOf('\n', start);
      if (nl < 0) break;
      let line: string;
      let cut = false;
      if (needles && !skipping && carry.length === 0 && nl - start <= max && !holdsAny(buf!, needles, next!, start, nl)) {
        if (!numbers) lines.push('');
        lineNo++;
        start = nl + 1;
        continue;
      }
      if (skipping) {
        line = carry;
        cut = true;
        skipping = false;
      } else if (carry.length > 0) {
        line = carry + sliceOf(start, nl);
        cut = carryTruncated;
      } else {
        line = sliceOf(start, nl);
      }
      carry = '';
      carryTruncated = false;
      if (line.length > max) {
        line = line.slice(0, max);
        cut = true;
      }
      if (line.charCodeAt(line.length - 1) === 0x0d && !cut) line = line.slice(0, -1);
      if (lineNo === 1 && line.startsWith('\xef\xbb\xbf')) line = line.slice(3);
      if (cut) truncated.push(lines.length);
      lines.push(line);
      numbers?.push(lineNo);
      lineNo++;
      start = nl + 1;
    }
    if (start < len && !skipping) {
      const rest = sliceOf(start);
      if (carry.length + rest.length > max) {
        // Keep only the first `max` bytes of a huge line.
        carry = carry + rest.slice(0, max - carry.length);
        carryTruncated = true;
        skipping = true;
      } else {
        carry += rest;
      }
    }
    if (lines.length > 0 || (numbers && lineNo > firstLine)) yield { firstLine, lines, truncated, numbers, nextLine: lineNo };
    if (options.signal?.aborted) return;
  }
  if (carry.length > 0 || skipping) {
    let line = carry;
    if (lineNo === 1 && line.startsWith('\xef\xbb\xbf')) line = line.slice(3);
    if (line.charCodeAt(line.length - 1) === 0x0d && !(carryTruncated || skipping)) line = line.slice(0, -1);
    yield { firstLine: lineNo, lines: [line], truncated: carryTruncated || skipping ? [0] : [], numbers: options.dropSkipped ? [lineNo] : undefined, nextLine: lineNo + 1 };
  }
}

/** Whether buf[start, end) contains one of the needles; `next` caches each needle's next occurrence. */
function holdsAny(buf: Buffer, needles: readonly string[], next: number[], start: number, end: number): boolean {
  for (let k = 0; k < needles.length; k++) {
    let at = next[k];
    if (at === -1) continue;
    if (at < start) next[k] = at = buf.indexOf(needles[k], start, 'latin1');
    if (at !== -1 && at + needles[k].length <= end) return true;
  }
  return false;
}

/**
 * A plain file's contents as chunks, read into two reused buffers (cheaper than a stream, which
 * allocates a buffer per chunk): the next chunk is read while the caller splits this one, so the
 * caller does not sit idle for each read (bench/trace.mjs: ~50 ms over 180 MB).
 */
async function* readPlain(fh: FileHandle, options: ReadLogOptions): AsyncGenerator<Buffer> {
  const size = options.chunkBytes ?? 1 << 20;
  const bufs = [Buffer.allocUnsafe(size), Buffer.allocUnsafe(size)];
  let k = 0;
  let pending = fh.read(bufs[k], 0, size, null);
  try {
    for (;;) {
      if (options.signal?.aborted) return;
      const { bytesRead } = await pending;
      if (bytesRead === 0) return;
      const chunk = bufs[k].subarray(0, bytesRead);
      k ^= 1;
      pending = fh.read(bufs[k], 0, size, null);
      // A view of a reused buffer: splitLines decodes each line before it asks for the next chunk,
      // and the read in flight fills the other buffer.
      yield chunk;
    }
  } finally {
    // A read still in flight when the caller stops: its failure is nobody's to report.
    pending.catch(() => undefined);
  }
}

/**
 * Lines of a log file in batches (one per chunk read): the fast way to go
 * through a big log.
 */
export async function* readLogBatches(file: string, options: ReadLogOptions = {}): AsyncGenerator<LineBatch> {
  let source: AsyncIterable<Buffer | string>;
  let close: () => Promise<void> | void;
  try {
    if (await isGzip(file)) {
      const stream = await openLogStream(file, options);
      source = stream as AsyncIterable<Buffer>;
      close = () => void stream.destroy();
    } else {
      const fh = await fsp.open(file, 'r');
      source = readPlain(fh, options);
      close = () => fh.close();
    }
  } catch (err) {
    throw new LogReadError(`cannot open ${file}: ${(err as Error).message}`, file, 0, { cause: err });
  }
  yield* namedBatches(source, file, options, close);
}

/** splitLines over a source named `name`: a read that fails is a LogReadError saying after which line; `close` runs at the end. */
async function* namedBatches(
  source: AsyncIterable<Buffer | string>,
  name: string,
  options: ReadLogOptions,
  close: () => Promise<void> | void,
): AsyncGenerator<LineBatch> {
  let lastLine = 0;
  try {
    for await (const batch of splitLines(source, options)) {
      lastLine = batch.firstLine + batch.lines.length - 1;
      yield batch;
    }
  } catch (err) {
    if ((err as Error).name === 'AbortError') return;
    throw new LogReadError(
      `reading ${name} failed after line ${lastLine}: ${(err as Error).message}`, name, lastLine, { cause: err });
  } finally {
    await close();
  }
}

/**
 * Lines of a byte stream that is not a file (standard input: `zcat … | nginx-lens trace -`), in
 * batches like readLogBatches; inflated when its first bytes are gzip's. `name` is for errors.
 */
export function readStreamBatches(stream: AsyncIterable<Buffer>, name: string, options: ReadLogOptions = {}): AsyncGenerator<LineBatch> {
  let gunzip: Readable | undefined;
  async function* bytes(): AsyncGenerator<Buffer> {
    const it = stream[Symbol.asyncIterator]();
    const first = await it.next();
    if (first.done) return;
    const head = first.value;
    const all = async function* (): AsyncGenerator<Buffer> {
      yield head;
      for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
    };
    if (head.length < 2 || head[0] !== 0x1f || head[1] !== 0x8b) return yield* all();
    gunzip = Readable.from(all()).pipe(createGunzip());
    yield* gunzip as AsyncIterable<Buffer>;
  }
  return namedBatches(bytes(), name, options, () => void gunzip?.destroy());
}

/** Lines of a log file one by one. */
export async function* readLogLines(file: string, options: ReadLogOptions = {}): AsyncGenerator<LogLine> {
  for await (const batch of readLogBatches(file, options)) {
    let t = 0;
    for (let i = 0; i < batch.lines.length; i++) {
      if (batch.truncated[t] === i) {
        t++;
        yield { line: batch.firstLine + i, text: batch.lines[i], truncated: true };
      } else {
        yield { line: batch.firstLine + i, text: batch.lines[i] };
      }
    }
  }
}

/**
 * The rotated siblings of a log as logrotate/savelog name them
 * (`access.log`, `access.log.1`, `access.log.2.gz`, ... and dated
 * `access.log-20240101[.gz]`), oldest first, the live file last.
 */
export async function listRotatedLogs(file: string): Promise<string[]> {
  const dir = dirname(file);
  const base = basename(file);
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch {
    return [];
  }
  const numbered: { name: string; n: number }[] = [];
  const dated: string[] = [];
  let live = false;
  const esc = base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const num = new RegExp(`^${esc}\\.(\\d+)(\\.gz)?$`);
  const date = new RegExp(`^${esc}-\\d{8,10}(\\.gz)?$`);
  for (const name of names) {
    if (name === base) live = true;
    const m = num.exec(name);
    if (m) numbered.push({ name, n: Number(m[1]) });
    else if (date.test(name)) dated.push(name);
  }
  numbered.sort((a, b) => b.n - a.n);
  dated.sort();
  const out = [...dated, ...numbered.map((x) => x.name)];
  if (live) out.push(base);
  return out.map((n) => join(dir, n));
}
