// Go to definition: include targets, `@named` locations, upstreams named in *_pass, user variables
// (set/map/geo/...), and log_format names used by access_log.

import type { Location } from 'vscode-languageserver-types';
import type { Directive, Range } from '../core/syntax';
import { nodeAt, walk } from '../core/tree';
import { RAW_CONTENT_BLOCKS } from '../core/structure';
import { toLocation } from './convert';
import { visibleFiles, type DocumentView } from './document';
import { variableAt, variableDefinitions } from './variables';

const FILE_START: Range = { start: { line: 0, character: 0, offset: 0 }, end: { line: 0, character: 0, offset: 0 } };
const MAX_RESULTS = 1000;

/** Directives whose last argument may name a location: `try_files ... @x`, `error_page 404 @x`. */
const NAMED_LOCATION_USERS = new Set(['try_files', 'error_page', 'post_action', 'auth_request', 'mirror', 'return']);

export function definition(view: DocumentView, offset: number): Location[] {
  const node = nodeAt(view.file, offset);
  if (!node || node.part === 'name' || node.part === 'body' || !node.arg) return [];
  const d = node.directive;
  const arg = node.arg;

  const v = variableAt(arg, offset);
  if (v) {
    const defs = variableDefinitions(visibleFiles(view)).get(v.name) ?? [];
    return defs.slice(0, MAX_RESULTS).map((def) => toLocation(def.directive.file, def.arg.range));
  }
  if (d.name === 'include' && node.part === 0) {
    const targets = view.graph?.includes.get(d) ?? [];
    return targets.filter((t) => t.status === 'ok').slice(0, MAX_RESULTS).map((t) => toLocation(t.path, FILE_START));
  }
  if (arg.value.startsWith('@') && NAMED_LOCATION_USERS.has(d.name)) {
    return findBlocks(view, (x) => x.name === 'location' && x.args.length === 1 && x.args[0].value === arg.value);
  }
  const pass = /^(proxy|grpc|uwsgi|scgi|fastcgi|memcached)_pass$/.test(d.name);
  if (pass && node.part === 0) {
    const host = upstreamName(arg.value);
    if (host) return findBlocks(view, (x) => x.name === 'upstream' && x.args[0]?.value === host);
  }
  if (d.name === 'access_log' && node.part === 1) {
    return findBlocks(view, (x) => x.name === 'log_format' && x.args[0]?.value === arg.value, true);
  }
  return [];
}

/** `http://backend/x` → `backend`; `unix:` sockets and variables have no upstream block. */
export function upstreamName(value: string): string | undefined {
  const m = /^(?:[a-z]+:\/\/)?([^/:$]+)/i.exec(value);
  if (!m || value.startsWith('unix:')) return undefined;
  return m[1];
}

function findBlocks(view: DocumentView, match: (d: Directive) => boolean, leaf = false): Location[] {
  const out: Location[] = [];
  for (const f of visibleFiles(view)) {
    walk(f.directives, (d) => {
      if (out.length >= MAX_RESULTS) return 'skip';
      if ((leaf || d.block) && match(d)) out.push(toLocation(f.path, d.range));
      if (RAW_CONTENT_BLOCKS.has(d.name)) return 'skip';
    });
  }
  return out;
}
