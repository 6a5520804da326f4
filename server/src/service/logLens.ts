// Code lenses and hover for access logs (one lens per 444 line naming the rule that dropped it),
// and the reverse lens on each 444 source of a config (how many drops it caused).

import { MarkupKind, type CodeLens, type Hover, type Location } from 'vscode-languageserver-types';
import type { RuleRef } from '../core/http/model';
import { toLocation, toLspRange } from './convert';
import type { LineResult, LogLineAnalyzer, LogLines } from './logLines';
import type { Cancellation } from './types';
import { codeSpan, escapeMarkdown, linkTarget } from './markdown';
import { loggingFix } from '../core/http/logFormatFix';

/** The client commands lenses run (see lsp/protocol.ts ClientCommands; repeated so service stays LSP-layer-free). */
export const SHOW_LOG_LINE_RULES = 'nginx-lens.showLogLineRules';
export const SHOW_DROPS_FOR_RULE = 'nginx-lens.showDropsForRule';

export interface LensContext {
  uri: string;
  /** How a config path is shown: `sites-enabled/shop.conf`. */
  displayPath: (file: string) => string;
  /** Shortens absolute config paths inside router messages (strips the conf prefix). */
  shorten?: (text: string) => string;
  /** Stands for the document in unresolved lenses' data (the uri would be repeated in each). */
  docKey?: number;
}

const same = (s: string) => s;

export function ruleTitle(r: RuleRef): string {
  const d = r.directive;
  const text = [d.name, ...d.args.map((a) => a.raw)].join(' ');
  return text.length > 60 ? text.slice(0, 57) + '...' : text;
}

function ruleLocation(r: RuleRef): Location {
  return toLocation(r.file, r.range);
}

export function lensTitle(res: LineResult, ctx: LensContext): string {
  const a = res.attribution;
  if (a.verdict === 'exact') {
    const r = a.rules[0];
    return `dropped by ${ruleTitle(r)} — ${ctx.displayPath(r.file)}:${r.range.start.line + 1}`;
  }
  if (a.verdict === 'ambiguous') {
    const lacking = a.missing.length ? ` — the log lacks ${a.missing.join(', ')}` : '';
    return a.rules.length ? `one of ${a.rules.length} rules${lacking}` : `ambiguous${lacking}`;
  }
  return 'no rule matches';
}

/** A lens for one traced line, with its command (title, rule locations). */
export function resolvedLogLens(lineNo: number, line: string, analyzer: LogLineAnalyzer, ctx: LensContext): CodeLens | undefined {
  const res = analyzer.analyze(line);
  if (!res) return undefined;
  const position = { line: lineNo, character: 0 };
  return {
    range: { start: position, end: { line: lineNo, character: Math.min(line.length, 1) } },
    command: {
      title: lensTitle(res, ctx),
      command: SHOW_LOG_LINE_RULES,
      arguments: [
        { uri: ctx.uri, position, locations: res.attribution.rules.map(ruleLocation), message: (ctx.shorten ?? same)(res.attribution.why) },
      ],
    },
  };
}

/**
 * Data carried by an unresolved log lens (resolved through codeLens/resolve when it scrolls into
 * view): the document's key (LensContext.docKey) and the line. Short on purpose: a big log sends
 * thousands of them on every codeLens request.
 */
export type LogLensData = [doc: number, line: number];

/**
 * Lenses for a whole log: resolved when there are few, otherwise ranges only (the editor resolves
 * the ones it shows through codeLens/resolve, with resolvedLogLens, to the same titles), so a
 * 100k-line log answers after one cheap pass that attributes nothing.
 */
export function logDocumentLenses(
  doc: LogLines,
  analyzer: LogLineAnalyzer,
  ctx: LensContext,
  options: { resolveUpTo?: number; token?: Cancellation; traced?: readonly number[] } = {},
): CodeLens[] {
  const lines = options.traced ?? analyzer.tracedLines(doc, () => options.token?.isCancellationRequested === true);
  if (lines.length <= (options.resolveUpTo ?? 2000)) {
    const out: CodeLens[] = [];
    for (const n of lines) {
      const l = resolvedLogLens(n, analyzer.textAt(doc, n), analyzer, ctx);
      if (l) out.push(l);
    }
    return out;
  }
  return lines.map((n) => ({
    range: { start: { line: n, character: 0 }, end: { line: n, character: 1 } },
    data: [ctx.docKey ?? 0, n] satisfies LogLensData,
  }));
}

