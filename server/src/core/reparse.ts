// Re-parsing after a small edit: when the change lies inside one simple directive (`name args;`)
// and keeps it one simple directive, only that statement is re-read, and the new tree is the old
// one with that directive replaced. It is exactly the tree a full parse of the new text gives
// (same values, same ranges); the caller falls back to a full parse whenever this returns
// undefined. Why it holds: the text before the statement is unchanged, so nginx's tokenizer reaches
// it in the same state; the statement ends with its ';' at the same place relative to the
// unchanged text after it, and after a ';' the tokenizer is in its initial state, so everything
// after reads as before, moved by the length difference.
//
// Directives before the edit (and, when the length is unchanged, after it) are the old objects:
// what is keyed by node identity downstream (map/geo models, include sites) stays valid because
// an unchanged node has unchanged text and ranges. Only the edited directive and the blocks
// around it are new objects (their children lists changed).

import { parseStatementAt } from './parser';
import { endOffsetOf, positionAt, startOffsetOf, TextRange } from './positions';
import type { Block, Comment, Directive, ParsedFile, Position, Range, SyntaxError } from './syntax';

/** Edits longer than this are not worth the bookkeeping: a full parse is as fast. */
const MAX_EDIT = 4096;
const CHUNK = 4096;

export function reparse(old: ParsedFile, text: string): ParsedFile | undefined {
  const ot = old.text;
  if (ot === text || !old.directives.length) return undefined;
  const minLen = Math.min(ot.length, text.length);
  // The common head and tail, a chunk at a time first: comparing slices runs at memcmp speed,
  // a character loop over a 500 KB blocklist took ~1.5 ms of every edit of it.
  let s = 0;
  while (s + CHUNK <= minLen && ot.slice(s, s + CHUNK) === text.slice(s, s + CHUNK)) s += CHUNK;
  while (s < minLen && ot.charCodeAt(s) === text.charCodeAt(s)) s++;
  let e = 0;
  const maxE = minLen - s;
  while (e + CHUNK <= maxE && ot.slice(ot.length - e - CHUNK, ot.length - e) === text.slice(text.length - e - CHUNK, text.length - e)) e += CHUNK;
  while (e < maxE && ot.charCodeAt(ot.length - 1 - e) === text.charCodeAt(text.length - 1 - e)) e++;
  const oldEnd = ot.length - e;
  const newEnd = text.length - e;
  if (oldEnd - s > MAX_EDIT || newEnd - s > MAX_EDIT) return undefined;
  // Line structure must not change: no line break removed or added, and none split ("\r|\n").
  if (s > 0 && ot.charCodeAt(s - 1) === 13) return undefined;
  if (hasBreakOrNul(ot, s, oldEnd) || hasBreakOrNul(text, s, newEnd)) return undefined;

  const delta = text.length - ot.length;
  const line = positionAt(old.lineStarts, s).line;
  const lineStarts = old.lineStarts.slice();
  if (delta) for (let k = line + 1; k < lineStarts.length; k++) lineStarts[k] += delta;
  const file: ParsedFile = { path: old.path, text, directives: [], comments: [], errors: [], lineStarts };

  // Inside a comment, after its '#': the comment still runs to the same line end, nothing else moves but by delta.
  const ci = firstAtOrAfter(old.comments, s) - 1;
  if (ci >= 0) {
    const c = old.comments[ci];
    if (c.range.start.offset < s && oldEnd <= c.range.end.offset) {
      const sh = new Shifter(oldEnd, delta, line);
      file.directives = delta ? sh.tree(old.directives) : old.directives.slice();
      file.comments = old.comments.slice(0, ci);
      const end = sh.position(c.range.end);
      file.comments.push({ text: text.slice(c.range.start.offset, end.offset), range: TextRange.of(c.range.start, end) });
      for (let k = ci + 1; k < old.comments.length; k++) file.comments.push(delta ? { text: old.comments[k].text, range: sh.range(old.comments[k].range) } : old.comments[k]);
      file.errors = delta ? old.errors.map((x) => sh.error(x)) : old.errors.slice();
      return file;
    }
  }

  // The innermost directive holding the edit, with the blocks around it.
  const path: { list: Directive[]; i: number }[] = [];
  let list = old.directives;
  let d: Directive | undefined;
  for (;;) {
    const i = containing(list, s, oldEnd);
    if (i < 0) return undefined;
    path.push({ list, i });
    d = list[i];
    if (!d.block) break;
    if (d.block.raw) return undefined;
    list = d.block.children;
  }
  if (!d.semicolon || d.semicolon.end.offset !== d.range.end.offset) return undefined;
  const L = d.range.start.offset;
  const R = d.range.end.offset;
  for (const err of old.errors) {
    if (touches(err.range, L, R) || (err.related && touches(err.related.range, L, R))) return undefined;
  }
  const firstComment = firstAtOrAfter(old.comments, L);
  if (firstComment < old.comments.length && old.comments[firstComment].range.start.offset < R) return undefined;

  const nd = parseStatementAt(file, L, R + delta);
  if (!nd) return undefined;

  const sh = new Shifter(R, delta, line);
  // Rebuild from the innermost level out: the edited directive's list gets the new directive,
  // later siblings are moved, earlier ones kept; each enclosing block directive is copied around it.
  let replacement = nd;
  for (let k = path.length - 1; k >= 0; k--) {
    const { list: l, i } = path[k];
    const out = l.slice(0, i);
    out.push(replacement);
    for (let j = i + 1; j < l.length; j++) out.push(delta ? sh.directive(l[j]) : l[j]);
    if (k === 0) {
      file.directives = out;
      break;
    }
    const owner = path[k - 1].list[path[k - 1].i];
    replacement = sh.around(owner, out);
  }
  file.comments = delta ? shiftComments(old.comments, firstComment, sh) : old.comments.slice();
  file.errors = delta ? old.errors.map((x) => sh.error(x)) : old.errors.slice();
  return file;
}

