// A substring every match must contain, found in the parsed pattern: a subject without it cannot
// match, so exec can answer `nomatch` without running the pattern. Blocklist maps are thousands of
// `~*(?:\b)name(?:\b)` entries tried in order per distinct key; nearly all fail on this test.
import type { ByteSet, Node } from './ast';

export interface RequiredLiteral {
  /** ASCII only. */
  text: string;
  /**
   * Letters of `text` stand for both cases (caseless pattern): look for it in the subject with
   * ASCII letters lowercased. Otherwise every letter is exact and the raw subject is searched.
   */
  folded: boolean;
}

const MIN_LENGTH = 3;

/**
 * The longest run of consecutive single-byte items in the pattern's top-level sequence (through
 * groups; zero-width assertions do not break it). Only ASCII: lowercasing a byte string with
 * String.prototype.toLowerCase changes Latin-1 capitals, so non-ASCII bytes are never part of it.
 */
export function requiredLiteral(ast: Node): RequiredLiteral | null {
  let best: RequiredLiteral | null = null;
  let text = '';
  let folded: boolean | undefined;
  const close = () => {
    if (text.length >= MIN_LENGTH && (!best || text.length > best.text.length)) best = { text, folded: folded ?? false };
    text = '';
    folded = undefined;
  };
  const add = (set: ByteSet) => {
    const c = single(set);
    if (!c) return close();
    if (c.folded !== undefined && folded !== undefined && c.folded !== folded) {
      // A run mixing exact and both-case letters is searched in neither subject form.
      close();
    }
    if (c.folded !== undefined) folded = c.folded;
    text += c.ch;
  };
  const walk = (n: Node): void => {
    switch (n.type) {
      case 'char':
        return add(n.set);
      case 'seq':
        for (const it of n.items) walk(it);
        return;
      case 'group':
      case 'atomic':
        return walk(n.body);
      case 'assert':
      case 'empty':
        return;
      case 'repeat':
        if (n.min >= 1 && n.body.type === 'char') {
          // At least one occurrence is required; whatever follows may be separated from it.
          add(n.body.set);
        }
        return close();
      default:
        // Alternations, lookarounds, back references, conditionals: nothing required across them.
        return close();
    }
  };
  walk(ast);
  close();
  return best;
}

/** The set as one character: a single ASCII byte, or an ASCII letter in both cases. */
function single(set: ByteSet): { ch: string; folded?: boolean } | null {
  let first = -1;
  let second = -1;
  for (let c = 0; c < 256; c++) {
    if (!set[c]) continue;
    if (c >= 0x80) return null;
    if (first < 0) first = c;
    else if (second < 0) second = c;
    else return null;
  }
  if (first < 0) return null;
  const letter = (c: number) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
  if (second < 0) return { ch: String.fromCharCode(first), folded: letter(first) ? false : undefined };
  if (letter(first) && second === first + 32) return { ch: String.fromCharCode(second), folded: true };
  return null;
}

let lastSubject = '';
let lastLowered = '';

/** True when the subject may match (contains the literal); false when it cannot. */
export function mayContain(lit: RequiredLiteral, subject: string): boolean {
  if (!lit.folded) return subject.includes(lit.text);
  // Successive patterns of one map see the same subject: lowercase it once.
  if (subject !== lastSubject) {
    lastSubject = subject;
    lastLowered = subject.toLowerCase();
  }
  return lastLowered.includes(lit.text);
}
