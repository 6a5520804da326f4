// One log's lines → attributions, for the editor: the log_format chosen for the file, the
// attributor of its configuration, and a cache keyed by the line's content, so a 100k-line log
// costs one pass over its 444 lines once and a map look-up per line after that.

import { Attributor, logPathVars, type Attribution } from '../core/http/attribute';
import type { HttpModel } from '../core/http/model';
import type { FileProbe } from '../core/http/route';
import { toByteString } from '../core/logs/escape';
import { attributeSafely, compileNamed, formatForLog, TracedLineReader, type FormatChoice } from '../core/trace';

export interface LineResult {
  status: number;
  attribution: Attribution;
}

/** Lines longer than this are not access-log lines nginx wrote for a request we can route. */
const MAX_LINE = 64 * 1024;
const MAX_CACHE = 200_000;

export class LogLineAnalyzer {
  readonly format: FormatChoice;
  private readonly attributor: Attributor;
  private readonly reader: TracedLineReader;
  private readonly cache = new Map<string, LineResult | null>();
  private readonly statusTexts: string[];

  constructor(
    readonly model: HttpModel,
    /** Absolute path of the log file (decides which access_log directives write it). */
    readonly logFile: string,
    sample: readonly string[],
    readonly statuses: ReadonlySet<number> = new Set([444]),
    /** A log_format name the user chose (setting nginx-lens.logFiles): used when the config defines it. */
    forcedFormat?: string,
    /** The file system for nginx's file questions, where the server may read it. */
    files?: FileProbe,
  ) {
    const found = formatForLog(model, logFile, sample.map(toByteString));
    this.format = (forcedFormat && named(model, forcedFormat, found)) || found;
    this.attributor = new Attributor(model, { logFile, files });
    this.reader = new TracedLineReader(model, this.format, statuses, logPathVars(model, logFile));
    this.statusTexts = [...statuses].map(String);
  }

  get formatName(): string {
    return this.format.format.name;
  }

  /** Lines per request: more than one for a log_format whose text holds line breaks. */
  get linesPerRecord(): number {
    return this.format.format.linesPerRecord;
  }

  /**
   * The record line `n` belongs to: its first line and its text (lines joined by "\n"). One line
   * for a one-line format; else the run of linesPerRecord lines holding `n` that reads as one
   * record of the format, undefined if none does.
   */
  recordOf(doc: LogLines, n: number): { first: number; text: string } | undefined {
    const k = this.linesPerRecord;
    if (k === 1) return { first: n, text: doc.line(n) };
    for (let first = n; first >= 0 && first > n - k; first--) {
      if (first + k > doc.lineCount) continue;
      const lines: string[] = [];
      for (let i = first; i < first + k; i++) lines.push(doc.line(i));
      const text = lines.join('\n');
      if (this.format.format.match(toByteString(text))) return { first, text };
    }
    return undefined;
  }

  /** What to analyze for line `n`: the line, or the whole record it belongs to. */
  textAt(doc: LogLines, n: number): string {
    return this.recordOf(doc, n)?.text ?? doc.line(n);
  }

  /** Quick test before parsing: the status is written as its digits. */
  mayMatch(line: string): boolean {
    if (line.length > MAX_LINE) return false;
    for (const t of this.statusTexts) if (line.includes(t)) return true;
    return false;
  }

  /**
   * Line numbers (0-based) of the traced-status lines of a whole text, found by searching for the
   * status digits rather than reading every line: a 100k-line log with 10% 444s costs ~10k short
   * parses. Lines are counted as the editor counts them (see LogText).
   */
  tracedLines(text: string | LogLines, isCancelled?: () => boolean): number[] {
    const doc = typeof text === 'string' ? new LogText(text) : text;
    const found: number[] = [];
    // A record of several lines has its lens on its first line.
    const multi = this.linesPerRecord > 1;
    for (const t of this.statusTexts) {
      let n = 0;
      doc.scan(t, MAX_LINE, (line, bytes) => {
        if (!multi) {
          if (this.reader.statusOf(bytes) !== undefined) found.push(line);
        } else {
          const r = this.recordOf(doc, line);
          if (r && this.reader.statusOf(toByteString(r.text)) !== undefined) found.push(r.first);
        }
        return (++n & 1023) !== 0 || !isCancelled?.();
      });
    }
    // One status text of a one-line format: already in order and distinct.
    if (this.statusTexts.length === 1 && !multi) return found;
    return [...new Set(found)].sort((a, b) => a - b);
  }

