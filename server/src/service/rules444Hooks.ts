// The seam between the editor features and the 444 engine (rules444 / explain444 / trace), which
// other modules provide. The features depend only on these small interfaces; the LSP layer plugs in
// whatever implementation is available. Until then, the defaults below say what nginx documents.

import type { Directive } from '../core/syntax';
import type { DocumentView } from './document';

/** Explains a 444 source in the config (hover). */
export interface Explain444 {
  /** Markdown about which requests this directive drops and why; undefined when it is not a 444 source. */
  explain(d: Directive, view: DocumentView): string | undefined;
}

/** Whether a directive makes nginx answer 444 (close the connection without a response). */
export function is444Source(d: Directive): boolean {
  switch (d.name) {
    case 'return':
      return d.args[0]?.value === '444';
    case 'limit_req_status':
    case 'limit_conn_status':
      return d.args[0]?.value === '444';
    default:
      return false;
  }
}

/** What nginx itself documents about 444; used when no deeper explanation is available. */
export const default444: Explain444 = {
  explain(d) {
    if (!is444Source(d)) return undefined;
    if (d.name === 'return') {
      return '**444**: nginx closes the connection without sending a response (non-standard code; logged as 444 in the access log).';
    }
    return `**444**: requests rejected by \`${d.name.replace('_status', '')}\` get their connection closed without a response (logged as 444).`;
  },
};
