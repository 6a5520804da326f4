// Builds DocumentViews: for an open config file, the include tree of its main config (with open
// buffers overlaid on disk), the contexts nginx reads the file in, and the diagnostics of it all.
// Graphs are rebuilt lazily after any change; the shared parse cache makes that cheap (only changed
// files are re-parsed).

import { dirname } from 'node:path';
import { contextsOf, loadConfigGraph, type ConfigGraph } from '../core/configGraph';
import type { Diagnostic } from '../core/diagnostic';
import { OverlayFileSystem, type FileSystem } from '../core/fileSystem';
import type { ParsedFile } from '../core/syntax';
import { NodeFileSystem } from '../node/fileSystem';
import type { DocumentView } from '../service/document';
import { syntaxDiagnostics } from '../service/diagnostics';
import { uriToPath } from '../service/convert';
import type { Workspace } from './workspace';

const MAIN_LEVEL = new Set(['http', 'events', 'stream', 'mail', 'worker_processes', 'user', 'pid', 'load_module']);

export class Projects {
  readonly fs: OverlayFileSystem;
  private generation = 0;
  private graphs = new Map<string, { generation: number; graph: ConfigGraph }>();

  constructor(private readonly ws: Workspace, base?: FileSystem) {
    this.fs = new OverlayFileSystem(base ?? new NodeFileSystem());
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

  private allowRead(main: string): (p: string) => boolean {
    if (this.ws.settings.allowIncludesOutsideWorkspace || this.ws.roots.length === 0) return () => true;
    const roots = [...this.ws.roots, dirname(main)].map((r) => (r.endsWith('/') ? r : r + '/'));
    return (p) => roots.some((r) => p.startsWith(r)) || this.fs.has(p);
  }

  graph(main: string, rootContext: string[] = []): ConfigGraph {
    const key = `${main}\u0000${rootContext.join('/')}`;
    const hit = this.graphs.get(key);
    if (hit && hit.generation === this.generation) return hit.graph;
    const graph = loadConfigGraph(main, this.fs, {
      cache: this.ws.parseCache,
      allowRead: this.allowRead(main),
      rootContext,
      prefix: this.ws.settings.prefix || undefined,
    });
    this.graphs.set(key, { generation: this.generation, graph });
    if (this.graphs.size > 32) this.graphs.delete(this.graphs.keys().next().value!);
    return graph;
  }

  /** The view of an open config document. */
  view(uri: string): DocumentView | undefined {
    const file = this.ws.parsed(uri);
    if (!file) return undefined;
    if (!this.ws.trusted || !uri.startsWith('file:')) return { file, contexts: ownContexts(file) };
    const path = file.path;
    const main = this.ws.mainConfigFor(path);
    if (main) {
      const graph = this.graph(main);
      if (graph.files.has(path)) {
        const contexts = contextsOf(graph, path);
        if (contexts.length) return { file, contexts, graph };
      }
    }
    // Nothing includes it: analysed on its own, in the context its content suggests.
    const contexts = ownContexts(file);
    const graph = this.graph(path, contexts[0] ?? []);
    return { file, contexts, graph };
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
  }

  private computeDiagnostics(uri: string): { files: string[]; diagnostics: Diagnostic[] } {
    const view = this.view(uri);
    if (!view) return { files: [], diagnostics: [] };
    if (!view.graph) return { files: [view.file.path], diagnostics: syntaxDiagnostics(view.file) };
    const diagnostics: Diagnostic[] = [];
    const files: string[] = [];
    for (const f of graphFiles(view)) {
      files.push(f.path);
      diagnostics.push(...syntaxDiagnostics(f));
    }
    diagnostics.push(...view.graph.diagnostics);
    return { files, diagnostics };
  }
}

function graphFiles(view: DocumentView): ParsedFile[] {
  const files = [...view.graph!.files.values()];
  if (!files.some((f) => f.path === view.file.path)) files.push(view.file);
  return files;
}

/** [[]] for a file that reads like a main config; [] (unknown) otherwise, so nothing is called out of place. */
function ownContexts(file: ParsedFile): string[][] {
  return file.directives.some((d) => MAIN_LEVEL.has(d.name)) ? [[]] : [];
}