  /** The attribution of a traced-status line; undefined for other lines and lines the format cannot read. */
  analyze(line: string): LineResult | undefined {
    if (!this.mayMatch(line)) return undefined;
    const hit = this.cache.get(line);
    if (hit !== undefined) return hit ?? undefined;
    const r = this.compute(line);
    if (this.cache.size >= MAX_CACHE) this.cache.clear();
    this.cache.set(line, r ?? null);
    return r;
  }

  private compute(text: string): LineResult | undefined {
    const t = this.reader.read(toByteString(text));
    if (t === undefined || t === 'unreadable') return undefined;
    const attribution = attributeSafely(this.attributor, t);
    return attribution && { status: t.status, attribution };
  }
}


/** Offsets of line starts as they are found: sized for ~200-byte lines, grown by doubling (no large block touched in vain). */
export class LineStarts {
  offsets: Int32Array;
  count = 0;

  constructor(bytes: number) {
    this.offsets = new Int32Array(Math.max(1024, Math.ceil(bytes / 200)));
  }

  push(at: number): void {
    if (this.count === this.offsets.length) {
      const grown = new Int32Array(this.offsets.length * 2);
      grown.set(this.offsets);
      this.offsets = grown;
    }
    this.offsets[this.count++] = at;
  }
}

/**
 * A log document's lines, numbered as the editor numbers them: from its text (LogText), or from
 * its file for a log the editor did not send (node/logFile.ts).
 */
export interface LogLines {
  readonly lineCount: number;
  /** A line's text as the editor shows it, without its line break; '' past the end. */
  line(line: number): string;
  /** The first lines, for format detection. */
  head(count: number): string[];
  /**
   * Visits, in order, each line of at most `maxBytes` bytes that holds the ASCII `needle`, with its
   * bytes as a byte string (one char per byte of its UTF-8, as the log readers read lines). Stops
   * when `visit` returns false.
   */
  scan(needle: string, maxBytes: number, visit: (line: number, bytes: string) => boolean): void;
}

/**
 * One version of a log document with its line starts. Lines break at "\r\n", "\n" and a lone "\r",
 * as the editor counts them, so a lens lands on the line the editor shows; logs without "\r" take
 * a fast path through indexOf.
 */
export class LogText implements LogLines {
  readonly starts: Int32Array;
  readonly lineCount: number;

  constructor(readonly text: string) {
    const starts = new LineStarts(text.length);
    const push = (at: number) => starts.push(at);
    push(0);
    if (text.indexOf('\r') === -1) {
      for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) push(i + 1);
    } else {
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c === 10) push(i + 1);
        else if (c === 13) {
          if (text.charCodeAt(i + 1) === 10) i++;
          push(i + 1);
        }
      }
    }
    this.starts = starts.offsets;
    this.lineCount = starts.count;
  }

  /** Offset just past the line's content (before its line break). */
  lineEnd(line: number): number {
    if (line + 1 >= this.lineCount) return this.text.length;
    let end = this.starts[line + 1];
    if (this.text.charCodeAt(end - 1) === 10) end--;
    if (end > this.starts[line] && this.text.charCodeAt(end - 1) === 13) end--;
    return end;
  }

  /** A line's text without its line break; '' past the end. */
  line(line: number): string {
    if (line < 0 || line >= this.lineCount) return '';
    return this.text.slice(this.starts[line], this.lineEnd(line));
  }

  /** The first lines, for format detection. */
  head(count: number): string[] {
    const out: string[] = [];
    for (let i = 0; i < Math.min(count, this.lineCount); i++) out.push(this.line(i));
    return out;
  }

  scan(needle: string, maxBytes: number, visit: (line: number, bytes: string) => boolean): void {
    const { text, starts, lineCount } = this;
    let from = 0;
    let line = 0;
    for (;;) {
      const i = text.indexOf(needle, from);
      if (i === -1) return;
      // Hits come in order: the line only moves forward.
      while (line + 1 < lineCount && starts[line + 1] <= i) line++;
      const start = starts[line];
      const end = this.lineEnd(line);
      // A line has at least as many bytes as chars: a longer one is skipped without encoding it.
      if (end - start <= maxBytes) {
        const bytes = toByteString(text.slice(start, end));
        if (bytes.length <= maxBytes && !visit(line, bytes)) return;
      }
      if (line + 1 >= lineCount) return;
      from = starts[line + 1];
    }
  }
}

/**
 * The format the user named for a file. Its lines are read in that format only, and so come from
 * the file's access_logs writing it; from none of them (never certainly) when none does.
 */
function named(model: HttpModel, name: string, found: FormatChoice): FormatChoice | undefined {
  const format = compileNamed(model, name);
  return format && { format, how: `log_format ${name} (setting nginx-lens.logFiles)`, own: found.own };
}
