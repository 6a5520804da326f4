// `nginx-lens check` in one function: the syntax errors of every file of a configuration, its
// include problems, and each file validated in every context it is included in. Also the
// decision of *how* to check a file given alone: as a main config, under the config that
// includes it, or as a fragment in the context its content (or the caller) names.

import type { Diagnostic } from './diagnostic';
import type { FileSystem } from './fileSystem';
import type { ParsedFile } from './syntax';
import { contextsOf, loadConfigGraph, ParseCache, type ConfigGraph, type ConfigGraphOptions } from './configGraph';
import { fragmentContext, guessConfPrefix, type ContextSource } from './fragmentContext';
import { syntaxErrorDiagnostics, validateFile, type ValidateOptions } from './validate';
import { UNKNOWN_CONTEXT } from './reference';
import { checkDrops } from './drops/checks';

export interface CheckOptions {
  validate?: ValidateOptions;
  /** Extra contexts to validate the main file in (a fragment included from several places). */
  mainContexts?: string[][];
}

const validated = new WeakMap<ParsedFile, Map<string, Diagnostic[]>>();

/** validateFile memoized per parse and context: an unchanged file is not re-validated. */
function validateCached(file: ParsedFile, ctx: readonly string[], opts: ValidateOptions | undefined): Diagnostic[] {
  let byKey = validated.get(file);
  if (!byKey) validated.set(file, (byKey = new Map()));
  const key = `${ctx.join('\u0000')}\u0001${(opts?.extraDirectives ?? []).join(',')}`;
  let out = byKey.get(key);
  if (!out) byKey.set(key, (out = validateFile(file, ctx, opts)));
  return out;
}

const ZERO_RANGE = { start: { line: 0, character: 0, offset: 0 }, end: { line: 0, character: 0, offset: 0 } };

/**
 * Runs one analysis so that a bug in it costs its own diagnostics, not the whole check (the CLI
 * and the editor still show everything else). The failure is reported, never swallowed.
 */
function guarded(graph: ConfigGraph, what: string, run: () => Diagnostic[], file = graph.mainFile): Diagnostic[] {
  try {
    return run();
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    return [{ severity: 'warning', code: 'analysis-failed', message: `nginx-lens internal error in ${what}: ${msg}. Other diagnostics are unaffected; please report this with the configuration.`, file, range: ZERO_RANGE }];
  }
}

function diagKey(d: Diagnostic): string {
  return `${d.file}\u0000${d.range.start.offset}\u0000${d.range.end.offset}\u0000${d.code}\u0000${d.message}`;
}

/** Every diagnostic of a loaded configuration, deduplicated, in file order then position. */
export function checkConfig(graph: ConfigGraph, options: CheckOptions = {}): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  const push = (d: Diagnostic) => {
    const k = diagKey(d);
    if (seen.has(k)) return;
    seen.add(k);
    out.push(d);
  };
  for (const d of graph.diagnostics) push(d);
  for (const [path, file] of graph.files) {
    for (const d of syntaxErrorDiagnostics(file)) push(d);
    const contexts = [...contextsOf(graph, path)];
    if (path === graph.mainFile && options.mainContexts) contexts.push(...options.mainContexts);
    for (const ctx of contexts) for (const d of guarded(graph, 'validation', () => validateCached(file, ctx, options.validate), path)) push(d);
  }
  for (const d of guarded(graph, 'the 444 checks', () => checkDrops(graph))) push(d);
  const order = new Map([...graph.files.keys()].map((p, i) => [p, i]));
  return out.sort(
    (a, b) =>
      (order.get(a.file) ?? -1) - (order.get(b.file) ?? -1) ||
      a.range.start.offset - b.range.start.offset ||
      a.range.end.offset - b.range.end.offset,
  );
}

/** Context names the CLI and settings accept, as context paths. */
export const NAMED_CONTEXTS: Record<string, string[]> = {
  main: [],
  events: ['events'],
  http: ['http'],
  server: ['http', 'server'],
  location: ['http', 'server', 'location'],
  upstream: ['http', 'upstream'],
  map: ['http', 'map'],
  geo: ['http', 'geo'],
  stream: ['stream'],
  'stream-server': ['stream', 'server'],
  'stream-upstream': ['stream', 'upstream'],
  mail: ['mail'],
  'mail-server': ['mail', 'server'],
};

export interface CheckFileOptions {
  /** The context to check the file in, overriding detection (CLI --context). */
  context?: string[];
  graph?: Omit<ConfigGraphOptions, 'rootContext' | 'prefix'>;
  check?: CheckOptions;
  /** Stop the search for an includer at this directory (the workspace folder). */
  stopAt?: string;
  knownMains?: readonly string[];
}

export interface CheckFileResult {
  graph: ConfigGraph;
  diagnostics: Diagnostic[];
  /** How the file's context was decided. */
  source: ContextSource;
  /** The contexts the file itself was checked in; undefined = unknown (no context checks). */
  contexts: string[][] | undefined;
  /**
   * The whole configuration that includes the fragment, when found: where its variables, log
   * formats, upstreams and zones are defined (checks of such names must look there, not only in
   * `graph`, which is rooted at the fragment).
   */
  includer?: ConfigGraph;
}

/**
 * Checks one file the way a user means it: a main config with its whole include tree; a
 * fragment under the config that includes it (in each of its contexts, with that config's conf
 * prefix and mappings); else a fragment in the context its content implies, or in an unknown
 * context where nothing about context is reported.
 */
export function checkFile(path: string, fs: FileSystem, options: CheckFileOptions = {}): CheckFileResult {
  const cache = options.graph?.cache ?? new ParseCache();
  const graphOptions: ConfigGraphOptions = { ...options.graph, cache };
  if (options.context) {
    const graph = loadConfigGraph(path, fs, { ...graphOptions, rootContext: options.context, prefix: options.context.length ? guessConfPrefix(path, fs, options.stopAt) : undefined });
    return { graph, diagnostics: checkConfig(graph, options.check), source: 'explicit', contexts: [options.context] };
  }
  const r = fs.readFile(path);
  if ('error' in r) {
    const graph = loadConfigGraph(path, fs, graphOptions);
    return { graph, diagnostics: checkConfig(graph, options.check), source: 'unknown', contexts: undefined };
  }
  const parsed = cache.get(path, r.text);
  const fc = fragmentContext(parsed, fs, { knownMains: options.knownMains, stopAt: options.stopAt, graphOptions });
  if (fc.source === 'main') {
    const graph = loadConfigGraph(path, fs, graphOptions);
    return { graph, diagnostics: checkConfig(graph, options.check), source: 'main', contexts: [[]] };
  }
  if (fc.source === 'includer' && fc.includer && fc.contexts?.length) {
    const [first, ...rest] = fc.contexts;
    const graph = loadConfigGraph(path, fs, { ...graphOptions, rootContext: first, prefix: fc.includer.prefix, pathMappings: fc.includer.pathMappings });
    return { graph, diagnostics: checkConfig(graph, { ...options.check, mainContexts: rest }), source: 'includer', contexts: fc.contexts, includer: fc.includer };
  }
  const rootContext = fc.contexts?.[0] ?? [UNKNOWN_CONTEXT];
  const graph = loadConfigGraph(path, fs, { ...graphOptions, rootContext, prefix: guessConfPrefix(path, fs, options.stopAt) });
  return { graph, diagnostics: checkConfig(graph, options.check), source: fc.source, contexts: fc.contexts };
}
