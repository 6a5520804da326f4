// Builds DocumentViews: for an open config file, the include tree of its main config (with open
// buffers overlaid on disk), the contexts nginx reads the file in, and the diagnostics of it all.
// Graphs are rebuilt lazily after any change; the shared parse cache makes that cheap (only changed
// files are re-parsed).

import { dirname, isAbsolute, resolve } from 'node:path';
import { contextsOf, loadConfigGraph, type ConfigGraph } from '../core/configGraph';
import { checkConfig } from '../core/check';
import { fragmentContext, guessConfPrefix } from '../core/fragmentContext';
import { UNKNOWN_CONTEXT } from '../core/reference';
import { syntaxErrorDiagnostics, validateFile } from '../core/validate';
import type { Diagnostic } from '../core/diagnostic';
import { OverlayFileSystem, type FileSystem } from '../core/fileSystem';
import type { ParsedFile } from '../core/syntax';
import { NodeFileSystem } from '../node/fileSystem';
import type { DocumentView } from '../service/document';
import { uriToPath } from '../service/convert';
import type { Workspace } from './workspace';
import type { FileProbe } from '../core/http/route';
import { nodeFileProbe } from '../node/fileProbe';
import { bytesToText } from '../core/regex';

export class Projects {
  readonly fs: OverlayFileSystem;
  private generation = 0;
  private graphs = new Map<string, { generation: number; graph: ConfigGraph }>();

  private readonly disk: NodeFileSystem | undefined;

  constructor(private readonly ws: Workspace, base?: FileSystem) {
    // Re-analysis runs on every keystroke: files on disk are re-checked at most once a second,
    // and at once when the editor's file watcher reports them (changedOnDisk).
    this.disk = base ? undefined : new NodeFileSystem({ revalidateAfterMs: 1000 });
    this.fs = new OverlayFileSystem(base ?? this.disk!);
  }

  /** The editor's file watcher saw `path` change: read it again on the next analysis. */
  changedOnDisk(path: string): void {
    this.disk?.forget(path);
    this.invalidate();
  }

  /** Something changed (an edit, a file on disk, a setting): graphs are rebuilt on next use. */
  invalidate(): void {
    this.generation++;
  }

  /** Mirrors an open document into the overlay so graphs read its unsaved text. */
  overlay(uri: string, text: string | undefined): void {
    if (!uri.startsWith('file:')) return;
    const path = uriToPath(uri);
    if (text === undefined) this.fs.remove(path);
    else this.fs.set(path, text);
    this.invalidate();
  }

  /**
   * The file system for nginx's file questions on a log of `main` (if (-f ...), try_files):
   * only where this server may read (the workspace, or anywhere when allowed), in a trusted
   * workspace; what it finds is remembered for the probe's life (one lens pass, one analyzer).
   */
  fileProbe(main: string): FileProbe | undefined {
    if (!this.ws.trusted) return undefined;
    const allow = this.allowRead(main);
    const probe = nodeFileProbe();
    // The router asks with byte strings (route.ts FileProbe); workspace paths are text.
    return (p) => (allow(bytesToText(p)) ? probe(p) : undefined);
  }

  private allowRead(main: string): (p: string) => boolean {
    if (this.ws.settings.allowIncludesOutsideWorkspace || this.ws.roots.length === 0) return () => true;
    const roots = [...this.ws.roots, dirname(main)].map((r) => (r.endsWith('/') ? r : r + '/'));
    return (p) => roots.some((r) => p.startsWith(r)) || this.fs.has(p);
  }

  /** `nginx-lens.prefix`: the workspace folder mirroring the server's /etc/nginx (else detected by the core). */
  private pathMappings(): { from: string; to: string }[] | undefined {
    const p = this.ws.settings.prefix;
    if (!p) return undefined;
    const to = isAbsolute(p) ? p : resolve(this.ws.roots[0] ?? '/', p);
    return [{ from: '/etc/nginx', to }];
  }

  graph(main: string, rootContext: string[] = [], prefix?: string): ConfigGraph {
    const key = `${main}\u0000${rootContext.join('/')}\u0000${prefix ?? ''}`;
    const hit = this.graphs.get(key);
    if (hit && hit.generation === this.generation) return hit.graph;
    const graph = loadConfigGraph(main, this.fs, {
      cache: this.ws.parseCache,
      allowRead: this.allowRead(main),
      rootContext,
      prefix,
      pathMappings: this.pathMappings(),
    });
    this.graphs.set(key, { generation: this.generation, graph });
    if (this.graphs.size > 32) this.graphs.delete(this.graphs.keys().next().value!);
    return graph;
  }

  private views = new Map<string, { generation: number; version: number; view: DocumentView; mainContexts?: string[][] }>();

