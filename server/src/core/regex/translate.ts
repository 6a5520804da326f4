// Exact translation of a parsed PCRE2 pattern into a JavaScript RegExp over
// byte strings, for the patterns where JS semantics can be made to agree with
// PCRE2's. Everything is spelled out explicitly (byte sets instead of \s, the
// `i` flag or `.`), because JS differs on each: \s and `.` treat \r, \u00a0
// and friends differently, /i folds Latin-1 letters, `$` ignores a final
// newline. Returns null when no exact translation exists.
import type { ByteSet, Node } from './ast';

export interface Translation {
  source: string;
  /** JS group number for each PCRE2 group number (index 0 unused). */
  groupMap: number[];
}

class Untranslatable extends Error {}

export function translate(ast: Node, groupCount: number, anchorLineStart: boolean): Translation | null {
  let jsGroups = 0;
  const groupMap = new Array<number>(groupCount + 1).fill(0);
  const gen = (n: Node, inRepeat: boolean): string => {
    switch (n.type) {
      case 'empty':
        return '';
      case 'char':
        return setToJs(n.set);
      case 'seq':
        return n.items.map((it) => wrapAlt(it, gen(it, inRepeat))).join('');
      case 'alt':
        return n.alts.map((a) => gen(a, inRepeat)).join('|');
      case 'group': {
        // A branch reset (?|…) numbers groups alike: JS would keep only the last one's value.
        if (groupMap[n.index] !== 0) throw new Untranslatable();
        const k = ++jsGroups;
        groupMap[n.index] = k;
        return `(${gen(n.body, inRepeat)})`;
      }
      case 'atomic': {
        // (?>X) == (?=(X))\k: a JS lookahead never backtracks into itself once it succeeded.
        const k = ++jsGroups;
        return `(?=(${gen(n.body, inRepeat)}))\\${k}`;
      }
      case 'repeat': {
        if (n.body.type !== 'char') {
          // JS refuses an iteration that matches empty once min is reached; PCRE2 accepts it.
          if (nullable(n.body)) throw new Untranslatable();
          // JS clears captures at each iteration; PCRE2 keeps those of earlier iterations.
          if (n.max > 1 && hasOptionalGroup(n.body)) throw new Untranslatable();
        }
        if (n.mode === 'possessive') {
          const k = ++jsGroups;
          const inner = quant(gen(n.body, true), n.min, n.max, false);
          return `(?=(${inner}))\\${k}`;
        }
        return quant(gen(n.body, true), n.min, n.max, n.mode === 'lazy');
      }
      case 'assert':
        switch (n.kind) {
          case 'start':
            return '^';
          case 'end':
            return '(?=\\n?$)';
          case 'eos':
            return '$';
          case 'mstart':
            return '(?:^|(?<=\\n)(?!$))';
          case 'mend':
            return '(?=\\n|$)';
          case 'word':
            return '\\b';
          case 'nonword':
            return '\\B';
        }
        return '';
      case 'look': {
        // JS runs a lookbehind right to left: the (?=(X))\k stand-ins for atomic and possessive
        // parts break, and a repeated group keeps its leftmost iteration, PCRE2 its last.
        if (n.behind && backwardsDiffers(n.body, false)) throw new Untranslatable();
        const op = n.behind ? (n.negate ? '?<!' : '?<=') : n.negate ? '?!' : '?=';
        return `(${op}${gen(n.body, inRepeat)})`;
      }
      case 'fail':
        return '(?!)';
      default:
        // Back references (JS matches an unset group as empty, PCRE2 fails),
        // \K, conditionals, unsupported constructs.
        throw new Untranslatable();
    }
  };
  try {
    const body = gen(ast, false);
    const source = anchorLineStart ? `(?:^|(?<=\\n))(?:${body})` : body;
    // Validate: the generated source must compile.
    new RegExp(source);
    return { source, groupMap };
  } catch (e) {
    if (e instanceof Untranslatable) return null;
    throw e;
  }
}

