// Completion: directives valid at the cursor's context (snippets and docs from the reference),
// variables after `$` (built-in and user-defined), named locations after `@`, log_format names after
// `access_log path `, and upstream names after `proxy_pass http://`.

import {
  CompletionItemKind,
  InsertTextFormat,
  MarkupKind,
  type CompletionItem,
  type CompletionList,
} from 'vscode-languageserver-types';
import { allVariables, directivesAllowedIn, lookupDirective, type DirectiveInfo, type Family } from '../core/reference';
import { RAW_CONTENT_BLOCKS, isLuaDirective } from '../core/structure';
import type { Directive, ParsedFile } from '../core/syntax';
import { positionAt } from '../core/positions';
import { walk } from '../core/tree';
import { toLspRange } from './convert';
import { contextPathAt, visibleFiles, type DocumentView } from './document';
import { displayPath, headerOf } from './hover';
import { variableDefinitions } from './variables';
import type { Cancellation } from './types';

/** How far back the statement under the cursor is looked for: a statement longer than this is not being typed. */
const LOOKBACK = 4096;

export interface CursorStatement {
  /** Words of the statement before the cursor (the last one may be partial). */
  words: string[];
  /** Index of the word being typed (0 = directive name). */
  index: number;
  /** The partial word before the cursor ('' at a fresh position) and where it starts. */
  prefix: string;
  prefixStart: number;
  /** The blocks around the cursor, outermost first. */
  blocks: Directive[];
}

/** Blocks whose '{ ... }' contains the offset, outermost first. */
export function blocksAt(file: ParsedFile, offset: number): Directive[] {
  const out: Directive[] = [];
  let list = file.directives;
  for (;;) {
    let lo = 0;
    let hi = list.length - 1;
    let found: Directive | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const d = list[mid];
      if (offset < d.range.start.offset) hi = mid - 1;
      else if (offset > d.range.end.offset) lo = mid + 1;
      else {
        found = d;
        break;
      }
    }
    const b = found?.block;
    if (!found || !b) return out;
    const afterOpen = offset >= b.open.end.offset;
    const beforeClose = !b.close || offset <= b.close.start.offset;
    if (!afterOpen || !beforeClose) return out;
    out.push(found);
    list = b.children;
  }
}

