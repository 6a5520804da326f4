// The one diagnostic shape every analysis produces (syntax, validation, includes, 444 checks).
// Plain data: the LSP layer and the CLI translate it.

import type { Range } from './syntax';

export type Severity = 'error' | 'warning' | 'information' | 'hint';

/** A text edit offered as a quick fix; never applied without the user's consent. */
export interface TextEdit {
  file: string;
  range: Range;
  newText: string;
}

export interface Fix {
  title: string;
  edits: TextEdit[];
}

export interface Diagnostic {
  severity: Severity;
  /** Stable, kebab-case; documented in README. */
  code: string;
  message: string;
  file: string;
  range: Range;
  related?: { file: string; range: Range; message: string }[];
  fixes?: Fix[];
  /** Marks code that can never run (rendered faded). */
  unnecessary?: boolean;
}
