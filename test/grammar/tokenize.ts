// Tokenizes text with the extension's TextMate grammars exactly as VS Code does (vscode-textmate
// on the Oniguruma WASM engine), and lets tests say "the token with text X carries scope Y".
import { readFileSync } from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';
import * as vsctm from 'vscode-textmate';
import * as oniguruma from 'vscode-oniguruma';

export const repoRoot = path.resolve(__dirname, '..', '..');

/** Grammar files of the extension, by scope name. */
export const GRAMMAR_FILES: Record<string, string> = {
  'source.nginx': path.join(repoRoot, 'syntaxes', 'nginx.tmLanguage.json'),
  'text.log.nginx-access': path.join(repoRoot, 'syntaxes', 'nginx-access-log.tmLanguage.json'),
};

let onigLib: Promise<vsctm.IOnigLib> | undefined;

function loadOnig(): Promise<vsctm.IOnigLib> {
  onigLib ??= (async () => {
    const wasm = readFileSync(path.join(repoRoot, 'node_modules', 'vscode-oniguruma', 'release', 'onig.wasm'));
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
    return {
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    };
  })();
  return onigLib;
}

export interface LoadOptions {
  /** Further scope names mapped to grammar files (e.g. a stand-in `source.lua`). */
  extra?: Record<string, string>;
  /** A theme, so that `colours` can tell which foreground each token gets. */
  theme?: vsctm.IRawTheme;
}

/** Loads a grammar; scopes found in neither the extension nor `extra` are missing, as in an editor without them. */
export async function loadGrammar(scopeName: string, options: LoadOptions = {}): Promise<vsctm.IGrammar> {
  return (await loadWithRegistry(scopeName, options)).grammar;
}

async function loadWithRegistry(scopeName: string, options: LoadOptions) {
  const files = { ...GRAMMAR_FILES, ...options.extra };
  const registry = new vsctm.Registry({
    onigLib: loadOnig(),
    theme: options.theme,
    loadGrammar: async (scope) => {
      const file = files[scope];
      return file ? vsctm.parseRawGrammar(readFileSync(file, 'utf8'), file) : null;
    },
  });
  const grammar = await registry.loadGrammar(scopeName);
  assert.ok(grammar, `grammar ${scopeName} did not load`);
  return { grammar, registry };
}

/**
 * Foreground colour of every token of a single line under `theme`, as an editor would paint it.
 */
export async function colours(scopeName: string, theme: vsctm.IRawTheme, line: string): Promise<{ text: string; colour: string }[]> {
  const { grammar, registry } = await loadWithRegistry(scopeName, { theme });
  const colourMap = registry.getColorMap();
  const { tokens } = grammar.tokenizeLine2(line, vsctm.INITIAL);
  const out: { text: string; colour: string }[] = [];
  for (let i = 0; i < tokens.length; i += 2) {
    const start = tokens[i];
    const end = i + 2 < tokens.length ? tokens[i + 2] : line.length;
    const foreground = (tokens[i + 1] & 0x00ff8000) >>> 15;
    out.push({ text: line.slice(start, end), colour: colourMap[foreground] });
  }
  return out;
}

export interface Token {
  text: string;
  scopes: string[];
  line: number;
  start: number;
  end: number;
}

export interface Tokenized {
  tokens: Token[];
  /** Rule-stack depth after each line; 1 means back at the grammar's root. */
  depths: number[];
  /** Scopes still open (innermost last) after the last line. */
  openScopes: string[];
  lines: string[];
}

/** Lines as an editor splits them (LF or CRLF). */
export function splitLines(text: string): string[] {
  return text.split(/\r?\n/);
}

/**
 * Tokenizes `text` line by line, carrying the rule stack. Throws if vscode-textmate reports that
 * the grammar looped without advancing (it prints that and gives up on the line).
 */