export function cursorStatement(file: ParsedFile, offset: number): CursorStatement | undefined {
  const text = file.text;
  const from = Math.max(0, offset - LOOKBACK);
  const pos = positionAt(file.lineStarts, offset);
  const lineStart = file.lineStarts[pos.line];
  // In a comment: nothing to complete. ('#' starts a comment only at a token start, which this
  // approximates by requiring whitespace or a delimiter before it.)
  const linePrefix = text.slice(Math.max(lineStart, from), offset);
  if (/(^|[\s;{}])#/.test(linePrefix) && !/["']/.test(linePrefix)) return undefined;
  let start = offset;
  while (start > from) {
    const c = text[start - 1];
    if (c === ';' || c === '{' || c === '}') break;
    start--;
  }
  const stmt = text.slice(start, offset);
  // Drop whole-line comments inside the statement window.
  const cleaned = stmt.replace(/(^|\n)[ \t]*#[^\n]*/g, '$1');
  const words = cleaned.split(/\s+/).filter(Boolean);
  const fresh = cleaned.length === 0 || /\s$/.test(cleaned);
  const prefix = fresh ? '' : words[words.length - 1] ?? '';
  return {
    words,
    index: fresh ? words.length : words.length - 1,
    prefix,
    prefixStart: offset - prefix.length,
    blocks: blocksAt(file, offset),
  };
}

function snippetFor(d: DirectiveInfo): string {
  const noArgs = d.syntax.length > 0 && d.syntax.every((s) => s.trim() === '');
  if (d.isBlock) return noArgs ? `${d.name} {\n\t$0\n}` : `${d.name} \${1} {\n\t$0\n}`;
  return noArgs ? `${d.name};` : `${d.name} \${1};`;
}

function docOf(d: DirectiveInfo): string {
  const syntax = d.syntax.map((s) => `**${d.name}** ${s}${d.isBlock ? ' { ... }' : ';'}`).join('  \n');
  const desc = d.description.length > 800 ? d.description.slice(0, d.description.lastIndexOf('\n\n', 800) > 100 ? d.description.lastIndexOf('\n\n', 800) : 800) + '\n\n…' : d.description;
  return `${syntax}\n\nDefault: ${d.default ? '`' + d.default.replace(/`/g, '') + ';`' : '—'}\n\n${desc}\n\n[nginx.org](${d.url})`;
}

interface DirectiveItemData {
  directive: string;
  module: string;
}

/** completionItem/resolve: the directive's documentation from the reference. */
export function resolveCompletion(item: CompletionItem): CompletionItem {
  const data = item.data as Partial<DirectiveItemData> | undefined;
  if (!data?.directive || item.documentation) return item;
  const entry = lookupDirective(data.directive, null).entries.find((e) => e.module === data.module);
  if (entry) item.documentation = { kind: MarkupKind.Markdown, value: docOf(entry) };
  return item;
}

export function completion(view: DocumentView, offset: number, token?: Cancellation, triggerCharacter?: string): CompletionList {
  const empty: CompletionList = { isIncomplete: false, items: [] };
  const cur = cursorStatement(view.file, offset);
  if (!cur) return empty;
  // ' ' and '/' trigger only argument completions (log formats, upstreams): never pop the directive
  // list up while the user indents a line.
  if ((triggerCharacter === ' ' || triggerCharacter === '/') && (cur.index === 0 || cur.prefix.includes('$'))) return empty;
  const ctx = contextPathAt(view, cur.blocks);
  const family = ctx.find((n) => n === 'http' || n === 'stream' || n === 'mail') as Family | undefined;
  const inEntries = cur.blocks.some((b) => RAW_CONTENT_BLOCKS.has(b.name) || isLuaDirective(b.name));

  const dollar = cur.prefix.lastIndexOf('$');
  if (dollar !== -1) return { isIncomplete: false, items: variableItems(view, family, cur.prefixStart + dollar + 1, offset) };
  if (cur.index > 0 && cur.prefix.startsWith('@')) return { isIncomplete: false, items: namedLocationItems(view, cur.prefixStart + 1, offset) };
  if (inEntries) return empty;

  if (cur.index === 0) {
    const items: CompletionItem[] = [];
    for (const d of directivesAllowedIn(ctx)) {
      if (token?.isCancellationRequested) break;
      // Documentation is filled in by completionItem/resolve for the item the user looks at: hundreds
      // of pages of docs per keystroke would make every completion response megabytes.
      items.push({
        label: d.name,
        kind: d.isBlock ? CompletionItemKind.Module : CompletionItemKind.Property,
        detail: d.module,
        insertText: snippetFor(d),
        insertTextFormat: InsertTextFormat.Snippet,
        data: { directive: d.name, module: d.module } satisfies DirectiveItemData,
      });
    }
    return { isIncomplete: false, items };
  }

  const name = cur.words[0];
  if (name === 'access_log' && cur.index === 2) return { isIncomplete: false, items: logFormatItems(view) };
  if (/^(proxy|grpc|uwsgi|scgi|fastcgi|memcached)_pass$/.test(name) && cur.index === 1) {
    const scheme = /^[a-z]+:\/\//.exec(cur.prefix)?.[0] ?? '';
    return { isIncomplete: false, items: upstreamItems(view, cur.prefixStart + scheme.length, offset) };
  }
  return empty;
}

function editRange(view: DocumentView, start: number, end: number) {
  return toLspRange({ start: positionAt(view.file.lineStarts, start), end: positionAt(view.file.lineStarts, end) });
}

function variableItems(view: DocumentView, family: Family | undefined, start: number, end: number): CompletionItem[] {
  const range = editRange(view, start, end);
  const items: CompletionItem[] = [];
  const seen = new Set<string>();
  for (const [name, defs] of variableDefinitions(visibleFiles(view))) {
    seen.add(name);
    const def = defs[0].directive;
    items.push({
      label: `$${name}`,
      filterText: name,
      kind: CompletionItemKind.Variable,
      detail: `${headerOf(def)} — ${displayPath(view, def.file)}:${def.nameRange.start.line + 1}`,
      textEdit: { range, newText: name },
      sortText: `0${name}`,
    });
  }
  for (const v of allVariables()) {
    if (family && v.family !== family && v.family !== 'core') continue;
    const bare = v.name.replace(/^\$/, '');
    const label = v.prefix ? v.prefix : bare;
    if (seen.has(label)) continue;
    seen.add(label);
    const item: CompletionItem = {
      label: v.prefix ? `$${v.prefix}NAME` : `$${bare}`,
      filterText: label,
      kind: CompletionItemKind.Variable,
      detail: v.module,
      documentation: { kind: MarkupKind.Markdown, value: `${v.description}\n\n[nginx.org](${v.url})` },
      sortText: `1${label}`,
    };
    if (v.prefix) {
      item.textEdit = { range, newText: `${v.prefix}\${1:name}` };
      item.insertTextFormat = InsertTextFormat.Snippet;
    } else item.textEdit = { range, newText: bare };
    items.push(item);
  }
  return items;
}

function namedLocationItems(view: DocumentView, start: number, end: number): CompletionItem[] {
  const range = editRange(view, start, end);
  const items: CompletionItem[] = [];
  const seen = new Set<string>();
  for (const f of visibleFiles(view)) {
    walk(f.directives, (d) => {
      if (d.name === 'location' && d.args.length === 1 && d.args[0].value.startsWith('@')) {
        const name = d.args[0].value.slice(1);
        if (!seen.has(name)) {
          seen.add(name);
          items.push({
            label: `@${name}`,
            filterText: name,
            kind: CompletionItemKind.Reference,
            detail: `${displayPath(view, f.path)}:${d.nameRange.start.line + 1}`,
            textEdit: { range, newText: name },
          });
        }
      }
      if (RAW_CONTENT_BLOCKS.has(d.name)) return 'skip';
    });
  }
  return items;
}

function logFormatItems(view: DocumentView): CompletionItem[] {
  const items: CompletionItem[] = [{ label: 'combined', kind: CompletionItemKind.Enum, detail: 'predefined log_format' }];
  const seen = new Set(['combined']);
  for (const f of visibleFiles(view)) {
    walk(f.directives, (d) => {
      if (d.name === 'log_format' && d.args.length >= 2 && !seen.has(d.args[0].value)) {
        seen.add(d.args[0].value);
        items.push({
          label: d.args[0].value,
          kind: CompletionItemKind.Enum,
          detail: `log_format — ${displayPath(view, f.path)}:${d.nameRange.start.line + 1}`,
          documentation: d.args.slice(1).map((a) => a.value).join(''),
        });
      }
      if (RAW_CONTENT_BLOCKS.has(d.name)) return 'skip';
    });
  }
  return items;
}

function upstreamItems(view: DocumentView, start: number, end: number): CompletionItem[] {
  const range = editRange(view, start, end);
  const items: CompletionItem[] = [];
  for (const f of visibleFiles(view)) {
    walk(f.directives, (d) => {
      if (d.name === 'upstream' && d.block && d.args.length === 1) {
        items.push({
          label: d.args[0].value,
          kind: CompletionItemKind.Module,
          detail: `upstream — ${displayPath(view, f.path)}:${d.nameRange.start.line + 1}`,
          textEdit: { range, newText: d.args[0].value },
        });
      }
      if (RAW_CONTENT_BLOCKS.has(d.name)) return 'skip';
    });
  }
  return items;
}
