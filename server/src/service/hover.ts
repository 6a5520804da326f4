// Hover: directive documentation from NGINX's reference (syntax, default, contexts, module,
// description, link), variables (built-in from the reference, user-defined from their definition),
// and for 444 sources what the 444 engine says about them.

import { MarkupKind, type Hover } from 'vscode-languageserver-types';
import { posix } from 'node:path';
import type { ConfigGraph } from '../core/configGraph';
import { lookupDirective, lookupVariable, type DirectiveInfo, type Family } from '../core/reference';
import { RAW_CONTENT_BLOCKS, thirdPartyModuleOf } from '../core/structure';
import type { Directive, ParsedFile, Range } from '../core/syntax';
import { nodeAt } from '../core/tree';
import { positionAt } from '../core/positions';
import { toLspRange } from './convert';
import { contextPathAt, visibleFiles, type DocumentView } from './document';
import { default444, type Explain444 } from './rules444Hooks';
import { variableAt, variableDefinitions } from './variables';

export interface HoverHooks {
  explain444?: Explain444;
}

/** Descriptions can run for pages; a hover shows the start and links to the rest. */
const MAX_DESCRIPTION = 1800;

export function hover(view: DocumentView, offset: number, hooks: HoverHooks = {}): Hover | null {
  const node = nodeAt(view.file, offset);
  if (!node) return null;
  const d = node.directive;
  const insideEntries = node.ancestors.some((a) => RAW_CONTENT_BLOCKS.has(a.name));

  if (node.part !== 'name' && node.arg) {
    const v = variableAt(node.arg, offset);
    if (v) {
      const md = variableHover(view, v.name, familyOf(view, node.ancestors));
      if (md) return { contents: { kind: MarkupKind.Markdown, value: md }, range: toLspRange(rangeIn(view.file, v.start, v.end)) };
    }
    if (d.name === 'include' && node.part === 0 && view.graph) {
      const md = includeHover(view, d);
      if (md) return { contents: { kind: MarkupKind.Markdown, value: md }, range: toLspRange(node.arg.range) };
    }
  }
  if (insideEntries) return null;
  if (node.part === 'name' || (node.part !== 'body' && d.name === 'return')) {
    const md = directiveHover(view, d, contextPathAt(view, node.ancestors), hooks);
    return { contents: { kind: MarkupKind.Markdown, value: md }, range: toLspRange(d.nameRange) };
  }
  return null;
}

function rangeIn(file: ParsedFile, start: number, end: number): Range {
  return { start: positionAt(file.lineStarts, start), end: positionAt(file.lineStarts, end) };
}

function familyOf(view: DocumentView, ancestors: readonly Directive[]): Family | undefined {
  const top = contextPathAt(view, ancestors).find((n) => n === 'http' || n === 'stream' || n === 'mail');
  return top as Family | undefined;
}

function trimDescription(text: string): string {
  if (text.length <= MAX_DESCRIPTION) return text;
  const cut = text.lastIndexOf('\n\n', MAX_DESCRIPTION);
  return text.slice(0, cut > 200 ? cut : MAX_DESCRIPTION).trimEnd() + '\n\n…';
}

function entryMarkdown(e: DirectiveInfo): string {
  const syntax = e.syntax.map((s) => `**${e.name}** ${s}${e.isBlock ? ' { ... }' : ';'}`).join('  \n');
  const lines = [
    syntax,
    '',
    `Default: ${e.default ? '`' + e.default.replace(/`/g, '') + ';`' : '—'}  `,
    `Context: ${e.contexts.map((c) => (c === '' ? 'any' : `\`${c}\``)).join(', ')}  `,
    `Module: [${e.module}](${e.url.replace(/#.*$/, '')})`,
    '',
    trimDescription(e.description),
    '',
    `[Documentation on nginx.org](${e.url})`,
  ];
  return lines.join('\n');
}

export function directiveHover(view: DocumentView, d: Directive, contextPath: string[], hooks: HoverHooks = {}): string {
  const look = lookupDirective(d.name, contextPath);
  const parts: string[] = [];
  if (!look.known) {
    const third = thirdPartyModuleOf(d.name);
    parts.push(
      third
        ? `**${d.name}**: from the third-party module ${third}, not documented in NGINX's reference.`
        : `**${d.name}**: not a directive in NGINX's reference (a third-party module, or a typo?).`,
    );
  } else {
    // Several modules may define the name (server in http/upstream/stream); show the ones that apply.
    parts.push(look.entries.slice(0, 3).map(entryMarkdown).join('\n\n---\n\n'));
  }
  const explain = (hooks.explain444 ?? default444).explain(d, view) ?? (hooks.explain444 ? default444.explain(d, view) : undefined);
  if (explain) parts.unshift(explain, '---');
  return parts.join('\n\n');
}

export function variableHover(view: DocumentView, name: string, family?: Family): string | undefined {
  if (/^[0-9]$/.test(name)) {
    return `**$${name}**: capture group ${name} of the regular expression matched last (location, if, rewrite, server_name or map).`;
  }
  const defs = variableDefinitions(visibleFiles(view)).get(name);
  const out: string[] = [];
  if (defs?.length) {
    out.push(`**$${name}**: user variable`);
    for (const def of defs.slice(0, 5)) {
      out.push(`- \`${headerOf(def.directive)}\` — ${displayPath(view, def.directive.file)}:${def.directive.nameRange.start.line + 1}`);
    }
    if (defs.length > 5) out.push(`- … and ${defs.length - 5} more`);
  }
  const builtin = lookupVariable(name, family);
  if (builtin.length) {
    const v = builtin[0];
    if (out.length) out.push('', '---', '');
    out.push(`**$${name}**${v.prefix ? ` (\`${v.name}\`)` : ''} — ${v.module}`, '', trimDescription(v.description), '', `[Documentation on nginx.org](${v.url})`);
  }
  return out.length ? out.join('\n') : undefined;
}

/** `map $http_user_agent $bad_bot`, `set $x 1`: the directive without its block, shortened. */
export function headerOf(d: Directive): string {
  const text = [d.name, ...d.args.map((a) => a.raw)].join(' ');
  return text.length > 120 ? text.slice(0, 117) + '...' : text;
}

export function displayPath(view: DocumentView, file: string): string {
  return displayPathIn(view.graph, file);
}

/** A config path as users know it: relative to the conf prefix (`sites-enabled/shop.conf`), else its base name. */
export function displayPathIn(graph: ConfigGraph | undefined, file: string): string {
  const prefix = graph?.prefix;
  if (prefix && file.startsWith(prefix)) return file.slice(prefix.length);
  return posix.basename(file);
}

function includeHover(view: DocumentView, d: Directive): string | undefined {
  const targets = view.graph?.includes.get(d);
  if (!targets) return undefined;
  if (!targets.length) return `\`${d.args[0].value}\` matches no files (nginx accepts an empty glob).`;
  const lines = targets.slice(0, 20).map((t) => `- ${displayPath(view, t.path)}${t.status === 'ok' ? '' : ` (${t.status})`}`);
  if (targets.length > 20) lines.push(`- … and ${targets.length - 20} more`);
  return `Includes ${targets.length} file${targets.length === 1 ? '' : 's'}, in nginx's order:\n${lines.join('\n')}`;
}
