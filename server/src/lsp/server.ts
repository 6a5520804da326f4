// The language server: LSP wiring only. Each handler looks up the document, asks the workspace for
// core data and hands it to a feature function in ../service; guard() keeps failures local.

import {
  createConnection,
  ProposedFeatures,
  TextDocumentSyncKind,
  CodeActionKind,
  CodeLensRefreshRequest,
  FileChangeType,
  type CompletionItem,
  type CompletionList,
  type Connection,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { offsetAt } from '../core/positions';
import { lookupDirective } from '../core/reference';
import { documentSymbols } from '../service/symbols';
import { foldingRanges } from '../service/folding';
import { diagnosticsByUri } from '../service/diagnostics';
import { hover } from '../service/hover';
import { completion, resolveCompletion } from '../service/completion';
import { definition } from '../service/definition';
import { documentLinks } from '../service/links';
import { codeActions, wantsQuickFixes } from '../service/codeActions';
import { workspaceSymbols } from '../service/workspaceSymbols';
import { engineExplain444, engineList444 } from './drops';
import { logLineHover, ruleLenses } from '../service/logLens';
import { LogService } from './logs';
import { uriToPath } from '../service/convert';
import type { DocumentView } from '../service/document';
import { guard, guardVoid, describeError, type Logger } from './guard';
import { DiagnosticsScheduler } from './diagnosticsScheduler';
import { Projects } from './project';
import { Workspace } from './workspace';
import {
  All444RulesRequest,
  DiskLogNotification,
  LogFormatNotification,
  type DiskLogParams,
  type All444RulesResult,
  type InitializationOptions,
  type LogFormatParams,
  type Settings,
} from './protocol';

/** How long a log read from disk waits after the editor reloaded it before it is read again. */
const DISK_LOG_REREAD_MS = 300;

export function startServer(connection: Connection = createConnection(ProposedFeatures.all)): Connection {
  const ws = new Workspace();
  const projects = new Projects(ws);
  // Logging must never throw (it runs inside the process-level error handlers): a closed
  // connection falls back to stderr.
  const safe = (send: (m: string) => void) => (m: string) => {
    try {
      send(m);
    } catch {
      try {
        process.stderr.write(`nginx-lens: ${m}\n`);
      } catch {
        /* nowhere left to report */
      }
    }
  };
  const log: Logger = {
    error: safe((m) => connection.console.error(m)),
    warn: safe((m) => connection.console.warn(m)),
    info: safe((m) => connection.console.info(m)),
  };
  // A stray rejection or exception in a background job must not end the process.
  process.on('unhandledRejection', (err) => log.error(`unhandled rejection: ${describeError(err)}`));
  process.on('uncaughtException', (err) => log.error(`uncaught exception: ${describeError(err)}`));

  let lensRefreshSupported = false;
  /** The client shows an edit before applying it when asked (change annotations with needsConfirmation). */
  let editConfirmSupported = false;
  let refreshTimer: NodeJS.Timeout | undefined;
  /** Drop counts changed: ask the client to re-request code lenses (coalesced). */
  const refreshLenses = () => {
    if (!lensRefreshSupported) return;
    // Trailing debounce: while the user types in a config, one refresh after the pause.
    if (refreshTimer) clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => {
      refreshTimer = undefined;
      connection.sendRequest(CodeLensRefreshRequest.type).catch((err) => log.warn(`codeLens refresh: ${describeError(err)}`));
    }, 250);
  };
  const logs = new LogService(ws, projects, log, refreshLenses);
  const explain = engineExplain444(logs);
  const announced = new Map<string, string>();
  /** Tells the client (status bar) which log_format reads an open log, when it changes. */
  const announceFormat = (uri: string) => {
    const info = logs.formatInfo(uri);
    const key = `${info.format}\u0000${info.source}`;
    if (announced.get(uri) === key) return;
    announced.set(uri, key);
    const params: LogFormatParams = { uri, ...info };
    void connection.sendNotification(LogFormatNotification, params).catch((err) => log.warn(`logFormat: ${describeError(err)}`));
  };

  const scheduler = new DiagnosticsScheduler(
    (uri) => {
      if (ws.isLog(uri)) {
        announceFormat(uri);
        return new Map();
      }
      if (!ws.isConfig(uri)) return new Map([[uri, []]]);
      const { files, diagnostics } = projects.diagnostics(uri);
      return diagnosticsByUri(diagnostics, files);
    },
    (uri, diagnostics) => void connection.sendDiagnostics({ uri, diagnostics }).catch((err) => log.warn(`publishDiagnostics: ${describeError(err)}`)),
    log,
  );

  /** The view and cursor offset for a position request on a config document. */
  const at = (uri: string, position: { line: number; character: number }): { view: DocumentView; offset: number } | undefined => {
    if (!ws.isConfig(uri)) return undefined;
    const view = projects.view(uri);
    if (!view) return undefined;
    const offset = offsetAt(view.file.lineStarts, view.file.text.length, position.line, position.character);
    return { view, offset };
  };

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    const opts = (params.initializationOptions ?? {}) as Partial<InitializationOptions>;
    ws.trusted = opts.trusted !== false;
    ws.setSettings(opts.settings);
    lensRefreshSupported = params.capabilities.workspace?.codeLens?.refreshSupport === true;
    const editCaps = params.capabilities.workspace?.workspaceEdit;
    editConfirmSupported = editCaps?.documentChanges === true && editCaps.changeAnnotationSupport !== undefined;
    ws.roots = (params.workspaceFolders ?? []).map((f) => uriToPath(f.uri));
    if (!ws.roots.length && params.rootUri) ws.roots = [uriToPath(params.rootUri)];
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        completionProvider: { triggerCharacters: ['$', '@', ' ', '/'], resolveProvider: true },
        definitionProvider: true,
        documentSymbolProvider: true,
        foldingRangeProvider: true,
        documentLinkProvider: { resolveProvider: false },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        workspaceSymbolProvider: true,
        codeLensProvider: { resolveProvider: true },
      },
      serverInfo: { name: 'nginx-lens' },
    };
  });

  // Index the reference while the user is still opening files, so the first hover is not the slow one.
  connection.onInitialized(() => {
    setTimeout(() => {
      try {
        lookupDirective('http', []);
      } catch (err) {
        log.error(`reference index: ${describeError(err)}`);
      }
    }, 0);
  });

  connection.onDidChangeConfiguration(
    guardVoid(log, 'configuration', (p) => {
      const s = (p.settings as { 'nginx-lens'?: Partial<Settings> } | undefined)?.['nginx-lens'];
      if (s) ws.setSettings({ ...ws.settings, ...s });
      projects.invalidate();
      logs.invalidateCounts();
      refreshLenses();
      for (const d of ws.documents.all()) scheduler.schedule(d.uri);
    }),
  );

  connection.onDidChangeWatchedFiles(
    guardVoid(log, 'watchedFiles', (p) => {
      // An open document outlives its file: VS Code keeps the buffer after its tab is closed (no
      // didClose yet) or the file is deleted. The overlay must then stop adding it to its directory,
      // or include globs keep reading a file nginx would not see (and a broken one hides the rest).
      for (const change of p.changes) {
        const path = uriToPath(change.uri);
        projects.changedOnDisk(path);
        const doc = ws.documents.all().find((d) => ws.isConfig(d.uri) && uriToPath(d.uri) === path);
        if (change.type === FileChangeType.Deleted) projects.overlay(change.uri, undefined);
        else if (doc) projects.overlay(doc.uri, doc.getText());
      }
      projects.invalidate();
      logs.invalidateCounts();
      refreshLenses();
      for (const d of ws.documents.all()) if (ws.isConfig(d.uri)) scheduler.schedule(d.uri);
    }),
  );

  ws.documents.onDidChangeContent((e) => {
    if (ws.isConfig(e.document.uri)) {
      projects.overlay(e.document.uri, e.document.getText());
      // Open logs are attributed against the config: their lenses and log_format may have changed too.
      const openLogs = ws.openDocuments().filter((d) => ws.isLog(d.uri));
      if (openLogs.length) refreshLenses();
      for (const d of openLogs) scheduler.schedule(d.uri, 500);
    }
    scheduler.schedule(e.document.uri);
  });
  // The editor asks for a log's lenses right after opening it: have them ready.
  ws.documents.onDidOpen((e) => {
    if (ws.isLog(e.document.uri)) logs.prepare(e.document.uri);
  });
  const closed = (uri: string) => {
    ws.forget(uri);
    projects.forget(uri);
    logs.forgetDocument(uri);
    announced.delete(uri);
    projects.overlay(uri, undefined);
    scheduler.clear(uri);
  };
  ws.documents.onDidClose((e) => closed(e.document.uri));
  // A large log the editor holds unmodified: read from disk instead of sent (DiskLogNotification).
  // A log nginx keeps appending to is reloaded by the editor again and again: its re-reads are
  // coalesced (the lenses of the lines already read stay right meanwhile).
  const rereads = new Map<string, NodeJS.Timeout>();
  const readDiskLog = (uri: string, changed: boolean) => {
    logs.forgetDocument(uri);
    const err = ws.readDiskLog(uri);
    if (err) {
      log.warn(`[logs] ${err}`);
      return;
    }
    logs.prepare(uri);
    scheduler.schedule(uri);
    if (changed) refreshLenses();
  };
  connection.onNotification(
    DiskLogNotification,
    guardVoid(log, 'diskLog', (p: DiskLogParams) => {
      if (!p || typeof p.uri !== 'string') return;
      const uri = p.uri;
      clearTimeout(rereads.get(uri));
      rereads.delete(uri);
      if (p.state === 'closed') {
        if (ws.closeDiskLog(uri)) closed(uri);
      } else if (p.state === 'changed' && ws.isDiskLog(uri)) {
        rereads.set(
          uri,
          setTimeout(() => {
            rereads.delete(uri);
            if (ws.isDiskLog(uri)) guardVoid(log, 'diskLog', () => readDiskLog(uri, true))(undefined);
          }, DISK_LOG_REREAD_MS),
        );
      } else readDiskLog(uri, false);
    }),
  );

  connection.onHover(
    guard(log, 'hover', () => null, (p) => {
      if (ws.isLog(p.textDocument.uri)) {
        const la = logs.analyzer(p.textDocument.uri);
        const doc = ws.document(p.textDocument.uri);
        if (!la || !doc) return null;
        const line = p.position.line;
        return logLineHover(logs.lineOf(p.textDocument.uri, line, la.analyzer), line, la.analyzer, logs.lensContext(p.textDocument.uri, la.graph));
      }
      const a = at(p.textDocument.uri, p.position);
      return a ? hover(a.view, a.offset, { explain444: explain }) : null;
    }),
  );

  connection.onCompletion(
    guard(log, 'completion', (): CompletionList => ({ isIncomplete: false, items: [] }), (p, token) => {
      const a = at(p.textDocument.uri, p.position);
      return a ? completion(a.view, a.offset, token, p.context?.triggerCharacter) : { isIncomplete: false, items: [] };
    }),
  );

  connection.onCompletionResolve(
    guard(log, 'completionResolve', (): CompletionItem => ({ label: '' }), (item) => resolveCompletion(item)),
  );

  connection.onDefinition(
    guard(log, 'definition', () => [], (p) => {
      const a = at(p.textDocument.uri, p.position);
      return a ? definition(a.view, a.offset) : [];
    }),
  );

  connection.onDocumentSymbol(
    guard(log, 'documentSymbol', () => [], (p, token) => {
      const file = ws.isConfig(p.textDocument.uri) ? ws.parsed(p.textDocument.uri) : undefined;
      return file ? documentSymbols(file, token) : [];
    }),
  );

  connection.onFoldingRanges(
    guard(log, 'foldingRange', () => [], (p, token) => {
      const file = ws.isConfig(p.textDocument.uri) ? ws.parsed(p.textDocument.uri) : undefined;
      return file ? foldingRanges(file, token) : [];
    }),
  );

  connection.onDocumentLinks(
    guard(log, 'documentLink', () => [], (p, token) => {
      if (!ws.isConfig(p.textDocument.uri)) return [];
      const view = projects.view(p.textDocument.uri);
      return view ? documentLinks(view, (path) => projects.fs.stat(path)?.kind === 'file', token) : [];
    }),
  );

  connection.onCodeAction(
    guard(log, 'codeAction', () => [], (p) => {
      if (ws.isLog(p.textDocument.uri)) return wantsQuickFixes(p.context.only) ? logs.codeActions(p.textDocument.uri, p.range, editConfirmSupported) : [];
      if (!ws.isConfig(p.textDocument.uri)) return [];
      const { diagnostics } = projects.diagnostics(p.textDocument.uri);
      return codeActions(diagnostics, uriToPath(p.textDocument.uri), p.range, p.context.only);
    }),
  );

  connection.onWorkspaceSymbol(
    guard(log, 'workspaceSymbol', () => [], (p, token) => workspaceSymbols(projects.allGraphs(), p.query, token)),
  );

  connection.onCodeLens(
    guard(log, 'codeLens', () => [], (p, token) => {
      const uri = p.textDocument.uri;
      if (ws.isLog(uri)) return logs.lenses(uri, token);
      if (!ws.isConfig(uri) || !ws.trusted) return [];
      const view = projects.view(uri);
      const main = view?.graph?.mainFile;
      if (!view || !main || !view.graph!.contexts.get(main)?.length || view.graph!.rootContext.length) return [];
      const model = logs.model(view.graph!);
      if (!model.sources444.some((r) => r.file === view.file.path)) return [];
      const c = logs.counts(main);
      if (!c || !c.logs.length) return [];
      return ruleLenses(view.file.path, uri, model.sources444, c.counts, LogService.logName(c.logs), LogService.key);
    }),
  );

  connection.onCodeLensResolve(
    guard(log, 'codeLensResolve', () => ({ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } }), (lens) => logs.resolveLens(lens)),
  );

  connection.onRequest(
    All444RulesRequest,
    guard(log, 'all444Rules', (): All444RulesResult => ({ rules: [] }), (): All444RulesResult => ({ rules: engineList444.list(projects.allGraphs()) })),
  );

  connection.onShutdown(() => {
    scheduler.dispose();
    if (refreshTimer) clearTimeout(refreshTimer);
    logs.invalidateCounts();
  });
  ws.documents.listen(connection);
  connection.listen();
  return connection;
}
