// The hover for a 444 source: what 444 does, then nginx's decision path in plain words — which
// requests reach the rule, what can answer them first, what it skips, where its drops are logged.

import type { Directive } from '../syntax';
import type { Op, Scope } from '../http/model';
import { accessRulesOf } from './access';
import { accessLogsOf } from '../http/route';
import { chainOf, whereOf, type DropsIndex } from './index';
import { findSource, type Source444 } from './sources';
import { condVariables, condWords, locationWords, serverWords, variableOrigins } from './words';

export interface DropsSummary {
  /** Log lines attributed to this rule alone. */
  count: number;
  /** Lines this rule is one of several candidates for (ambiguous attribution). */
  possible?: number;
  latest?: { file: string; line: number; text?: string };
}

const MAX_LIST = 3;

function code(s: string, max = 80): string {
  const t = s.length > max ? s.slice(0, max - 1) + '…' : s;
  return '`' + t.replace(/`/g, "'") + '`';
}

function header(d: Directive): string {
  return [d.name, ...d.args.map((a) => a.raw)].join(' ');
}

/** Whether an op can end the request's rewrite phase or send it elsewhere. */
export function canEnd(op: Op, atServerLevelForLocation: boolean): boolean {
  switch (op.op) {
    case 'return':
      return true;
    case 'rewrite':
      // A flagless rewrite at server level changes the URI the location is chosen by.
      return op.flag !== null || op.redirect > 0 || atServerLevelForLocation;
    case 'break':
      return false;
    case 'if':
      return op.body.some((o) => canEnd(o, atServerLevelForLocation));
    case 'set':
      return false;
  }
}

/** Rewrite-phase directives nginx runs before `d` that can answer the request or send it elsewhere. */
export function preemptors(ix: DropsIndex, d: Directive, scope: Scope): Directive[] {
  const out: Directive[] = [];
  const chain = chainOf(scope);
  const inLocation = chain.some((s) => s.kind === 'location');
  // Walk from the server down; the child of each level is the next chain entry (or d).
  for (let i = 0; i < chain.length; i++) {
    const s = chain[i];
    const child = i + 1 < chain.length ? chain[i + 1].directive : d;
    if (s.kind === 'location' && chain[i + 1]?.kind === 'location') continue; // an outer location's codes do not run for a nested one
    const idx = s.codes.findIndex((o) => o.d === child);
    const before = idx === -1 ? s.codes : s.codes.slice(0, idx);
    const serverForLoc = s.kind === 'server' && inLocation;
    for (const op of before) if (canEnd(op, serverForLoc)) out.push(op.d);
  }
  return out;
}

/** Directives after an unconditional answer in the same block: nginx never runs them for these requests. */
export function neverRun(d: Directive, scope: Scope): Directive[] {
  const i = scope.items.indexOf(d);
  if (i === -1) return [];
  return scope.items.slice(i + 1).filter((x) => x.name === 'if' || x.name === 'set' || x.name === 'return' || x.name === 'rewrite' || x.name === 'break');
}

function accessWords(ix: DropsIndex, scope: Scope): string | undefined {
  const rules = accessRulesOf(scope).all.filter((r) => r.name !== 'satisfy');
  if (!rules.length) return undefined;
  const shown = rules.slice(0, MAX_LIST).map((r) => `${code(header(r))} (${whereOf(ix.graph, r)})`);
  return `**Bypasses** the access phase: ${shown.join(', ')}${rules.length > MAX_LIST ? `, +${rules.length - MAX_LIST} more` : ''} never get a say — the rewrite phase answers first.`;
}

function logWords(ix: DropsIndex, scope: Scope): string {
  const logs = accessLogsOf(ix.model, scope);
  const on = logs.filter((l) => !l.off);
  // One `off` silences its level whatever else it lists (ngx_http_log_handler reads one flag).
  const off = logs.find((l) => l.off);
  if (off || !on.length) {
    return `**Never logged**: ${off?.d ? `\`access_log off\` (${whereOf(ix.graph, off.d)})` : 'access_log off'} is in effect here.`;
  }
  const shown = on.slice(0, MAX_LIST).map((l) => {
    const path = l.resolvedPath ?? l.path?.raw ?? '?';
    const cond = l.ifCond ? ` only when ${code(l.ifCond.raw)} is neither empty nor "0"` : '';
    return `${code(path)} (format \`${l.format}\`${l.d ? `, ${whereOf(ix.graph, l.d)}` : ', nginx default'})${cond}`;
  });
  return `**Logged** as 444 to ${shown.join(', ')}.`;
}

/** The status codes an error_page handles (without `=` / `=code`). */
export function errorCodes(d: Directive): string[] {
  return d.args.slice(0, -1).map((a) => a.value).filter((v) => /^\d+$/.test(v));
}

