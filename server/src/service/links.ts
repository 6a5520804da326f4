// Document links: every `include` (a glob links to its first match, the tooltip says how many),
// and file arguments nginx reads relative to the conf prefix (certificates, htpasswd files) when
// the file exists.

import type { DocumentLink } from 'vscode-languageserver-types';
import { posix } from 'node:path';
import { applyMappings, fullName } from '../core/includes';
import { walk } from '../core/tree';
import { RAW_CONTENT_BLOCKS } from '../core/structure';
import { pathToUri, toLspRange } from './convert';
import type { DocumentView } from './document';
import type { Cancellation } from './types';

/** Directives whose first argument is a file nginx opens relative to the conf prefix (ngx_conf_full_name(cf->cycle, .., 1)). */
const CONF_RELATIVE_FILES = new Set([
  'ssl_certificate',
  'ssl_certificate_key',
  'ssl_trusted_certificate',
  'ssl_client_certificate',
  'ssl_dhparam',
  'ssl_crl',
  'ssl_password_file',
  'auth_basic_user_file',
  'ssl_stapling_file',
]);

const MAX_LINKS = 5000;

export function documentLinks(view: DocumentView, exists: (path: string) => boolean, token?: Cancellation): DocumentLink[] {
  const out: DocumentLink[] = [];
  const graph = view.graph;
  walk(view.file.directives, (d) => {
    if (out.length >= MAX_LINKS || token?.isCancellationRequested) return 'skip';
    if (RAW_CONTENT_BLOCKS.has(d.name)) return 'skip';
    if (d.name === 'include' && d.args.length === 1 && graph) {
      const targets = (graph.includes.get(d) ?? []).filter((t) => t.status === 'ok');
      if (!targets.length) return;
      const link: DocumentLink = { range: toLspRange(d.args[0].range), target: pathToUri(targets[0].path) };
      if (targets.length > 1) link.tooltip = `${targets.length} files match; opens ${posix.basename(targets[0].path)} (Go to Definition lists all)`;
      out.push(link);
      return;
    }
    if (CONF_RELATIVE_FILES.has(d.name) && d.args.length >= 1 && graph) {
      const value = d.args[0].value;
      if (value.includes('$') || value.startsWith('data:') || value.startsWith('engine:')) return;
      const path = posix.normalize(applyMappings(fullName(value, graph.prefix), graph.pathMappings));
      if (exists(path)) out.push({ range: toLspRange(d.args[0].range), target: pathToUri(path) });
    }
  });
  return out;
}
