// The syntax tree of one nginx configuration file.
//
// Lossless: every byte of the source is either inside a token (directive name,
// argument, punctuation, comment) or whitespace between tokens, and every node
// carries its exact range. Characters are UTF-16 code units (what JS strings
// and LSP use); offsets index the decoded text.

export interface Position {
  /** 0-based line. */
  line: number;
  /** 0-based UTF-16 column. */
  character: number;
  /** 0-based UTF-16 offset into the file text. */
  offset: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export type Quote = '"' | "'";

/** One argument of a directive, as nginx's ngx_conf_read_token sees it. */
export interface Arg {
  /** Source text, with quotes if quoted. */
  raw: string;
  /** The value nginx stores: quotes removed, \" \' \\ \t \r \n unescaped. */
  value: string;
  quote: Quote | null;
  range: Range;
}

export interface Comment {
  /** Text including the leading '#'. */
  text: string;
  range: Range;
}

export interface Directive {
  name: string;
  nameRange: Range;
  /** Quoted if the name itself was written quoted (nginx allows it). */
  nameQuote: Quote | null;
  args: Arg[];
  /** Present for `name args { ... }`. */
  block?: Block;
  /** Range of the terminating ';' when the directive ended with one. */
  semicolon?: Range;
  /** Whole directive: name to ';' or to the closing '}' (or as far as it got). */
  range: Range;
  /** The file this directive is written in. */
  file: string;
}

export interface Block {
  /** Range of '{'. */
  open: Range;
  /** Range of '}'; absent when the file ended first. */
  close?: Range;
  children: Directive[];
  /**
   * For blocks nginx hands to a module's own reader (e.g. `*_by_lua_block`):
   * the raw text between the braces, not parsed as directives.
   */
  raw?: { text: string; range: Range };
}

export type SyntaxErrorCode =
  | 'unexpected-char'
  | 'unexpected-close-brace'
  | 'unexpected-eof'
  | 'unterminated-string'
  | 'missing-semicolon'
  | 'too-deep'
  | 'binary-content';

export interface SyntaxError {
  code: SyntaxErrorCode;
  /** Worded like nginx's own message where nginx has one. */
  message: string;
  range: Range;
  /** Where the problem started, when nginx reports it elsewhere (e.g. the unclosed '{'). */
  related?: { message: string; range: Range };
}

export interface ParsedFile {
  path: string;
  text: string;
  directives: Directive[];
  comments: Comment[];
  errors: SyntaxError[];
  /** Offsets where each line starts; lineStarts[0] === 0. */
  lineStarts: number[];
}
