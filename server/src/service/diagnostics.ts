// Diagnostics: core Diagnostic[] (from the whole-config check, or from one file alone in an
// untrusted workspace) grouped into one LSP list per file.

import type { Diagnostic as LspDiagnostic } from 'vscode-languageserver-types';
import type { Diagnostic } from '../core/diagnostic';
import { pathToUri, toLspDiagnostic } from './convert';

/** Per file, at most this many are published: a binary or generated file can yield thousands, and
 * past a few hundred they help nobody while costing the editor. */
export const MAX_PER_FILE = 500;

/**
 * Groups diagnostics by file URI. Every path in `files` gets an entry (possibly empty) so that
 * fixed problems are cleared in the editor.
 */
export function diagnosticsByUri(diags: readonly Diagnostic[], files: Iterable<string>): Map<string, LspDiagnostic[]> {
  const out = new Map<string, LspDiagnostic[]>();
  for (const f of files) out.set(pathToUri(f), []);
  for (const d of diags) {
    const uri = pathToUri(d.file);
    let list = out.get(uri);
    if (!list) out.set(uri, (list = []));
    if (list.length < MAX_PER_FILE) list.push(toLspDiagnostic(d));
  }
  return out;
}