function wrapAlt(n: Node, s: string): string {
  return n.type === 'alt' ? `(?:${s})` : s;
}

function quant(body: string, min: number, max: number, lazy: boolean): string {
  const atom = isSingleAtom(body) ? body : `(?:${body})`;
  let q: string;
  if (min === 0 && max === Infinity) q = '*';
  else if (min === 1 && max === Infinity) q = '+';
  else if (min === 0 && max === 1) q = '?';
  else if (max === Infinity) q = `{${min},}`;
  else if (min === max) q = `{${min}}`;
  else q = `{${min},${max}}`;
  return atom + q + (lazy ? '?' : '');
}

function isSingleAtom(s: string): boolean {
  if (/^\\x[0-9a-f]{2}$/.test(s) || /^[A-Za-z0-9]$/.test(s)) return true;
  if (s.startsWith('[') && s.endsWith(']') && s.indexOf(']') === s.length - 1) return true;
  return false;
}

function nullable(n: Node): boolean {
  switch (n.type) {
    case 'empty':
    case 'assert':
    case 'look':
    case 'keep':
      return true;
    case 'char':
    case 'fail':
      return false;
    case 'seq':
      return n.items.every(nullable);
    case 'alt':
      return n.alts.some(nullable);
    case 'group':
    case 'atomic':
      return nullable(n.body);
    case 'repeat':
      return n.min === 0 || nullable(n.body);
    default:
      return true;
  }
}

/** Whether a lookbehind body matches differently when JS runs it right to left. */
function backwardsDiffers(n: Node, inRepeat: boolean): boolean {
  switch (n.type) {
    case 'atomic':
      return true;
    case 'group':
      return inRepeat || backwardsDiffers(n.body, inRepeat);
    case 'repeat':
      return n.mode === 'possessive' || backwardsDiffers(n.body, inRepeat || n.max > 1);
    case 'seq':
      return n.items.some((it) => backwardsDiffers(it, inRepeat));
    case 'alt':
      return n.alts.some((a) => backwardsDiffers(a, inRepeat));
    case 'look':
      return backwardsDiffers(n.body, inRepeat);
    default:
      return false;
  }
}

/** A capturing group that an iteration might not set. */
function hasOptionalGroup(n: Node, optional = false): boolean {
  switch (n.type) {
    case 'group':
      return optional || hasOptionalGroup(n.body, optional);
    case 'seq':
      return n.items.some((it) => hasOptionalGroup(it, optional));
    case 'alt':
      return n.alts.some((a) => hasOptionalGroup(a, true));
    case 'atomic':
      return hasOptionalGroup(n.body, optional);
    case 'repeat':
      return hasOptionalGroup(n.body, optional || n.min === 0);
    case 'look':
      return hasOptionalGroup(n.body, true);
    case 'cond':
      return true;
    default:
      return false;
  }
}

const esc = (c: number): string => {
  if ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) return String.fromCharCode(c);
  return '\\x' + c.toString(16).padStart(2, '0');
};

/** A byte set as a JS atom: one literal byte, or a class. Code units above 0xff never occur in byte strings. */
export function setToJs(set: ByteSet): string {
  let count = 0;
  let only = -1;
  for (let c = 0; c < 256; c++) {
    if (set[c]) {
      count++;
      only = c;
    }
  }
  if (count === 1) return esc(only);
  if (count === 256) return '[\\s\\S]';
  if (count === 0) return '(?!)';
  // Negated form when shorter.
  const negate = count > 128;
  let out = '';
  let c = 0;
  while (c < 256) {
    const inSet = set[c] === 1;
    if (inSet !== negate) {
      let d = c;
      while (d + 1 < 256 && (set[d + 1] === 1) !== negate) d++;
      out += d === c ? esc(c) : d === c + 1 ? esc(c) + esc(d) : `${esc(c)}-${esc(d)}`;
      c = d + 1;
    } else c++;
  }
  return negate ? `[^${out}]` : `[${out}]`;
}
