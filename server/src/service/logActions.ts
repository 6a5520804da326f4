// Quick fixes on access-log lines: a 444 line whose attribution is ambiguous because the log does
// not record what would decide it offers to log that (core/http/logFormatFix.ts). The edit is in
// the configuration, not in the log the user is looking at: the editor is asked to show it first.

import type { CodeAction } from 'vscode-languageserver-types';
import { loggingFix } from '../core/http/logFormatFix';
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
  for (let n = first; n <= Math.min(last, first + MAX_LINES - 1); n++) {
    const a = analyzer.analyze(line(n))?.attribution;
    if (a?.verdict === 'ambiguous') lacking.push(...a.missing);
  }
  const fix = loggingFix(analyzer.model, analyzer.logFile, analyzer.format.format, lacking)?.fix;
  return fix ? [fixAction(fix, { isPreferred: true, confirm })] : [];
}

