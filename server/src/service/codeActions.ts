// Quick fixes: the fixes core diagnostics carry (Diagnostic.fixes), offered on the diagnostic's
// range. The edits are shown to the user and applied only if they choose them.

import { CodeActionKind, type CodeAction, type Range as LspRange, type TextEdit as LspTextEdit } from 'vscode-languageserver-types';
import type { Diagnostic } from '../core/diagnostic';
import { pathToUri, toLspDiagnostic, toLspRange } from './convert';

function overlaps(a: LspRange, b: LspRange): boolean {
  const before = (p: { line: number; character: number }, q: { line: number; character: number }) =>
    p.line < q.line || (p.line === q.line && p.character < q.character);
  return !before(a.end, b.start) && !before(b.end, a.start);
}

/** Code actions for the diagnostics of `file` whose range touches `range`. */
export function codeActions(diagnostics: readonly Diagnostic[], file: string, range: LspRange, only?: string[]): CodeAction[] {
  if (only && !only.some((k) => k === CodeActionKind.QuickFix || CodeActionKind.QuickFix.startsWith(k))) return [];
  const out: CodeAction[] = [];
  for (const d of diagnostics) {
    if (d.file !== file || !d.fixes?.length) continue;
    if (!overlaps(toLspRange(d.range), range)) continue;
    const lsp = toLspDiagnostic(d);
    d.fixes.forEach((fix, i) => {
      const changes: Record<string, LspTextEdit[]> = {};
      for (const e of fix.edits) (changes[pathToUri(e.file)] ??= []).push({ range: toLspRange(e.range), newText: e.newText });
      out.push({
        title: fix.title,
        kind: CodeActionKind.QuickFix,
        diagnostics: [lsp],
        isPreferred: d.fixes!.length === 1 && i === 0,
        edit: { changes },
      });
    });
  }
  return out;
}
