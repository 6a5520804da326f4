// What a log file's name says about its lines. `access_log /var/log/nginx/$host.access.log;`
// writes each request to the file its own variables name, so every line of
// `shop.example.access.log` has `$host` = shop.example whether or not the format logs it.

import { posix } from 'node:path';
import type { Directive } from '../syntax';
import type { AccessLogDef, HttpModel } from './model';
import type { ConfigGraph } from '../configGraph';
import { walk } from '../tree';
import { textToBytes } from '../regex';

export interface LogPathMatch {
  /** The access_log directives whose path pattern names this file. */
  directives: Set<Directive>;
  /** The variables those paths give, when they all agree (else empty). */
  vars: Record<string, string>;
}

const MAX_GROUPS = 3;

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const lazyOf = (re: RegExp) => new RegExp(re.source.replace(/\(\[\^\/\]\+\)/g, '([^/]+?)'));

/**
 * The names a log file may have been written under: its own first, then the live name of a
 * rotated copy as logrotate and savelog name them (access.log.1, access.log.2.gz,
 * access.log-20261129[.gz], access.log.gz). Its own name comes first: `access_log x.log.gz gzip`
 * writes that very name, and a variable path may end in digits (`site-$host` with an IP Host).
 */
export function writtenNames(file: string): string[] {
  const out = [file];
  for (const re of [/\.\d+(\.gz)?$/, /-\d{8,10}(\.gz)?$/, /\.gz$/]) {
    const live = file.replace(re, '');
    if (live !== file && live && !out.includes(live)) out.push(live);
  }
  return out;
}

/**
 * The access_log definitions with variables in their path that name `logFile` (absolute), and
 * the values they give their variables. A variable stands for a non-empty run without '/': a
 * value holding one would put the file elsewhere, and then it is not this pattern's file.
 */
export function matchLogPath(model: HttpModel, defs: readonly AccessLogDef[], logFile: string): LogPathMatch | undefined {
  // Compared as bytes: the pattern's literal parts are (values.ts), and so are the values it gives.
  const file = textToBytes(posix.normalize(logFile));
  const directives = new Set<Directive>();
  let vars: Record<string, string> | undefined;
  let agree = true;
  for (const d of defs) {
    if (d.off || !d.path || d.path.literal || !d.d || d.path.raw.startsWith('syslog:')) continue;
    // Each variable is a backtracking group: a failing match costs up to (name length)^groups.
    // Beyond a few, the pattern is not used (the file is then matched as before: not at all).
    if (d.path.parts.filter((p) => typeof p !== 'string').length > MAX_GROUPS) continue;
    const names: string[] = [];
    let re = '';
    // Where the file name starts in `re`, and how many variables come before it.
    let nameAt = 0;
    let namesBefore = 0;
    for (const p of d.path.parts) {
      if (typeof p === 'string') {
        const slash = p.lastIndexOf('/');
        if (slash !== -1) {
          re += escapeRe(p.slice(0, slash + 1));
          (nameAt = re.length), (namesBefore = names.length);
          re += escapeRe(p.slice(slash + 1));
        } else re += escapeRe(p);
      } else if ('v' in p) (re += '([^/]+)'), names.push(p.v);
      else re += '[^/]*';
    }
    const absolute = typeof d.path.parts[0] === 'string' && d.path.parts[0].startsWith('/');
    const full = new RegExp(`^${absolute ? '' : escapeRe(textToBytes(model.prefix))}${re}$`);
    // As for plain paths, a workspace that mirrors the server may hold the log elsewhere: then
    // the file name alone, when the directory part of the pattern has no variable.
    const nameOnly = namesBefore === 0 ? new RegExp(`^${re.slice(nameAt)}$`) : undefined;
    const base = posix.basename(file);
    const m = full.exec(file) ?? nameOnly?.exec(base);
    if (!m) continue;
    directives.add(d.d);
    // Two variables side by side may split the name more than one way: then neither is known.
    const lazy = (full.exec(file) ? lazyOf(full).exec(file) : nameOnly && lazyOf(nameOnly).exec(base))!;
    if (m.slice(1).join('\u0000') !== lazy.slice(1).join('\u0000')) {
      agree = false;
      continue;
    }
    const got: Record<string, string> = {};
    let consistent = true;
    m.slice(1).forEach((v, i) => {
      const n = names[i];
      if (got[n] !== undefined && got[n] !== v) consistent = false;
      got[n] = v;
    });
    if (!consistent) {
      agree = false;
      continue;
    }
    if (vars === undefined) vars = got;
    else if (JSON.stringify(vars) !== JSON.stringify(got)) agree = false;
  }
  if (!directives.size) return undefined;
  return { directives, vars: agree && vars ? vars : {} };
}

/**
 * nginx's prefix (-p) as the log files' own paths give it: a log at `/srv/t/logs/access.log` that
 * the config names `access_log logs/access.log;` was written under the prefix `/srv/t/`. Only when
 * every relative access_log path that names one of the files gives the same prefix; undefined
 * otherwise (the caller then keeps its default and relative roots stay unknown).
 */
export function inferPrefix(graph: ConfigGraph, logFiles: readonly string[]): string | undefined {
  const relative = new Set<string>();
  for (const file of graph.files.values())
    walk(file.directives, (d) => {
      const raw = d.name === 'access_log' ? d.args[0]?.value : undefined;
      if (!raw || raw === 'off' || raw.startsWith('/') || raw.includes('$') || raw.startsWith('syslog:')) return;
      const rel = posix.normalize(raw);
      if (!rel.startsWith('../')) relative.add(rel);
    });
  const found = new Set<string>();
  for (const log of logFiles) {
    for (const file of writtenNames(posix.normalize(log))) {
      const before = found.size;
      for (const rel of relative) if (file.endsWith(`/${rel}`)) found.add(file.slice(0, file.length - rel.length));
      if (found.size > before) break;
    }
  }
  return found.size === 1 ? [...found][0] : undefined;
}
