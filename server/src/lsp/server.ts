// The language server: LSP wiring only. Each handler looks up the document, asks the workspace for
// core data and hands it to a feature function in ../service; guard() keeps failures local.

import {
  createConnection,
  ProposedFeatures,
  TextDocumentSyncKind,
  type Connection,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { documentSymbols } from '../service/symbols';
import { foldingRanges } from '../service/folding';
import { diagnosticsByUri, syntaxDiagnostics } from '../service/diagnostics';
import { uriToPath } from '../service/convert';
import { guard, guardVoid, describeError, type Logger } from './guard';
import { DiagnosticsScheduler } from './diagnosticsScheduler';
import { Workspace } from './workspace';
import type { InitializationOptions, Settings } from './protocol';

export function startServer(connection: Connection = createConnection(ProposedFeatures.all)): Connection {
  const ws = new Workspace();
  const log: Logger = {
    error: (m) => connection.console.error(m),
    warn: (m) => connection.console.warn(m),
    info: (m) => connection.console.info(m),
  };
  // A stray rejection or exception in a background job must not end the process.
  process.on('unhandledRejection', (err) => log.error(`unhandled rejection: ${describeError(err)}`));
  process.on('uncaughtException', (err) => log.error(`uncaught exception: ${describeError(err)}`));

  const scheduler = new DiagnosticsScheduler(
    (uri) => {
      const file = ws.parsed(uri);
      if (!file || !ws.isConfig(uri)) return new Map([[uri, []]]);
      return diagnosticsByUri(syntaxDiagnostics(file), [file.path]);
    },
    (uri, diagnostics) => void connection.sendDiagnostics({ uri, diagnostics }),
    log,
  );

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    const opts = (params.initializationOptions ?? {}) as Partial<InitializationOptions>;
    ws.trusted = opts.trusted !== false;
    ws.setSettings(opts.settings);
    ws.roots = (params.workspaceFolders ?? []).map((f) => uriToPath(f.uri));
    if (!ws.roots.length && params.rootUri) ws.roots = [uriToPath(params.rootUri)];
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        documentSymbolProvider: true,
        foldingRangeProvider: true,
      },
      serverInfo: { name: 'nginx-lens' },
    };
  });

  connection.onDidChangeConfiguration(
    guardVoid(log, 'configuration', (p) => {
      const s = (p.settings as { 'nginx-lens'?: Partial<Settings> } | undefined)?.['nginx-lens'];
      if (s) ws.setSettings({ ...ws.settings, ...s });
      for (const d of ws.documents.all()) scheduler.schedule(d.uri);
    }),
  );

  ws.documents.onDidChangeContent((e) => scheduler.schedule(e.document.uri));
  ws.documents.onDidClose((e) => {
    ws.forget(e.document.uri);
    scheduler.clear(e.document.uri);
  });

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

  connection.onShutdown(() => scheduler.dispose());
  ws.documents.listen(connection);
  connection.listen();
  return connection;
}