function hasBreakOrNul(t: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = t.charCodeAt(i);
    if (c === 10 || c === 13 || c === 0) return true;
  }
  return false;
}

/** Index of the directive whose range holds [from, to), or -1 (lists are in source order). */
function containing(list: Directive[], from: number, to: number): number {
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = list[mid].range;
    if (startOffsetOf(r) > from) hi = mid - 1;
    else if (endOffsetOf(r) < to) lo = mid + 1;
    else return mid;
  }
  return -1;
}

/** A range that is not wholly before `from` nor wholly at or after `to`. */
function touches(r: Range, from: number, to: number): boolean {
  return endOffsetOf(r) > from && startOffsetOf(r) < to;
}

function firstAtOrAfter(comments: Comment[], offset: number): number {
  let lo = 0;
  let hi = comments.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (startOffsetOf(comments[mid].range) < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function shiftComments(comments: Comment[], from: number, sh: Shifter): Comment[] {
  const out = comments.slice(0, from);
  for (let k = from; k < comments.length; k++) out.push({ text: comments[k].text, range: sh.range(comments[k].range) });
  return out;
}

/** Moves positions at or after the old statement end by the length difference of the edit. */
class Shifter {
  constructor(
    private readonly from: number,
    private readonly delta: number,
    private readonly line: number,
  ) {}

  position(p: Position): Position {
    if (p.offset < this.from) return p;
    return { line: p.line, character: p.line === this.line ? p.character + this.delta : p.character, offset: p.offset + this.delta };
  }

  range(r: Range): Range {
    if (!(r instanceof TextRange)) return r.end.offset < this.from ? r : TextRange.of(this.position(r.start), this.position(r.end));
    if (r.endOffset < this.from) return r;
    // position() on each end, on the numbers: a large file's every later range goes through here.
    const { from, delta, line } = this;
    const moved = r.startOffset >= from;
    return new TextRange(
      r.startLine,
      moved && r.startLine === line ? r.startCharacter + delta : r.startCharacter,
      moved ? r.startOffset + delta : r.startOffset,
      r.endLine,
      r.endLine === line ? r.endCharacter + delta : r.endCharacter,
      r.endOffset + delta,
    );
  }

  /** A list with every position moved: directives wholly before the edit kept, those around it copied. */
  tree(list: Directive[]): Directive[] {
    return list.map((d) => {
      if (endOffsetOf(d.range) < this.from) return d;
      if (startOffsetOf(d.range) >= this.from || !d.block) return this.directive(d);
      const out: Directive = {
        name: d.name,
        nameRange: d.nameRange,
        nameQuote: d.nameQuote,
        args: d.args.map((a) => (endOffsetOf(a.range) < this.from ? a : { raw: a.raw, value: a.value, quote: a.quote, range: this.range(a.range) })),
        range: this.range(d.range),
        file: d.file,
      };
      out.block = this.block(d.block, this.tree(d.block.children));
      if (d.semicolon) out.semicolon = this.range(d.semicolon);
      return out;
    });
  }

  /** A directive wholly after the edit, moved (a copy; the old tree is left as it was). */
  directive(d: Directive): Directive {
    const out: Directive = {
      name: d.name,
      nameRange: this.range(d.nameRange),
      nameQuote: d.nameQuote,
      args: d.args.map((a) => ({ raw: a.raw, value: a.value, quote: a.quote, range: this.range(a.range) })),
      range: this.range(d.range),
      file: d.file,
    };
    if (d.block) out.block = this.block(d.block, d.block.children.map((c) => this.directive(c)));
    if (d.semicolon) out.semicolon = this.range(d.semicolon);
    return out;
  }

  /** A copy of a block directive enclosing the edit, holding the new children. */
  around(d: Directive, children: Directive[]): Directive {
    const out: Directive = { name: d.name, nameRange: d.nameRange, nameQuote: d.nameQuote, args: d.args, range: this.range(d.range), file: d.file };
    out.block = this.block(d.block!, children);
    if (d.semicolon) out.semicolon = this.range(d.semicolon);
    return out;
  }

  block(b: Block, children: Directive[]): Block {
    const out: Block = { open: this.range(b.open), children };
    if (b.close) out.close = this.range(b.close);
    if (b.raw) out.raw = { text: b.raw.text, range: this.range(b.raw.range) };
    return out;
  }

  error(x: SyntaxError): SyntaxError {
    const out: SyntaxError = { code: x.code, message: x.message, range: this.range(x.range) };
    if (x.related) out.related = { message: x.related.message, range: this.range(x.related.range) };
    return out;
  }
}
