// An nginx `log_format` compiled into a line parser.
//
// The format string is split into literal and variable segments exactly as
// ngx_http_log_compile_format does. Parsing a line is the reverse of nginx's
// writer: the literal segments are the separators, and for each variable we
// know which bytes its logged value can contain (from the escape mode and,
// for some variables, from what nginx can put in them). Where that makes the
// split unique we take the first valid separator and never look back; where
// it does not (e.g. `$remote_user` may contain " [") we search every split,
// lazily, within a work budget, and report a line that splits more than one
// way as ambiguous instead of guessing.
//
// Lines and values are byte strings (see escape.ts).

import { escapeValue, type LogEscape, unescapeValue } from './escape';
import { buildFastMatcher, buildRecordMaker, type FastMatcher, type RecordMaker } from './fastMatch';
import { type FormatSegment, LogFormatError, parseFormatSegments, type VariableSegment } from './segments';
import {
  checkDigits, checkMsec, checkTextDefault, checkTextJson, checkTextNone, checkTimeIso, checkTimeLocal,
  checkScheme, CUT, escapedAt, fixedLength, inScheme, isDigit, isToken, Shape, SHAPE_NAMES, shapeOf, startsAsUri, uriMayStart, VALID, withoutSlash,
} from './shapes';

export type { LogEscape } from './escape';
export {
  type FormatSegment, type LiteralSegment, LogFormatError, parseFormatSegments, type VariableSegment,
} from './segments';

// ---------------------------------------------------------------------------
// The matcher.

export type LogParseResult =
  | {
      ok: true;
      /**
       * Unescaped value of each variable (byte strings). `undefined` when
       * nginx logged it as absent: `-` with escape=default (a value that was
       * really `-` reads the same), empty with json/none. Log operations such
       * as `$status` are never absent.
       */
      fields: Record<string, string | undefined>;
      /** The value of each variable exactly as it appears in the line. */
      raw: Record<string, string>;
      /** The line also splits another way: the values are one of several readings. */
      ambiguous?: boolean;
      /**
       * A value broke what nginx puts in its variable (e.g. a space in
       * `$remote_addr`); the line was split with only the escape rules.
       */
      lenient?: boolean;
    }
  | { ok: false; reason: string; /** Offset in the line where matching gave up. */ at: number };

/** Anything that turns a log line into variable values. */
export interface LogLineParser {
  readonly name: string;
  /** Names of the variables the lines carry, in order, without repeats. */
  readonly variables: readonly string[];
  parse(line: string): LogParseResult;
}

export interface LogFormat extends LogLineParser {
  readonly kind: 'format';
  readonly escape: LogEscape;
  /** The format string as given. */
  readonly source: string;
  readonly segments: readonly FormatSegment[];
  /** The variable segments in order (repeats included); spans index into this. */
  readonly occurrences: readonly VariableSegment[];
  /**
   * Fast path: the [start, end) offsets of every variable occurrence
   * (2 entries each), or undefined if the line does not match. The array is
   * reused by the next call: copy it to keep it. Strict: a line that only
   * reads leniently does not match. Takes the first reading of the line
   * without looking for a second; when `mayBeAmbiguous`, use `parse` on the
   * lines whose values matter to learn whether they read another way.
   */
  match(line: string): Int32Array | undefined;
  /**
   * Some separator of this format can also occur inside the value before it
   * (e.g. `" "` with escape=none), so some line might split two ways.
   */
  readonly mayBeAmbiguous: boolean;
  /**
   * Whether `parse(line)` would call the line ambiguous (it reads two ways), without building
   * its records. Overwrites the spans `match` returned.
   */
  readsTwoWays(line: string): boolean;
  /**
   * `match` and `readsTwoWays` at once: the spans of the first reading (as `match` gives them),
   * or undefined; `twoWays` tells what `readsTwoWays` would. One search instead of two for the
   * lines whose values matter.
   */
  matchReadings(line: string): { spans: Int32Array; twoWays: boolean } | undefined;
  /**
   * Every strict reading of a line (copies of their spans), when there are at most `max`;
   * undefined when there are more, when the search gave up, or when only the general search can
   * read it. For a line that reads two ways: which values all its readings agree on.
   */
  allReadings(line: string, max: number): Int32Array[] | undefined;
  /**
   * Lines nginx writes per request: more than 1 when the format's literals
   * hold newlines (`\n` in the config); join that many lines with `\n` to parse.
   */
  readonly linesPerRecord: number;
  /** The unescaped value of occurrence `index` after `match`; undefined when logged as absent. */
  value(line: string, spans: Int32Array, index: number): string | undefined;
  /** Index of the first occurrence of a variable, or -1. */
  indexOf(name: string): number;
}

