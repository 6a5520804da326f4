// nginx regexes (location ~, if ~, map ~, server_name ~, rewrite, ...) with
// PCRE2 semantics as nginx 1.22 calls it: pcre2_compile(pattern, CASELESS for
// ~* only), pcre2_match() from offset 0, no UTF, no UCP. Subjects are bytes.
import { bytesToText, textToBytes } from './bytes';
import { analyze, type Complexity } from './analyze';
import { isWordChar, parsePattern, PcreSyntaxError, type Parsed } from './parse';
import { translate } from './translate';
import { compileProgram, runProgram, type Program } from './vm';
import type { Node } from './ast';
import { mayContain, requiredLiteral, type RequiredLiteral } from './literal';

export interface RegexOptions {
  /** PCRE2_CASELESS: nginx sets it for `~*` (and `!~*`). */
  caseless: boolean;
  /** Step budget per exec for the backtracking matcher (default DEFAULT_STEP_BUDGET). */
  budget?: number;
  /**
   * 'text' (default): the pattern is text as read from a UTF-8 config, and is
   * UTF-8 encoded to the bytes nginx passes to PCRE2. 'bytes': it already is a
   * byte string (one code unit per byte).
   */
  encoding?: 'text' | 'bytes';
}

export interface RegexCompileError {
  kind: 'error';
  pattern: string;
  /** PCRE2 error number as pcre2test prints it (e.g. 109). */
  code: number;
  /** pcre2_get_error_message() text, e.g. "quantifier does not follow a repeatable item". */
  reason: string;
  /** Offset into the pattern (in bytes of its UTF-8 form, as PCRE2 counts). */
  offset: number;
  /** What nginx prints, e.g. `pcre2_compile() failed: ... in "*abc" at "*abc"`. */
  message: string;
}

export type ExecResult =
  | {
      kind: 'match';
      /** captures[0] is the whole match; undefined for groups that did not take part. */
      captures: (string | undefined)[];
      /**
       * Named groups as nginx sets the variables: a group that did not take
       * part gives "" (nginx's length is end - start of two unset offsets), and
       * with duplicate names (?J) the highest-numbered group wins, because nginx
       * walks PCRE2's name table in order and each entry overwrites the last.
       */
      groups: Record<string, string | undefined>;
      /** Byte offsets of the match (start, end). */
      index: number;
      end: number;
    }
  | { kind: 'nomatch' }
  /** The step budget ran out: the answer is unknown (PCRE2 itself might also give up: match limit 10,000,000). */
  | { kind: 'timeout' }
  /** Valid PCRE2 that this engine does not evaluate (see `CompiledRegex.unsupported`). */
  | { kind: 'unsupported'; reason: string };

export interface CompiledRegex {
  kind: 'regex';
  pattern: string;
  caseless: boolean;
  /** Number of capturing groups (PCRE2_INFO_CAPTURECOUNT). */
  groupCount: number;
  /** Group names with their numbers, in PCRE2's name-table order. */
  readonly names: readonly { name: string; index: number }[];
  /** Constructs we do not evaluate; exec returns `unsupported` when non-empty. */
  readonly unsupported: readonly string[];
  /** How exec runs: a JS RegExp when exact and safe for the subject length, else the budgeted matcher. */
  engine: 'js' | 'vm' | 'none';
  /** A literal every match contains (see literal.ts), for indexing long lists of patterns. */
  readonly literal: RequiredLiteral | null;
  complexity: Complexity;
  /** Match text (decoded from UTF-8 the way it was read; converted to the bytes nginx sees). */
  exec(input: string, opts?: { budget?: number }): ExecResult;
  /** Match a byte string (one code unit per byte, e.g. from Buffer.toString('latin1')); captures are byte strings. */
  execBytes(input: string, opts?: { budget?: number }): ExecResult;
}

/**
 * Steps the matcher may take per exec. One step is one instruction or one
 * byte scanned; at the ~20 M steps/s measured here (steady state) this keeps an exec near 50 ms
 * in the worst case (the test suite measures it).
 */
export const DEFAULT_STEP_BUDGET = 1_000_000;

