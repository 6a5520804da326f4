// The VS Code side of nginx-lens: starts the language server (dist/server.js) and adds what LSP
// cannot express on its own — the log-format status bar item and commands that open or peek at
// locations named by code lenses.
import * as vscode from 'vscode';
import {
  LanguageClient,
  State,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { DidOpenTextDocumentNotification } from 'vscode-languageclient';
import { DiskLogSync } from './diskLogs';
import {
  All444RulesRequest,
  ClientCommands,
  DiskLogNotification,
  LogFormatNotification,
  type All444RulesParams,
  type All444RulesResult,
  type InitializationOptions,
  type LogFormatParams,
  type Settings,
  type ShowLocationsArgs,
} from '../../server/src/lsp/protocol';

const CONFIG_LANGUAGE = 'nginx';
const LOG_LANGUAGE = 'nginx-access-log';
const SECTION = 'nginx-lens';

export const Commands = {
  showAll444Rules: 'nginx-lens.showAll444Rules',
  traceLogLine: 'nginx-lens.traceLogLine',
  showDropsForRule: ClientCommands.showDropsForRule,
  showLogLineRules: ClientCommands.showLogLineRules,
  restartServer: 'nginx-lens.restartServer',
} as const;

/** What activate() returns: used by the extension-host tests, and by anyone scripting the extension. */
export interface NginxLensApi {
  /** Resolves once the server has answered initialize (rejects if it could not start). */
  ready(): Promise<void>;
  /** The log format the server reported for a log document, if any. */
  logFormat(uri: vscode.Uri): LogFormatParams | undefined;
  /** Text currently shown by the status bar item ('' when hidden). */
  statusText(): string;
}

let client: LanguageClient | undefined;
let starting: Promise<void> | undefined;

export function activate(context: vscode.ExtensionContext): NginxLensApi {
  const output = vscode.window.createOutputChannel('nginx-lens', { log: true });
  context.subscriptions.push(output);

  const formats = new Map<string, LogFormatParams>();
  const status = vscode.window.createStatusBarItem('nginx-lens.logFormat', vscode.StatusBarAlignment.Right, 100);
  status.name = 'nginx-lens log format';
  status.command = { title: 'Configure log files', command: 'workbench.action.openSettings', arguments: [`${SECTION}.logFiles`] };
  context.subscriptions.push(status);
  const refreshStatus = () => {
    const doc = vscode.window.activeTextEditor?.document;
    const info = doc && doc.languageId === LOG_LANGUAGE ? formats.get(doc.uri.toString()) : undefined;
    if (!info) {
      status.text = '';
      status.hide();
      return;
    }
    status.text = `$(list-flat) log_format: ${info.format}`;
    status.tooltip = `nginx-lens reads this log with log_format ${info.format}\n${info.source}`;
    status.show();
  };
  context.subscriptions.push(vscode.window.onDidChangeActiveTextEditor(refreshStatus));

  // Created once, outliving server restarts, so the server always hears about config and log changes.
  const watchers = ['**/*.conf', '**/nginx.conf', '**/*access*.log*'].map((glob) =>
    vscode.workspace.createFileSystemWatcher(glob),
  );
  context.subscriptions.push(...watchers);

  const start = async () => {
    client = createClient(context, output, watchers);
    const c = client;
    c.onNotification(LogFormatNotification, (p: LogFormatParams) => {
      formats.set(p.uri, p);
      refreshStatus();
    });
    await c.start();
  };
  starting = start().catch((err) => {
    output.error(`nginx-lens server failed to start: ${String(err)}`);
    throw err;
  });
  // Keep activation from failing on a rejected start: the error is logged and ready() rejects.
  starting.catch(() => undefined);

  // The server is restarted with full features when the user trusts the workspace.
  context.subscriptions.push(
    vscode.workspace.onDidGrantWorkspaceTrust(() => void vscode.commands.executeCommand(Commands.restartServer)),
  );

  context.subscriptions.push(
    vscode.commands.registerCommand(Commands.restartServer, async () => {
      await starting?.catch(() => undefined);
      if (client) {
        const old = client;
        client = undefined;
        await old.stop().catch(() => undefined);
        await old.dispose().catch(() => undefined);
      }
      formats.clear();
      refreshStatus();
      starting = start();
      await starting;
    }),
    vscode.commands.registerCommand(Commands.showLogLineRules, (args?: ShowLocationsArgs) =>
      showLocations(args, 'peek'),
    ),
    vscode.commands.registerCommand(Commands.showDropsForRule, (args?: ShowLocationsArgs) =>
      args ? showLocations(args, 'references') : runLensAtCursor(CONFIG_LANGUAGE, 'Show drops for this rule'),
    ),
    vscode.commands.registerCommand(Commands.traceLogLine, () => runLensAtCursor(LOG_LANGUAGE, 'Trace this log line')),
    vscode.commands.registerCommand(Commands.showAll444Rules, showAll444Rules),
  );

  return {
    ready: async () => {
      await starting;
    },
    logFormat: (uri) => formats.get(uri.toString()),
    statusText: () => status.text,
  };
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}

function readSettings(): Settings {
  const cfg = vscode.workspace.getConfiguration(SECTION);
  return {
    mainConfig: cfg.get<string>('mainConfig', ''),
    prefix: cfg.get<string>('prefix', ''),
    extraDirectives: cfg.get<string[]>('extraDirectives', []),
    logFiles: cfg.get<Settings['logFiles']>('logFiles', {}),
    allowIncludesOutsideWorkspace: cfg.get<boolean>('allowIncludesOutsideWorkspace', false),
  };
}

function createClient(
  context: vscode.ExtensionContext,
  output: vscode.LogOutputChannel,
  watchers: vscode.FileSystemWatcher[],
): LanguageClient {
  const module = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const initializationOptions: InitializationOptions = {
    trusted: vscode.workspace.isTrusted,
    settings: readSettings(),
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [CONFIG_LANGUAGE, LOG_LANGUAGE].flatMap((language) => [
      { scheme: 'file', language },
      { scheme: 'untitled', language },
    ]),
    initializationOptions,
    synchronize: {
      // Pushes nginx-lens.* settings on change; the server may also pull them (workspace/configuration).
      configurationSection: SECTION,
      fileEvents: watchers,
    },
    outputChannel: output,
    middleware: {
      didOpen: async (doc, next) => {
        if (!(await diskLogs.didOpen(doc))) await next(doc);
      },
      didChange: async (event, next) => {
        if (!(await diskLogs.didChange(event.document))) await next(event);
      },
      didClose: async (doc, next) => {
        if (!(await diskLogs.didClose(doc))) await next(doc);
      },
    },
  };
  const client = new LanguageClient(SECTION, 'nginx-lens', serverOptions, clientOptions);
  // Large unmodified logs are read by the server from disk instead of crossing JSON-RPC.
  const diskLogs = new DiskLogSync(
    LOG_LANGUAGE,
    {
      diskLog: (params) => client.sendNotification(DiskLogNotification, params),
      openWithText: (doc) =>
        client.sendNotification(
          DidOpenTextDocumentNotification.type,
          client.code2ProtocolConverter.asOpenTextDocumentParams(doc as vscode.TextDocument),
        ),
    },
    () => vscode.workspace.isTrusted,
  );
  return client;
}

async function runningClient(): Promise<LanguageClient> {
  await starting;
  if (!client || client.state !== State.Running) throw new Error('the nginx-lens server is not running');
  return client;
}

async function showLocations(args: ShowLocationsArgs | undefined, mode: 'peek' | 'references'): Promise<void> {
  if (!args || !Array.isArray(args.locations)) {
    void vscode.window.showInformationMessage('nginx-lens: run this from a code lens.');
    return;
  }
  const c = await runningClient();
  const p2c = c.protocol2CodeConverter;
  const locations = args.locations.map((l) => p2c.asLocation(l));
  if (locations.length === 0) {
    void vscode.window.showInformationMessage(args.message ?? 'nginx-lens: nothing to show.');
    return;
  }
  if (locations.length === 1 && mode === 'peek') {
    // One rule: go straight to it, with the cursor on the rule, so the config becomes the active editor.
    const [loc] = locations;
    const at = loc.range.start;
    await vscode.window.showTextDocument(loc.uri, { selection: new vscode.Range(at, at), preview: false });
    return;
  }
  const uri = p2c.asUri(args.uri);
  const position = p2c.asPosition(args.position);
  // Peek widgets open in the document the lens belongs to; make sure it is the active one (palette use).
  if (vscode.window.activeTextEditor?.document.uri.toString() !== uri.toString()) {
    await vscode.window.showTextDocument(uri, { selection: new vscode.Range(position, position) });
  }
  if (mode === 'references') {
    await vscode.commands.executeCommand('editor.action.showReferences', uri, position, locations);
  } else {
    await vscode.commands.executeCommand('editor.action.peekLocations', uri, position, locations, 'peek');
  }
}

/** Palette commands reuse the server's code lens on the cursor's line, so there is one source of truth. */
async function runLensAtCursor(language: string, what: string): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.document.languageId !== language) {
    const kind = language === LOG_LANGUAGE ? 'an nginx access log line' : 'a 444 rule in an nginx config';
    void vscode.window.showInformationMessage(`nginx-lens: ${what} works with the cursor on ${kind}.`);
    return;
  }
  await runningClient();
  const line = editor.selection.active.line;
  const lenses =
    (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', editor.document.uri, 100)) ??
    [];
  const ours = lenses.filter((l) => l.command && l.command.command.startsWith(`${SECTION}.`));
  // A log lens sits on its own line. In a config the cursor may be on the `if (...) {` around the
  // `return 444`: take the closest rule lens within a few lines, the one above on a tie.
  const distance = (l: vscode.CodeLens) => Math.abs(l.range.start.line - line) * 2 + (l.range.start.line > line ? 1 : 0);
  const lens =
    language === LOG_LANGUAGE
      ? ours.find((l) => l.range.start.line === line)
      : ours.filter((l) => Math.abs(l.range.start.line - line) <= 3).sort((a, b) => distance(a) - distance(b))[0];
  if (!lens?.command) {
    void vscode.window.showInformationMessage(
      language === LOG_LANGUAGE
        ? 'nginx-lens: this line is not a 444 the server can trace.'
        : 'nginx-lens: no 444 rule at the cursor.',
    );
    return;
  }
  await vscode.commands.executeCommand(lens.command.command, ...(lens.command.arguments ?? []));
}

async function showAll444Rules(): Promise<void> {
  const c = await runningClient();
  const params: All444RulesParams = {};
  const { rules } = await c.sendRequest<All444RulesResult>(All444RulesRequest, params);
  if (rules.length === 0) {
    void vscode.window.showInformationMessage('nginx-lens: no 444 rules in the loaded configuration.');
    return;
  }
  const items = rules.map((r) => {
    const uri = c.protocol2CodeConverter.asUri(r.uri);
    return {
      label: r.title,
      description: `${vscode.workspace.asRelativePath(uri)}:${r.range.start.line + 1}`,
      detail: r.condition,
      uri,
      range: c.protocol2CodeConverter.asRange(r.range),
    };
  });
  const pick = await vscode.window.showQuickPick(items, {
    title: 'nginx-lens: 444 rules',
    matchOnDescription: true,
    matchOnDetail: true,
  });
  if (!pick) return;
  await vscode.window.showTextDocument(pick.uri, { selection: new vscode.Range(pick.range.start, pick.range.start) });
}
