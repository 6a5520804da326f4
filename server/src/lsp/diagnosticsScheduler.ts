// Debounced diagnostics: edits arrive per keystroke; analysis runs once typing pauses (~150 ms), and
// each run publishes for every file it covered, clearing files whose problems went away.

import type { Diagnostic as LspDiagnostic } from 'vscode-languageserver-types';
import type { Logger } from './guard';
import { describeError } from './guard';

export type Publish = (uri: string, diagnostics: LspDiagnostic[]) => void;
/** Computes the diagnostics for the analysis unit containing `uri`; keys are every URI it covered. */
export type Compute = (uri: string) => Promise<Map<string, LspDiagnostic[]>> | Map<string, LspDiagnostic[]>;

export class DiagnosticsScheduler {
  private timers = new Map<string, NodeJS.Timeout>();
  /** URIs that currently show diagnostics we published, per source URI that produced them. */
  private publishedBy = new Map<string, Set<string>>();
  private running = new Map<string, Promise<void>>();

  constructor(
    private readonly compute: Compute,
    private readonly publish: Publish,
    private readonly log: Logger,
    readonly delayMs = 150,
  ) {}

  schedule(uri: string, delay = this.delayMs): void {
    const t = this.timers.get(uri);
    if (t) clearTimeout(t);
    this.timers.set(
      uri,
      setTimeout(() => {
        this.timers.delete(uri);
        void this.run(uri);
      }, delay),
    );
  }

  /** Runs now (chained after a run in progress for the same URI, so results arrive in order). */
  run(uri: string): Promise<void> {
    const prev = this.running.get(uri) ?? Promise.resolve();
    const next = prev.then(() => this.runOnce(uri));
    this.running.set(uri, next);
    void next.finally(() => {
      if (this.running.get(uri) === next) this.running.delete(uri);
    });
    return next;
  }

  private async runOnce(uri: string): Promise<void> {
    let result: Map<string, LspDiagnostic[]>;
    const started = performance.now();
    try {
      result = await this.compute(uri);
      const took = performance.now() - started;
      if (took > 500) this.log.warn(`[diagnostics] ${uri} took ${took.toFixed(0)} ms`);
    } catch (err) {
      this.log.error(`[diagnostics] ${uri}: ${describeError(err)}`);
      return;
    }
    const before = this.publishedBy.get(uri) ?? new Set<string>();
    const now = new Set<string>();
    for (const [target, list] of result) {
      this.publish(target, list);
      if (list.length) now.add(target);
    }
    for (const stale of before) if (!result.has(stale)) this.publish(stale, []);
    this.publishedBy.set(uri, now);
  }

  /** Clears what this URI's analysis published (document closed). */
  clear(uri: string): void {
    const t = this.timers.get(uri);
    if (t) clearTimeout(t);
    this.timers.delete(uri);
    for (const target of this.publishedBy.get(uri) ?? []) this.publish(target, []);
    this.publishedBy.delete(uri);
    this.publish(uri, []);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