/** A JS RegExp is used when (subject length)^degree stays under this many steps. */
const JS_WORK_LIMIT = 5e7;

/**
 * PCRE2 stops a match attempt at match_limit (10,000,000 calls of its matcher per start
 * position: pcre2_match resets the count for each) with an error, which nginx turns into a 500
 * (location, if, rewrite) or a map default. Below this much work per start, with margin for
 * PCRE2's constant factor, it cannot get there; above it, a non-match from JS or from the
 * required-literal test is not PCRE2's answer.
 */
const PCRE2_SAFE_WORK = 2e6;

/** PCRE2 tests a required code unit only in subjects shorter than this (REQ_CU_MAX, pcre2_match.c). */
export const REQ_CU_MAX = 5000;

export function isCompileError(r: CompiledRegex | RegexCompileError): r is RegexCompileError {
  return r.kind === 'error';
}

/** nginx's wording (ngx_regex_compile in src/core/ngx_regex.c, PCRE2 branch). */
export function nginxCompileMessage(patternBytes: string, reason: string, offset: number, keepBytes = false): string {
  const show = (b: string) => (keepBytes ? b : bytesToText(b));
  const at = patternBytes.length === offset ? '' : ` at "${show(patternBytes.slice(offset))}"`;
  return `pcre2_compile() failed: ${reason} in "${show(patternBytes)}"${at}`;
}

const cache = new Map<string, CompiledRegex | RegexCompileError>();
const CACHE_MAX = 20000;

