// A parser for PCRE2 10.42 pattern syntax as nginx compiles it: 8-bit, no UTF,
// no UCP, newline LF, optional PCRE2_CASELESS. It reports the errors
// pcre2_compile() reports (same message, same offset, checked against
// pcre2test) for the constructs it knows, and marks valid constructs it cannot
// evaluate as `unsupported` instead of guessing.
import {
  type AssertKind,
  type ByteSet,
  type Node,
  addOtherCase,
  emptySet,
  setNegate,
  setOf,
  setRange,
  setUnion,
} from './ast';

/** pcre2_get_error_message() texts for the compile errors this parser raises. */
export const PCRE2_ERRORS: Record<number, string> = {
  101: '\\ at end of pattern',
  102: '\\c at end of pattern',
  103: 'unrecognized character follows \\',
  104: 'numbers out of order in {} quantifier',
  105: 'number too big in {} quantifier',
  106: 'missing terminating ] for character class',
  107: 'escape sequence is invalid in character class',
  108: 'range out of order in character class',
  109: 'quantifier does not follow a repeatable item',
  111: 'unrecognized character after (? or (?-',
  112: 'POSIX named classes are supported only within a class',
  113: 'POSIX collating elements are not supported',
  114: 'missing closing parenthesis',
  115: 'reference to non-existent subpattern',
  118: 'missing ) after (?# comment',
  119: 'parentheses are too deeply nested',
  122: 'unmatched closing parenthesis',
  124: 'missing closing parenthesis for condition',
  125: 'lookbehind assertion is not fixed length',
  126: 'a relative value of zero is not allowed',
  127: 'conditional subpattern contains more than two branches',
  128: 'assertion expected after (?( or (?(?C)',
  129: 'digit expected after (?+ or (?-',
  130: 'unknown POSIX class name',
  134: 'character code point value in \\x{} or \\o{} is too large',
  137: 'PCRE2 does not support \\F, \\L, \\l, \\N{name}, \\U, or \\u',
  141: 'unrecognized character after (?P',
  142: 'syntax error in subpattern name (missing terminator?)',
  143: 'two named subpatterns have the same name (PCRE2_DUPNAMES not set)',
  144: 'subpattern name must start with a non-digit',
  146: 'malformed \\P or \\p sequence',
  148: 'subpattern name is too long (maximum 32 code units)',
  150: 'invalid range in character class',
  151: 'octal value is greater than \\377 in 8-bit non-UTF-8 mode',
  154: 'DEFINE subpattern contains more than one branch',
  155: 'missing opening brace after \\o',
  157: '\\g is not followed by a braced, angle-bracketed, or quoted name/number or by a plain number',
  158: '(?R (recursive pattern call) must be followed by a closing parenthesis',
  160: '(*VERB) not recognized or malformed',
  161: 'subpattern number is too big',
  162: 'subpattern name expected',
  164: 'non-octal character in \\o{} (closing brace missing?)',
  165: 'different names for subpatterns of the same number are not allowed',
  166: '(*MARK) must have an argument',
  167: 'non-hex character in \\x{} (closing brace missing?)',
  168: '\\c must be followed by a printable ASCII character',
  169: '\\k is not followed by a braced, angle-bracketed, or quoted name',
  171: '\\N is not supported in a class',
  178: 'digits missing in \\x{} or \\o{} or \\N{U+}',
  187: 'lookbehind assertion is too long',
  193: '\\N{U+dddd} is supported only in Unicode (UTF) mode',
  194: 'invalid hyphen in option setting',
  195: '(*alpha_assertion) not recognized',
  197: 'too many capturing groups (maximum 65535)',
  199: '\\K is not allowed in lookarounds (but see PCRE2_EXTRA_ALLOW_LOOKAROUND_BSK)',
};

export class PcreSyntaxError extends Error {
  constructor(
    readonly code: number,
    readonly offset: number,
  ) {
    super(PCRE2_ERRORS[code] ?? `error ${code}`);
  }
}

export interface Parsed {
  ast: Node;
  /** Number of capturing groups. */
  groupCount: number;
  /** Group names in PCRE2's name-table order (by name, then group number). */
  names: { name: string; index: number }[];
  /** Valid constructs the matcher cannot evaluate; empty when fully supported. */
  unsupported: string[];
  /** Uses \K or back references (JS RegExp cannot express them exactly). */
  hasKeep: boolean;
  hasBackref: boolean;
}

interface Options {
  i: boolean;
  m: boolean;
  s: boolean;
  x: boolean;
  xx: boolean;
  n: boolean;
  U: boolean;
  J: boolean;
}

const MAX_REPEAT = 65535;
const MAX_GROUP = 65535;
const NEST_LIMIT = 250;

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
/** PCRE2's \w without UTF or UCP: ASCII letters, digits and `_`. */
export const isWordChar = (c: number) => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
const hexVal = (c: number) =>
  c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x41 && c <= 0x46 ? c - 55 : c >= 0x61 && c <= 0x66 ? c - 87 : -1;
/** C-locale isspace() plus NEL: what (?x) skips. */
const isPatternSpace = (c: number) => c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0x85;

// Character types with PCRE2's default (C locale) tables.
export const DIGIT = setRange(emptySet(), 0x30, 0x39);
// One shared set per literal byte: a node's set is never written once built (classes fill their
// own), and the bad-bot blocker's thousands of patterns made a 256-byte array per literal
// character, ~0.25 s of building the bench model (bench/trace.mjs).
const LITERAL_SETS: (ByteSet | undefined)[] = [];
const CASELESS_SETS: (ByteSet | undefined)[] = [];

export const WORD = setOf(0x5f);
setRange(WORD, 0x30, 0x39);
setRange(WORD, 0x41, 0x5a);
setRange(WORD, 0x61, 0x7a);
export const SPACE = setOf(0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20);
export const HSPACE = setOf(0x09, 0x20, 0xa0);
export const VSPACE = setOf(0x0a, 0x0b, 0x0c, 0x0d, 0x85);
export const ANY = setNegate(emptySet());
export const NOT_NL = setNegate(setOf(0x0a));

function posixClass(name: string): ByteSet | null {
  const s = emptySet();
  switch (name) {
    case 'alpha':
      return setRange(setRange(s, 0x41, 0x5a), 0x61, 0x7a);
    case 'lower':
      return setRange(s, 0x61, 0x7a);
    case 'upper':
      return setRange(s, 0x41, 0x5a);
    case 'alnum':
      return setRange(setRange(setRange(s, 0x41, 0x5a), 0x61, 0x7a), 0x30, 0x39);
    case 'ascii':
      return setRange(s, 0, 0x7f);
    case 'blank':
      return setOf(0x09, 0x20);
    case 'cntrl':
      return setRange(setOf(0x7f), 0, 0x1f);
    case 'digit':
      return setUnion(DIGIT, s);
    case 'graph':
      return setRange(s, 0x21, 0x7e);
    case 'print':
      return setRange(s, 0x20, 0x7e);
    case 'punct': {
      setRange(s, 0x21, 0x7e);
      for (let c = 0; c < 256; c++) if (isWordChar(c) && c !== 0x5f) s[c] = 0;
      return s;
    }
    case 'space':
      return setUnion(SPACE, s);
    case 'word':
      return setUnion(WORD, s);
    case 'xdigit':
      return setRange(setRange(setRange(s, 0x30, 0x39), 0x41, 0x46), 0x61, 0x66);
    default:
      return null;
  }
}

