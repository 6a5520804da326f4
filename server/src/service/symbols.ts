// Outline: the block structure of one file (http, server with its names and listens, location with
// its modifier, upstream, map, if, ...), plus named locations and the 444 rules this tool is about.

import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver-types';
import type { Directive, ParsedFile } from '../core/syntax';
import { toLspRange } from './convert';
import type { Cancellation } from './types';

const KIND: Record<string, SymbolKind> = {
  http: SymbolKind.Namespace,
  stream: SymbolKind.Namespace,
  mail: SymbolKind.Namespace,
  events: SymbolKind.Namespace,
  server: SymbolKind.Class,
  location: SymbolKind.Method,
  upstream: SymbolKind.Module,
  map: SymbolKind.Variable,
  geo: SymbolKind.Variable,
  split_clients: SymbolKind.Variable,
  if: SymbolKind.Operator,
  limit_except: SymbolKind.Operator,
  types: SymbolKind.Struct,
};

/** Upper bound on outline entries: past this an outline is unreadable anyway, and a huge generated
 * file must not produce a multi-megabyte response. */
const MAX_SYMBOLS = 20_000;

function argsText(d: Directive): string {
  return d.args.map((a) => a.raw).join(' ');
}

function symbolFor(d: Directive): { name: string; detail?: string; kind: SymbolKind } | undefined {
  switch (d.name) {
    case 'server': {
      if (!d.block) return undefined; // `server host:port;` inside upstream is a member, listed by its upstream
      const names: string[] = [];
      const listens: string[] = [];
      for (const c of d.block.children) {
        if (c.name === 'server_name') names.push(...c.args.map((a) => a.value));
        else if (c.name === 'listen') listens.push(argsText(c));
      }
      return {
        name: names.length ? `server ${names.join(' ')}` : 'server',
        detail: listens.length ? `listen ${listens.join(', ')}` : undefined,
        kind: KIND.server,
      };
    }
    case 'location':
      return { name: `location ${argsText(d)}`.trimEnd(), kind: KIND.location };
    case 'if':
      return { name: `if ${argsText(d)}`.trimEnd(), kind: KIND.if };
    case 'return': {
      // A return 444 is what this tool explains; surfacing it in the outline makes every drop findable.
      if (d.args[0]?.value !== '444') return undefined;
      return { name: 'return 444', kind: SymbolKind.Event };
    }
    default:
      if (!d.block) return undefined;
      return { name: `${d.name} ${argsText(d)}`.trimEnd(), kind: KIND[d.name] ?? SymbolKind.Object };
  }
}

export function documentSymbols(file: ParsedFile, token?: Cancellation): DocumentSymbol[] {
  const root: DocumentSymbol[] = [];
  let count = 0;
  // Iterative walk (the parser already caps depth, but an explicit stack keeps this allocation-light).
  const stack: { list: Directive[]; i: number; out: DocumentSymbol[] }[] = [{ list: file.directives, i: 0, out: root }];
  while (stack.length) {
    const top = stack[stack.length - 1];
    if (top.i >= top.list.length) {
      stack.pop();
      continue;
    }
    if (count >= MAX_SYMBOLS || token?.isCancellationRequested) break;
    const d = top.list[top.i++];
    const s = symbolFor(d);
    let out = top.out;
    if (s) {
      const sym: DocumentSymbol = {
        name: s.name || d.name,
        kind: s.kind,
        range: toLspRange(d.range),
        selectionRange: toLspRange(d.nameRange),
      };
      if (s.detail) sym.detail = s.detail;
      top.out.push(sym);
      count++;
      if (d.block?.children.length) {
        sym.children = [];
        out = sym.children;
      }
    }
    if (d.block?.children.length) stack.push({ list: d.block.children, i: 0, out });
  }
  return root;
}
