// Quick fixes on access-log lines: a 444 line whose attribution is ambiguous because the log does
// not record what would decide it offers to log that, and to mark each drop it could be with a
// logged `set` (core/http/logFormatFix.ts). The edit is in the configuration, not in the log the
// user is looking at: the editor is asked to show it first.

import type { CodeAction } from 'vscode-languageserver-types';
import { loggingFix, markerFix } from '../core/http/logFormatFix';
import type { RuleRef } from '../core/http/model';
import { fixAction } from './codeActions';
import type { LogLineAnalyzer } from './logLines';

/** At most this many lines of a selection are analyzed for a code-action request. */
const MAX_LINES = 500;

/**
 * Quick fixes for the log lines `first`..`last` (0-based, inclusive) of the analyzer's log.
 * `confirm`: the client can show an edit before applying it (LSP change annotations).
 */
export function logLineActions(
  line: (n: number) => string,
  first: number,
  last: number,
  analyzer: LogLineAnalyzer,
  confirm: boolean,
): CodeAction[] {
  const lacking: string[] = [];
  const rules: RuleRef[] = [];
  for (let n = first; n <= Math.min(last, first + MAX_LINES - 1); n++) {
    const a = analyzer.analyze(line(n))?.attribution;
    if (a?.verdict !== 'ambiguous') continue;
    lacking.push(...a.missing);
    rules.push(...a.rules);
  }
  const { model, logFile } = analyzer;
  const format = analyzer.format.format;
  const out: CodeAction[] = [];
  const fix = loggingFix(model, logFile, format, lacking)?.fix;
  if (fix) out.push(fixAction(fix, { isPreferred: true, confirm }));
  // The marker also decides what no variable records; preferred only when there is nothing to log.
  const mark = markerFix(model, logFile, format.name, rules);
  if (mark) out.push(fixAction(mark, { isPreferred: !fix, confirm }));
  return out;
}