/** An escape read by readEscape: a data byte, a class, an assertion, a back reference, or something else. */
type Escape =
  | { kind: 'char'; c: number }
  | { kind: 'set'; set: ByteSet; name: string }
  | { kind: 'assert'; name: string }
  | { kind: 'backref'; n: number }
  | { kind: 'named'; name: string; call: boolean }
  | { kind: 'call'; n: number }
  | { kind: 'special'; name: string };

export function parsePattern(pattern: string, caseless: boolean): Parsed {
  return new Parser(pattern, caseless).run();
}

class Parser {
  private pos = 0;
  private readonly end: number;
  private groupCount = 0;
  private readonly unsupported = new Set<string>();
  private hasKeep = false;
  private hasBackref = false;
  /** name -> group numbers, in definition order. */
  private readonly names = new Map<string, number[]>();
  private readonly groupNames = new Map<number, string>();
  /** Back references by number, checked once all groups are known. */
  private readonly numberRefs: { n: number; offset: number }[] = [];
  /** Back references / conditions by name, resolved at the end. */
  private readonly nameRefs: { name: string; offset: number; target: number[] }[] = [];
  private depth = 0;
  private inBranchReset = 0;
  private readonly lookbehinds: { node: Node; offset: number }[] = [];

  constructor(
    private readonly p: string,
    private readonly caseless: boolean,
  ) {
    this.end = p.length;
  }

