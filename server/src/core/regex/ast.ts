// The parsed form of a PCRE2 pattern. Inline options ((?i), (?s), (?m), (?x),
// (?U), (?n)) are resolved while parsing, so every node already carries the
// behaviour PCRE2 gives it: a caseless literal is a set of both cases, a dot
// knows whether it matches newline, an anchor knows whether it is multiline.

/** 256-bit byte set. */
export type ByteSet = Uint8Array;

export type Node =
  | { type: 'empty' }
  /** One byte from `set`. `text` is the literal byte when the node came from one literal character. */
  | { type: 'char'; set: ByteSet; lit?: number; caseless?: boolean; tag?: string }
  | { type: 'seq'; items: Node[] }
  | { type: 'alt'; alts: Node[] }
  /** Capturing group number `index` (1-based). */
  | { type: 'group'; index: number; body: Node }
  | { type: 'atomic'; body: Node; tag?: string }
  | { type: 'repeat'; body: Node; min: number; max: number; mode: 'greedy' | 'lazy' | 'possessive' }
  | { type: 'assert'; kind: AssertKind }
  /** Lookaround; for lookbehind every top-level branch has a fixed length (`lengths`). */
  | { type: 'look'; behind: boolean; negate: boolean; body: Node }
  /** Back reference to any of `groups` (several when a name is duplicated): the first set one wins, as PCRE2 does. */
  | { type: 'backref'; groups: number[]; caseless: boolean }
  /** Conditional group: condition is a group test or an assertion. */
  | { type: 'cond'; test: CondTest; yes: Node; no: Node }
  /** \K: the reported match starts here. */
  | { type: 'keep' }
  /** (*FAIL), (?!) */
  | { type: 'fail' }
  /** Valid PCRE2 that this engine does not evaluate (recursion, verbs, \p ...). */
  | { type: 'unsupported'; what: string };

export type CondTest =
  | { kind: 'group'; groups: number[] }
  | { kind: 'look'; look: Extract<Node, { type: 'look' }> }
  /** (?(R)...), (?(R1)...): never true outside recursion, which we do not support. */
  | { kind: 'recursion' }
  /** (?(DEFINE)...): the yes branch is never run directly. */
  | { kind: 'define' };

export type AssertKind =
  | 'start' // ^ (not multiline), \A, \G (nginx always starts at offset 0)
  | 'end' // $ (not multiline), \Z: end or before a final newline
  | 'eos' // \z
  | 'mstart' // ^ multiline: start, or after a newline that is not the last character
  | 'mend' // $ multiline: before any newline, or at the end
  | 'word' // \b
  | 'nonword'; // \B

export function emptySet(): ByteSet {
  return new Uint8Array(256);
}

export function setOf(...codes: number[]): ByteSet {
  const s = emptySet();
  for (const c of codes) s[c] = 1;
  return s;
}

export function setRange(s: ByteSet, from: number, to: number): ByteSet {
  for (let c = from; c <= to; c++) s[c] = 1;
  return s;
}

export function setUnion(a: ByteSet, b: ByteSet): ByteSet {
  const s = emptySet();
  for (let c = 0; c < 256; c++) s[c] = a[c] | b[c];
  return s;
}

export function setNegate(a: ByteSet): ByteSet {
  const s = emptySet();
  for (let c = 0; c < 256; c++) s[c] = a[c] ? 0 : 1;
  return s;
}

export function setIntersects(a: ByteSet, b: ByteSet): boolean {
  for (let c = 0; c < 256; c++) if (a[c] && b[c]) return true;
  return false;
}

export function setIntersect(a: ByteSet, b: ByteSet): ByteSet {
  const s = emptySet();
  for (let c = 0; c < 256; c++) s[c] = a[c] & b[c];
  return s;
}

export function setIsEmpty(a: ByteSet): boolean {
  for (let c = 0; c < 256; c++) if (a[c]) return false;
  return true;
}

export function setSize(a: ByteSet): number {
  let n = 0;
  for (let c = 0; c < 256; c++) n += a[c];
  return n;
}

/** PCRE2 without UTF/UCP folds case with its default ("C" locale) tables: ASCII letters only. */
export function addOtherCase(s: ByteSet): ByteSet {
  for (let c = 0x41; c <= 0x5a; c++) {
    if (s[c] || s[c + 32]) {
      s[c] = 1;
      s[c + 32] = 1;
    }
  }
  return s;
}

export function otherCase(c: number): number {
  if (c >= 0x41 && c <= 0x5a) return c + 32;
  if (c >= 0x61 && c <= 0x7a) return c - 32;
  return c;
}
