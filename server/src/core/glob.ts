// Wildcard expansion as nginx's `include` gets it: glob(3) with flags 0 (glibc), in the C locale
// (nginx never calls setlocale). That means: `*`, `?`, `[...]` per path component, `\` escapes,
// a leading '.' only matched by a literal '.', every match in the whole result sorted by bytes
// (strcmp), no error when nothing matches, unreadable directories silently skipped.

import type { FileSystem } from './fileSystem';

type Tok = { t: 'lit'; c: string } | { t: 'any' } | { t: 'star' } | { t: 'set'; neg: boolean; test: (c: string) => boolean };

const CLASSES: Record<string, (c: string) => boolean> = {
  alpha: (c) => /^[A-Za-z]$/.test(c),
  digit: (c) => /^[0-9]$/.test(c),
  alnum: (c) => /^[A-Za-z0-9]$/.test(c),
  upper: (c) => /^[A-Z]$/.test(c),
  lower: (c) => /^[a-z]$/.test(c),
  space: (c) => /^[ \t\n\r\f\v]$/.test(c),
  blank: (c) => c === ' ' || c === '\t',
  punct: (c) => /^[!-/:-@[-`{-~]$/.test(c),
  xdigit: (c) => /^[0-9A-Fa-f]$/.test(c),
  print: (c) => c >= ' ' && c <= '~',
  graph: (c) => c > ' ' && c <= '~',
  cntrl: (c) => c < ' ' || c === '\x7f',
};

/** True when nginx would treat the path as a glob (its own test: strpbrk(path, "*?[")). */
export function hasGlobChars(path: string): boolean {
  return /[*?[]/.test(path);
}

/** Whether one component needs directory reading (glibc's test: `[` counts only with a closing `]`). */
function isMagic(component: string): boolean {
  let open = false;
  for (let i = 0; i < component.length; i++) {
    const c = component[i];
    if (c === '\\') i++;
    else if (c === '*' || c === '?') return true;
    else if (c === '[') open = true;
    else if (c === ']' && open) return true;
  }
  return false;
}

function unescape(component: string): string {
  return component.replace(/\\(.)/gs, '$1');
}

/** Parses one bracket expression starting after '['; returns undefined when there is no closing ']' (then '[' is literal). */
function parseSet(cps: string[], start: number): { tok: Tok; next: number } | undefined {
  let i = start;
  let neg = false;
  if (cps[i] === '!' || cps[i] === '^') {
    neg = true;
    i++;
  }
  const tests: ((c: string) => boolean)[] = [];
  let first = true;
  while (i < cps.length) {
    let c = cps[i];
    if (c === ']' && !first) {
      const tok: Tok = { t: 'set', neg, test: (x) => tests.some((f) => f(x)) };
      return { tok, next: i + 1 };
    }
    first = false;
    if (c === '[' && cps[i + 1] === ':') {
      const close = cps.indexOf(':', i + 2);
      if (close !== -1 && cps[close + 1] === ']') {
        const name = cps.slice(i + 2, close).join('');
        const f = CLASSES[name];
        if (!f) return undefined; // glibc: an unknown class makes the whole pattern fail to match
        tests.push(f);
        i = close + 2;
        continue;
      }
    }
    if (c === '\\' && i + 1 < cps.length) c = cps[++i];
    if (cps[i + 1] === '-' && i + 2 < cps.length && cps[i + 2] !== ']') {
      let hi = cps[i + 2];
      let skip = 3;
      if (hi === '\\' && i + 3 < cps.length) {
        hi = cps[i + 3];
        skip = 4;
      }
      const lo = c;
      const loCp = lo.codePointAt(0)!;
      const hiCp = hi.codePointAt(0)!;
      tests.push((x) => {
        const cp = x.codePointAt(0)!;
        return cp >= loCp && cp <= hiCp;
      });
      i += skip;
      continue;
    }
    const lit = c;
    tests.push((x) => x === lit);
    i++;
  }
  return undefined;
}

function compile(component: string): Tok[] {
  const cps = Array.from(bytes(component));
  const toks: Tok[] = [];
  for (let i = 0; i < cps.length; ) {
    const c = cps[i];
    if (c === '\\' && i + 1 < cps.length) {
      toks.push({ t: 'lit', c: cps[i + 1] });
      i += 2;
    } else if (c === '*') {
      if (toks.length === 0 || toks[toks.length - 1].t !== 'star') toks.push({ t: 'star' });
      i++;
    } else if (c === '?') {
      toks.push({ t: 'any' });
      i++;
    } else if (c === '[') {
      const set = parseSet(cps, i + 1);
      if (set) {
        toks.push(set.tok);
        i = set.next;
      } else {
        toks.push({ t: 'lit', c });
        i++;
      }
    } else {
      toks.push({ t: 'lit', c });
      i++;
    }
  }
  return toks;
}

function one(tok: Tok, c: string): boolean {
  if (tok.t === 'lit') return tok.c === c;
  if (tok.t === 'any') return true;
  if (tok.t === 'set') return tok.test(c) !== tok.neg;
  return false;
}

const encoder = new TextEncoder();

/**
 * In the C locale glibc matches bytes, not characters: `?` is one byte of a UTF-8 'é'. Both
 * pattern and names are turned into strings of one char per UTF-8 byte before matching.
 */
function bytes(s: string): string {
  if (/^[\x00-\x7f]*$/.test(s)) return s;
  const b = encoder.encode(s);
  let out = '';
  for (let i = 0; i < b.length; i++) out += String.fromCharCode(b[i]);
  return out;
}

/** fnmatch(pattern, name, FNM_PERIOD) for one path component, on bytes. Linear-time star backtracking. */
export function matchComponent(pattern: string | Tok[], name: string): boolean {
  const toks = typeof pattern === 'string' ? compile(pattern) : pattern;
  const s = Array.from(bytes(name));
  if (s[0] === '.' && (toks.length === 0 || toks[0].t !== 'lit' || toks[0].c !== '.')) return false;
  let ti = 0;
  let si = 0;
  let starTi = -1;
  let starSi = 0;
  while (si < s.length) {
    const tok = toks[ti];
    if (tok && tok.t === 'star') {
      starTi = ti++;
      starSi = si;
    } else if (tok && one(tok, s[si])) {
      ti++;
      si++;
    } else if (starTi !== -1) {
      ti = starTi + 1;
      si = ++starSi;
    } else return false;
  }
  while (ti < toks.length && toks[ti].t === 'star') ti++;
  return ti === toks.length;
}

/** strcmp order on the UTF-8 bytes, which is code point order (JS `<` compares UTF-16 units). */
export function compareBytes(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

export interface GlobResult {
  paths: string[];
  /** Set when more than `maxMatches` paths matched; `paths` then holds the first ones in order. */
  truncated?: number;
}

export interface GlobOptions {
  maxMatches?: number;
  /** Memoizes directory listings within one analysis (300 vhosts globbing the same bots.d). */
  readDir?: (path: string) => string[] | { error: string };
}

/** Expands an absolute pattern. Non-magic components are taken as written; existence is checked at the end, like glibc. */
export function expandGlob(pattern: string, fs: FileSystem, options: GlobOptions = {}): GlobResult {
  const maxMatches = options.maxMatches ?? Infinity;
  const readDir = options.readDir ?? ((p: string) => fs.readDir(p));
  const parts = pattern.split('/');
  const absolute = parts[0] === '';
  let bases: string[] = [absolute ? '' : '.'];
  const startIdx = absolute ? 1 : 0;
  // Trailing '/' (empty last component) asks for directories only; treat as "must be dir".
  let lastIdx = parts.length - 1;
  let dirOnly = false;
  while (lastIdx > startIdx && parts[lastIdx] === '') {
    lastIdx--;
    dirOnly = true;
  }
  let budget = Math.max(maxMatches, 1) * 4 + 10000; // bounds intermediate fan-out too
  let exhausted = false;
  for (let i = startIdx; i <= lastIdx; i++) {
    const comp = parts[i];
    const last = i === lastIdx;
    if (comp === '') continue; // '//' in the middle
    const next: string[] = [];
    if (!isMagic(comp)) {
      const lit = unescape(comp);
      for (const b of bases) next.push(`${b}/${lit}`);
    } else {
      const toks = compile(comp);
      for (const b of bases) {
        const listed = readDir(b === '' ? '/' : b);
        if (!Array.isArray(listed)) continue;
        for (const name of listed) {
          if (name === '.' || name === '..') continue;
          if (!matchComponent(toks, name)) continue;
          const p = `${b}/${name}`;
          if ((!last || dirOnly) && fs.stat(p)?.kind !== 'dir') continue;
          next.push(p);
          if (--budget <= 0) break;
        }
        if (budget <= 0) {
          exhausted = true;
          break;
        }
      }
    }
    bases = next;
    if (!bases.length) return { paths: [] };
  }
  // Components after the last magic one were never checked: the path must exist (a dangling
  // symlink counts, as glibc uses lstat; we see it as a listed name).
  const lastMagic = findLastMagic(parts, startIdx, lastIdx);
  let paths = bases;
  if (lastMagic < lastIdx) {
    paths = bases.filter((p) => {
      if (dirOnly) return fs.stat(p)?.kind === 'dir';
      if (fs.stat(p)) return true;
      const slash = p.lastIndexOf('/');
      const listed = readDir(p.slice(0, slash) || '/');
      return Array.isArray(listed) && listed.includes(p.slice(slash + 1));
    });
  }
  paths.sort(compareBytes);
  if (dirOnly) paths = paths.map((p) => p + '/');
  if (paths.length > maxMatches) return { paths: paths.slice(0, maxMatches), truncated: paths.length };
  // Out of budget: the list is a sorted prefix of what we saw, not of all matches; say so.
  if (exhausted) return { paths, truncated: paths.length + 1 };
  return { paths };
}

function findLastMagic(parts: string[], from: number, to: number): number {
  for (let i = to; i >= from; i--) if (isMagic(parts[i])) return i;
  return -1;
}