/** Hover on a log line: the verdict and the decision path behind it. Config and log text in it is escaped or in code spans: it holds regexes, host names and paths. */
export function logLineHover(line: string, lineNo: number, analyzer: LogLineAnalyzer, ctx: LensContext): Hover | null {
  const res = analyzer.analyze(line);
  if (!res) return null;
  const a = res.attribution;
  const sh = ctx.shorten ?? same;
  const text = (s: string) => escapeMarkdown(sh(s));
  const md: string[] = [`**${res.status}** — ${a.verdict}: ${escapeMarkdown(lensTitle(res, ctx))}`, ''];
  const link = (r: RuleRef) =>
    `[${escapeMarkdown(`${ctx.displayPath(r.file)}:${r.range.start.line + 1}`)}](${linkTarget(toLocation(r.file, r.range).uri)}#L${r.range.start.line + 1})`;
  if (a.verdict === 'exact') {
    md.push(`${codeSpan(ruleTitle(a.rules[0]))} at ${link(a.rules[0])}`, '', '**Decision path**', '');
    for (const step of a.outcomes[0]?.path ?? a.why.split('; ')) md.push(`1. ${text(step)}`);
  } else if (a.verdict === 'ambiguous') {
    if (a.missing.length) md.push(`The log does not record ${a.missing.map((m) => codeSpan(`$${m.replace(/^\$/, '')}`)).join(', ')}, which would decide it.`, '');
    a.outcomes.slice(0, 5).forEach((o, i) => {
      md.push(`${i + 1}. ${o.rule ? `${codeSpan(ruleTitle(o.rule))} at ${link(o.rule)}` : `status ${o.status}`}: ${text(o.path.join(' → '))}${o.assumptions.length ? ` _(assuming ${text(o.assumptions.join('; '))})_` : ''}`);
    });
    if (a.outcomes.length > 5) md.push(`… and ${a.outcomes.length - 5} more`);
    const vars = loggingFix(analyzer.model, analyzer.logFile, analyzer.format.format, a.missing)?.vars;
    if (vars)
      md.push('', `_To make such drops exact from now on, log ${vars.map((v) => codeSpan(`$${v}`)).join(' and ')}: the quick fix on this line adds ${vars.length > 1 ? 'them' : 'it'} to the log format._`);
  } else {
    md.push(text(a.why));
  }
  md.push('', `_read with ${escapeMarkdown(analyzer.format.how)}_`);
  return {
    contents: { kind: MarkupKind.Markdown, value: md.join('\n') },
    range: { start: { line: lineNo, character: 0 }, end: { line: lineNo, character: line.length } },
  };
}

/** Per 444 source: the log lines it dropped (exact) and those it may have dropped (ambiguous). */
export interface DropCounts {
  exact: Location[];
  possible: Location[];
  /** Counts can exceed the kept locations (bounded). */
  exactCount: number;
  possibleCount: number;
}

/** Reverse lenses on the 444 sources of one config file. `logName` is how the logs are named (`access.log`). */
export function ruleLenses(
  file: string,
  uri: string,
  sources: readonly RuleRef[],
  counts: ReadonlyMap<string, DropCounts>,
  logName: string,
  key: (r: RuleRef) => string,
): CodeLens[] {
  const out: CodeLens[] = [];
  for (const r of sources) {
    if (r.file !== file) continue;
    const c = counts.get(key(r));
    const exact = c?.exactCount ?? 0;
    const possible = c?.possibleCount ?? 0;
    const title =
      `${exact} drop${exact === 1 ? '' : 's'} in ${logName}` + (possible ? ` (+${possible} possible)` : '');
    const position = toLspRange(r.range).start;
    out.push({
      range: toLspRange(r.directive.nameRange),
      command: {
        title,
        command: SHOW_DROPS_FOR_RULE,
        arguments: [
          {
            uri,
            position,
            locations: [...(c?.exact ?? []), ...(c?.possible ?? [])],
            message: exact + possible ? undefined : `no line of ${logName} was dropped by this rule`,
          },
        ],
      },
    });
  }
  return out;
}
