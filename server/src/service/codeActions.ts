// Quick fixes: the fixes core diagnostics carry (Diagnostic.fixes), offered on the diagnostic's
// range. The edits are shown to the user and applied only if they choose them.

import {
  CodeActionKind,
  type AnnotatedTextEdit,
  type CodeAction,
  type Diagnostic as LspDiagnostic,
  type Range as LspRange,
  type TextDocumentEdit,
  type TextEdit as LspTextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver-types';
import type { Diagnostic, Fix } from '../core/diagnostic';
import { pathToUri, toLspDiagnostic, toLspRange } from './convert';

function overlaps(a: LspRange, b: LspRange): boolean {
  const before = (p: { line: number; character: number }, q: { line: number; character: number }) =>
    p.line < q.line || (p.line === q.line && p.character < q.character);
  return !before(a.end, b.start) && !before(b.end, a.start);
}

/** Whether a code-action request filtered by kinds (`context.only`) wants quick fixes. */
export function wantsQuickFixes(only?: string[]): boolean {
  return !only || only.some((k) => k === CodeActionKind.QuickFix || CodeActionKind.QuickFix.startsWith(k));
}

/** Code actions for the diagnostics of `file` whose range touches `range`. */
export function codeActions(diagnostics: readonly Diagnostic[], file: string, range: LspRange, only?: string[]): CodeAction[] {
  if (!wantsQuickFixes(only)) return [];
  const out: CodeAction[] = [];
  for (const d of diagnostics) {
    if (d.file !== file || !d.fixes?.length) continue;
    if (!overlaps(toLspRange(d.range), range)) continue;
    const lsp = toLspDiagnostic(d);
    d.fixes.forEach((fix, i) => out.push(fixAction(fix, { diagnostics: [lsp], isPreferred: d.fixes!.length === 1 && i === 0 })));
  }
  return out;
}

/** Asks the editor to show the edit before applying it (LSP change annotations). */
const CONFIRM = 'nginx-lens.confirm';

/**
 * A core fix as a quick fix. `confirm` (for edits of other files than the one the user is in, when
 * the client supports change annotations): the editor shows the edit and applies it only once the
 * user accepts it there.
 */
export function fixAction(fix: Fix, options: { diagnostics?: LspDiagnostic[]; isPreferred?: boolean; confirm?: boolean } = {}): CodeAction {
  const changes: Record<string, LspTextEdit[]> = {};
  for (const e of fix.edits) (changes[pathToUri(e.file)] ??= []).push({ range: toLspRange(e.range), newText: e.newText });
  let edit: WorkspaceEdit = { changes };
  if (options.confirm) {
    const documentChanges: TextDocumentEdit[] = Object.entries(changes).map(([uri, edits]) => ({
      textDocument: { uri, version: null },
      edits: edits.map((e): AnnotatedTextEdit => ({ ...e, annotationId: CONFIRM })),
    }));
    edit = { documentChanges, changeAnnotations: { [CONFIRM]: { label: fix.title, needsConfirmation: true } } };
  }
  return {
    title: fix.title,
    kind: CodeActionKind.QuickFix,
    ...(options.diagnostics ? { diagnostics: options.diagnostics } : {}),
    isPreferred: options.isPreferred ?? false,
    edit,
  };
}
