// Small shapes shared by the feature functions.

/** What the feature functions need from an LSP CancellationToken (kept structural so tests can pass a plain object). */
export interface Cancellation {
  readonly isCancellationRequested: boolean;
}