const enum Fail { None, Prefix, Shape, LitAfter, LitAtEnd, BadChar, Trailing, Budget }

/** Bounded search effort per line, so that no line can make parsing hang. */
const WORK_BASE = 20_000;
const WORK_PER_CHAR = 16;

class CompiledFormat implements LogFormat {
  readonly kind = 'format';
  readonly variables: readonly string[];
  readonly occurrences: readonly VariableSegment[];
  private readonly prefix: string;
  private readonly count: number;
  private readonly shapes: Shape[];
  /** Literal after each variable (byte string), possibly empty. */
  private readonly lits: string[];
  /** The first separator after a valid value is the only possible one (strict / lenient pass). */
  private readonly determined: boolean[];
  private readonly lenientDetermined: boolean[];
  /** Per variable: a request URI follows it directly (see the constructor). */
  private readonly uriGlued: boolean[];
  private readonly hasLenientPass: boolean;
  private readonly spans: Int32Array;
  private readonly best: Int32Array;
  private readonly fast: FastMatcher | undefined = undefined;
  private readonly makeRecords: RecordMaker | undefined = undefined;
  readonly mayBeAmbiguous: boolean;
  readonly linesPerRecord: number;
  // Search state (one search at a time; parsing is synchronous).
  private backslash = -1;
  private work = 0;
  private workLimit = 0;
  private solutions = 0;
  private wantSecond = true;
  private lenient = false;
  private failAt = 0;
  private failKind = Fail.None;
  private failStep = 0;

  constructor(
    readonly name: string,
    readonly source: string,
    readonly escape: LogEscape,
    readonly segments: readonly FormatSegment[],
    options: CompileOptions,
  ) {
    // Two literals are never adjacent (nginx cuts a literal only at `$`),
    // but two variables can be: give each variable the literal that follows
    // it, '' if none.
    const occ: VariableSegment[] = [];
    const lits: string[] = [''];
    for (const seg of segments) {
      if (seg.kind === 'literal') lits[lits.length - 1] += seg.bytes;
      else {
        occ.push(seg);
        lits.push('');
      }
    }
    this.occurrences = occ;
    this.count = occ.length;
    this.variables = [...new Set(occ.map((o) => o.name))];
    this.prefix = lits[0];
    this.lits = lits.slice(1);
    this.shapes = occ.map(shapeOf);
    this.determined = this.shapes.map((sh, i) => this.lits[i].length > 0 && this.stops(sh, this.lits[i].charCodeAt(0), false));
    // Followed, with nothing between, by a request URI that a literal (or the line's end) closes:
    // the value can only end where such a URI may start (uriMayStart).
    this.uriGlued = this.shapes.map((_, i) => {
      const n = i + 1;
      return n < this.shapes.length && this.shapes[n] === Shape.Uri && (this.lits[n] !== '' || n === this.shapes.length - 1);
    });
    this.lenientDetermined = this.shapes.map((sh, i) => this.lits[i].length > 0 && this.stops(sh, this.lits[i].charCodeAt(0), true));
    this.hasLenientPass = this.shapes.some(isToken);
    this.spans = new Int32Array(occ.length * 2);
    this.best = new Int32Array(occ.length * 2);
    this.linesPerRecord = 1 + (segments.map((sg) => (sg.kind === 'literal' ? sg.text : '')).join('').match(/\n/g)?.length ?? 0);
    this.mayBeAmbiguous = this.shapes.some((sh, i) => fixedLength(sh) === 0 && i < this.count - 1 && !this.determined[i]);
    if (options.fastPath !== false) {
      try {
        this.fast = buildFastMatcher({
          prefix: this.prefix,
          shapes: this.shapes,
          lits: this.lits,
          determined: this.determined,
          uriGlued: this.uriGlued,
          escape,
          maxTries: 256,
        });
        const first = this.variables.map((n) => occ.findIndex((o) => o.name === n));
        this.makeRecords = buildRecordMaker(this.variables, first, first.map((i) => occ[i].logOp), escape, unescapeValue);
      } catch {
        // Code generation disallowed (--disallow-code-generation-from-strings):
        // the general search gives the same answers, only slower.
        this.fast = undefined;
        this.makeRecords = undefined;
      }
    }
  }

