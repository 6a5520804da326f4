// Workspace symbols: servers (by their names), locations (with the server they belong to) and every
// 444 source across the loaded configurations, filtered by the query the way editors expect
// (case-insensitive subsequence).

import { SymbolKind, type SymbolInformation } from 'vscode-languageserver-types';
import type { ConfigGraph } from '../core/configGraph';
import type { Directive } from '../core/syntax';
import { walk } from '../core/tree';
import { RAW_CONTENT_BLOCKS } from '../core/structure';
import { toLocation } from './convert';
import { is444Source } from '../core/http/model';
import { dropsIndex } from '../core/drops/index';
import { sourceLabels } from '../core/drops/sources';
import type { Cancellation } from './types';

const MAX_RESULTS = 2000;

export function matchesQuery(name: string, query: string): boolean {
  if (!query) return true;
  const n = name.toLowerCase();
  let i = 0;
  for (const ch of query.toLowerCase()) {
    i = n.indexOf(ch, i);
    if (i === -1) return false;
    i++;
  }
  return true;
}

export function serverLabelOf(d: Directive): string {
  const names = (d.block?.children ?? []).filter((c) => c.name === 'server_name').flatMap((c) => c.args.map((a) => a.value));
  return names.length ? `server ${names.join(' ')}` : 'server';
}

export function workspaceSymbols(graphs: readonly ConfigGraph[], query: string, token?: Cancellation): SymbolInformation[] {
  const out: SymbolInformation[] = [];
  const seenFiles = new Set<string>();
  // 444 sources with their condition in words (error_page leading to a 444 included).
  const labels = sourceLabels(graphs.map(dropsIndex));
  for (const g of graphs) {
    for (const f of g.files.values()) {
      if (seenFiles.has(f.path)) continue;
      seenFiles.add(f.path);
      walk(f.directives, (d, ancestors) => {
        if (out.length >= MAX_RESULTS || token?.isCancellationRequested) return 'skip';
        if (RAW_CONTENT_BLOCKS.has(d.name)) return 'skip';
        const server = [...ancestors].reverse().find((a) => a.name === 'server' && a.block);
        const container = server ? serverLabelOf(server) : undefined;
        let name: string | undefined;
        let kind: SymbolKind = SymbolKind.Object;
        if (d.name === 'server' && d.block && !ancestors.some((a) => a.name === 'upstream')) {
          name = serverLabelOf(d);
          kind = SymbolKind.Class;
        } else if (d.name === 'location' && d.block) {
          name = `location ${d.args.map((a) => a.raw).join(' ')}`;
          kind = SymbolKind.Method;
        } else if (d.name === 'upstream' && d.block) {
          name = `upstream ${d.args[0]?.value ?? ''}`;
          kind = SymbolKind.Module;
        } else if (labels.has(`${d.file}:${d.range.start.offset}`)) {
          const label = labels.get(`${d.file}:${d.range.start.offset}`)!;
          name = `${[d.name, ...d.args.map((a) => a.raw)].join(' ')}${label ? ` — ${label}` : ''}`;
          kind = SymbolKind.Event;
        } else if (is444Source(d)) {
          const where = ancestors.length ? ancestors[ancestors.length - 1] : undefined;
          const head = d.name === 'try_files' ? 'try_files =444' : d.name === 'error_page' ? 'error_page =444' : /^(return|echo_status|limit_(req|conn)_status)$/.test(d.name) ? `${d.name} 444` : `${d.name} (may close with 444)`;
          name = `${head}${where && where.name !== 'server' ? ` (${where.name} ${where.args.map((a) => a.raw).join(' ')})` : ''}`;
          kind = SymbolKind.Event;
        }
        if (name && matchesQuery(name, query)) {
          const s: SymbolInformation = { name, kind, location: toLocation(f.path, d.range) };
          if (container && d.name !== 'server') s.containerName = container;
          out.push(s);
        }
      });
    }
  }
  return out;
}