  run(): Parsed {
    const opts: Options = { i: this.caseless, m: false, s: false, x: false, xx: false, n: false, U: false, J: false };
    this.leadingVerbs();
    const ast = this.alternation(opts, true);
    if (this.pos < this.end) throw new PcreSyntaxError(122, this.pos);
    for (const lb of this.lookbehinds) checkLookbehind(lb.node, lb.offset);
    // PCRE2 reports the first bad reference in pattern order.
    const bad: number[] = [];
    for (const r of this.numberRefs) if (r.n > this.groupCount) bad.push(r.offset);
    for (const r of this.nameRefs) {
      const g = this.names.get(r.name);
      if (!g) bad.push(r.offset);
      else r.target.push(...g);
    }
    if (bad.length > 0) throw new PcreSyntaxError(115, Math.min(...bad));
    if (this.keepInLook) throw new PcreSyntaxError(199, this.end);
    const names: { name: string; index: number }[] = [];
    for (const [name, idx] of this.names) for (const index of idx) names.push({ name, index });
    names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.index - b.index));
    return {
      ast,
      groupCount: this.groupCount,
      names,
      unsupported: [...this.unsupported],
      hasKeep: this.hasKeep,
      hasBackref: this.hasBackref,
    };
  }

  private c(at = this.pos): number {
    return at < this.end ? this.p.charCodeAt(at) : -1;
  }

  private startsWith(s: string, at = this.pos): boolean {
    return this.p.startsWith(s, at);
  }

  /** (*LIMIT_MATCH=n), (*NO_JIT), (*UTF) ... at the very start. */
  private leadingVerbs(): void {
    for (;;) {
      const m = /^\(\*([A-Z_]+)(=(\d+))?\)/.exec(this.p.slice(this.pos, this.pos + 40));
      if (!m) return;
      const name = m[1];
      const harmless = ['NO_AUTO_POSSESS', 'NO_DOTSTAR_ANCHOR', 'NO_JIT', 'NO_START_OPT', 'LF', 'BSR_UNICODE'];
      const limits = ['LIMIT_HEAP', 'LIMIT_MATCH', 'LIMIT_DEPTH', 'LIMIT_RECURSION'];
      const other = ['UTF', 'UCP', 'CR', 'CRLF', 'ANYCRLF', 'ANY', 'NUL', 'BSR_ANYCRLF', 'NOTEMPTY', 'NOTEMPTY_ATSTART'];
      if (m[2] !== undefined ? limits.includes(name) : harmless.includes(name)) {
        // These change limits or optimisations only, never what matches.
      } else if (m[2] === undefined && other.includes(name)) {
        this.unsupported.add(`(*${name})`);
      } else return;
      this.pos += m[0].length;
    }
  }

  private skipIgnorable(o: Options): void {
    for (;;) {
      const c = this.c();
      if (o.x && c >= 0 && isPatternSpace(c)) {
        this.pos++;
        continue;
      }
      if (o.x && c === 0x23) {
        while (this.pos < this.end && this.c() !== 0x0a) this.pos++;
        if (this.pos < this.end) this.pos++;
        continue;
      }
      if (c === 0x28 && this.c(this.pos + 1) === 0x3f && this.c(this.pos + 2) === 0x23) {
        let q = this.pos + 3;
        while (q < this.end && this.p.charCodeAt(q) !== 0x29) q++;
        if (q >= this.end) throw new PcreSyntaxError(118, this.end);
        this.pos = q + 1;
        continue;
      }
      return;
    }
  }

  /** Alternatives up to ')' or the end. Option changes inside carry over to later alternatives, as in PCRE2. */
  private alternation(o: Options, top: boolean): Node {
    const alts: Node[] = [];
    const resetBase = this.groupCount;
    let maxGroup = this.groupCount;
    for (;;) {
      alts.push(this.sequence(o));
      if (this.c() === 0x7c) {
        this.pos++;
        if (this.inBranchReset > 0 && this.branchResetLevel === this.depth) {
          maxGroup = Math.max(maxGroup, this.groupCount);
          this.groupCount = resetBase;
        }
        continue;
      }
      break;
    }
    if (this.inBranchReset > 0 && this.branchResetLevel === this.depth) this.groupCount = Math.max(maxGroup, this.groupCount);
    if (top && this.c() === 0x29) throw new PcreSyntaxError(122, this.pos);
    return alts.length === 1 ? alts[0] : { type: 'alt', alts };
  }

  private branchResetLevel = -1;

  private sequence(o: Options): Node {
    const items: Node[] = [];
    /** Whether the last item may take a quantifier. */
    let quantifiable = false;
    let lastWasQuantifier = false;
    let inQuote = false;
    for (;;) {
      if (inQuote) {
        if (this.pos >= this.end) break;
        if (this.startsWith('\\E')) {
          this.pos += 2;
          inQuote = false;
          continue;
        }
        items.push(this.literal(this.c(), o));
        this.pos++;
        quantifiable = true;
        lastWasQuantifier = false;
        continue;
      }
      this.skipIgnorable(o);
      if (this.pos >= this.end) break;
      const start = this.pos;
      const c = this.c();
      if (c === 0x7c || c === 0x29) break;

      // Quantifiers.
      let q: { min: number; max: number } | null = null;
      if (c === 0x2a) q = { min: 0, max: Infinity };
      else if (c === 0x2b) q = { min: 1, max: Infinity };
      else if (c === 0x3f) q = { min: 0, max: 1 };
      else if (c === 0x7b) q = this.readRepeatCounts(this.pos + 1);
      if (q) {
        const qEnd = c === 0x7b ? this.repeatEnd : this.pos + 1;
        if (!quantifiable) throw new PcreSyntaxError(109, qEnd - 1);
        this.pos = qEnd;
        // A following + or ? (after any ignorable text) modifies this quantifier.
        this.skipIgnorable(o);
        let mode: 'greedy' | 'lazy' | 'possessive' = o.U ? 'lazy' : 'greedy';
        if (this.c() === 0x2b) {
          mode = 'possessive';
          this.pos++;
        } else if (this.c() === 0x3f) {
          mode = o.U ? 'greedy' : 'lazy';
          this.pos++;
        }
        const prev = items.pop()!;
        items.push(makeRepeat(prev, q.min, q.max, mode));
        quantifiable = false;
        lastWasQuantifier = true;
        continue;
      }
      lastWasQuantifier = false;
      void lastWasQuantifier;

      if (c === 0x5c && this.c(this.pos + 1) === 0x51) {
        // \Q ... \E
        this.pos += 2;
        inQuote = true;
        continue;
      }
      if (c === 0x5c && this.c(this.pos + 1) === 0x45) {
        this.pos += 2;
        continue;
      }

      const item = this.atom(o, start);
      if (item === null) {
        // An option setting such as (?i) cannot be repeated.
        quantifiable = false;
        continue;
      }
      items.push(item.node);
      quantifiable = item.quantifiable;
    }
    autoPossessQuirks(items);
    if (items.length === 0) return { type: 'empty' };
    return items.length === 1 ? items[0] : { type: 'seq', items };
  }

  private repeatEnd = 0;

  /** `{n}`, `{n,}`, `{n,m}` starting after '{'; null when the text is a literal '{'. */
  private readRepeatCounts(at: number): { min: number; max: number } | null {
    let p = at;
    let comma = false;
    for (;; p++) {
      if (p >= this.end) return null;
      const c = this.p.charCodeAt(p);
      if (isDigit(c)) continue;
      if (c === 0x7d) break;
      if (c === 0x2c) {
        if (comma) return null;
        comma = true;
      } else return null;
    }
    p = at;
    const readNum = (): number | null => {
      if (p >= this.end || !isDigit(this.p.charCodeAt(p))) return null;
      let n = 0;
      while (p < this.end && isDigit(this.p.charCodeAt(p))) {
        n = n * 10 + this.p.charCodeAt(p++) - 0x30;
        if (n > MAX_REPEAT) throw new PcreSyntaxError(105, p);
      }
      return n;
    };
    const min = readNum();
    if (min === null) return null;
    let max = min;
    if (this.p.charCodeAt(p) === 0x7d) {
      p++;
    } else {
      p++; // comma
      if (this.p.charCodeAt(p) !== 0x7d) {
        const m = readNum();
        if (m === null) return null;
        max = m;
        if (max < min) throw new PcreSyntaxError(104, p);
      } else max = Infinity;
      p++;
    }
    this.repeatEnd = p;
    return { min, max };
  }

  private literal(c: number, o: Options): Node {
    if (o.i && ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a))) {
      return { type: 'char', set: (CASELESS_SETS[c] ??= setOf(c, c ^ 0x20)), lit: c, caseless: true };
    }
    return { type: 'char', set: (LITERAL_SETS[c] ??= setOf(c)), lit: c };
  }

  /** One item; null for an option setting like (?i) that produces nothing. */
  private atom(o: Options, start: number): { node: Node; quantifiable: boolean } | null {
    const c = this.c();
    switch (c) {
      case 0x5e: // ^
        this.pos++;
        return { node: { type: 'assert', kind: o.m ? 'mstart' : 'start' }, quantifiable: false };
      case 0x24: // $
        this.pos++;
        return { node: { type: 'assert', kind: o.m ? 'mend' : 'end' }, quantifiable: false };
      case 0x2e: // .
        this.pos++;
        return { node: { type: 'char', set: o.s ? ANY : NOT_NL, tag: o.s ? undefined : '.' }, quantifiable: true };
      case 0x5b:
        return this.charClass(o);
      case 0x28:
        return this.group(o, start);
      case 0x5c:
        return this.escapeAtom(o);
      default:
        this.pos++;
        return { node: this.literal(c, o), quantifiable: true };
    }
  }

  private escapeAtom(o: Options): { node: Node; quantifiable: boolean } {
    const escStart = this.pos;
    this.pos++;
    const e = this.readEscape(false);
    switch (e.kind) {
      case 'char':
        return { node: this.literal(e.c, o), quantifiable: true };
      case 'set':
        return { node: { type: 'char', set: e.set, tag: e.name }, quantifiable: true };
      case 'assert': {
        if (e.name === 'K') {
          this.hasKeep = true;
          return { node: { type: 'keep' }, quantifiable: false };
        }
        const kinds: Record<string, AssertKind> = { A: 'start', G: 'start', z: 'eos', Z: 'end', b: 'word', B: 'nonword' };
        return { node: { type: 'assert', kind: kinds[e.name] }, quantifiable: false };
      }
      case 'backref': {
        this.hasBackref = true;
        this.numberRefs.push({ n: e.n, offset: this.pos - 1 });
        return { node: { type: 'backref', groups: [e.n], caseless: o.i }, quantifiable: true };
      }
      case 'named': {
        if (e.call) {
          this.unsupported.add('subroutine call');
          return { node: { type: 'unsupported', what: 'subroutine call' }, quantifiable: true };
        }
        this.hasBackref = true;
        const node: Node = { type: 'backref', groups: [], caseless: o.i };
        this.nameRefs.push({ name: e.name, offset: this.nameStart, target: node.groups });
        return { node, quantifiable: true };
      }
      case 'call':
        this.unsupported.add('subroutine call');
        return { node: { type: 'unsupported', what: 'subroutine call' }, quantifiable: true };
      case 'special': {
        if (e.name === 'N') return { node: { type: 'char', set: NOT_NL, tag: '.' }, quantifiable: true };
        if (e.name === 'C') return { node: { type: 'char', set: ANY }, quantifiable: true };
        if (e.name === 'R') {
          // \R is (?>\r\n|\n|\x0b|\f|\r|\x85)
          const crlf: Node = { type: 'seq', items: [{ type: 'char', set: setOf(0x0d) }, { type: 'char', set: setOf(0x0a) }] };
          return { node: { type: 'atomic', body: { type: 'alt', alts: [crlf, { type: 'char', set: VSPACE }] }, tag: 'R' }, quantifiable: true };
        }
        this.unsupported.add(`\\${e.name}`);
        void escStart;
        return { node: { type: 'unsupported', what: `\\${e.name}` }, quantifiable: true };
      }
    }
  }

  /**
   * Reads an escape; `this.pos` is just after the backslash. Mirrors
   * check_escape() of PCRE2 10.42.
   */
  private readEscape(inClass: boolean): Escape {
    if (this.pos >= this.end) throw new PcreSyntaxError(101, this.end);
    const c = this.c();
    this.pos++;
    const ch = String.fromCharCode(c);
    const simple: Record<string, number> = { a: 7, e: 27, f: 12, n: 10, r: 13, t: 9 };
    if (ch in simple) return { kind: 'char', c: simple[ch] };
    if (!isWordChar(c) || c === 0x5f) return { kind: 'char', c };
    switch (ch) {
      case 'd':
        return { kind: 'set', set: DIGIT, name: 'd' };
      case 'D':
        return { kind: 'set', set: setNegate(DIGIT), name: 'D' };
      case 'w':
        return { kind: 'set', set: WORD, name: 'w' };
      case 'W':
        return { kind: 'set', set: setNegate(WORD), name: 'W' };
      case 's':
        return { kind: 'set', set: SPACE, name: 's' };
      case 'S':
        return { kind: 'set', set: setNegate(SPACE), name: 'S' };
      case 'h':
        return { kind: 'set', set: HSPACE, name: 'h' };
      case 'H':
        return { kind: 'set', set: setNegate(HSPACE), name: 'H' };
      case 'v':
        return { kind: 'set', set: VSPACE, name: 'v' };
      case 'V':
        return { kind: 'set', set: setNegate(VSPACE), name: 'V' };
      case 'A':
      case 'z':
      case 'Z':
      case 'G':
      case 'b':
      case 'B':
      case 'K':
        return { kind: 'assert', name: ch };
      case 'E':
      case 'Q':
        return { kind: 'special', name: ch };
      case 'C':
      case 'R':
      case 'X':
        return { kind: 'special', name: ch };
      case 'N':
        if (this.c() === 0x7b) {
          if (this.c(this.pos + 1) === 0x55 && this.c(this.pos + 2) === 0x2b) throw new PcreSyntaxError(193, this.pos);
          const saved = this.repeatEnd;
          let ok = false;
          try {
            ok = this.readRepeatCounts(this.pos + 1) !== null;
          } finally {
            this.repeatEnd = saved;
          }
          if (!ok) throw new PcreSyntaxError(137, this.pos);
        }
        return { kind: 'special', name: 'N' };
      case 'p':
      case 'P':
        return this.readProperty(ch);
      case 'F':
      case 'l':
      case 'L':
      case 'u':
      case 'U':
        throw new PcreSyntaxError(137, this.pos);
      case 'g':
        if (inClass) return { kind: 'char', c };
        return this.readG();
      case 'k':
        return this.readK();
      case 'o': {
        if (this.c() !== 0x7b) throw new PcreSyntaxError(155, this.pos);
        this.pos++;
        if (this.pos >= this.end || this.c() === 0x7d) throw new PcreSyntaxError(178, this.pos);
        let v = 0;
        while (this.pos < this.end && this.c() >= 0x30 && this.c() <= 0x37) {
          const d = this.c() - 0x30;
          this.pos++;
          if (v === 0 && d === 0) continue;
          v = v * 8 + d;
          if (v > 0xff) {
            while (this.pos < this.end && this.c() >= 0x30 && this.c() <= 0x37) this.pos++;
            throw new PcreSyntaxError(134, this.pos);
          }
        }
        if (this.c() === 0x7d) {
          this.pos++;
          return { kind: 'char', c: v };
        }
        throw new PcreSyntaxError(164, this.pos);
      }
      case 'x': {
        if (this.c() === 0x7b) {
          this.pos++;
          if (this.pos >= this.end || this.c() === 0x7d) throw new PcreSyntaxError(178, this.pos);
          let v = 0;
          while (this.pos < this.end && hexVal(this.c()) >= 0) {
            const d = hexVal(this.c());
            this.pos++;
            if (v === 0 && d === 0) continue;
            v = v * 16 + d;
            if (v > 0xff) {
              while (this.pos < this.end && hexVal(this.c()) >= 0) this.pos++;
              throw new PcreSyntaxError(134, this.pos);
            }
          }
          if (this.c() === 0x7d) {
            this.pos++;
            return { kind: 'char', c: v };
          }
          throw new PcreSyntaxError(167, this.pos);
        }
        let v = 0;
        for (let k = 0; k < 2 && hexVal(this.c()) >= 0; k++) v = v * 16 + hexVal(this.p.charCodeAt(this.pos++));
        return { kind: 'char', c: v };
      }
      case 'c': {
        if (this.pos >= this.end) throw new PcreSyntaxError(102, this.pos);
        let x = this.c();
        if (x >= 0x61 && x <= 0x7a) x -= 32;
        if (x < 32 || x > 126) throw new PcreSyntaxError(168, this.pos);
        this.pos++;
        return { kind: 'char', c: x ^ 0x40 };
      }
      case '0':
        return { kind: 'char', c: this.octal(0) };
    }
    if (c >= 0x31 && c <= 0x39) {
      if (!inClass) {
        // Decimal: a back reference when < 10, starting with 8/9, or not more than the groups so far.
        let q = this.pos - 1;
        let n = 0;
        let big = false;
        while (q < this.end && isDigit(this.p.charCodeAt(q))) {
          n = n * 10 + this.p.charCodeAt(q++) - 0x30;
          if (n > 214748363) {
            big = true;
            break;
          }
        }
        if (!big && (n < 10 || c >= 0x38 || n <= this.groupCount)) {
          this.pos = q;
          if (n > MAX_GROUP) throw new PcreSyntaxError(161, this.pos);
          return { kind: 'backref', n };
        }
      }
      if (c >= 0x38) return { kind: 'char', c };
      return { kind: 'char', c: this.octal(c - 0x30) };
    }
    // Any other letter or digit.
    this.pos--;
    throw new PcreSyntaxError(103, this.pos);
  }

  private octal(first: number): number {
    let v = first;
    for (let k = 0; k < 2 && this.c() >= 0x30 && this.c() <= 0x37; k++) v = v * 8 + this.p.charCodeAt(this.pos++) - 0x30;
    if (v > 0xff) throw new PcreSyntaxError(151, this.pos);
    return v;
  }

  private readProperty(ch: string): Escape {
    // Syntax check only: PCRE2 accepts \p{..} in non-UTF mode; we do not evaluate it.
    if (this.pos >= this.end) throw new PcreSyntaxError(146, this.pos);
    if (this.c() === 0x7b) {
      const close = this.p.indexOf('}', this.pos);
      if (close < 0) throw new PcreSyntaxError(146, this.end);
      this.pos = close + 1;
    } else this.pos++;
    return { kind: 'special', name: `${ch}{...}` };
  }

  private readG(): Escape {
    if (this.pos >= this.end) throw new PcreSyntaxError(157, this.pos);
    const c = this.c();
    if (c === 0x3c || c === 0x27) {
      // Subroutine call by number or name.
      const term = c === 0x3c ? 0x3e : 0x27;
      const q = this.p.indexOf(String.fromCharCode(term), this.pos + 1);
      if (q < 0) throw new PcreSyntaxError(157, this.pos);
      this.pos = q + 1;
      return { kind: 'call', n: 0 };
    }
    if (c === 0x7b) {
      const save = this.pos;
      this.pos++;
      let num: number | null;
      try {
        num = this.readSignedNumber();
      } catch (e) {
        if (e instanceof PcreSyntaxError && e.code === 115) throw new PcreSyntaxError(115, save);
        throw e;
      }
      if (num === null) {
        this.pos = save;
        return this.readK();
      }
      if (this.c() !== 0x7d) throw new PcreSyntaxError(157, this.pos);
      this.pos++;
      if (num <= 0) throw new PcreSyntaxError(115, this.pos);
      return { kind: 'backref', n: num };
    }
    const num = this.readSignedNumber();
    if (num === null) throw new PcreSyntaxError(157, this.pos);
    if (num <= 0) throw new PcreSyntaxError(115, this.pos);
    return { kind: 'backref', n: num };
  }

  /** read_number() with a sign relative to the groups so far; null when no digits. */
  private readSignedNumber(): number | null {
    let sign = 0;
    if (this.c() === 0x2b) {
      sign = 1;
      this.pos++;
    } else if (this.c() === 0x2d) {
      sign = -1;
      this.pos++;
    }
    if (!isDigit(this.c())) return null;
    let n = 0;
    while (isDigit(this.c())) {
      n = n * 10 + this.p.charCodeAt(this.pos++) - 0x30;
      if (n > MAX_GROUP) throw new PcreSyntaxError(161, this.pos);
    }
    if (sign !== 0) {
      if (n === 0) throw new PcreSyntaxError(126, this.pos);
      if (sign > 0) return n + this.groupCount;
      if (n > this.groupCount) throw new PcreSyntaxError(115, this.pos);
      return this.groupCount + 1 - n;
    }
    return n;
  }

  private readK(): Escape {
    const c = this.c();
    const term = c === 0x3c ? 0x3e : c === 0x27 ? 0x27 : c === 0x7b ? 0x7d : -1;
    if (term < 0) throw new PcreSyntaxError(169, this.pos);
    this.pos++;
    const name = this.readName(term);
    return { kind: 'named', name, call: false };
  }

  /** read_name(): a group name up to `term`, leaving pos after the terminator. */
  private nameStart = 0;
  /** \K inside a lookaround: PCRE2 rejects it after parsing, pointing at the end. */
  private keepInLook = false;

  private readName(term: number): string {
    const start = this.pos;
    this.nameStart = start;
    if (this.pos >= this.end) throw new PcreSyntaxError(162, this.pos);
    if (isDigit(this.c())) throw new PcreSyntaxError(144, this.pos);
    while (this.pos < this.end && isWordChar(this.c())) this.pos++;
    const name = this.p.slice(start, this.pos);
    if (name.length > 32) throw new PcreSyntaxError(148, this.pos);
    if (name.length === 0) throw new PcreSyntaxError(162, this.pos);
    if (this.c() !== term) throw new PcreSyntaxError(142, this.pos);
    this.pos++;
    return name;
  }

  private charClass(o: Options): { node: Node; quantifiable: boolean } {
    const open = this.pos;
    // [[:<:]] and [[:>:]] are word start/end.
    if (this.startsWith('[[:<:]]') || this.startsWith('[[:>:]]')) {
      const start = this.p[this.pos + 3] === '<';
      this.pos += 7;
      const w: Node = { type: 'char', set: WORD };
      const node: Node = {
        type: 'seq',
        items: [{ type: 'assert', kind: 'word' }, { type: 'look', behind: !start, negate: false, body: w }],
      };
      return { node, quantifiable: true };
    }
    this.pos++;
    const nc = this.c();
    if ((nc === 0x3a || nc === 0x2e || nc === 0x3d) && this.posixEnd(this.pos) >= 0) {
      throw new PcreSyntaxError(nc === 0x3a ? 112 : 113, this.pos - 1);
    }
    let negate = false;
    // Leading \E, \Q\E and one ^.
    for (;;) {
      if (this.startsWith('\\E')) this.pos += 2;
      else if (this.startsWith('\\Q\\E')) this.pos += 4;
      else if (o.xx && (this.c() === 0x20 || this.c() === 0x09)) this.pos++;
      else if (!negate && this.c() === 0x5e) {
        negate = true;
        this.pos++;
      } else break;
    }
    const set = emptySet();
    let first = true;
    let inQuote = false;
    // Range state: the last single byte that may start a range, or -1.
    let rangeStart = -1;
    let rangeForbidden = false; // after \d etc. or a POSIX class, a following '-' is an error unless last
    for (;;) {
      if (this.pos >= this.end) throw new PcreSyntaxError(106, this.end);
      let c = this.c();
      if (inQuote) {
        if (this.startsWith('\\E')) {
          this.pos += 2;
          inQuote = false;
          continue;
        }
        this.pos++;
        this.classChar(set, c, true, () => rangeStart, (v) => (rangeStart = v));
        first = false;
        continue;
      }
      if (c === 0x5d && !first) {
        this.pos++;
        break;
      }
      first = false;
      if (o.xx && (c === 0x20 || c === 0x09)) {
        this.pos++;
        continue;
      }
      if (c === 0x5b && (this.c(this.pos + 1) === 0x3a || this.c(this.pos + 1) === 0x2e || this.c(this.pos + 1) === 0x3d)) {
        const e = this.posixEnd(this.pos + 1);
        if (e >= 0) {
          if (this.pendingRange) throw new PcreSyntaxError(150, this.pos + 1);
          if (this.c(this.pos + 1) !== 0x3a) throw new PcreSyntaxError(113, this.pos + 1);
          let q = this.pos + 2;
          let neg = false;
          if (this.c(q) === 0x5e) {
            neg = true;
            q++;
          }
          const name = this.p.slice(q, e);
          // compile_branch: caseless, [:lower:] and [:upper:] are [:alpha:] (a negated one then
          // excludes every letter, which the class's case-folding must not add back).
          const ps = posixClass(o.i && (name === 'lower' || name === 'upper') ? 'alpha' : name);
          if (!ps) throw new PcreSyntaxError(130, q);
          this.pos = e + 2;
          if (this.pos < this.end - 1 && this.c() === 0x2d && this.c(this.pos + 1) !== 0x5d) throw new PcreSyntaxError(150, this.pos);
          const add = neg ? setNegate(ps) : ps;
          for (let k = 0; k < 256; k++) if (add[k]) set[k] = 1;
          rangeStart = -1;
          continue;
        }
      }
      if (c === 0x5c) {
        if (this.startsWith('\\Q')) {
          this.pos += 2;
          inQuote = true;
          continue;
        }
        if (this.startsWith('\\E')) {
          this.pos += 2;
          continue;
        }
        this.pos++;
        const escAt = this.pos;
        const e = this.readEscape(true);
        if (e.kind === 'char') {
          this.classChar(set, e.c, false, () => rangeStart, (v) => (rangeStart = v));
          continue;
        }
        if (e.kind === 'assert' && e.name === 'b') {
          this.classChar(set, 8, false, () => rangeStart, (v) => (rangeStart = v));
          continue;
        }
        if (e.kind === 'special' && e.name === 'N') throw new PcreSyntaxError(171, this.pos);
        if (e.kind === 'set') {
          if (this.pendingRange) throw new PcreSyntaxError(150, this.pos);
          for (let k = 0; k < 256; k++) if (e.set[k]) set[k] = 1;
          rangeStart = -1;
          if (this.pos < this.end - 1 && this.c() === 0x2d && this.c(this.pos + 1) !== 0x5d) throw new PcreSyntaxError(150, this.pos);
          continue;
        }
        if (e.kind === 'special' && e.name.startsWith('p')) {
          this.unsupported.add('\\p');
          rangeStart = -1;
          continue;
        }
        if (e.kind === 'special' && e.name.startsWith('P')) {
          this.unsupported.add('\\P');
          rangeStart = -1;
          continue;
        }
        if (e.kind === 'backref') {
          // Not reachable: digits in a class are octal.
          continue;
        }
        // \B, \R, \X and the other assertions are invalid in a class.
        throw new PcreSyntaxError(107, escAt);
      }
      // '-' after a possible range start begins a range unless it is last.
      this.pos++;
      if (c === 0x2d && rangeStart >= 0 && !this.pendingRange) {
        if (this.c() === 0x5d) {
          set[0x2d] = 1;
          continue;
        }
        this.pendingRange = true;
        continue;
      }
      this.classChar(set, c, true, () => rangeStart, (v) => (rangeStart = v));
      void rangeForbidden;
      void open;
    }
    if (this.pendingRange) {
      set[0x2d] = 1;
      this.pendingRange = false;
    }
    if (o.i) addOtherCase(set);
    return { node: { type: 'char', set: negate ? setNegate(set) : set }, quantifiable: true };
  }

  private pendingRange = false;

  /** Adds one class byte, completing a pending range. */
  private classChar(set: ByteSet, c: number, _literal: boolean, get: () => number, put: (v: number) => void): void {
    if (this.pendingRange) {
      const from = get();
      this.pendingRange = false;
      if (from > c) throw new PcreSyntaxError(108, this.pos - 1);
      setRange(set, from, c);
      put(-1);
      return;
    }
    set[c] = 1;
    put(c);
  }

  /** check_posix_syntax(): index of the terminator before ']' or -1. `at` is at ':' '.' or '='. */
  private posixEnd(at: number): number {
    const term = this.p.charCodeAt(at);
    for (let q = at + 1; this.end - q >= 2; q++) {
      const c = this.p.charCodeAt(q);
      const n = this.p.charCodeAt(q + 1);
      if (c === 0x5c && (n === 0x5d || n === 0x5c)) q++;
      else if ((c === 0x5b && n === term) || c === 0x5d) return -1;
      else if (c === term && n === 0x5d) return q;
    }
    return -1;
  }

  private group(o: Options, start: number): { node: Node; quantifiable: boolean } | null {
    this.pos++; // '('
    if (this.pos >= this.end) throw new PcreSyntaxError(114, this.pos);
    const c = this.c();
    if (c === 0x2a) return this.verbOrAlpha(o, start);
    if (c !== 0x3f) {
      if (o.n) return this.groupBody(o, (body) => body, true);
      const index = this.newGroup();
      return this.groupBody(o, (body) => ({ type: 'group', index, body }), true);
    }
    this.pos++; // '?'
    const d = this.c();
    switch (d) {
      case 0x3a: // (?:
        this.pos++;
        return this.groupBody(o, (body) => body, true);
      case 0x7c: {
        // (?| branch reset
        this.pos++;
        const save = this.branchResetLevel;
        this.inBranchReset++;
        this.branchResetLevel = this.depth + 1;
        try {
          return this.groupBody(o, (body) => body, true);
        } finally {
          this.inBranchReset--;
          this.branchResetLevel = save;
        }
      }
      case 0x3e: // (?>
        this.pos++;
        return this.groupBody(o, (body) => ({ type: 'atomic', body }), true);
      case 0x3d: // (?=
        this.pos++;
        return this.groupBody(o, (body) => ({ type: 'look', behind: false, negate: false, body }), true);
      case 0x21: // (?!
        this.pos++;
        return this.groupBody(o, (body) => ({ type: 'look', behind: false, negate: true, body }), true);
      case 0x2a: // (?* non-atomic lookahead
        this.pos++;
        this.unsupported.add('non-atomic lookaround');
        return this.groupBody(o, () => ({ type: 'unsupported', what: 'non-atomic lookaround' }), true);
      case 0x3c: {
        const e = this.c(this.pos + 1);
        if (e === 0x3d || e === 0x21) {
          this.pos += 2;
          const lbOffset = start;
          return this.groupBody(o, (body) => {
            const node: Node = { type: 'look', behind: true, negate: e === 0x21, body };
            this.lookbehinds.push({ node, offset: lbOffset });
            return node;
          }, true);
        }
        if (e === 0x2a) {
          this.pos += 2;
          this.unsupported.add('non-atomic lookaround');
          return this.groupBody(o, () => ({ type: 'unsupported', what: 'non-atomic lookaround' }), true);
        }
        this.pos++;
        return this.namedGroup(o, 0x3e);
      }
      case 0x27:
        this.pos++;
        return this.namedGroup(o, 0x27);
      case 0x50: {
        // (?P<name>, (?P=name), (?P>name)
        this.pos++;
        const e = this.c();
        if (e === 0x3c) {
          this.pos++;
          return this.namedGroup(o, 0x3e);
        }
        if (e === 0x3d || e === 0x3e) {
          this.pos++;
          const name = this.readName(0x29);
          if (e === 0x3e) {
            this.unsupported.add('subroutine call');
            return { node: { type: 'unsupported', what: 'subroutine call' }, quantifiable: true };
          }
          this.hasBackref = true;
          const node: Node = { type: 'backref', groups: [], caseless: o.i };
          this.nameRefs.push({ name, offset: this.nameStart, target: node.groups });
          return { node, quantifiable: true };
        }
        if (this.pos >= this.end) throw new PcreSyntaxError(114, this.pos);
        throw new PcreSyntaxError(141, this.pos);
      }
      case 0x26: {
        // (?&name)
        this.pos++;
        this.readName(0x29);
        this.unsupported.add('subroutine call');
        return { node: { type: 'unsupported', what: 'subroutine call' }, quantifiable: true };
      }
      case 0x52: // (?R)
        if (this.c(this.pos + 1) !== 0x29) throw new PcreSyntaxError(158, this.pos + 1);
        this.pos += 2;
        this.unsupported.add('recursion');
        return { node: { type: 'unsupported', what: 'recursion' }, quantifiable: true };
      case 0x28:
        return this.conditional(o);
      case 0x43: {
        // Callout (?C...)
        const close = this.p.indexOf(')', this.pos);
        if (close < 0) throw new PcreSyntaxError(139, this.end);
        this.pos = close + 1;
        return null;
      }
    }
    if (d === 0x2b || isDigit(d) || (d === 0x2d && isDigit(this.c(this.pos + 1)))) {
      // (?1), (?+1), (?-1)
      const num = this.readSignedNumber();
      if (num === null) throw new PcreSyntaxError(129, this.pos);
      if (this.c() !== 0x29) throw new PcreSyntaxError(115, this.pos);
      this.pos++;
      this.unsupported.add('subroutine call');
      return { node: { type: 'unsupported', what: 'subroutine call' }, quantifiable: true };
    }
    return this.optionSetting(o);
  }

  private newGroup(): number {
    if (this.groupCount >= MAX_GROUP) throw new PcreSyntaxError(197, this.pos);
    return ++this.groupCount;
  }

  private namedGroup(o: Options, term: number): { node: Node; quantifiable: boolean } {
    const name = this.readName(term);
    const index = this.newGroup();
    const existing = this.names.get(name);
    const other = this.groupNames.get(index);
    if (other !== undefined && other !== name) throw new PcreSyntaxError(165, this.pos - 1);
    if (existing && !existing.includes(index)) {
      if (!o.J) throw new PcreSyntaxError(143, this.pos);
      existing.push(index);
    } else if (!existing) this.names.set(name, [index]);
    this.groupNames.set(index, name);
    return this.groupBody(o, (body) => ({ type: 'group', index, body }), true);
  }

  /** Parses a group's alternatives up to ')' with a copy of the options (changes inside do not leak out). */
  private groupBody(o: Options, wrap: (body: Node) => Node, quantifiable: boolean): { node: Node; quantifiable: boolean } {
    this.depth++;
    if (this.depth > NEST_LIMIT) throw new PcreSyntaxError(119, this.pos);
    const inner = { ...o };
    const body = this.alternation(inner, false);
    if (this.c() !== 0x29) throw new PcreSyntaxError(114, this.end);
    const node = wrap(body);
    if (node.type === 'look' && containsKeep(body)) this.keepInLook = true;
    this.pos++;
    this.depth--;
    return { node, quantifiable };
  }

  private optionSetting(o: Options): { node: Node; quantifiable: boolean } | null {
    const set = { ...o };
    let unset = false;
    let sawHyphen = false;
    if (this.c() === 0x5e) {
      set.i = set.m = set.n = set.s = set.x = set.xx = false;
      this.pos++;
    }
    for (;;) {
      if (this.pos >= this.end) throw new PcreSyntaxError(114, this.pos);
      const c = this.c();
      if (c === 0x29 || c === 0x3a) break;
      this.pos++;
      switch (c) {
        case 0x2d:
          if (sawHyphen || o === undefined) throw new PcreSyntaxError(194, this.pos);
          if (this.p.charCodeAt(this.pos - 2) === 0x5e) throw new PcreSyntaxError(194, this.pos);
          sawHyphen = true;
          unset = true;
          break;
        case 0x69:
          set.i = !unset;
          break;
        case 0x6d:
          set.m = !unset;
          break;
        case 0x6e:
          set.n = !unset;
          break;
        case 0x73:
          set.s = !unset;
          break;
        case 0x4a:
          set.J = !unset;
          break;
        case 0x55:
          set.U = !unset;
          break;
        case 0x78:
          if (!unset && this.c() === 0x78) {
            this.pos++;
            set.xx = true;
            set.x = true;
          } else {
            set.x = !unset;
            set.xx = unset ? false : set.xx;
          }
          break;
        default:
          throw new PcreSyntaxError(111, this.pos - 1);
      }
    }
    if (this.c() === 0x29) {
      // Applies to the rest of the enclosing group.
      this.pos++;
      Object.assign(o, set);
      return null;
    }
    this.pos++; // ':'
    return this.groupBody(set, (body) => body, true);
  }

  private conditional(o: Options): { node: Node; quantifiable: boolean } {
    // At '(' after '(?'.
    this.pos++;
    let test: import('./ast').CondTest;
    const c = this.c();
    if (c === 0x3f || c === 0x2a) {
      // Assertion condition: parse the assertion group.
      this.pos--;
      const save = this.pos;
      const a = this.atom(o, save);
      if (!a || a.node.type !== 'look') throw new PcreSyntaxError(128, save);
      test = { kind: 'look', look: a.node };
    } else {
      const num = (() => {
        const save = this.pos;
        const n = this.readSignedNumber();
        if (n === null) {
          this.pos = save;
          return null;
        }
        return n;
      })();
      if (num !== null) {
        if (num <= 0) throw new PcreSyntaxError(115, this.pos);
        if (this.c() !== 0x29) throw new PcreSyntaxError(124, this.pos);
        this.numberRefs.push({ n: num, offset: this.pos - 2 });
        this.pos++;
        test = { kind: 'group', groups: [num] };
      } else {
        let term = 0x29;
        if (this.c() === 0x3c) {
          term = 0x3e;
          this.pos++;
        } else if (this.c() === 0x27) {
          term = 0x27;
          this.pos++;
        } else if (this.c() === 0x52 && this.c(this.pos + 1) === 0x26) {
          this.pos += 2;
        }
        const name = this.readName(term);
        if (term !== 0x29) {
          if (this.c() !== 0x29) throw new PcreSyntaxError(124, this.pos);
          this.pos++;
        }
        if (term === 0x29 && (name === 'DEFINE' || /^R\d*$/.test(name)) && !this.names.has(name)) {
          test = name === 'DEFINE' ? { kind: 'define' } : { kind: 'recursion' };
        } else {
          const groups: number[] = [];
          this.nameRefs.push({ name, offset: this.pos - 1, target: groups });
          test = { kind: 'group', groups };
        }
      }
    }
    this.depth++;
    if (this.depth > NEST_LIMIT) throw new PcreSyntaxError(119, this.pos);
    const inner = { ...o };
    const body = this.alternation(inner, false);
    if (this.c() !== 0x29) throw new PcreSyntaxError(114, this.end);
    this.depth--;
    const alts = body.type === 'alt' ? body.alts : [body];
    if (test.kind === 'define' && alts.length > 1) throw new PcreSyntaxError(154, this.pos);
    if (alts.length > 2) throw new PcreSyntaxError(127, this.pos);
    this.pos++;
    return {
      node: { type: 'cond', test, yes: alts[0], no: alts[1] ?? { type: 'empty' } },
      quantifiable: true,
    };
  }

  private verbOrAlpha(o: Options, _start: number): { node: Node; quantifiable: boolean } {
    // At '*' after '('.
    if (this.end - this.pos <= 1 || this.c(this.pos + 1) === 0x29) {
      // "(*)" : PCRE2 treats '(' as a group and '*' as a bad quantifier.
      throw new PcreSyntaxError(109, this.pos);
    }
    this.pos++;
    const m = /^([A-Za-z_]*)/.exec(this.p.slice(this.pos, this.pos + 40))!;
    const name = m[1];
    const lower = name.length > 0 && name[0] >= 'a' && name[0] <= 'z';
    if (lower) {
      this.pos += name.length;
      if (this.c() !== 0x3a) throw new PcreSyntaxError(195, this.pos);
      this.pos++;
      const looks: Record<string, [boolean, boolean]> = {
        pla: [false, false],
        positive_lookahead: [false, false],
        nla: [false, true],
        negative_lookahead: [false, true],
        plb: [true, false],
        positive_lookbehind: [true, false],
        nlb: [true, true],
        negative_lookbehind: [true, true],
      };
      if (name in looks) {
        const [behind, negate] = looks[name];
        const lbOffset = _start;
        return this.groupBody(o, (body) => {
          const node: Node = { type: 'look', behind, negate, body };
          if (behind) this.lookbehinds.push({ node, offset: lbOffset });
          return node;
        }, true);
      }
      if (name === 'atomic') return this.groupBody(o, (body) => ({ type: 'atomic', body }), true);
      const known = ['napla', 'non_atomic_positive_lookahead', 'naplb', 'non_atomic_positive_lookbehind', 'sr', 'script_run', 'asr', 'atomic_script_run'];
      if (!known.includes(name)) throw new PcreSyntaxError(195, this.pos - 1);
      this.unsupported.add(`(*${name}:`);
      return this.groupBody(o, () => ({ type: 'unsupported', what: `(*${name}:` }), true);
    }
    this.pos += name.length;
    const verbs = ['ACCEPT', 'FAIL', 'F', 'COMMIT', 'PRUNE', 'SKIP', 'THEN', 'MARK', ''];
    if (!verbs.includes(name)) throw new PcreSyntaxError(160, this.pos);
    let arg = false;
    if (this.c() === 0x3a) {
      arg = true;
      const close = this.p.indexOf(')', this.pos);
      if (close < 0) throw new PcreSyntaxError(160, this.end);
      this.pos = close;
    }
    if (this.c() !== 0x29) throw new PcreSyntaxError(160, this.pos);
    if ((name === 'MARK' || name === '') && !arg) throw new PcreSyntaxError(166, this.pos);
    this.pos++;
    if ((name === 'FAIL' || name === 'F') && !arg) return { node: { type: 'fail' }, quantifiable: false };
    this.unsupported.add(`(*${name || 'MARK'})`);
    return { node: { type: 'unsupported', what: `(*${name || 'MARK'})` }, quantifiable: false };
  }
}

