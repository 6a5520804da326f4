// Large access logs the editor holds unmodified are not sent to the server: it reads them from
// disk (DiskLogNotification). An 18 MB log took ~230 ms to cross JSON-RPC before the server could
// answer anything; reading it from disk takes a fraction of that. This is the client's half, kept
// free of `vscode` so its decisions are tested in plain Node (test/lsp/diskLogSync.test.ts).

import { DISK_LOG_MIN_CHARS, type DiskLogParams } from '../../server/src/lsp/protocol';

/** What the sync decisions need of a vscode.TextDocument. */
export interface LogDocument {
  readonly uri: { readonly scheme: string; toString(): string };
  readonly languageId: string;
  readonly isDirty: boolean;
  getText(): string;
}

export interface DiskLogSender {
  diskLog(params: DiskLogParams): Promise<void>;
  /** Sends the ordinary didOpen with the document's current text and version. */
  openWithText(doc: LogDocument): Promise<void>;
}

/**
 * The languageclient middleware's decisions for one client (a restarted client starts empty):
 * each returns true when it handled the event, false when the ordinary message must go out.
 */
export class DiskLogSync {
  private readonly onDisk = new Set<string>();

  constructor(
    private readonly logLanguage: string,
    private readonly send: DiskLogSender,
    /** false in an untrusted workspace: the server reads nothing from disk then. */
    private readonly trusted: () => boolean,
  ) {}

  async didOpen(doc: LogDocument): Promise<boolean> {
    if (doc.languageId !== this.logLanguage || doc.uri.scheme !== 'file' || doc.isDirty || !this.trusted()) return false;
    if (doc.getText().length < DISK_LOG_MIN_CHARS) return false;
    const uri = doc.uri.toString();
    this.onDisk.add(uri);
    await this.send.diskLog({ uri, state: 'open' });
    return true;
  }

  /**
   * A change to a log read from disk: reloaded from disk (not dirty): the server reads it again;
   * edited by the user: from now on it is synced with its text (the didOpen carries this change).
   */
  async didChange(doc: LogDocument): Promise<boolean> {
    const uri = doc.uri.toString();
    if (!this.onDisk.has(uri)) return false;
    if (!doc.isDirty) {
      await this.send.diskLog({ uri, state: 'changed' });
      return true;
    }
    this.onDisk.delete(uri);
    await this.send.diskLog({ uri, state: 'closed' });
    await this.send.openWithText(doc);
    return true;
  }

  async didClose(doc: LogDocument): Promise<boolean> {
    const uri = doc.uri.toString();
    if (!this.onDisk.delete(uri)) return false;
    await this.send.diskLog({ uri, state: 'closed' });
    return true;
  }
}