function whatWords(ix: DropsIndex, src: Source444): string {
  const drop = 'closes the connection without sending a byte (HTTP/2: resets only this stream; with `reset_timedout_connection on` the client gets a TCP RST); nginx logs status 444';
  switch (src.kind) {
    case 'return':
      return `**444**: \`return 444\` ${drop}.`;
    case 'try_files':
      return `**444**: when none of the files exists, \`try_files ... =444\` ${drop}.`;
    case 'limit_req_status':
    case 'limit_conn_status':
      return `**444**: requests rejected by \`${src.kind.replace('_status', '')}\` get their connection closed without a response (logged as 444).`;
    case 'error_page':
      return `**444**: responses ${errorCodes(src.d).join(', ')} are sent to \`${src.d.args[src.d.args.length - 1].value}\`, whose \`return 444\`${src.target ? ` (${whereOf(ix.graph, src.target)})` : ''} ${drop}.`;
    case 'error_page_status':
      return `**444**: responses ${errorCodes(src.d).join(', ')} are answered with \`${src.d.args[src.d.args.length - 1].value}\` and the status 444: nginx sends that page (it does not close the connection) and logs 444.`;
    case 'echo_status':
      return '**444**: the echo module sends its response with the status 444 (it does not close the connection); nginx logs 444.';
    case 'script':
      return `**444**: \`${src.d.name}\` runs code that may close the connection with 444 (\`ngx.exit(444)\`, \`ngx.HTTP_CLOSE\`, or code kept elsewhere); nginx-lens does not run it, so a 444 where it handles requests names it as one of the candidates.`;
  }
}

/** Markdown for a 444 source; undefined when `d` is not one. */
export function explain444(ix: DropsIndex, d: Directive, drops?: DropsSummary): string | undefined {
  const src = findSource(ix, d);
  if (!src) return undefined;
  const lines: string[] = [whatWords(ix, src), ''];
  const when: string[] = [];
  for (const s of chainOf(src.scope)) {
    if (s.kind === 'server' && s.server) when.push(`- server: ${serverWords(ix.model, s.server)}`);
    else if (s.kind === 'location' && s.location) {
      when.push(`- location: ${locationWords(ix.graph, s.location)}`);
      const le = s.location.limitExcept;
      if (le && src.kind === 'return' && chainOf(src.scope).includes(s))
        when.push(`- methods ${[...le.allowed].join(', ')} only: other methods run with the \`limit_except\` block's configuration (${whereOf(ix.graph, le.d)}), where the location's rewrite directives do not run`);
    }
    else if (s.kind === 'if') {
      const op = s.parent?.codes.find((o) => o.op === 'if' && o.d === s.directive);
      if (op && op.op === 'if') {
        when.push(`- if ${condWords(op.cond)}`);
        for (const o of variableOrigins(ix.graph, ix.model, condVariables(op.cond), s.parent)) when.push(`  - ${o}`);
      }
    }
  }
  if (src.appliesIn) {
    const limit = src.kind === 'limit_req_status' ? 'limit_req' : 'limit_conn';
    if (!src.appliesIn.length) when.push(`- no \`${limit}\` is in effect where this status applies: it never fires`);
    else {
      const shown = src.appliesIn.slice(0, MAX_LIST).map((s) => (s.location ? code(`location ${s.location.modifier} ${s.location.name}`.replace('  ', ' ')) : 'server level') + ` (${whereOf(ix.graph, s.directive ?? src.d)})`);
      when.push(`- requests over the \`${limit}\` limit in ${shown.join(', ')}${src.appliesIn.length > MAX_LIST ? `, +${src.appliesIn.length - MAX_LIST} more` : ''}; answers of the rewrite phase (\`return\`) come first`);
    }
  }
  if (when.length) lines.push('**Drops** requests that reach it:', ...when);
  if (src.kind === 'return' || src.kind === 'error_page') {
    const pre = preemptors(ix, src.d, src.scope);
    if (pre.length) {
      const shown = pre.slice(0, MAX_LIST).map((p) => `${code(header(p))} (${whereOf(ix.graph, p)})`);
      lines.push(`- **Pre-empted** for some requests by earlier rewrite-phase directives (server level runs before location level): ${shown.join(', ')}${pre.length > MAX_LIST ? `, +${pre.length - MAX_LIST} more` : ''}`);
    }
  }
  if (src.kind === 'return') {
    const after = neverRun(src.d, src.scope);
    if (after.length) {
      const shown = after.slice(0, MAX_LIST).map((p) => `${code(header(p), 40)} (${p.range.start.line + 1})`);
      lines.push(`- **Never run** after it in this block: ${shown.join(', ')}${after.length > MAX_LIST ? `, +${after.length - MAX_LIST} more` : ''}`);
    }
    const acc = accessWords(ix, src.scope);
    if (acc) lines.push('', acc);
  }
  lines.push('', logWords(ix, src.kind === 'error_page' && src.target ? (ix.scopeOf.get(src.target) ?? src.scope) : src.scope));
  if (drops) {
    const possible = drops.possible ? ` (+${drops.possible} where it is one of several candidates)` : '';
    const latest = drops.latest ? `; latest ${drops.latest.file}:${drops.latest.line}${drops.latest.text ? `: ${code(drops.latest.text, 120)}` : ''}` : '';
    lines.push(`**${drops.count} drop${drops.count === 1 ? '' : 's'}**${possible} in the loaded logs${latest}.`);
  }
  return lines.join('\n');
}