  /** True when byte `c` can never be raw-unescaped inside a value, so a separator starting with it ends the value. */
  private stops(sh: Shape, c: number, lenient: boolean): boolean {
    switch (sh) {
      case Shape.Pipe: return c !== 0x70 && c !== 0x2e;
      case Shape.TimeLocal: case Shape.TimeIso: return false;
      case Shape.Msec: return !isDigit(c) && c !== 0x2e;
      case Shape.Status: case Shape.Digits: return !isDigit(c);
      default:
        if (isToken(sh) && !lenient && (c === 0x20 || (sh === Shape.Host && c === 0x2f) || (sh === Shape.Scheme && !inScheme(c)))) return true;
        return this.escape !== 'none' && c === 0x22;
    }
  }

  /** VALID, CUT, or the first index in line[s, e) that cannot be in the value. */
  private check(line: string, s: number, e: number, sh: Shape): number {
    switch (sh) {
      case Shape.Pipe: {
        const c = line.charCodeAt(s);
        return c === 0x70 || c === 0x2e ? VALID : s;
      }
      case Shape.TimeLocal: return checkTimeLocal(line, s);
      case Shape.TimeIso: return checkTimeIso(line, s);
      case Shape.Msec: return checkMsec(line, s, e);
      case Shape.Status: return checkDigits(line, s, e, 3); // %03ui
      case Shape.Digits: return checkDigits(line, s, e, 1);
      case Shape.Host: {
        const r = this.checkText(line, s, e, !this.lenient);
        return this.lenient ? r : withoutSlash(line, s, e, r);
      }
      case Shape.Uri: {
        const r = this.checkText(line, s, e, !this.lenient);
        return this.lenient ? r : startsAsUri(line, s, e, r);
      }
      case Shape.Scheme: return this.lenient ? this.checkText(line, s, e, false) : checkScheme(line, s, e);
      default: return this.checkText(line, s, e, sh === Shape.Token && !this.lenient);
    }
  }

  private checkText(line: string, s: number, e: number, noSpace: boolean): number {
    return this.escape === 'default' ? checkTextDefault(line, s, e, noSpace)
      : this.escape === 'json' ? checkTextJson(line, s, e, noSpace, this.backslash)
      : checkTextNone(line, s, e, noSpace);
  }

  indexOf(name: string): number {
    const n = name.toLowerCase();
    return this.occurrences.findIndex((o) => o.name === n);
  }

  match(line: string): Int32Array | undefined {
    if (this.fast) {
      // The generated matcher is the strict search: only a line it gave up on needs the general one.
      const n = this.fast(line, this.best, 1);
      if (n >= 0) return n === 1 ? this.best : undefined;
    }
    return this.run(line, false, false) ? this.best : undefined;
  }

  value(line: string, spans: Int32Array, index: number): string | undefined {
    const raw = line.slice(spans[2 * index], spans[2 * index + 1]);
    if (this.occurrences[index].logOp) return raw;
    if (this.escape === 'default' ? raw === '-' : raw === '') return undefined;
    return unescapeValue(raw, this.escape);
  }

