// The few messages and command arguments nginx-lens adds on top of LSP. Both the extension
// (client/src/extension.ts) and the server import this file, so the two sides cannot drift apart.
// Plain strings and JSON shapes only: no runtime dependency on either LSP library.
import type { Location, Position, Range } from 'vscode-languageserver-types';

/** Server → client notification: which log_format the server reads an open access log with. */
export const LogFormatNotification = 'nginx-lens/logFormat';
export interface LogFormatParams {
  /** The log document's URI. */
  uri: string;
  /** log_format name (`combined`, `main`, ...) or a detected shape (`combined (detected)`, `json`). */
  format: string;
  /** Where it came from, for the status bar tooltip, e.g. `access_log in /etc/nginx/nginx.conf:31`
   * or `detected from content: no access_log directive names this file`. */
  source: string;
}

/**
 * Client → server notification, in place of didOpen/didChange/didClose for a large access log
 * the editor holds unmodified: the server reads it from disk. `open` and `changed` (reloaded from
 * disk) make the server read it; `closed` forgets it. Once the user edits such a log, the client
 * closes it here and opens it with its text through the ordinary LSP messages.
 */
export const DiskLogNotification = 'nginx-lens/diskLog';
export interface DiskLogParams {
  uri: string;
  state: 'open' | 'changed' | 'closed';
}
/** Logs with more characters than this are read from disk by the server (see DiskLogNotification). */
export const DISK_LOG_MIN_CHARS = 1 << 20;

/** Client → server request: every 444 source in the loaded configuration (for a quick pick). */
export const All444RulesRequest = 'nginx-lens/all444Rules';
export type All444RulesParams = Record<string, never>;
export interface Rule444 {
  uri: string;
  range: Range;
  /** e.g. `return 444` */
  title: string;
  /** what makes it fire, e.g. `server_name _ (default_server on :80)` or `if ($http_user_agent ~* curl)` */
  condition: string;
}
export interface All444RulesResult {
  rules: Rule444[];
}

/** `initializationOptions` the client sends. */
export interface InitializationOptions {
  /** false in an untrusted workspace: the server then only parses open documents (no include
   * resolution off disk, no log reading beyond the open documents). */
  trusted: boolean;
  /** Snapshot of the `nginx-lens.*` settings at start; later changes arrive through
   * workspace/didChangeConfiguration (section `nginx-lens`). */
  settings: Settings;
}

/** The `nginx-lens.*` settings (package.json contributes.configuration). */
export interface Settings {
  mainConfig: string;
  prefix: string;
  extraDirectives: string[];
  logFiles: Record<string, LogFileSetting>;
  allowIncludesOutsideWorkspace: boolean;
}
export interface LogFileSetting {
  /** nginx.conf whose access_log/log_format apply to the matching logs. */
  config?: string;
  /** log_format name to read them with (defined in that config), or `combined`. */
  format?: string;
}

/** Client commands the server may put on code lenses. Their single argument is a ShowLocationsArgs. */
export const ClientCommands = {
  /** On a log line: no location: show `message`; one: open it with the cursor on it; several: peek. */
  showLogLineRules: 'nginx-lens.showLogLineRules',
  /** On a 444 rule: the log lines it dropped, shown as references. */
  showDropsForRule: 'nginx-lens.showDropsForRule',
} as const;

export interface ShowLocationsArgs {
  /** Document the lens is in, and where the peek opens. */
  uri: string;
  position: Position;
  locations: Location[];
  /** Shown when there is nothing to go to (e.g. `no rule matches: …`), or as the peek's context. */
  message?: string;
}
