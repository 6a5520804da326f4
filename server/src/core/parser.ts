// Error-tolerant parser for nginx configuration files.
//
// Tokenization follows nginx 1.22's ngx_conf_read_token exactly (so that what
// we call an argument is what nginx calls one): '#' starts a comment only at
// the start of a token; '"' and '\'' quote only at the start of a token; inside
// an unquoted word '\' escapes the next character, '{' ends the word unless it
// follows '$' (so `${var}` stays one word) and '}' is literal; after a closing
// quote only whitespace, ';', '{' or ')' may follow. Unlike nginx, we record the
// error and keep going, so one typo does not hide the rest of the file.

import type { Arg, Block, Comment, Directive, ParsedFile, Quote, Range, SyntaxError } from './syntax';
import { computeLineStarts, endOffsetOf, positionAt, TextRange } from './positions';

export interface ParseOptions {
  /** Blocks nested deeper than this are skipped with an error (keeps every consumer's recursion safe). */
  maxDepth?: number;
}

export const DEFAULT_MAX_DEPTH = 200;

/** Directives whose block is read by the module itself as Lua source, not as directives (ngx_http_lua_module). */
export function isRawLuaBlock(name: string): boolean {
  return name.endsWith('_by_lua_block') || name === 'lua_block';
}

type Token =
  | { kind: 'word'; arg: Arg; start: number; end: number }
  | { kind: 'semi' | 'open' | 'close' | 'eof'; start: number; end: number };

interface Frame {
  children: Directive[];
  owner?: Directive;
  /** A '{' with no directive before it: its contents belong to the enclosing level. */
  transparent?: { open: Range };
}

export function parse(text: string, path: string, options: ParseOptions = {}): ParsedFile {
  const lineStarts = computeLineStarts(text);
  const file: ParsedFile = { path, text, directives: [], comments: [], errors: [], lineStarts };
  if (text.indexOf('\u0000') !== -1) {
    file.errors.push({
      code: 'binary-content',
      message: 'This file contains NUL bytes and looks binary; it was not parsed as nginx configuration.',
      range: rangeOf(file, 0, Math.min(text.length, 1)),
    });
    return file;
  }
  new Parser(file, options.maxDepth ?? DEFAULT_MAX_DEPTH).run();
  return file;
}

/**
 * Reads the one simple directive (`name args;`, no block) that starts at or after `start` in
 * `file` (text and lineStarts set, other lists empty), with the ranges a full parse would give it.
 * Undefined when the text there is anything else: a block, a comment, a syntax error, or a
 * statement that does not end with its ';' exactly at `end`. For re-reading one edited statement
 * (see reparse.ts): nginx's tokenizer is back in its initial state after every ';'.
 */
export function parseStatementAt(file: ParsedFile, start: number, end: number): Directive | undefined {
  const p = new Parser(file, DEFAULT_MAX_DEPTH);
  return p.statement(start, end);
}

function rangeOf(file: ParsedFile, start: number, end: number): Range {
  return TextRange.of(positionAt(file.lineStarts, start), positionAt(file.lineStarts, end));
}

function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r';
}