/**
 * PCRE2 10.42's auto-possessification table (pcre2_auto_possess.c) claims
 * that \R cannot overlap \s or `.`, and that `.` and \S cannot overlap \R,
 * although they can; so a repeat of the first followed by the second never
 * gives anything back (`\R*\s` does not match "\r", `.*\R` does not match
 * "a\r"). nginx inherits that, so we do too.
 */
function autoPossessQuirks(items: Node[]): void {
  const tagOf = (n: Node | undefined): string | undefined => {
    if (!n) return undefined;
    if (n.type === 'repeat' && n.min >= 1) n = n.body;
    // PCRE2 also looks at the first item inside a following group.
    while ((n.type === 'group' || (n.type === 'atomic' && !n.tag)) && n.body) n = n.body;
    if (n.type === 'seq') return tagOf(n.items[0]);
    return n.type === 'char' || n.type === 'atomic' ? n.tag : undefined;
  };
  for (let k = 0; k + 1 < items.length; k++) {
    const r = items[k];
    if (r.type !== 'repeat' || r.min === r.max) continue;
    const x = r.body.type === 'char' || r.body.type === 'atomic' ? r.body.tag : undefined;
    const y = tagOf(items[k + 1]);
    if (!x || !y) continue;
    if ((x === 'R' && (y === 's' || y === '.')) || ((x === '.' || x === 'S') && y === 'R')) r.mode = 'possessive';
  }
}

