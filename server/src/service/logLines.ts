// One log's lines → attributions, for the editor: the log_format chosen for the file, the
// attributor of its configuration, and a cache keyed by the line's content, so a 100k-line log
// costs one pass over its 444 lines once and a map look-up per line after that.

import { Attributor, type Attribution } from '../core/http/attribute';
import type { HttpModel } from '../core/http/model';
import { factsFromLog, pinnedVariables } from '../core/http/request';
import { combinedFormat, compileLogFormat, type LogFormat } from '../core/logs/format';
import { toByteString } from '../core/logs/escape';
import { formatForLog, type FormatChoice } from '../core/trace';

export interface LineResult {
  status: number;
  attribution: Attribution;
}

/** Lines longer than this are not access-log lines nginx wrote for a request we can route. */
const MAX_LINE = 64 * 1024;
const MAX_CACHE = 200_000;

export class LogLineAnalyzer {
  readonly format: FormatChoice;
  private readonly attributor: Attributor;
  private readonly statusOcc: number;
  private readonly cache = new Map<string, LineResult | null>();
  private readonly statusTexts: string[];

  constructor(
    readonly model: HttpModel,
    /** Absolute path of the log file (decides which access_log directives write it). */
    readonly logFile: string,
    sample: readonly string[],
    readonly statuses: ReadonlySet<number> = new Set([444]),
    /** A log_format name the user chose (setting nginx-lens.logFiles): used when the config defines it. */
    forcedFormat?: string,
  ) {
    this.format = (forcedFormat && named(model, forcedFormat)) || formatForLog(model, logFile, sample.map(toByteString));
    this.attributor = new Attributor(model, { logFile });
    this.statusOcc = this.format.format.indexOf('status');
    this.statusTexts = [...statuses].map(String);
  }

  get formatName(): string {
    return this.format.format.name;
  }

  /** Quick test before parsing: the status is written as its digits. */
  mayMatch(line: string): boolean {
    if (line.length > MAX_LINE) return false;
    for (const t of this.statusTexts) if (line.includes(t)) return true;
    return false;
  }

  /** The traced status of a line (cheap: the format's fast match only), else undefined. */
  statusOf(text: string): number | undefined {
    if (!this.mayMatch(text) || this.statusOcc < 0) return undefined;
    const f = this.format.format;
    const line = toByteString(text);
    const spans = f.match(line);
    if (!spans) return undefined;
    const status = Number(f.value(line, spans, this.statusOcc));
    return this.statuses.has(status) ? status : undefined;
  }

  /**
   * Line numbers (0-based) of the traced-status lines of a whole text, found by searching for the
   * status digits rather than splitting every line (lines end at \n; a lone \r is not a break here): a 100k-line log with 10% 444s costs ~10k
   * short parses.
   */
  tracedLines(text: string, isCancelled?: () => boolean): number[] {
    const found = new Set<number>();
    for (const t of this.statusTexts) {
      let from = 0;
      let n = 0;
      // Line numbers by counting line breaks forward from the previous hit (hits come in order).
      let countedTo = 0;
      let line = 0;
      for (;;) {
        const i = text.indexOf(t, from);
        if (i === -1) break;
        const start = text.lastIndexOf('\n', i) + 1;
        let end = text.indexOf('\n', i);
        if (end === -1) end = text.length;
        for (let nl = text.indexOf('\n', countedTo); nl !== -1 && nl < start; nl = text.indexOf('\n', nl + 1)) line++;
        countedTo = start;
        const lineEnd = end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
        if (lineEnd - start <= MAX_LINE && this.statusOf(text.slice(start, lineEnd)) !== undefined) found.add(line);
        from = end + 1;
        if ((++n & 1023) === 0 && isCancelled?.()) break;
      }
    }
    return [...found].sort((a, b) => a - b);
  }

  /** The attribution of a traced-status line; undefined for other lines and lines the format cannot read. */
  analyze(line: string): LineResult | undefined {
    if (!this.mayMatch(line)) return undefined;
    const hit = this.cache.get(line);
    if (hit !== undefined) return hit ?? undefined;
    const r = this.compute(line);
    if (this.cache.size >= MAX_CACHE) this.cache.clear();
    this.cache.set(line, r ?? null);
    return r;
  }

  private compute(text: string): LineResult | undefined {
    if (this.statusOcc < 0) return undefined;
    const f: LogFormat = this.format.format;
    const line = toByteString(text);
    const spans = f.match(line);
    if (!spans) return undefined;
    const status = Number(f.value(line, spans, this.statusOcc));
    if (!this.statuses.has(status)) return undefined;
    const values: Record<string, string | undefined> = {};
    for (const name of f.variables) values[name] = f.value(line, spans, f.indexOf(name));
    const facts = factsFromLog(pinnedVariables(f, line, f.variables), values, f.escape !== 'default');
    return { status, attribution: this.attributor.attribute(facts, status) };
  }
}

function named(model: HttpModel, name: string): FormatChoice | undefined {
  if (name === 'combined') return { format: combinedFormat(), how: 'log_format combined (setting nginx-lens.logFiles)' };
  const def = model.logFormats.get(name);
  if (!def) return undefined;
  try {
    return { format: compileLogFormat(name, def.format, def.escape), how: `log_format ${name} (setting nginx-lens.logFiles)` };
  } catch {
    return undefined;
  }
}