function isSpaceCode(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/**
 * nginx's unescaping of a token's characters (the copy loop in ngx_conf_read_token). The text
 * between escapes is sliced and joined: appending character by character left each of the
 * blocklists' ~8,000 `"~*(?:\b)name(?:\b)"` map keys a chain of a cons string per character
 * (137k of them, 4.7 MB, every one copied by the GC while the tree is young).
 */
export function unescapeNginx(s: string): string {
  let i = s.indexOf('\\');
  if (i === -1) return s;
  const parts: string[] = [];
  let last = 0;
  while (i !== -1 && i + 1 < s.length) {
    const n = s[i + 1];
    const unescaped = n === '"' || n === "'" || n === '\\' ? n : n === 't' ? '\t' : n === 'r' ? '\r' : n === 'n' ? '\n' : undefined;
    if (unescaped === undefined) {
      // Any other backslash stays, and the character after it is read as usual.
      i = s.indexOf('\\', i + 1);
      continue;
    }
    parts.push(s.slice(last, i), unescaped);
    last = i + 2;
    i = s.indexOf('\\', last);
  }
  parts.push(s.slice(last));
  return parts.join('');
}

class Parser {
  private pos = 0;
  private readonly text: string;
  /** Set when a quote error already reported the '}' that follows. */
  private suppressCloseError = -1;

  constructor(
    private readonly file: ParsedFile,
    private readonly maxDepth: number,
  ) {
    this.text = file.text;
  }

  /** The line of the last offset asked: tokens come in order, so most lookups move it a little. */
  private line = 0;

  private lineOf(offset: number): number {
    const ls = this.file.lineStarts;
    let l = this.line;
    // Behind the cursor (a directive's start) or far ahead (a statement read alone): a binary search.
    if (offset < ls[l] || (l + 16 < ls.length && ls[l + 16] <= offset)) {
      const found = positionAt(ls, offset).line;
      if (offset >= ls[l]) this.line = found;
      return found;
    }
    while (l + 1 < ls.length && ls[l + 1] <= offset) l++;
    this.line = l;
    return l;
  }

  /** From where `from` starts to `end`. */
  private rangeFrom(from: Range, end: number): Range {
    if (!(from instanceof TextRange)) return this.range(from.start.offset, end);
    const el = this.lineOf(end);
    return new TextRange(from.startLine, from.startCharacter, from.startOffset, el, end - this.file.lineStarts[el], end);
  }

  private range(start: number, end: number): Range {
    const ls = this.file.lineStarts;
    const sl = this.lineOf(start);
    const el = this.lineOf(end);
    return new TextRange(sl, start - ls[sl], start, el, end - ls[el], end);
  }

  private error(code: SyntaxError['code'], message: string, start: number, end: number, related?: SyntaxError['related']): void {
    const err: SyntaxError = { code, message, range: this.range(start, end) };
    if (related) err.related = related;
    this.file.errors.push(err);
  }

  private next(): Token {
    const text = this.text;
    const n = text.length;
    for (;;) {
      let p = this.pos;
      while (p < n && isSpaceCode(text.charCodeAt(p))) p++;
      this.pos = p;
      if (p >= n) return { kind: 'eof', start: n, end: n };
      const start = p;
      const c = text[start];
      if (c === '#') {
        let end = text.indexOf('\n', start);
        if (end === -1) end = n;
        let textEnd = end;
        if (textEnd > start && text[textEnd - 1] === '\r') textEnd--;
        this.file.comments.push({ text: text.slice(start, textEnd), range: this.range(start, textEnd) } satisfies Comment);
        this.pos = end;
        continue;
      }
      if (c === ';' || c === '{' || c === '}') {
        this.pos++;
        return { kind: c === ';' ? 'semi' : c === '{' ? 'open' : 'close', start, end: start + 1 };
      }
      if (c === '"' || c === "'") return this.quoted(start, c);
      return this.word(start);
    }
  }

  private quoted(start: number, q: Quote): Token {
    const text = this.text;
    const n = text.length;
    const qc = q.charCodeAt(0);
    let i = start + 1;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 92 /* \\ */) {
        i += 2;
        continue;
      }
      if (c === qc) break;
      i++;
    }
    if (i >= n) {
      // Unterminated: nginx fails at end of file. Recover by closing the string at the end of its
      // first line so the rest of the file is still parsed.
      let lineEnd = text.indexOf('\n', start);
      if (lineEnd === -1) lineEnd = n;
      this.error('unterminated-string', `unterminated ${q === '"' ? 'double' : 'single'}-quoted string (nginx: unexpected end of file)`, start, lineEnd);
      this.pos = lineEnd;
      const raw = text.slice(start, lineEnd);
      return { kind: 'word', start, end: lineEnd, arg: { raw, value: unescapeNginx(raw.slice(1)), quote: q, range: this.range(start, lineEnd) } };
    }
    const end = i + 1;
    this.pos = end;
    if (end < n) {
      const f = text[end];
      if (!isSpace(f) && f !== ';' && f !== '{' && f !== ')') {
        if (f === '}') this.suppressCloseError = end;
        this.error('unexpected-char', `unexpected "${f}"`, end, end + 1);
      }
    }
    const raw = text.slice(start, end);
    return { kind: 'word', start, end, arg: { raw, value: unescapeNginx(raw.slice(1, -1)), quote: q, range: this.range(start, end) } };
  }

  private word(start: number): Token {
    const text = this.text;
    const n = text.length;
    let i = start;
    let variable = false;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 92 /* \\ */) {
        i += 2;
        variable = false;
        continue;
      }
      if (c === 123 /* { */ && variable) {
        variable = false;
        i++;
        continue;
      }
      variable = false;
      if (c === 36 /* $ */) {
        variable = true;
        i++;
        continue;
      }
      if (isSpaceCode(c) || c === 59 /* ; */ || c === 123 /* { */) break;
      i++;
    }
    if (i > n) i = n;
    this.pos = i;
    const raw = text.slice(start, i);
    return { kind: 'word', start, end: i, arg: { raw, value: unescapeNginx(raw), quote: null, range: this.range(start, i) } };
  }

  statement(start: number, end: number): Directive | undefined {
    this.pos = start;
    const words: Arg[] = [];
    for (;;) {
      const tok = this.next();
      if (this.file.comments.length || this.file.errors.length) return undefined;
      if (tok.kind === 'word') {
        if (tok.end > end) return undefined;
        words.push(tok.arg);
        continue;
      }
      if (tok.kind !== 'semi' || tok.end !== end || !words.length) return undefined;
      const [name, ...args] = words;
      const semicolon = this.range(tok.start, tok.end);
      return {
        name: name.value,
        nameRange: name.range,
        nameQuote: name.quote,
        args,
        range: this.rangeFrom(name.range, tok.end),
        file: this.file.path,
        semicolon,
      };
    }
  }

  run(): void {
    const root: Frame = { children: this.file.directives };
    const stack: Frame[] = [root];
    let depth = 0;
    let pending: { name: Arg; args: Arg[] } | null = null;

    const finish = (p: { name: Arg; args: Arg[] }, end: number, semicolon?: Range): Directive => {
      const name = p.name.value;
      const nameRange = p.name.range;
      const nameQuote = p.name.quote;
      // An exact-size copy: the array pushed to keeps room for 16 more (~150 bytes per directive).
      const args = p.args.slice();
      const range = this.rangeFrom(p.name.range, end);
      const file = this.file.path;
      // The ';' in the literal: added afterwards, it took each directive a property array.
      const d: Directive = semicolon ? { name, nameRange, nameQuote, args, range, file, semicolon } : { name, nameRange, nameQuote, args, range, file };
      stack[stack.length - 1].children.push(d);
      return d;
    };
    const lastEnd = (p: { name: Arg; args: Arg[] }): number => endOffsetOf((p.args.length ? p.args[p.args.length - 1] : p.name).range);

    for (;;) {
      const tok = this.next();
      if (tok.kind === 'word') {
        if (pending) pending.args.push(tok.arg);
        else pending = { name: tok.arg, args: [] };
        continue;
      }
      if (tok.kind === 'semi') {
        if (!pending) {
          this.error('unexpected-char', 'unexpected ";"', tok.start, tok.end);
          continue;
        }
        finish(pending, tok.end, this.range(tok.start, tok.end));
        pending = null;
        continue;
      }
      if (tok.kind === 'open') {
        const open = this.range(tok.start, tok.end);
        if (!pending) {
          this.error('unexpected-char', 'unexpected "{"', tok.start, tok.end);
          const parent = stack[stack.length - 1];
          stack.push({ children: parent.children, transparent: { open } });
          continue;
        }
        const d = finish(pending, tok.end);
        pending = null;
        const block: Block = { open, children: [] };
        d.block = block;
        if (isRawLuaBlock(d.name)) {
          this.rawLua(d, block, tok.end);
          continue;
        }
        if (depth >= this.maxDepth) {
          this.error('too-deep', `blocks nested deeper than ${this.maxDepth} levels are not analysed`, tok.start, tok.end);
          this.skipBlock(d, block);
          continue;
        }
        depth++;
        stack.push({ children: block.children, owner: d });
        continue;
      }
      if (tok.kind === 'close') {
        if (pending) {
          if (this.suppressCloseError !== tok.start) {
            this.error('missing-semicolon', 'unexpected "}" (missing ";" before it?)', tok.start, tok.end, {
              message: `directive "${pending.name.value}" is not terminated by ";"`,
              range: this.rangeFrom(pending.name.range, lastEnd(pending)),
            });
          }
          finish(pending, lastEnd(pending));
          pending = null;
        }
        if (stack.length === 1) {
          this.error('unexpected-close-brace', 'unexpected "}"', tok.start, tok.end);
          continue;
        }
        const frame = stack.pop()!;
        if (frame.owner?.block) {
          depth--;
          const close = this.range(tok.start, tok.end);
          frame.owner.block.close = close;
          frame.owner.range = this.rangeFrom(frame.owner.range, tok.end);
        }
        continue;
      }
      // eof
      const eof = this.text.length;
      if (pending) {
        this.error('unexpected-eof', 'unexpected end of file, expecting ";" or "}"', eof, eof, {
          message: `directive "${pending.name.value}" is not terminated`,
          range: this.rangeFrom(pending.name.range, lastEnd(pending)),
        });
        finish(pending, lastEnd(pending));
        pending = null;
      }
      if (stack.length > 1) {
        const innermost = stack[stack.length - 1];
        const openRange = innermost.owner?.block?.open ?? innermost.transparent!.open;
        this.error('unexpected-eof', 'unexpected end of file, expecting "}"', eof, eof, {
          message: 'this "{" is never closed',
          range: openRange,
        });
        for (let i = 1; i < stack.length; i++) {
          const f = stack[i];
          const r = f.owner?.block?.open ?? f.transparent!.open;
          this.error('unexpected-eof', `"{" of ${f.owner ? `"${f.owner.name}"` : 'this block'} is never closed`, r.start.offset, r.end.offset);
          if (f.owner) f.owner.range = this.rangeFrom(f.owner.range, eof);
        }
      }
      return;
    }
  }

  /** Skips a too-deep block lexically (quotes and comments still respected). */
  private skipBlock(d: Directive, block: Block): void {
    let level = 1;
    for (;;) {
      const t = this.next();
      if (t.kind === 'eof') {
        this.error('unexpected-eof', 'unexpected end of file, expecting "}"', t.start, t.end, { message: 'this "{" is never closed', range: block.open });
        d.range = this.rangeFrom(d.range, t.end);
        return;
      }
      if (t.kind === 'open') level++;
      else if (t.kind === 'close' && --level === 0) {
        block.close = this.range(t.start, t.end);
        d.range = this.rangeFrom(d.range, t.end);
        return;
      }
    }
  }

  /** Reads a Lua block up to its matching '}' the way ngx_http_lua's block reader does: Lua strings,
   * long brackets and comments may contain braces. */
  private rawLua(d: Directive, block: Block, bodyStart: number): void {
    const text = this.text;
    const n = text.length;
    let i = bodyStart;
    let level = 1;
    const longBracket = (at: number): number => {
      // returns the '=' count if text[at..] opens a long bracket `[==[`, else -1
      if (text[at] !== '[') return -1;
      let j = at + 1;
      while (text[j] === '=') j++;
      return text[j] === '[' ? j - at - 1 : -1;
    };
    const skipLong = (at: number, eq: number): number => {
      const close = ']' + '='.repeat(eq) + ']';
      const k = text.indexOf(close, at + eq + 2);
      return k === -1 ? n : k + close.length;
    };
    while (i < n) {
      const c = text[i];
      if (c === '-' && text[i + 1] === '-') {
        const eq = longBracket(i + 2);
        if (eq >= 0) i = skipLong(i + 2, eq);
        else {
          const nl = text.indexOf('\n', i);
          i = nl === -1 ? n : nl + 1;
        }
        continue;
      }
      if (c === '"' || c === "'") {
        let j = i + 1;
        while (j < n && text[j] !== c && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
        i = j + 1;
        continue;
      }
      if (c === '[') {
        const eq = longBracket(i);
        if (eq >= 0) {
          i = skipLong(i, eq);
          continue;
        }
      }
      if (c === '{') level++;
      else if (c === '}' && --level === 0) {
        block.raw = { text: text.slice(bodyStart, i), range: this.range(bodyStart, i) };
        block.close = this.range(i, i + 1);
        d.range = this.rangeFrom(d.range, i + 1);
        this.pos = i + 1;
        return;
      }
      i++;
    }
    i = Math.min(i, n);
    block.raw = { text: text.slice(bodyStart, i), range: this.range(bodyStart, i) };
    d.range = this.rangeFrom(d.range, n);
    this.pos = n;
    this.error('unexpected-eof', 'unexpected end of file, expecting "}"', n, n, { message: 'this Lua block is never closed', range: block.open });
  }
}