function containsKeep(n: Node): boolean {
  switch (n.type) {
    case 'keep':
      return true;
    case 'seq':
      return n.items.some(containsKeep);
    case 'alt':
      return n.alts.some(containsKeep);
    case 'group':
    case 'atomic':
    case 'repeat':
    case 'look':
      return containsKeep(n.body);
    case 'cond':
      return containsKeep(n.yes) || containsKeep(n.no);
    default:
      return false;
  }
}

function makeRepeat(body: Node, min: number, max: number, mode: 'greedy' | 'lazy' | 'possessive'): Node {
  // PCRE2 treats a repeated assertion as at most one occurrence.
  if (body.type === 'look') {
    return min === 0 ? { type: 'repeat', body, min: 0, max: 1, mode: 'greedy' } : body;
  }
  return { type: 'repeat', body, min, max, mode };
}

/** Fixed length of a node, or -1 when it can vary (PCRE2 10.42 rules for lookbehind). */
export function fixedLength(n: Node): number {
  switch (n.type) {
    case 'empty':
    case 'assert':
    case 'look':
    case 'keep':
    case 'fail':
      return 0;
    case 'char':
      return 1;
    case 'seq': {
      let t = 0;
      for (const it of n.items) {
        const l = fixedLength(it);
        if (l < 0) return -1;
        t += l;
      }
      return t;
    }
    case 'alt': {
      const l0 = fixedLength(n.alts[0]);
      for (const a of n.alts) if (fixedLength(a) !== l0) return -1;
      return l0;
    }
    case 'group':
    case 'atomic':
      return fixedLength(n.body);
    case 'repeat': {
      if (n.min !== n.max) return -1;
      const l = fixedLength(n.body);
      return l < 0 ? -1 : l * n.min;
    }
    case 'cond': {
      const a = fixedLength(n.yes);
      return a >= 0 && a === fixedLength(n.no) ? a : -1;
    }
    default:
      return -1;
  }
}

function checkLookbehind(node: Node, offset: number): void {
  if (node.type !== 'look') return;
  const alts = node.body.type === 'alt' ? node.body.alts : [node.body];
  for (const a of alts) {
    const l = fixedLength(a);
    if (l < 0) throw new PcreSyntaxError(125, offset);
    if (l > 65535) throw new PcreSyntaxError(187, offset);
  }
}
