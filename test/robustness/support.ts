// Shared by the robustness tests: the corpus, seeded run counts, text mutations as fast-check
// arbitraries, and the range invariants every analysis result must keep.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import type { Directive, ParsedFile, Range } from '../../server/src/core/syntax';

export const repoRoot = resolve(__dirname, '../..');
export const corpus = resolve(repoRoot, '../shared/corpus');

/** Runs per property: small in CI, large under `npm run fuzz` (NGINX_LENS_FUZZ_RUNS). */
export function runs(ci: number): number {
  const n = Number(process.env.NGINX_LENS_FUZZ_RUNS);
  return Number.isFinite(n) && n > 0 ? n : ci;
}

/** Fixed in CI (reproducible); `npm run fuzz` passes a fresh one and prints it. */
export const SEED = Number(process.env.NGINX_LENS_FUZZ_SEED ?? 20261127);

export function fcParams(ci: number): fc.Parameters<unknown> {
  return { numRuns: runs(ci), seed: SEED, endOnFailure: true };
}

function walk(dir: string, out: string[]): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

/** Every corpus config and log as latin1 text (one char per byte: nothing is lost or invented). */
export function corpusFiles(kind: 'configs' | 'logs'): { path: string; text: string }[] {
  return walk(join(corpus, kind), []).map((path) => ({ path, text: readFileSync(path, 'latin1') }));
}

export type Mutation =
  | { k: 'flip'; at: number; code: number }
  | { k: 'truncate'; at: number }
  | { k: 'delete'; ch: string; nth: number }
  | { k: 'duplicate'; at: number; len: number }
  | { k: 'insert'; at: number; text: string }
  | { k: 'crlf' }
  | { k: 'bom' };

const frac = fc.double({ min: 0, max: 1, noNaN: true });
/** Any UTF-16 code unit, lone surrogates included. */
const codeUnit = fc.integer({ min: 0, max: 0xffff });

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ k: fc.constant('flip' as const), at: frac, code: fc.oneof(fc.integer({ min: 0, max: 255 }), codeUnit) }),
  fc.record({ k: fc.constant('truncate' as const), at: frac }),
  fc.record({ k: fc.constant('delete' as const), ch: fc.constantFrom('{', '}', '"', "'", ';', '\n', '\\'), nth: frac }),
  fc.record({ k: fc.constant('duplicate' as const), at: frac, len: frac }),
  fc.record({
    k: fc.constant('insert' as const),
    at: frac,
    text: fc.oneof(
      fc.string({ unit: 'binary', maxLength: 12 }),
      fc.array(codeUnit, { maxLength: 6 }).map((a) => String.fromCharCode(...a)),
      fc.constantFrom('{', '}', '"', "'", '${', '\\', '\u0000', '\r', '\ufeff', 'include *;', 'return 444;', 'server {', 'location ~ (', 'if ($host ~* "(a+)+$") {'),
    ),
  }),
  fc.record({ k: fc.constant('crlf' as const) }),
  fc.record({ k: fc.constant('bom' as const) }),
);

export function applyMutation(text: string, m: Mutation): string {
  const pos = (f: number) => Math.min(text.length, Math.floor(f * (text.length + 1)));
  switch (m.k) {
    case 'flip': {
      if (!text.length) return String.fromCharCode(m.code);
      const i = Math.min(text.length - 1, pos(m.at));
      return text.slice(0, i) + String.fromCharCode(m.code) + text.slice(i + 1);
    }
    case 'truncate':
      return text.slice(0, pos(m.at));
    case 'delete': {
      const hits: number[] = [];
      for (let i = text.indexOf(m.ch); i !== -1 && hits.length < 10_000; i = text.indexOf(m.ch, i + 1)) hits.push(i);
      if (!hits.length) return text;
      const i = hits[Math.min(hits.length - 1, Math.floor(m.nth * hits.length))];
      return text.slice(0, i) + text.slice(i + 1);
    }
    case 'duplicate': {
      // Duplicate a slice that starts at a block opening when one follows (a duplicated block).
      let a = pos(m.at);
      const brace = text.indexOf('{', a);
      if (brace !== -1) a = text.lastIndexOf('\n', brace) + 1;
      const b = Math.min(text.length, a + Math.floor(m.len * Math.min(4000, text.length - a)));
      return text.slice(0, b) + text.slice(a, b) + text.slice(b);
    }
    case 'insert': {
      const i = pos(m.at);
      return text.slice(0, i) + m.text + text.slice(i);
    }
    case 'crlf':
      return text.replace(/\r?\n/g, '\r\n');
    case 'bom':
      return '\ufeff' + text;
  }
}