  allReadings(line: string, max: number): Int32Array[] | undefined {
    if (!this.fast) return undefined;
    const all: Int32Array[] = [];
    const n = this.fast(line, this.best, max + 1, all);
    return n > 0 && n <= max ? all : undefined;
  }

  readsTwoWays(line: string): boolean {
    if (!this.mayBeAmbiguous) return false;
    // The first step of `parse`; its records are what this spares.
    const n = this.fast ? this.fast(line, this.best, 2) : 0;
    if (n > 0) return n > 1;
    const r = this.parse(line);
    return r.ok && r.ambiguous === true;
  }

  matchReadings(line: string): { spans: Int32Array; twoWays: boolean } | undefined {
    if (this.mayBeAmbiguous && this.fast) {
      // Looking for a second reading finds the first one on the way, the one `match` stops at.
      const n = this.fast(line, this.best, 2);
      if (n > 0) return { spans: this.best, twoWays: n > 1 };
    }
    if (!this.match(line)) return undefined;
    if (!this.mayBeAmbiguous) return { spans: this.best, twoWays: false };
    const twoWays = this.readsTwoWays(line);
    // readsTwoWays searched again: the first reading is back in `best` only if it found one.
    if (!this.match(line)) return undefined;
    return { spans: this.best, twoWays };
  }

  parse(line: string): LogParseResult {
    const n = this.fast ? this.fast(line, this.best, this.mayBeAmbiguous ? 2 : 1) : 0;
    if (n > 0) {
      this.solutions = n;
      this.lenient = false;
    } else if (!this.run(line, true, true)) {
      return { ok: false, reason: this.failReason(line), at: this.failAt };
    }
    const spans = this.best;
    let fields: Record<string, string | undefined>;
    let raw: Record<string, string>;
    if (this.makeRecords) {
      ({ fields, raw } = this.makeRecords(line, spans));
    } else {
      fields = {};
      raw = {};
      for (let i = 0; i < this.count; i++) {
        const name = this.occurrences[i].name;
        if (name in raw) continue;
        raw[name] = line.slice(spans[2 * i], spans[2 * i + 1]);
        fields[name] = this.value(line, spans, i);
      }
    }
    const res: LogParseResult = { ok: true, fields, raw };
    if (this.solutions > 1) res.ambiguous = true;
    if (this.lenient) res.lenient = true;
    return res;
  }

  /** Finds the first split into `best`; with `wantSecond`, also whether there is a second. */
  private run(line: string, wantSecond: boolean, allowLenient: boolean): boolean {
    this.wantSecond = wantSecond;
    this.failAt = -1;
    this.failKind = Fail.None;
    if (!line.startsWith(this.prefix)) {
      let k = 0;
      while (k < this.prefix.length && line.charCodeAt(k) === this.prefix.charCodeAt(k)) k++;
      this.fail(k, Fail.Prefix, 0);
      return false;
    }
    this.backslash = this.escape === 'json' ? line.indexOf('\\') : -1;
    this.workLimit = WORK_BASE + WORK_PER_CHAR * line.length;
    this.lenient = false;
    for (;;) {
      this.work = 0;
      this.solutions = 0;
      this.search(line, 0, this.prefix.length);
      if (this.solutions > 0) {
        // Out of budget while looking for a second reading: cannot claim it is the only one.
        if (wantSecond && this.work > this.workLimit) this.solutions = 2;
        return true;
      }
      if (this.work > this.workLimit) {
        this.fail(line.length, Fail.Budget, 0);
        return false;
      }
      if (this.lenient || !this.hasLenientPass || !allowLenient) break;
      this.lenient = true;
    }
    this.lenient = false;
    return false;
  }

  private fail(at: number, kind: Fail, step: number): void {
    if (at > this.failAt || kind === Fail.Budget) {
      this.failAt = at;
      this.failKind = kind;
      this.failStep = step;
    }
  }