export function tokenize(grammar: vsctm.IGrammar, text: string): Tokenized {
  const lines = splitLines(text);
  const tokens: Token[] = [];
  const depths: number[] = [];
  let stack: vsctm.StateStack = vsctm.INITIAL;
  let lastScopes: string[] = [];
  const errors: string[] = [];
  const originalError = console.error;
  console.error = (...args: unknown[]) => {
    errors.push(args.map(String).join(' '));
  };
  try {
    lines.forEach((lineText, line) => {
      const result = grammar.tokenizeLine(lineText, stack);
      if (result.stoppedEarly) errors.push(`tokenization stopped early on line ${line + 1}`);
      for (const t of result.tokens) {
        const end = Math.min(t.endIndex, lineText.length);
        if (end > t.startIndex) tokens.push({ text: lineText.slice(t.startIndex, end), scopes: t.scopes, line, start: t.startIndex, end });
        lastScopes = t.scopes;
      }
      stack = result.ruleStack;
      depths.push(stack.depth);
    });
  } finally {
    console.error = originalError;
  }
  if (errors.length) throw new Error(`grammar error: ${errors[0]}`);
  // Scopes open at the end: tokenize an empty continuation line and read its scopes.
  const tail = grammar.tokenizeLine('', stack).tokens;
  const openScopes = tail.length ? tail[tail.length - 1].scopes.slice(1) : lastScopes.slice(1);
  return { tokens, depths, openScopes, lines };
}

/**
 * Rule-stack depth after each line, the way VS Code tokenizes (binary tokens, no scope lists):
 * cheap enough for whole corpora and pathological nesting. Throws like `tokenize` on grammar loops.
 */
export function ruleDepths(grammar: vsctm.IGrammar, text: string): number[] {
  const depths: number[] = [];
  let stack: vsctm.StateStack = vsctm.INITIAL;
  const errors: string[] = [];
  const originalError = console.error;
  console.error = (...args: unknown[]) => {
    errors.push(args.map(String).join(' '));
  };
  try {
    splitLines(text).forEach((lineText, line) => {
      const result = grammar.tokenizeLine2(lineText, stack);
      if (result.stoppedEarly) errors.push(`tokenization stopped early on line ${line + 1}`);
      stack = result.ruleStack;
      depths.push(stack.depth);
    });
  } finally {
    console.error = originalError;
  }
  if (errors.length) throw new Error(`grammar error: ${errors[0]}`);
  return depths;
}

/** CPU milliseconds `fn` takes (less sensitive than wall time to other work on the machine). */
export function cpuMillis(fn: () => void): number {
  const before = process.cpuUsage();
  fn();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

/** VS Code leaves lines longer than this unhighlighted (editor.maxTokenizationLineLength). */
export const MAX_TOKENIZED_LINE = 20_000;

export interface Where {
  /** 0-based line to look on; otherwise the first token with that text anywhere. */
  line?: number;
  /** Which of several tokens with the same text (0-based, after the `line` filter). */
  nth?: number;
}

/** The token whose text is exactly `text` (tokens are split at scope boundaries). */
export function tokenAt(result: Tokenized, text: string, where: Where = {}): Token {
  const matches = result.tokens.filter((t) => t.text === text && (where.line === undefined || t.line === where.line));
  const token = matches[where.nth ?? 0];
  if (!token) {
    const near = result.tokens
      .filter((t) => where.line === undefined || t.line === where.line)
      .map((t) => `${JSON.stringify(t.text)} [${t.scopes.slice(1).join(' ')}]`)
      .slice(0, 40)
      .join('\n  ');
    assert.fail(`no token ${JSON.stringify(text)}${where.line !== undefined ? ` on line ${where.line}` : ''}; tokens:\n  ${near}`);
  }
  return token;
}

function describe(token: Token): string {
  return `${JSON.stringify(token.text)} (line ${token.line + 1}) has scopes [${token.scopes.join(', ')}]`;
}

/** Asserts that the token with text `text` has a scope starting with `scope` (e.g. `variable.other`). */
export function assertScope(result: Tokenized, text: string, scope: string, where: Where = {}): Token {
  const token = tokenAt(result, text, where);
  assert.ok(
    token.scopes.some((s) => s === scope || s.startsWith(scope + '.')),
    `expected ${scope}: ${describe(token)}`,
  );
  return token;
}

/** Asserts that no scope of the token with text `text` starts with `scope`. */
export function assertNoScope(result: Tokenized, text: string, scope: string, where: Where = {}): Token {
  const token = tokenAt(result, text, where);
  assert.ok(
    !token.scopes.some((s) => s === scope || s.startsWith(scope + '.')),
    `expected no ${scope}: ${describe(token)}`,
  );
  return token;
}

/** The innermost scope of the token with text `text`. */
export function innermost(result: Tokenized, text: string, where: Where = {}): string {
  const token = tokenAt(result, text, where);
  return token.scopes[token.scopes.length - 1];
}
