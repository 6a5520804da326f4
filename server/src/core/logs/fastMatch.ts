// A matcher specialised for one format: the steps of the general search in
// format.ts, written out as straight-line JavaScript with the separators and
// value checks inlined. An interpreted split costs about three times as
// much per line, and a log is a million lines.
//
// Same rules as the general search's strict pass, first reading only: a
// line it rejects goes to the general search, which also tries the lenient
// pass, looks for a second reading and says why a line does not match.
// The generated source holds only numbers and JSON-quoted literals from the
// format, never code from it.

import type { LogEscape } from './escape';
import {
  checkDigits, checkMsec, checkScheme, checkTextDefault, checkTextJson, checkTextNone, checkTimeIso, checkTimeLocal,
  escapedAt, fixedLength, Shape, startsAsUri, uriMayStart, withoutSlash,
} from './shapes';

export interface MatcherSpec {
  prefix: string;
  shapes: readonly Shape[];
  /** Literal after each variable. */
  lits: readonly string[];
  /** Whether each step's value ends at the first stop byte (strict pass). */
  determined: readonly boolean[];
  /** Whether each step's value is followed by a request URI, so ends only where one may start. */
  uriGlued: readonly boolean[];
  escape: LogEscape;
  /** Most separators tried per line at choice steps before giving up (to the general search). */
  maxTries: number;
}

/**
 * Looks for up to `want` readings of the line; the first one goes into
 * `best`, and a copy of each into `all` when given. Returns how many it found;
 * if it gave up (too many separators to try), -1 when it found none and
 * `want` when it found some (there may be another: count it as ambiguous).
 */
export type FastMatcher = (line: string, best: Int32Array, want: number, all?: Int32Array[]) => number;

const HELPERS = {
  checkDigits, checkMsec, checkScheme, checkTextDefault, checkTextJson, checkTextNone, checkTimeIso, checkTimeLocal, escapedAt, startsAsUri, uriMayStart, withoutSlash,
};