  private failReason(line: string): string {
    const i = this.failStep;
    const name = this.occurrences[i]?.written ?? '';
    const lit = JSON.stringify(this.lits[i] ?? '');
    switch (this.failKind) {
      case Fail.Prefix: return `expected ${JSON.stringify(this.prefix)} at the start of the line`;
      case Fail.Shape: return `${name}: not a ${SHAPE_NAMES[this.shapes[i]]} value`;
      case Fail.LitAfter: return `expected ${lit} after ${name}`;
      case Fail.LitAtEnd: return `expected ${lit} at the end of the line`;
      case Fail.BadChar: return `${name}: unexpected ${JSON.stringify(line.charAt(this.failAt))} in this field`;
      case Fail.Trailing: return 'unexpected text after the last field';
      case Fail.Budget: return 'too many ways to split this line; gave up';
      default: return 'line does not match';
    }
  }

  private found(): void {
    if (++this.solutions === 1) this.best.set(this.spans);
  }

  private search(line: string, i: number, pos: number): void {
    const count = this.count;
    const spans = this.spans;
    const determinedAll = this.lenient ? this.lenientDetermined : this.determined;
    // Determined steps never branch: walk them in a loop, recurse only where a split has choices.
    for (;;) {
      if (i === count) {
        if (pos === line.length) this.found();
        else this.fail(pos, Fail.Trailing, i - 1);
        return;
      }
      const sh = this.shapes[i];
      const lit = this.lits[i];

      const fixed = fixedLength(sh);
      if (fixed > 0) {
        const e = pos + fixed;
        if (e > line.length || this.check(line, pos, e, sh) !== VALID) {
          this.fail(pos, Fail.Shape, i);
          return;
        }
        if (!line.startsWith(lit, e)) {
          this.fail(e, Fail.LitAfter, i);
          return;
        }
        spans[2 * i] = pos;
        spans[2 * i + 1] = e;
        i++;
        pos = e + lit.length;
        continue;
      }

      if (i === count - 1) {
        // The last variable runs to the final literal at the end of the line.
        const e = line.length - lit.length;
        if (e < pos || !line.endsWith(lit)) {
          this.fail(Math.max(pos, e), Fail.LitAtEnd, i);
          return;
        }
        const r = this.check(line, pos, e, sh);
        if (r !== VALID) {
          this.fail(r >= 0 ? r : e, r >= 0 ? Fail.BadChar : Fail.Shape, i);
          return;
        }
        spans[2 * i] = pos;
        spans[2 * i + 1] = e;
        this.found();
        return;
      }

      if (determinedAll[i]) {
        // The value ends at the first stop byte (the separator's first byte),
        // which must start the separator: a stop byte cannot be inside a value.
        const c0 = lit.charCodeAt(0);
        let e = line.indexOf(lit[0], pos);
        if (c0 === 0x22 && this.escape === 'json') {
          while (e >= 0 && escapedAt(line, pos, e)) e = line.indexOf('"', e + 1);
        }
        if (e < 0) {
          this.fail(pos, Fail.LitAfter, i);
          return;
        }
        if (!line.startsWith(lit, e)) {
          this.fail(e, Fail.LitAfter, i);
          return;
        }
        if (sh === Shape.Token || sh === Shape.Text) {
          // Already known: no stop byte inside. Left to check: JSON escapes. (A host name or a
          // request URI has more to check: the general check below.)
          if (this.backslash >= 0 && this.backslash < e) {
            const r = this.checkText(line, pos, e, false);
            if (r !== VALID) {
              this.fail(r >= 0 ? r : e, Fail.BadChar, i);
              return;
            }
          }
        } else {
          const r = this.check(line, pos, e, sh);
          if (r !== VALID) {
            this.fail(r >= 0 ? r : pos, r >= 0 ? Fail.BadChar : Fail.Shape, i);
            return;
          }
        }
        spans[2 * i] = pos;
        spans[2 * i + 1] = e;
        i++;
        pos = e + lit.length;
        continue;
      }

      // Choices: try every separator (or every end, with no separator), shortest value first.
      const uriNext = !lit && !this.lenient && this.uriGlued[i];
      const nextEnd = (from: number) => (lit ? line.indexOf(lit, from) : uriNext ? uriMayStart(line, from, this.lits[i + 1]) : from);
      let e = nextEnd(pos);
      let tried = false;
      while (e >= 0 && e <= line.length) {
        this.work += 8 + ((e - pos) >> 3);
        if (this.work > this.workLimit) return;
        const r = this.check(line, pos, e, sh);
        if (r >= 0) {
          this.fail(r, Fail.BadChar, i);
          break;
        }
        if (r === VALID) {
          tried = true;
          spans[2 * i] = pos;
          spans[2 * i + 1] = e;
          this.search(line, i + 1, e + lit.length);
          if (this.solutions >= (this.wantSecond ? 2 : 1) || this.work > this.workLimit) return;
        }
        e = nextEnd(e + 1);
      }
      if (!tried) this.fail(pos, lit ? Fail.LitAfter : Fail.Shape, i);
      return;
    }
  }
}

