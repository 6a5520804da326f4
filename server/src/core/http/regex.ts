// The one door through which routing evaluates nginx (PCRE) regexes.
//
// Results are three-valued: a pattern we cannot evaluate faithfully, or one
// that runs out of its time budget on a subject, answers 'unknown' and the
// router forks instead of guessing.

import { compileRegex, isCompileError, lowerAscii, REQ_CU_MAX, type CompiledRegex, type RequiredLiteral } from '../regex';

export type RegexResult =
  | { kind: 'match'; groups: (string | undefined)[]; named: Record<string, string | undefined> }
  | { kind: 'nomatch' }
  /** `costly`: the engine gave up on its step budget, where PCRE2 may hit its match limit (an error). */
  | { kind: 'unknown'; reason: string; costly?: true };

export interface NginxRegex {
  readonly source: string;
  readonly caseless: boolean;
  /** Number of capture groups ($1..$n). */
  readonly captures: number;
  readonly names: readonly string[];
  /** A literal every match contains, when the engine knows one (lets long lists be indexed). */
  readonly literal?: RequiredLiteral | null;
  exec(subject: string): RegexResult;
}

/**
 * The PCRE2-faithful engine of core/regex; subjects are byte strings, as nginx sees them.
 * Results are pure functions of the subject, and routing asks the same regex about the same
 * subject over and over (every server of a socket has the same `location ~ \.php$`; every
 * history of one request re-evaluates it): the recent answers are remembered. One object per
 * pattern, its memo made on first use: a blocklist compiles ~8,000 patterns and runs few.
 */
class PcreRegex implements NginxRegex {
  readonly captures: number;
  readonly names: readonly string[];
  readonly literal: RequiredLiteral | null;
  private memo: Map<string, RegexResult> | undefined;

  constructor(
    readonly source: string,
    readonly caseless: boolean,
    private readonly r: CompiledRegex,
  ) {
    this.captures = r.groupCount;
    this.names = r.names.length ? r.names.map((n) => n.name) : NO_NAMES;
    this.literal = r.literal;
  }

  exec(subject: string): RegexResult {
    const memo = (this.memo ??= new Map());
    let res = memo.get(subject);
    if (res === undefined) {
      res = this.run(subject);
      if (memo.size >= 64) memo.clear();
      memo.set(subject, res);
    }
    return res;
  }

  private run(subject: string): RegexResult {
    const m = this.r.execBytes(subject, { budget: EXEC_BUDGET });
    switch (m.kind) {
      case 'match':
        return { kind: 'match', groups: m.captures, named: m.groups };
      case 'nomatch':
        return m;
      case 'timeout':
        return { kind: 'unknown', reason: 'gave up: too costly on this subject', costly: true };
      case 'unsupported':
        return { kind: 'unknown', reason: m.reason };
    }
  }
}

const NO_NAMES: readonly string[] = Object.freeze([]);

// One options object each, kept by every compiled pattern (a blocklist compiles ~8,000).
const CASELESS = Object.freeze({ caseless: true });
const CASED = Object.freeze({ caseless: false });

function compileWithPcre(pattern: string, caseless: boolean): NginxRegex {
  const r = compileRegex(pattern, caseless ? CASELESS : CASED);
  if (isCompileError(r)) return unknownRegex(pattern, caseless, r.reason);
  return new PcreRegex(pattern, caseless, r);
}

/** Matcher steps per subject: a catastrophic pattern costs a few ms per distinct request, then forks. */
const EXEC_BUDGET = 200_000;

const cache = new Map<string, NginxRegex>();
// Bounded like core/regex's own cache: a long-running server sees every pattern the user ever
// typed (and the fuzz tests thousands of random ones); unbounded, the map only grew.
const CACHE_MAX = 20_000;

export function compileNginxRegex(pattern: string, caseless: boolean): NginxRegex {
  const key = (caseless ? 'i:' : 's:') + pattern;
  let r = cache.get(key);
  if (!r) {
    r = compileWithPcre(pattern, caseless);
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
    cache.set(key, r);
  }
  return r;
}

function unknownRegex(source: string, caseless: boolean, reason: string): NginxRegex {
  return {
    source,
    caseless,
    captures: 0,
    names: [],
    exec: () => ({ kind: 'unknown', reason: `regex "${source}" (${reason}) is not evaluated` }),
  };
}

interface LiteralIndex {
  /** The regexes without a literal (always tried), in order. */
  always: number[];
  /** First KEY characters of each literal → the regexes whose literal starts so (lowercased for folded ones). */
  folded: Map<string, number[]>;
  exact: Map<string, number[]>;
}

/** Literals are at least 3 characters (core/regex/literal.ts). */
const KEY = 3;
const indexes = new WeakMap<readonly { re: NginxRegex }[], LiteralIndex | null>();

/**
 * Which regexes of an ordered list can match `subject`, in list order: those without a known
 * literal, and those whose literal's first three characters occur in the subject. Lists of
 * blocklist patterns (thousands of `~*(?:\b)name(?:\b)` map entries tried per distinct key)
 * then cost a scan of the subject instead of one test per pattern. Measured with
 * bench/trace.mjs: ~2 ms per distinct Referer for the 7,098 patterns of $bad_referer before.
 * The hits are collected and sorted, and only their marks cleared: a few dozen per subject,
 * where walking and clearing a list-long array cost 7,098 steps.
 */
export function regexCandidates(list: readonly { re: NginxRegex }[], subject: string): Iterable<number> {
  let ix = indexes.get(list);
  if (ix === undefined) indexes.set(list, (ix = list.length >= 32 ? buildIndex(list) : null));
  if (!ix) return list.keys();
  // PCRE2 skips a subject lacking a required code unit only below REQ_CU_MAX: beyond, a pattern
  // may hit its match limit instead, which each regex's own exec judges.
  if (subject.length >= REQ_CU_MAX) return list.keys();
  const out = ix.always.slice();
  // Each regex once: a long subject repeating a common trigram would otherwise push the same
  // indexes millions of times. The marks are cleared again before returning.
  if (seen.length < list.length) seen = new Uint8Array(list.length * 2);
  const hit = (table: Map<string, number[]>, s: string) => {
    if (!table.size) return;
    for (let p = 0; p + KEY <= s.length; p++) {
      const l = table.get(s.substr(p, KEY));
      // A trigram's list once per subject, however often the trigram recurs.
      if (!l || listsDone.has(l)) continue;
      listsDone.add(l);
      for (const i of l)
        if (!seen[i]) {
          seen[i] = 1;
          out.push(i);
        }
    }
  };
  hit(ix.exact, subject);
  // PCRE2 without UTF folds ASCII letters only, as the literals were folded.
  hit(ix.folded, lowerAscii(subject));
  for (const i of out) seen[i] = 0;
  listsDone.clear();
  return out.sort((a, b) => a - b);
}

const listsDone = new Set<number[]>();

/** Marks of regexCandidates, all zero between calls. */
let seen = new Uint8Array(0);

function buildIndex(list: readonly { re: NginxRegex }[]): LiteralIndex {
  const ix: LiteralIndex = { always: [], folded: new Map(), exact: new Map() };
  list.forEach(({ re }, i) => {
    const lit = re.literal;
    if (!lit || lit.text.length < KEY) {
      ix.always.push(i);
      return;
    }
    const table = lit.folded ? ix.folded : ix.exact;
    const k = lit.text.slice(0, KEY);
    let l = table.get(k);
    if (!l) table.set(k, (l = []));
    l.push(i);
  });
  return ix;
}