export const mutations = fc.array(mutation, { minLength: 1, maxLength: 4 });

export function mutate(text: string, ms: readonly Mutation[]): string {
  return ms.reduce(applyMutation, text);
}

/** line/character of an offset in `text` (LSP: lines split at \n, \r\n and \r). */
export function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) starts.push(i + 1);
    else if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    }
  }
  return starts;
}

/**
 * A range lies inside the text, starts before it ends, and its line/character agree with its
 * offset by at least one line-break convention (\n only, as nginx counts lines, or \n/\r\n/\r).
 */
export function assertRange(r: Range, text: string, what: string, starts: number[][]): void {
  for (const p of [r.start, r.end]) {
    assert.ok(Number.isInteger(p.offset) && p.offset >= 0 && p.offset <= text.length, `${what}: offset ${p.offset} outside 0..${text.length}`);
    assert.ok(Number.isInteger(p.line) && p.line >= 0 && Number.isInteger(p.character) && p.character >= 0, `${what}: negative position`);
    const ok = starts.some((s) => p.line < s.length && s[p.line] + p.character === p.offset);
    assert.ok(ok, `${what}: line ${p.line} character ${p.character} does not name offset ${p.offset}`);
  }
  assert.ok(r.start.offset <= r.end.offset, `${what}: starts after it ends`);
}

export function lineTables(text: string): number[][] {
  const nl = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) nl.push(i + 1);
  return [nl, lineStartsOf(text)];
}

/** Every range of a parse result: directives, names, arguments, braces, comments, errors. */
export function assertParseRanges(file: ParsedFile): void {
  const t = lineTables(file.text);
  const stack = [...file.directives];
  let n = 0;
  while (stack.length) {
    const d = stack.pop()!;
    if (++n > 2_000_000) break;
    assertRange(d.range, file.text, `directive ${d.name}`, t);
    assertRange(d.nameRange, file.text, `name of ${d.name}`, t);
    for (const a of d.args) assertRange(a.range, file.text, `argument of ${d.name}`, t);
    if (d.semicolon) assertRange(d.semicolon, file.text, `';' of ${d.name}`, t);
    if (d.block) {
      assertRange(d.block.open, file.text, `'{' of ${d.name}`, t);
      if (d.block.close) assertRange(d.block.close, file.text, `'}' of ${d.name}`, t);
      if (d.block.raw) assertRange(d.block.raw.range, file.text, `raw block of ${d.name}`, t);
      stack.push(...d.block.children);
    }
  }
  for (const c of file.comments) assertRange(c.range, file.text, 'comment', t);
  for (const e of file.errors) {
    assertRange(e.range, file.text, `error ${e.code}`, t);
    if (e.related) assertRange(e.related.range, file.text, `related of ${e.code}`, t);
  }
  assert.equal(file.lineStarts[0], 0);
  for (const s of file.lineStarts) assert.ok(s >= 0 && s <= file.text.length, `line start ${s}`);
}

/** Every directive name, argument and comment range of a file: where edits that keep the structure land. */
export function tokenRanges(file: ParsedFile): [number, number][] {
  const out: [number, number][] = file.comments.map((c) => [c.range.start.offset, c.range.end.offset]);
  const stack: Directive[] = [...file.directives];
  while (stack.length) {
    const d = stack.pop()!;
    out.push([d.nameRange.start.offset, d.nameRange.end.offset]);
    for (const a of d.args) out.push([a.range.start.offset, a.range.end.offset]);
    if (d.block) stack.push(...d.block.children);
  }
  return out;
}