/**
 * Compiles a log_format. `format` is the concatenation of its string
 * arguments after the name (and after `escape=...`), as nginx concatenates
 * them. Throws LogFormatError for a format nginx would reject.
 */
export function compileLogFormat(
  name: string,
  format: string,
  escape: LogEscape = 'default',
  options: CompileOptions = {},
): LogFormat {
  return new CompiledFormat(name, format, escape, parseFormatSegments(format), options);
}

export interface CompileOptions {
  /** Use the generated matcher for lines it accepts (default true; false to test the general search alone). */
  fastPath?: boolean;
}

/** nginx's built-in format (ngx_http_combined_fmt). */
export const COMBINED_FORMAT =
  '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"';

/** Formats nginx defines itself, by name. Only `combined`. */
export const PREDEFINED_FORMATS: Readonly<Record<string, { format: string; escape: LogEscape }>> = {
  combined: { format: COMBINED_FORMAT, escape: 'default' },
};

let combined: LogFormat | undefined;
/** The compiled built-in `combined` format. */
export function combinedFormat(): LogFormat {
  return (combined ??= compileLogFormat('combined', COMBINED_FORMAT, 'default'));
}

/**
 * Splits the arguments of a `log_format` directive (after the name) into
 * escape mode and the concatenated format, as ngx_http_log_compile_format
 * reads them. Throws LogFormatError for an unknown escape.
 */
export function formatFromArgs(args: readonly string[]): { escape: LogEscape; format: string } {
  let escape: LogEscape = 'default';
  let s = 0;
  if (args.length > 0 && args[0].startsWith('escape=')) {
    const v = args[0].slice(7);
    if (v === 'json' || v === 'none' || v === 'default') escape = v;
    else throw new LogFormatError(`unknown log format escaping "${v}"`, 0);
    s = 1;
  }
  return { escape, format: args.slice(s).join('') };
}

/** All variables a format records, in order, without repeats. */
export function formatVariables(format: LogFormat): readonly string[] {
  return format.variables;
}

/** Index of the occurrence that records the response status (`$status`), or -1. */
export function statusIndex(format: LogFormat): number {
  return format.indexOf('status');
}

/**
 * Writes a log line as nginx would from variable values (byte strings):
 * the inverse of `parse`. A value that is `undefined` is written as nginx
 * writes a variable that was not found (`-`, or nothing with json/none).
 */
export function renderLogLine(format: LogFormat, values: Record<string, string | undefined>): string {
  let out = '';
  for (const seg of format.segments) {
    if (seg.kind === 'literal') {
      out += seg.bytes;
      continue;
    }
    const v = values[seg.name];
    if (seg.logOp) out += v ?? '';
    else if (v === undefined) out += format.escape === 'default' ? '-' : '';
    else out += escapeValue(v, format.escape);
  }
  return out;
}
