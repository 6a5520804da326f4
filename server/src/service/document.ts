// What a feature function gets to know about one document: its tree, where nginx reads it, and the
// whole configuration around it when one is loaded. Built by the LSP layer, plain data here.

import type { ConfigGraph } from '../core/configGraph';
import { UNKNOWN_CONTEXT } from '../core/reference';
import type { Directive, ParsedFile } from '../core/syntax';

export interface DocumentView {
  file: ParsedFile;
  /**
   * The contexts (block names, outermost first) nginx reads this file in: [[]] for a main config,
   * [['http']] for a conf.d/*.conf file, several when included in several places; empty when
   * nothing is known (a fragment nothing includes).
   */
  contexts: string[][];
  /** The configuration the file belongs to (its main config's include tree), when loaded. */
  graph?: ConfigGraph;
}

/** The context path for a directive's enclosing blocks, prefixed with the file's own context. */
export function contextPathAt(view: DocumentView, ancestors: readonly Directive[]): string[] {
  const inner = ancestors.map((a) => a.name);
  const outer = view.contexts.length ? view.contexts[0] : [UNKNOWN_CONTEXT];
  return [...outer, ...inner];
}

/** Every parsed file the view can see: the whole graph, else just the document. */
export function visibleFiles(view: DocumentView): ParsedFile[] {
  if (!view.graph) return [view.file];
  const files = [...view.graph.files.values()];
  // The open document may be newer than the graph's copy (graph rebuilt lazily).
  const i = files.findIndex((f) => f.path === view.file.path);
  if (i >= 0) files[i] = view.file;
  else files.push(view.file);
  return files;
}
