// Access logs in the editor: which configuration and log_format read each log, the lenses and
// hover of an open log (computed for the requested document only, cached per line content), and
// the drop counts behind the reverse lens on each 444 source, read from the workspace's logs on
// disk by streaming, recomputed in the background when logs or configs change.

import { readdirSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import type { CodeAction, CodeLens, Location, Range } from 'vscode-languageserver-types';
import type { ConfigGraph } from '../core/configGraph';
import { buildModelFromGraph, type HttpModel, type RuleRef } from '../core/http/model';
import type { FileProbe } from '../core/http/route';
import { dropsIndex } from '../core/drops/index';
import { inferPrefix } from '../core/http/logPath';
import { traceLog, ruleKey } from '../core/trace';
import { detectLogFormat } from '../core/logs/detect';
import { toByteString } from '../core/logs/escape';
import { pathToUri, uriToPath } from '../service/convert';
import { displayPathIn } from '../service/hover';
import { LogLineAnalyzer, LogText, type LogLines } from '../service/logLines';
import { logDocumentLenses, resolvedLogLens, type DropCounts, type LensContext, type LogLensData } from '../service/logLens';
import type { Cancellation } from '../service/types';
import { logLineActions } from '../service/logActions';
import type { Logger } from './guard';
import { describeError } from './guard';
import type { Projects } from './project';
import type { Workspace } from './workspace';

/** A rule's drops keep at most this many line locations (the count goes on). */
const MAX_LOCATIONS_PER_RULE = 1000;
const LOG_FILE = /(^|[._-])access([._-].*)?\.log(\.\d+)?(\.gz)?$|^access\.log/;

/** `*`, `**` and `?` globs relative to a workspace folder (the `nginx-lens.logFiles` keys). */
function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        re += '.*';
        i++;
        if (glob[i + 1] === '/') i++;
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** One counting of a config's drops over its logs (for the rule lenses), per model. */
interface DropsPass {
  model: HttpModel;
  counts: Map<string, DropCounts>;
  logs: string[];
  done: boolean;
  abort: AbortController;
  /** The file system for nginx's file questions, where the server may read it. */
  files?: FileProbe;
  /** The model the logs are traced with (modelForLogs): `model` under the prefix their paths give. */
  traceModel: HttpModel;
  /** Size and mtime of each log when counting began: counts are redone when one changes. */
  stamps: string[];
}

/**
 * What a log file looked like on disk. The editor's watcher may report a change late, or never
 * (a file created and deleted between two of its polls): counts are checked against this as well.
 */
function diskStamp(file: string): string {
  try {
    const s = statSync(file);
    return `${s.size}:${s.mtimeMs}`;
  } catch {
    return 'gone';
  }
}

/** Whether every log a count read is still as it was when the count began. */
function unchangedOnDisk(pass: DropsPass): boolean {
  return pass.stamps.every((st, i) => diskStamp(pass.logs[i]) === st);
}

export class LogService {
  private models = new WeakMap<ConfigGraph, HttpModel>();
  /**
   * Per open log: its analyzer, and its traced lines per document version. The lines are kept,
   * not the lenses: thousands of lens objects kept alive were promoted by the GC during the very
   * request that built them; rebuilt per request they die young.
   */
  private analyzers = new Map<string, { model: HttpModel; analyzer: LogLineAnalyzer; traced?: { version: number; analyzer: LogLineAnalyzer; lines: number[] } }>();
  /** Line index per open log version: the editor library's own index costs more than the scan itself. */
  private texts = new Map<string, { version: number; doc: LogText }>();
  /** Short keys standing for open logs in lens data; never reused, so a stale lens resolves to nothing. */
  private docKeys = new Map<string, number>();
  private docUris = new Map<number, string>();
  private nextDocKey = 1;
  private drops = new Map<string, DropsPass>();

  constructor(
    private readonly ws: Workspace,
    private readonly projects: Projects,
    private readonly log: Logger,
    /** Called when drop counts changed (the server asks the client to refresh code lenses). */
    private readonly onCountsChanged: () => void,
  ) {}

  /** The HTTP model of a graph: the one the 444 engine (and the whole-config check) already built for it, if any. */
  model(graph: ConfigGraph): HttpModel {
    let m = this.models.get(graph);
    if (!m) this.models.set(graph, (m = graph.rootContext.length === 0 ? dropsIndex(graph).model : buildModelFromGraph(graph)));
    return m;
  }

  /** Models under a prefix the logs' paths gave, per graph model (so an edit drops them). */
  private prefixed = new WeakMap<HttpModel, Map<string, HttpModel>>();

  /**
   * The model to read these logs with: nginx's prefix is the one their paths give (a log at
   * /srv/t/logs/access.log that `access_log logs/access.log;` names), as the CLI infers it, so
   * relative roots name files the router can look at; else the graph's model.
   */
  private modelForLogs(graph: ConfigGraph, logs: readonly string[]): HttpModel {
    const model = this.model(graph);
    const prefix = graph.rootContext.length ? undefined : inferPrefix(graph, logs);
    if (!prefix) return model;
    let byPrefix = this.prefixed.get(model);
    if (!byPrefix) this.prefixed.set(model, (byPrefix = new Map()));
    let m = byPrefix.get(prefix);
    if (!m) byPrefix.set(prefix, (m = buildModelFromGraph(graph, { prefix })));
    return m;
  }

  /** The `nginx-lens.logFiles` entry for a log path, if any. */
  private setting(logPath: string): { config?: string; format?: string } | undefined {
    for (const [glob, value] of Object.entries(this.ws.settings.logFiles ?? {})) {
      const re = globToRegExp(glob);
      for (const root of this.ws.roots.length ? this.ws.roots : ['/']) {
        const rel = relative(root, logPath);
        if (re.test(rel) || re.test(logPath) || re.test(basename(logPath))) return value;
      }
    }
    return undefined;
  }

  /** The main config whose access_log/log_format apply to a log file. */
  configFor(logPath: string): string | undefined {
    if (!this.ws.trusted) return undefined;
    const s = this.setting(logPath);
    if (s?.config) {
      const p = isAbsolute(s.config) ? s.config : resolve(this.ws.roots[0] ?? '/', s.config);
      if (this.projects.fs.stat(p)?.kind === 'file') return p;
    }
    return this.ws.mainConfigFor(logPath);
  }

  /** An open log document's current text with its line starts. */
  logText(uri: string): LogLines | undefined {
    const d = this.ws.document(uri);
    if (!d) return undefined;
    if ('lines' in d) return d.lines;
    const hit = this.texts.get(uri);
    if (hit && hit.version === d.version) return hit.doc;
    const doc = new LogText(d.getText());
    this.texts.set(uri, { version: d.version, doc });
    return doc;
  }

  /** What to analyze for one line of an open log: the line, or the record it belongs to (a format may span lines). */
  lineOf(uri: string, line: number, analyzer: LogLineAnalyzer): string {
    const doc = this.logText(uri);
    return doc ? analyzer.textAt(doc, line) : '';
  }

  /** The analyzer for an open log document; undefined when no configuration applies. */
  analyzer(uri: string): { analyzer: LogLineAnalyzer; graph: ConfigGraph } | undefined {
    const doc = this.ws.document(uri);
    if (!doc || !uri.startsWith('file:')) return undefined;
    const path = uriToPath(uri);
    const main = this.configFor(path);
    if (!main) return undefined;
    const graph = this.projects.graph(main);
    const model = this.model(graph);
    const hit = this.analyzers.get(uri);
    if (hit && hit.model === model) return { analyzer: hit.analyzer, graph };
    const sample = this.logText(uri)!.head(200);
    const analyzer = new LogLineAnalyzer(this.modelForLogs(graph, [path]), path, sample, undefined, this.setting(path)?.format, this.projects.fileProbe(main));
    this.analyzers.set(uri, { model, analyzer });
    return { analyzer, graph };
  }

  /** A log document's lenses; its traced lines are found once per document version and analyzer. */
  lenses(uri: string, token?: Cancellation): CodeLens[] {
    const la = this.analyzer(uri);
    if (!la) return [];
    const version = this.ws.document(uri)?.version;
    const doc = this.logText(uri);
    const entry = this.analyzers.get(uri);
    if (!doc || version === undefined || !entry) return [];
    let traced = entry.traced && entry.traced.version === version && entry.traced.analyzer === la.analyzer ? entry.traced.lines : undefined;
    if (!traced) {
      traced = la.analyzer.tracedLines(doc, () => token?.isCancellationRequested === true);
      // A cancelled pass may be partial: never serve it again.
      if (!token?.isCancellationRequested) entry.traced = { version, analyzer: la.analyzer, lines: traced };
    }
    return logDocumentLenses(doc, la.analyzer, this.lensContext(uri, la.graph), { token, traced });
  }

  /** codeLens/resolve of a log lens: the title and rules of its line, as the eager path gives them. */
  resolveLens(lens: CodeLens): CodeLens {
    const data = lens.data as LogLensData | undefined;
    if (!Array.isArray(data) || typeof data[0] !== 'number' || typeof data[1] !== 'number') return lens;
    const [key, line] = data;
    const uri = this.docUris.get(key);
    if (!uri || !this.ws.isLog(uri)) return lens;
    const la = this.analyzer(uri);
    if (!la) return lens;
    return resolvedLogLens(line, this.lineOf(uri, line, la.analyzer), la.analyzer, this.lensContext(uri, la.graph)) ?? lens;
  }

  /** Quick fixes on the lines of a range: log what the ambiguous 444s among them lacked. */
  codeActions(uri: string, range: Range, confirm: boolean): CodeAction[] {
    const la = this.analyzer(uri);
    const doc = this.logText(uri);
    if (!la || !doc) return [];
    return logLineActions((n) => la.analyzer.textAt(doc, n), range.start.line, range.end.line, la.analyzer, confirm);
  }

  /**
   * Work a log's first lens request needs, done as soon as the log opens (after pending messages):
   * when the editor asks a moment later, the answer is ready.
   */
  prepare(uri: string): void {
    setImmediate(() => {
      try {
        if (this.ws.isLog(uri)) this.lenses(uri);
      } catch (err) {
        this.log.error(`[logs] ${uri}: ${describeError(err)}`);
      }
    });
  }

  lensContext(uri: string, graph: ConfigGraph): LensContext {
    const prefix = graph.prefix;
    let docKey = this.docKeys.get(uri);
    if (docKey === undefined) {
      this.docKeys.set(uri, (docKey = this.nextDocKey++));
      this.docUris.set(docKey, uri);
    }
    return { uri, docKey, displayPath: (file) => displayPathIn(graph, file), shorten: (text) => text.split(prefix).join('') };
  }

  /** For the status bar: which format the log is read with, and why. */
  formatInfo(uri: string): { format: string; source: string } {
    const a = this.analyzer(uri);
    if (a) return { format: a.analyzer.formatName, source: a.analyzer.format.how };
    const d = detectLogFormat((this.logText(uri)?.head(200) ?? []).map(toByteString));
    return d
      ? { format: `${d.name} (detected)`, source: `detected from content (${d.matched}/${d.total} lines): no nginx config in the workspace names this file` }
      : { format: 'unknown', source: 'no nginx config in the workspace, and the lines match no known format' };
  }

  forgetDocument(uri: string): void {
    this.analyzers.delete(uri);
    this.texts.delete(uri);
    const key = this.docKeys.get(uri);
    if (key !== undefined) this.docUris.delete(key);
    this.docKeys.delete(uri);
  }

  // ---- reverse lens: drops per 444 source, from the workspace's logs on disk ----

  private logFiles = new Map<string, string[]>();

  /** Log files in the workspace (bounded scan, re-done only after file or setting changes) that belong to this main config. */
  private logFilesFor(main: string): string[] {
    let files = this.logFiles.get(main);
    if (!files) this.logFiles.set(main, (files = this.scanLogFiles(main)));
    return files;
  }

  private scanLogFiles(main: string): string[] {
    const out: string[] = [];
    for (const root of this.ws.roots) {
      let level = [root];
      let visited = 0;
      for (let depth = 0; depth < 6 && level.length && visited < 3000; depth++) {
        const next: string[] = [];
        for (const dir of level) {
          if (++visited > 3000) break;
          let entries: import('node:fs').Dirent[];
          try {
            entries = readdirSync(dir, { withFileTypes: true });
          } catch {
            continue;
          }
          for (const e of entries) {
            const p = join(dir, e.name);
            if (e.isDirectory()) {
              if (e.name !== 'node_modules' && !e.name.startsWith('.')) next.push(p);
            } else if (LOG_FILE.test(e.name) && this.configFor(p) === main) out.push(p);
          }
        }
        level = next;
      }
    }
    return out.sort();
  }

  /**
   * Drop counts for the 444 sources of a main config; undefined while they are being computed (a
   * refresh is requested when ready).
   */
  counts(main: string): { counts: Map<string, DropCounts>; logs: string[]; model: HttpModel } | undefined {
    const graph = this.projects.graph(main);
    const model = this.model(graph);
    const have = this.drops.get(main);
    if (have && have.model === model && unchangedOnDisk(have)) return have.done ? have : undefined;
    have?.abort.abort();
    if (have && have.model === model) this.logFiles.delete(main);
    const logs = this.logFilesFor(main);
    const entry: DropsPass = { model, traceModel: this.modelForLogs(graph, logs), counts: new Map<string, DropCounts>(), logs, stamps: logs.map(diskStamp), done: false, abort: new AbortController(), files: this.projects.fileProbe(main) };
    this.drops.set(main, entry);
    void this.count(entry).then(
      () => {
        if (this.drops.get(main) !== entry) return;
        entry.done = true;
        this.onCountsChanged();
      },
      (err) => this.log.error(`[drops] ${main}: ${describeError(err)}`),
    );
    return undefined;
  }

  private async count(entry: DropsPass): Promise<void> {
    for (const file of entry.logs) {
      if (entry.abort.signal.aborted) return;
      const uri = pathToUri(file);
      try {
        await traceLog(
          entry.traceModel,
          file,
          (e) => {
            const a = e.attribution;
            if (a.verdict === 'unmatched') return;
            // The peek list shows each line from its location's start: on the request it shows what
            // was asked, not only the client address and date that every line begins with.
            const n = e.log.line - 1;
            const at = e.log.request;
            const loc: Location = {
              uri,
              range: at
                ? { start: { line: n, character: at.start }, end: { line: n, character: at.end } }
                : { start: { line: n, character: 0 }, end: { line: n + 1, character: 0 } },
            };
            for (const r of a.rules) {
              const k = ruleKey(r);
              let c = entry.counts.get(k);
              if (!c) entry.counts.set(k, (c = { exact: [], possible: [], exactCount: 0, possibleCount: 0 }));
              if (a.verdict === 'exact') {
                c.exactCount++;
                if (c.exact.length < MAX_LOCATIONS_PER_RULE) c.exact.push(loc);
              } else {
                c.possibleCount++;
                if (c.possible.length < MAX_LOCATIONS_PER_RULE) c.possible.push(loc);
              }
            }
          },
          { signal: entry.abort.signal, files: entry.files },
        );
      } catch (err) {
        this.log.warn(`[drops] cannot read ${file}: ${describeError(err)}`);
      }
    }
  }

  /** Counts already computed for the main config's current model (never starts a count). */
  countsIfReady(main: string): { counts: Map<string, DropCounts>; logs: string[] } | undefined {
    const have = this.drops.get(main);
    if (!have?.done || !have.logs.length) return undefined;
    if (!unchangedOnDisk(have)) return undefined;
    return have.model === this.model(this.projects.graph(main)) ? have : undefined;
  }

  /** Logs or configs changed on disk: recount on next request. */
  invalidateCounts(): void {
    for (const e of this.drops.values()) e.abort.abort();
    this.drops.clear();
    this.logFiles.clear();
  }

  /** Name used in the reverse lens: `access.log`, or `3 logs`. */
  static logName(logs: readonly string[]): string {
    if (logs.length === 1) return basename(logs[0]);
    const names = new Set(logs.map((l) => basename(l).replace(/(\.\d+)?(\.gz)?$/, '')));
    return names.size === 1 ? [...names][0] : `${logs.length} logs`;
  }

  static key(r: RuleRef): string {
    return ruleKey(r);
  }

  static exists(p: string): boolean {
    try {
      return statSync(p).isFile();
    } catch {
      return false;
    }
  }
}