export function buildFastMatcher(spec: MatcherSpec): FastMatcher {
  const { shapes, lits, determined, escape } = spec;
  const count = shapes.length;
  const q = (s: string) => JSON.stringify(s);
  const textCheck = (s: string, e: string, noSpace: boolean) =>
    escape === 'default' ? `checkTextDefault(line, ${s}, ${e}, ${noSpace})`
    : escape === 'json' ? `checkTextJson(line, ${s}, ${e}, ${noSpace}, bs)`
    : `checkTextNone(line, ${s}, ${e}, ${noSpace})`;
  const check = (sh: Shape, s: string, e: string) => {
    switch (sh) {
      case Shape.Pipe: return `((line.charCodeAt(${s}) === 0x70 || line.charCodeAt(${s}) === 0x2e) ? -1 : ${s})`;
      case Shape.TimeLocal: return `checkTimeLocal(line, ${s})`;
      case Shape.TimeIso: return `checkTimeIso(line, ${s})`;
      case Shape.Msec: return `checkMsec(line, ${s}, ${e})`;
      case Shape.Status: return `checkDigits(line, ${s}, ${e}, 3)`;
      case Shape.Digits: return `checkDigits(line, ${s}, ${e}, 1)`;
      case Shape.Token: return textCheck(s, e, true);
      case Shape.Host: return `withoutSlash(line, ${s}, ${e}, ${textCheck(s, e, true)})`;
      case Shape.Uri: return `startsAsUri(line, ${s}, ${e}, ${textCheck(s, e, true)})`;
      case Shape.Scheme: return `checkScheme(line, ${s}, ${e})`;
      default: return textCheck(s, e, false);
    }
  };

  // One function per stretch of steps between choice points: step_k(line, pos).
  const fns: string[] = [];
  const emitFrom = (start: number): void => {
    const body: string[] = [];
    let i = start;
    for (; i < count; i++) {
      const sh = shapes[i];
      const lit = lits[i];
      const fixed = fixedLength(sh);
      if (fixed > 0) {
        body.push(
          `if (pos + ${fixed} > line.length || ${check(sh, 'pos', `pos + ${fixed}`)} !== -1) return false;`,
          lit ? `if (!line.startsWith(${q(lit)}, pos + ${fixed})) return false;` : '',
          `sp[${2 * i}] = pos; sp[${2 * i + 1}] = pos + ${fixed}; pos += ${fixed + lit.length};`,
        );
        continue;
      }
      if (i === count - 1) {
        body.push(
          `e = line.length - ${lit.length};`,
          `if (e < pos${lit ? ` || !line.endsWith(${q(lit)})` : ''} || ${check(sh, 'pos', 'e')} !== -1) return false;`,
          `sp[${2 * i}] = pos; sp[${2 * i + 1}] = e; return found();`,
        );
        fns.push(`function step${start}(line, pos) { let e; ${body.join('\n')} }`);
        return;
      }
      if (determined[i]) {
        const c0 = lit[0];
        body.push(`e = line.indexOf(${q(c0)}, pos);`);
        if (c0 === '"' && escape === 'json') body.push(`while (e >= 0 && escapedAt(line, pos, e)) e = line.indexOf('"', e + 1);`);
        body.push(`if (e < 0${lit.length > 1 ? ` || !line.startsWith(${q(lit)}, e)` : ''}) return false;`);
        if (sh === Shape.Token || sh === Shape.Text) {
          // Already known: no stop byte inside. Left to check: JSON escapes.
          if (escape === 'json') body.push(`if (bs >= 0 && bs < e && ${textCheck('pos', 'e', false)} !== -1) return false;`);
        } else {
          body.push(`if (${check(sh, 'pos', 'e')} !== -1) return false;`);
        }
        body.push(`sp[${2 * i}] = pos; sp[${2 * i + 1}] = e; pos = e + ${lit.length};`);
        continue;
      }
      // A choice point: every separator in turn, shortest value first.
      const nextEnd = (from: string) =>
        lit ? `line.indexOf(${q(lit)}, ${from})` : spec.uriGlued[i] ? `uriMayStart(line, ${from}, ${q(lits[i + 1])})` : from;
      body.push(
        `e = ${nextEnd('pos')};`,
        `while (e >= 0 && e <= line.length) {`,
        `  if (++tries > ${spec.maxTries}) { gaveUp = true; return true; }`,
        `  const r = ${check(sh, 'pos', 'e')};`,
        `  if (r >= 0) return false;`,
        `  if (r === -1) { sp[${2 * i}] = pos; sp[${2 * i + 1}] = e; if (step${i + 1}(line, e + ${lit.length})) return true; }`,
        `  e = ${nextEnd('e + 1')};`,
        `}`,
        `return false;`,
      );
      fns.push(`function step${start}(line, pos) { let e; ${body.join('\n')} }`);
      emitFrom(i + 1);
      return;
    }
    body.push('return pos === line.length && found();');
    fns.push(`function step${start}(line, pos) { let e; ${body.join('\n')} }`);
  };
  emitFrom(0);

  const source = `
    const { ${Object.keys(HELPERS).join(', ')} } = h;
    // Spans being tried. When only the first reading is wanted they are
    // written straight into \`best\`: the search stops at that reading, whose
    // path has rewritten every entry.
    const work = new Int32Array(${2 * count});
    let sp, best, want, solutions, gaveUp, bs, tries, all;
    // Returns true to stop the search.
    function found() {
      if (++solutions === 1 && sp !== best) best.set(sp);
      if (all) all.push(sp.slice());
      return solutions >= want;
    }
    ${fns.join('\n')}
    return function match(line, into, wanted, readings) {
      if (!line.startsWith(${q(spec.prefix)})) return 0;
      best = into; want = wanted; solutions = 0; gaveUp = false; tries = 0; all = readings;
      sp = wanted === 1 ? into : work;
      bs = ${escape === 'json' ? `line.indexOf('\\\\')` : '-1'};
      step0(line, ${spec.prefix.length});
      if (gaveUp && solutions < want) return solutions > 0 ? want : -1;
      return solutions;
    };`;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function('h', source)(HELPERS) as FastMatcher;
}

export type RecordMaker = (line: string, spans: Int32Array) => {
  fields: Record<string, string | undefined>;
  raw: Record<string, string>;
};

/**
 * Builds the `fields` and `raw` records of a parse result as object
 * literals of a fixed shape (much cheaper than adding keys one by one).
 * `first` is, per distinct variable, the index of its first occurrence.
 */
export function buildRecordMaker(
  names: readonly string[],
  first: readonly number[],
  logOp: readonly boolean[],
  escape: LogEscape,
  unescape: (raw: string, escape: LogEscape) => string,
): RecordMaker {
  const q = JSON.stringify;
  const absent = escape === 'default' ? `'-'` : `''`;
  const raws = names.map((n, k) => `${q(n)}: line.slice(spans[${2 * first[k]}], spans[${2 * first[k] + 1}])`);
  const fields = names.map((n, k) => {
    const r = `raw[${q(n)}]`;
    if (logOp[k]) return `${q(n)}: ${r}`;
    if (escape === 'none') return `${q(n)}: ${r} === '' ? undefined : ${r}`;
    return `${q(n)}: ${r} === ${absent} ? undefined : ${r}.indexOf('\\\\') < 0 ? ${r} : unescape(${r}, ${q(escape)})`;
  });
  const source = `return function make(line, spans) {
    const raw = { ${raws.join(', ')} };
    const fields = { ${fields.join(', ')} };
    return { fields, raw };
  };`;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function('unescape', source)(unescape) as RecordMaker;
}
