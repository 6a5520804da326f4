// The seam between the editor features and the 444 engine (rules444 / explain444 / trace), which
// other modules provide. The features depend only on these small interfaces; the LSP layer plugs in
// whatever implementation is available. Until then, the defaults below say what nginx documents.

import type { Range as LspRange } from 'vscode-languageserver-types';
import { walkEffective, type ConfigGraph } from '../core/configGraph';
import { RAW_CONTENT_BLOCKS } from '../core/structure';
import type { Directive } from '../core/syntax';
import { is444Source } from '../core/http/model';
import { pathToUri, toLspRange } from './convert';
import type { DocumentView } from './document';

/** Explains a 444 source in the config (hover). */
export interface Explain444 {
  /** Markdown about which requests this directive drops and why; undefined when it is not a 444 source. */
  explain(d: Directive, view: DocumentView): string | undefined;
}

/** What nginx itself documents about 444; used when no deeper explanation is available. */
export const default444: Explain444 = {
  explain(d) {
    if (!is444Source(d)) return undefined;
    if (d.name === 'return') {
      return '**444**: nginx closes the connection without sending a response (non-standard code; logged as 444 in the access log).';
    }
    if (d.name === 'try_files') {
      return '**444**: when none of the files exists, nginx closes the connection without sending a response (logged as 444).';
    }
    if (d.name === 'error_page') return '**444**: these responses are sent with the status 444 (the page is sent, the connection is not closed); logged as 444.';
    if (d.name === 'echo_status') return '**444**: the echo module sends its response with the status 444; logged as 444.';
    if (!d.name.endsWith('_status')) return `**444**: \`${d.name}\` runs code that may close the connection with 444 (logged as 444).`;
    return `**444**: requests rejected by \`${d.name.replace('_status', '')}\` get their connection closed without a response (logged as 444).`;
  },
};

/** One 444 source, LSP-shaped (matches the nginx-lens/all444Rules protocol's Rule444). */
export interface Rule444Entry {
  uri: string;
  range: LspRange;
  title: string;
  condition: string;
}

/** Lists 444 sources across configurations (the quick pick, workspace symbols). */
export interface List444 {
  list(graphs: readonly ConfigGraph[]): Rule444Entry[];
}

function describeBlock(d: Directive): string {
  if (d.name === 'server') {
    const names = (d.block?.children ?? []).filter((c) => c.name === 'server_name').flatMap((c) => c.args.map((a) => a.value));
    const listens = (d.block?.children ?? []).filter((c) => c.name === 'listen').map((c) => c.args.map((a) => a.value).join(' '));
    return `server ${names.join(' ') || '""'}${listens.length ? ` (listen ${listens.join(', ')})` : ''}`;
  }
  return `${d.name} ${d.args.map((a) => a.raw).join(' ')}`.trimEnd();
}

/** Syntactic listing: each 444 source with the blocks around it as its condition. */
export const defaultList444: List444 = {
  list(graphs) {
    const out: Rule444Entry[] = [];
    const seen = new Set<string>();
    for (const g of graphs) {
      walkEffective(g, (d, ancestors) => {
        if (RAW_CONTENT_BLOCKS.has(d.name)) return 'skip';
        if (!is444Source(d)) return;
        const key = `${d.file}:${d.range.start.offset}`;
        if (seen.has(key)) return;
        seen.add(key);
        out.push({
          uri: pathToUri(d.file),
          range: toLspRange(d.range),
          title: `${d.name} ${d.args.map((a) => a.raw).join(' ')}`,
          condition: ancestors.filter((a) => a.name !== 'http').map(describeBlock).join(' › ') || 'every request reaching this context',
        });
      });
    }
    return out;
  },
};
