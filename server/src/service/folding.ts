// Folding ranges: blocks, runs of comment lines, and directives spanning several lines (a multi-line
// log_format, a long map entry).

import { FoldingRangeKind, type FoldingRange } from 'vscode-languageserver-types';
import type { ParsedFile } from '../core/syntax';
import { walk } from '../core/tree';
import type { Cancellation } from './types';

const MAX_RANGES = 50_000;

export function foldingRanges(file: ParsedFile, token?: Cancellation): FoldingRange[] {
  const out: FoldingRange[] = [];
  walk(file.directives, (d) => {
    if (out.length >= MAX_RANGES || token?.isCancellationRequested) return 'skip';
    const start = d.range.start.line;
    if (d.block) {
      const close = d.block.close;
      // Fold up to the line before '}' so the closing brace stays visible.
      // Unclosed (file ended first): fold to the last line with content.
      const end = close ? close.start.line - 1 : d.range.end.character === 0 ? d.range.end.line - 1 : d.range.end.line;
      if (end > start) out.push({ startLine: start, endLine: end });
    } else if (d.range.end.line > start) {
      out.push({ startLine: start, endLine: d.range.end.line });
    }
  });
  // Runs of two or more whole-line comments.
  let runStart = -1;
  let prev = -2;
  const flush = () => {
    if (runStart >= 0 && prev > runStart) out.push({ startLine: runStart, endLine: prev, kind: FoldingRangeKind.Comment });
  };
  for (const c of file.comments) {
    const line = c.range.start.line;
    const lineStart = file.lineStarts[line];
    const wholeLine = file.text.slice(lineStart, c.range.start.offset).trim() === '';
    if (wholeLine && line === prev + 1) {
      prev = line;
      continue;
    }
    flush();
    runStart = wholeLine ? line : -1;
    prev = wholeLine ? line : -2;
  }
  flush();
  return out.length > MAX_RANGES ? out.slice(0, MAX_RANGES) : out;
}