/** Compiles (or returns the cached compilation of) an nginx regex. */
export function compileRegex(pattern: string, options: RegexOptions): CompiledRegex | RegexCompileError {
  const key = `${options.caseless ? 'i' : '-'}${options.encoding === 'bytes' ? 'b' : 't'}${options.budget ?? ''}:${pattern}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const r = compileUncached(pattern, options);
  if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
  cache.set(key, r);
  return r;
}

function compileUncached(pattern: string, options: RegexOptions): CompiledRegex | RegexCompileError {
  const bytes = options.encoding === 'bytes' ? pattern : textToBytes(pattern);
  const plain = plainItems(bytes, options.caseless);
  if (plain !== undefined) return new PlainRegex(pattern, options, bytes, plain);
  let parsed: Parsed;
  try {
    parsed = parsePattern(bytes, options.caseless);
  } catch (e) {
    if (e instanceof PcreSyntaxError) {
      return {
        kind: 'error',
        pattern,
        code: e.code,
        reason: e.message,
        offset: e.offset,
        message: nginxCompileMessage(bytes, e.message, e.offset, options.encoding === 'bytes'),
      };
    }
    throw e;
  }
  return new Regex(pattern, options, parsed);
}

class Regex implements CompiledRegex {
  readonly kind = 'regex';
  readonly caseless: boolean;
  readonly groupCount: number;
  readonly names: { name: string; index: number }[];
  readonly unsupported: string[];
  readonly complexity: Complexity;
  private js: RegExp | null = null;
  private groupMap: number[] = [];
  private program: Program | null = null;
  private readonly budget: number;
  // Program and JS translation are built on first use: a blocklist map compiles thousands of
  // patterns of which, thanks to the literal test, few are ever run (bench/trace.mjs: compiling
  // them all eagerly was most of the model build).
  private ast: Node | null = null;
  private translatable: boolean | undefined;
  readonly literal: RequiredLiteral | null = null;
  /** The degree of the work per start position (the search loop's own factor left out). */
  private readonly perStart: number;

  constructor(
    readonly pattern: string,
    options: RegexOptions,
    parsed: Parsed,
  ) {
    this.caseless = options.caseless;
    this.groupCount = parsed.groupCount;
    this.names = parsed.names;
    this.unsupported = parsed.unsupported;
    this.budget = options.budget ?? DEFAULT_STEP_BUDGET;
    const { ast, lineAnchored } = anchorLeadingDotStar(parsed.ast);
    const anchored = startsAnchored(ast);
    this.complexity = analyze(ast, anchored || lineAnchored);
    this.perStart = this.complexity.exponential ? Infinity : this.complexity.degree - (anchored || lineAnchored ? 0 : 1);
    if (this.unsupported.length > 0) {
      this.translatable = false;
      return;
    }
    this.ast = ast;
    if (this.complexity.exponential || parsed.hasBackref || parsed.hasKeep) this.translatable = false;
    this.literal = requiredLiteral(ast);
  }

  get engine(): 'js' | 'vm' | 'none' {
    if (this.unsupported.length > 0) return 'none';
    return this.translation() ? 'js' : 'vm';
  }

  private translation(): RegExp | null {
    if (this.translatable === undefined) {
      const t = translate(this.ast!, this.groupCount, false);
      this.translatable = t !== null;
      if (t) {
        this.js = new RegExp(t.source);
        this.groupMap = t.groupMap;
      }
    }
    return this.js;
  }

  exec(input: string, opts?: { budget?: number }): ExecResult {
    const r = this.execBytes(textToBytes(input), opts);
    if (r.kind !== 'match') return r;
    r.captures = r.captures.map((c) => (c === undefined ? c : bytesToText(c)));
    for (const k of Object.keys(r.groups)) r.groups[k] = bytesToText(r.groups[k]!);
    return r;
  }

  execBytes(s: string, opts?: { budget?: number }): ExecResult {
    if (this.unsupported.length > 0) return { kind: 'unsupported', reason: this.unsupported.join(', ') };
    if (this.literal && (s.length < REQ_CU_MAX || !this.pcre2MayGiveUp(s.length)) && !mayContain(this.literal, s)) return { kind: 'nomatch' };
    const js = this.translation();
    if (js && this.jsIsSafeFor(s.length)) {
      const m = js.exec(s);
      if (!m) return { kind: 'nomatch' };
      const captures: (string | undefined)[] = [m[0]];
      for (let g = 1; g <= this.groupCount; g++) captures.push(m[this.groupMap[g]]);
      return this.result(captures, m.index, m.index + m[0].length);
    }
    if (!this.program) this.program = compileProgram(this.ast!, this.groupCount);
    const r = runProgram(this.program, s, opts?.budget ?? this.budget);
    if (r.kind !== 'match') return r;
    const caps = r.caps;
    const captures: (string | undefined)[] = [];
    for (let g = 0; g <= this.groupCount; g++) {
      const a = caps[2 * g];
      const b = caps[2 * g + 1];
      captures.push(a >= 0 && b >= 0 ? s.slice(a, b) : undefined);
    }
    // \K can put the start after the end (PCRE2 reports that as is); keep the text sane.
    if (caps[0] > caps[1]) captures[0] = '';
    return this.result(captures, caps[0], caps[1]);
  }

  private jsIsSafeFor(n: number): boolean {
    const d = this.complexity.degree;
    return (d <= 1 || Math.pow(Math.max(n, 1), d) <= JS_WORK_LIMIT) && !this.pcre2MayGiveUp(n);
  }

  /** Whether PCRE2 may hit its match limit on a subject of n bytes (then only our step-bounded matcher can say). */
  private pcre2MayGiveUp(n: number): boolean {
    return this.perStart > 1 && Math.pow(Math.max(n, 1), this.perStart) > PCRE2_SAFE_WORK;
  }

  private result(captures: (string | undefined)[], index: number, end: number): ExecResult {
    const groups: Record<string, string | undefined> = {};
    for (const { name, index: g } of this.names) groups[name] = captures[g] ?? '';
    return { kind: 'match', captures, groups, index, end };
  }
}

const NONE: readonly never[] = Object.freeze([]);

/**
 * A pattern made only of literal characters, `.`, `\b` / `(?:\b)`, a leading `^` and a final `$`
 * (the blocklists' ~8,000 `~*(?:\b)name(?:\b)` map keys): always valid, no groups, nothing
 * unsupported, and its required literal can be read off the text. Everything else of its
 * compilation (parse, analysis, translation) waits for the first exec the literal test does not
 * answer, which most of them never get. bench/trace.mjs: parsing them all up front was ~0.15 s of
 * the model build.
 */
class PlainRegex implements CompiledRegex {
  readonly kind = 'regex';
  readonly caseless: boolean;
  readonly groupCount = 0;
  // Shared: a blocklist makes ~8,000 of these, each with no names and nothing unsupported.
  readonly names: readonly { name: string; index: number }[] = NONE;
  readonly unsupported: readonly string[] = NONE;
  private full: Regex | undefined;

  constructor(
    readonly pattern: string,
    private readonly options: RegexOptions,
    private readonly bytes: string,
    /** The pattern read as items (plainItems): matched directly, without compiling it (a first use cost ~0.1 ms per pattern). */
    private readonly items: string,
  ) {
    this.caseless = options.caseless;
    this.literal = itemsLiteral(items, options.caseless);
  }

  readonly literal: RequiredLiteral | null;

  /** The compilation of any other pattern; its literal is the same (test/regex/plain.test.ts). */
  private regex(): Regex {
    return (this.full ??= new Regex(this.pattern, this.options, parsePattern(this.bytes, this.options.caseless)));
  }

  get engine(): 'js' | 'vm' | 'none' {
    return this.regex().engine;
  }

  get complexity(): Complexity {
    return this.regex().complexity;
  }

  exec(input: string, opts?: { budget?: number }): ExecResult {
    return this.regex().exec(input, opts);
  }

  execBytes(s: string, opts?: { budget?: number }): ExecResult {
    if (this.literal && !mayContain(this.literal, s)) return { kind: 'nomatch' };
    const items = this.items;
    // Every start tried, each in at most items.length steps: a huge subject goes to the engine,
    // which has a step budget.
    if (s.length * items.length > PLAIN_WORK_LIMIT) return this.regex().execBytes(s, opts);
    const start = items.charCodeAt(0) === START;
    for (let i = 0; i <= s.length; i++) {
      const end = plainMatchAt(items, s, i, this.caseless);
      if (end >= 0) return { kind: 'match', captures: [s.slice(i, end)], groups: {}, index: i, end };
      if (start) break;
    }
    return { kind: 'nomatch' };
  }
}

const PLAIN_WORK_LIMIT = 4_000_000;

// A plain pattern read as one string of items: its characters (lowercased when caseless, all
// printable ASCII) and these codes for the rest.
const ANY = 1;
const WORD_BOUNDARY = 2;
const START = 3;
const END = 4;

/**
 * A plain pattern's items (see PlainRegex and the codes above), undefined when it is not plain.
 * Built from char codes in one go: appending a character at a time made each of a blocklist's
 * ~8,000 kept item strings a chain of cons strings.
 */
function plainItems(bytes: string, caseless: boolean): string | undefined {
  const codes: number[] = [];
  const n = bytes.length;
  for (let i = 0; i < n; ) {
    let c = bytes.charCodeAt(i);
    if (c === 0x28) {
      if (!bytes.startsWith('(?:\\b)', i)) return undefined;
      codes.push(WORD_BOUNDARY);
      i += 6;
      continue;
    }
    if (c === 0x5c) {
      const e = bytes.charCodeAt(i + 1);
      if (e === 0x62) {
        codes.push(WORD_BOUNDARY);
        i += 2;
        continue;
      }
      if (!(e >= 0x20 && e <= 0x7e) || isAlnum(e)) return undefined;
      c = e;
      i += 2;
    } else if (c === 0x2e) {
      codes.push(ANY);
      i++;
      continue;
    } else if ((c === 0x5e && i === 0) || (c === 0x24 && i === n - 1)) {
      codes.push(c === 0x5e ? START : END);
      i++;
      continue;
    } else {
      if (c < 0x20 || c > 0x7e || META.includes(bytes[i])) return undefined;
      i++;
    }
    codes.push(caseless && c >= 0x41 && c <= 0x5a ? c + 0x20 : c);
  }
  return fromCodes(codes);
}

/** A flat string of these char codes (fromCharCode takes them as arguments: in slices). */
function fromCodes(codes: number[]): string {
  if (codes.length <= 4096) return String.fromCharCode(...codes);
  const parts: string[] = [];
  for (let k = 0; k < codes.length; k += 4096) parts.push(String.fromCharCode(...codes.slice(k, k + 4096)));
  return parts.join('');
}

/**
 * Where a match of `items` starting at `i` ends, or -1. PCRE2 without UTF: ASCII case folding
 * and word characters, `.` anything but a newline, `$` also before a final newline.
 */
function plainMatchAt(items: string, s: string, i: number, caseless: boolean): number {
  const n = s.length;
  let p = i;
  for (let k = 0; k < items.length; k++) {
    const it = items.charCodeAt(k);
    if (it === ANY) {
      if (p >= n || s.charCodeAt(p) === 0x0a) return -1;
      p++;
    } else if (it === WORD_BOUNDARY) {
      if ((p > 0 && isWordChar(s.charCodeAt(p - 1))) === (p < n && isWordChar(s.charCodeAt(p)))) return -1;
    } else if (it === START) {
      if (p !== 0) return -1;
    } else if (it === END) {
      if (p !== n && !(p === n - 1 && s.charCodeAt(p) === 0x0a)) return -1;
    } else {
      if (p >= n) return -1;
      let c = s.charCodeAt(p);
      if (caseless && c >= 0x41 && c <= 0x5a) c += 0x20;
      if (c !== it) return -1;
      p++;
    }
  }
  return p;
}

const LITERAL_MIN = 3;

/**
 * The required literal of a plain pattern (see PlainRegex), exactly as literal.ts finds it in the
 * parsed pattern: the longest run of single characters, `.` ending a run and the assertions not;
 * null when no run is long enough. Undefined when the pattern is not plain. Characters taken as
 * literals: printable ASCII but PCRE2's metacharacters (and `#`, `]`, `}` to stay clear of
 * extended mode and quantifier braces), and `\` before a printable non-alphanumeric one.
 */
export function plainLiteral(bytes: string, caseless: boolean): RequiredLiteral | null | undefined {
  const items = plainItems(bytes, caseless);
  return items === undefined ? undefined : itemsLiteral(items, caseless);
}

function itemsLiteral(items: string, caseless: boolean): RequiredLiteral | null {
  // Runs of characters, assertions skipped (they match no character): the longest one is kept.
  let best: number[] = [];
  let run: number[] = [];
  const close = () => {
    if (run.length > best.length) best = run;
    run = [];
  };
  for (let k = 0; k < items.length; k++) {
    const it = items.charCodeAt(k);
    if (it === ANY) close();
    else if (it >= 0x20) run.push(it);
  }
  close();
  if (best.length < LITERAL_MIN) return null;
  const text = fromCodes(best);
  return { text, folded: caseless && /[a-z]/.test(text) };
}

const META = '\\^$.[]|()?*+{}#';

function isAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/**
 * An unanchored pattern that starts with `.*` can only match from the start
 * of a line: from any later start in the same line, the match from the line
 * start would also succeed and is further left. Saying so up front spares the
 * O(n^2) retry of every start position (PCRE2 does the same optimisation).
 */
function anchorLeadingDotStar(ast: Node): { ast: Node; lineAnchored: boolean } {
  const items = ast.type === 'seq' ? ast.items : [ast];
  const first = items[0];
  if (first?.type !== 'repeat' || first.body.type !== 'char' || first.max !== Infinity || first.mode === 'lazy') {
    return { ast, lineAnchored: false };
  }
  const set = first.body.set;
  let dotall = true;
  for (let c = 0; c < 256; c++) if (!set[c] && c !== 0x0a) return { ast, lineAnchored: false };
  if (!set[0x0a]) dotall = false;
  const anchor: Node = dotall
    ? { type: 'assert', kind: 'start' }
    : { type: 'alt', alts: [{ type: 'assert', kind: 'start' }, { type: 'look', behind: true, negate: false, body: { type: 'char', set: nl } }] };
  return { ast: { type: 'seq', items: [anchor, ...items] }, lineAnchored: true };
}

const nl = (() => {
  const s = new Uint8Array(256);
  s[0x0a] = 1;
  return s;
})();

function startsAnchored(n: Node): boolean {
  switch (n.type) {
    case 'assert':
      return n.kind === 'start';
    case 'seq':
      return n.items.length > 0 && startsAnchored(n.items[0]);
    case 'alt':
      return n.alts.every(startsAnchored);
    case 'group':
    case 'atomic':
      return startsAnchored(n.body);
    default:
      return false;
  }
}
