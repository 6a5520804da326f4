// How badly can a backtracking engine blow up on this pattern? Irregexp (the
// JS engine) backtracks like PCRE2, so a pattern with nested ambiguous
// quantifiers takes exponential time and a chain of k overlapping unbounded
// quantifiers takes O(n^k). We estimate the exponent from the byte sets the
// loops consume (a conservative version of the classic EDA/IDA analysis) and
// only hand a subject to a JS RegExp when n^degree stays small.
import type { ByteSet, Node } from './ast';
import { emptySet, setIntersect, setIntersects, setIsEmpty, setNegate, setUnion } from './ast';

/** Repeats bounded above this are treated as unbounded: their cost grows with the subject. */
const BIG_REPEAT = 32;

export interface Complexity {
  /** Nested or overlapping-alternative repetition: worst case exponential. */
  exponential: boolean;
  /** Worst case is O(n^degree) (including the unanchored search loop). */
  degree: number;
}

interface Loop {
  live: ByteSet;
  deg: number;
}

const ALL = setNegate(emptySet());

export function analyze(ast: Node, anchored: boolean): Complexity {
  let exponential = false;
  let maxDeg = 1;

  const walk = (n: Node, active: Loop[]): Loop[] => {
    switch (n.type) {
      case 'char': {
        const out: Loop[] = [];
        for (const l of active) {
          const live = setIntersect(l.live, n.set);
          if (!setIsEmpty(live)) out.push({ live, deg: l.deg });
        }
        return out;
      }
      case 'seq': {
        let cur = active;
        for (const it of n.items) cur = walk(it, cur);
        return cur;
      }
      case 'alt': {
        const out: Loop[] = [];
        for (const a of n.alts) out.push(...walk(a, active));
        return dedupe(out);
      }
      case 'group':
      case 'atomic':
        return walk(n.body, active);
      case 'look':
        walk(n.body, active);
        return active;
      case 'cond':
        return dedupe([...walk(n.yes, active), ...walk(n.no, active)]);
      case 'backref':
        return loopAfter(active, ALL, active, 1);
      case 'repeat': {
        const unbounded = n.max === Infinity || n.max > BIG_REPEAT;
        if (!unbounded) {
          const once = walk(n.body, active);
          return n.min === 0 ? dedupe([...active, ...once]) : once;
        }
        const set = consumes(n.body);
        if (n.body.type !== 'char') {
          if (ambiguousBody(n.body) && !delimited(n.body)) exponential = true;
        }
        // Loops inside the body chain with what came before, not with this loop itself
        // (a delimited body splits the subject into independent iterations).
        const inner = n.body.type === 'char' ? [] : walk(n.body, active);
        const innerMax = Math.max(0, ...inner.map((l) => l.deg));
        return loopAfter(n.min === 0 ? active : active, set, active, innerMax);
      }
      default:
        return active;
    }
  };

  const loopAfter = (kept: Loop[], set: ByteSet, prior: Loop[], innerDeg: number): Loop[] => {
    let deg = 1;
    for (const l of prior) if (setIntersects(l.live, set)) deg = Math.max(deg, l.deg + 1);
    deg = Math.max(deg, innerDeg);
    maxDeg = Math.max(maxDeg, deg);
    return dedupe([...kept, { live: set, deg }]);
  };

  walk(ast, anchored ? [] : [{ live: ALL, deg: 1 }]);
  return { exponential, degree: maxDeg };
}

function dedupe(loops: Loop[]): Loop[] {
  if (loops.length < 16) return loops;
  // Keep the list small: merge loops of equal degree.
  const byDeg = new Map<number, ByteSet>();
  for (const l of loops) byDeg.set(l.deg, setUnion(byDeg.get(l.deg) ?? emptySet(), l.live));
  return [...byDeg].map(([deg, live]) => ({ deg, live }));
}

/** Every byte the node can consume. */
export function consumes(n: Node): ByteSet {
  switch (n.type) {
    case 'char':
      return n.set;
    case 'seq':
      return n.items.reduce((acc, it) => setUnion(acc, consumes(it)), emptySet());
    case 'alt':
      return n.alts.reduce((acc, a) => setUnion(acc, consumes(a)), emptySet());
    case 'group':
    case 'atomic':
    case 'repeat':
      return consumes(n.body);
    case 'cond':
      return setUnion(consumes(n.yes), consumes(n.no));
    case 'backref':
    case 'unsupported':
      return ALL;
    default:
      return emptySet();
  }
}

/** Can one iteration of this body match the same text in more than one way, or match nothing? */
function ambiguousBody(n: Node): boolean {
  switch (n.type) {
    case 'char':
      return false;
    case 'empty':
    case 'assert':
    case 'look':
    case 'keep':
      return true; // an iteration that matches nothing
    case 'seq':
      if (n.items.every((it) => it.type === 'assert' || it.type === 'look' || it.type === 'empty')) return true;
      return n.items.some((it) => it.type !== 'assert' && it.type !== 'look' && ambiguousBody(it));
    case 'alt': {
      for (let i = 0; i < n.alts.length; i++) {
        if (ambiguousBody(n.alts[i])) return true;
        for (let j = i + 1; j < n.alts.length; j++) {
          if (setIntersects(firstBytes(n.alts[i]), firstBytes(n.alts[j]))) return true;
        }
      }
      return false;
    }
    case 'group':
    case 'atomic':
      return ambiguousBody(n.body);
    case 'repeat':
      return n.max > 1 || n.min === 0 || ambiguousBody(n.body);
    default:
      return true;
  }
}

function firstBytes(n: Node): ByteSet {
  switch (n.type) {
    case 'char':
      return n.set;
    case 'seq': {
      let acc = emptySet();
      for (const it of n.items) {
        acc = setUnion(acc, firstBytes(it));
        if (!canBeEmpty(it)) return acc;
      }
      return acc;
    }
    case 'alt':
      return n.alts.reduce((acc, a) => setUnion(acc, firstBytes(a)), emptySet());
    case 'group':
    case 'atomic':
    case 'repeat':
      return firstBytes(n.body);
    case 'backref':
    case 'cond':
    case 'unsupported':
      return ALL;
    default:
      return emptySet();
  }
}

function canBeEmpty(n: Node): boolean {
  switch (n.type) {
    case 'char':
    case 'fail':
      return false;
    case 'seq':
      return n.items.every(canBeEmpty);
    case 'alt':
      return n.alts.some(canBeEmpty);
    case 'group':
    case 'atomic':
      return canBeEmpty(n.body);
    case 'repeat':
      return n.min === 0 || canBeEmpty(n.body);
    default:
      return true;
  }
}

/**
 * A body that starts or ends with a mandatory byte no other part of it can
 * consume: each iteration is then pinned to those delimiter bytes, so the
 * iterations of the outer loop cannot be split in more than one way.
 */
function delimited(n: Node): boolean {
  while (n.type === 'group' || n.type === 'atomic') n = n.body;
  const items = n.type === 'seq' ? n.items : [n];
  if (items.length < 2) return false;
  const check = (d: Node, rest: Node[]) => {
    if (d.type !== 'char') return false;
    const other = rest.reduce((acc, it) => setUnion(acc, consumes(it)), emptySet());
    return !setIntersects(d.set, other);
  };
  return check(items[0], items.slice(1)) || check(items[items.length - 1], items.slice(0, -1));
}
