// nginx "complex values": strings with `$var`, `${var}` and `$1`..`$9` in them, compiled once
// (ngx_http_script_compile), evaluated per request by the router.

import { textToBytes } from '../regex';

export type ValuePart = string | { v: string } | { cap: number };

export interface ComplexValue {
  /** As written in the config. */
  raw: string;
  /** Literal parts are the bytes nginx holds (UTF-8 text encoded, one char per byte), as request values are. */
  parts: ValuePart[];
  /** No variables: `parts` is at most one literal string. */
  literal: boolean;
}

const nameChar = /[A-Za-z0-9_]/;

/**
 * Compiled values by their text: a value is never changed once compiled, and a blocklist's
 * thousands of map and geo entries share a handful of texts (`0`, `1`, `3`).
 */
const compiledValues = new Map<string, ComplexValue>();
const COMPILED_MAX = 10_000;

export function compileValue(raw: string): ComplexValue {
  if (raw.length > 256) return compileUncached(raw);
  let cv = compiledValues.get(raw);
  if (!cv) {
    if (compiledValues.size >= COMPILED_MAX) compiledValues.clear();
    compiledValues.set(raw, (cv = compileUncached(raw)));
  }
  return cv;
}

function compileUncached(raw: string): ComplexValue {
  const parts: ValuePart[] = [];
  let lit = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c !== '$') {
      // Copy the run up to the next '$' at once: char-by-char appends thrash the GC on a
      // multi-megabyte argument (a 10 MB `return 200 "..."` took seconds).
      const next = raw.indexOf('$', i);
      const end = next === -1 ? raw.length : next;
      lit += raw.slice(i, end);
      i = end - 1;
      continue;
    }
    if (i + 1 >= raw.length) {
      lit += c;
      continue;
    }
    const n = raw[i + 1];
    if (n >= '1' && n <= '9' || n === '0') {
      if (lit) parts.push(textToBytes(lit)), (lit = '');
      parts.push({ cap: n.charCodeAt(0) - 48 });
      i++;
      continue;
    }
    let name = '';
    let j = i + 1;
    if (n === '{') {
      const close = raw.indexOf('}', j);
      if (close === -1) {
        lit += c;
        continue;
      }
      name = raw.slice(j + 1, close);
      j = close + 1;
    } else {
      while (j < raw.length && nameChar.test(raw[j])) name += raw[j++];
    }
    if (!name) {
      lit += c;
      continue;
    }
    if (lit) parts.push(textToBytes(lit)), (lit = '');
    // nginx variable names are case-insensitive.
    parts.push({ v: name.toLowerCase() });
    i = j - 1;
  }
  if (lit) parts.push(textToBytes(lit));
  return { raw, parts, literal: parts.every((p) => typeof p === 'string') };
}

export function literalOf(cv: ComplexValue): string | undefined {
  return cv.literal ? (cv.parts[0] as string | undefined) ?? '' : undefined;
}

/** Variables referenced by a value (names without `$`). */
export function variablesOf(cv: ComplexValue): string[] {
  const out: string[] = [];
  for (const p of cv.parts) if (typeof p !== 'string' && 'v' in p) out.push(p.v);
  return out;
}