  /** The view of an open config document. */
  view(uri: string): DocumentView | undefined {
    return this.resolve(uri)?.view;
  }

  private resolve(uri: string): { view: DocumentView; mainContexts?: string[][] } | undefined {
    const file = this.ws.parsed(uri);
    if (!file) return undefined;
    const version = this.ws.document(uri)?.version ?? -1;
    const hit = this.views.get(uri);
    if (hit && hit.generation === this.generation && hit.version === version && hit.view.file === file) return hit;
    const r = this.computeView(uri, file);
    this.views.set(uri, { generation: this.generation, version, ...r });
    return r;
  }

  private computeView(uri: string, file: ParsedFile): { view: DocumentView; mainContexts?: string[][] } {
    if (!this.ws.trusted || !uri.startsWith('file:')) {
      // Parse-only: the file's own content decides its context; nothing else is read.
      const fc = fragmentContext(file, EMPTY_FS);
      return { view: { file, contexts: fc.contexts ?? [] } };
    }
    const path = file.path;
    const main = this.ws.mainConfigFor(path);
    if (main) {
      const graph = this.graph(main);
      const contexts = contextsOf(graph, path);
      if (graph.files.has(path) && contexts.length) return { view: { file, contexts, graph } };
    }
    // Not reached from the main config: another nginx.conf nearby may include it; else its content decides.
    const stopAt = this.ws.roots.find((r) => path.startsWith(r.endsWith('/') ? r : r + '/'));
    const graphOptions = { cache: this.ws.parseCache, allowRead: this.allowRead(path) };
    const fc = fragmentContext(file, this.fs, { stopAt, graphOptions });
    if (fc.source === 'main') return { view: { file, contexts: [[]], graph: this.graph(path) } };
    if (fc.source === 'includer' && fc.includer && fc.contexts?.length) {
      return { view: { file, contexts: fc.contexts, graph: fc.includer } };
    }
    const rootContext = fc.contexts?.[0] ?? [UNKNOWN_CONTEXT];
    const graph = this.graph(path, rootContext, guessConfPrefix(path, this.fs, stopAt));
    return { view: { file, contexts: fc.contexts ?? [], graph } };
  }

  /** Graphs of every main config in play: those of the open config documents, and the workspace's nginx.conf. */
  allGraphs(): ConfigGraph[] {
    if (!this.ws.trusted) return [];
    const mains = new Set<string>();
    for (const d of this.ws.documents.all()) {
      if (!this.ws.isConfig(d.uri) || !d.uri.startsWith('file:')) continue;
      const m = this.ws.mainConfigFor(uriToPath(d.uri));
      if (m) mains.add(m);
    }
    for (const r of this.ws.roots) {
      const m = this.ws.mainConfigFor(r + '/nginx.conf');
      if (m) mains.add(m);
    }
    return [...mains].map((m) => this.graph(m));
  }

  private diagCache = new Map<string, { generation: number; version: number; result: { files: string[]; diagnostics: Diagnostic[] } }>();

  /** Diagnostics for the analysis unit of an open document: per file it covers. */
  diagnostics(uri: string): { files: string[]; diagnostics: Diagnostic[] } {
    const version = this.ws.document(uri)?.version ?? -1;
    const hit = this.diagCache.get(uri);
    if (hit && hit.generation === this.generation && hit.version === version) return hit.result;
    const result = this.computeDiagnostics(uri);
    this.diagCache.set(uri, { generation: this.generation, version, result });
    return result;
  }

  forget(uri: string): void {
    this.diagCache.delete(uri);
    this.views.delete(uri);
  }

  private computeDiagnostics(uri: string): { files: string[]; diagnostics: Diagnostic[] } {
    const r = this.resolve(uri);
    if (!r) return { files: [], diagnostics: [] };
    const { view } = r;
    const validate = { extraDirectives: this.ws.settings.extraDirectives };
    if (!view.graph) {
      const diagnostics = syntaxErrorDiagnostics(view.file);
      const contexts = view.contexts.length ? view.contexts : [[UNKNOWN_CONTEXT]];
      for (const ctx of contexts) diagnostics.push(...validateFile(view.file, ctx, validate));
      return { files: [view.file.path], diagnostics };
    }
    const files = [...view.graph.files.keys()];
    if (!files.includes(view.file.path)) files.push(view.file.path);
    return { files, diagnostics: checkConfig(view.graph, { validate }) };
  }
}

/** What an untrusted workspace may read from disk: nothing. */
const EMPTY_FS = new (class implements FileSystem {
  readFile(path: string) {
    return { error: `open() "${path}" failed (13: Permission denied)` };
  }
  readDir(path: string) {
    return { error: `opendir() "${path}" failed (13: Permission denied)` };
  }
  stat() {
    return undefined;
  }
})();
