// Small helpers for the extension-host tests: the fixture workspace, opening files, waiting.
import * as vscode from 'vscode';
import * as path from 'node:path';
import type { NginxLensApi } from '../../../client/src/extension';

export const EXTENSION_ID = 'nginx-lens.nginx-lens';

/** Numbers the tests measure (ms), reported by the runners and bench/editor.mjs. */
export const metrics: Record<string, number> = {};

export function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the e2e suite needs the fixture workspace open as a folder');
  return folder.uri.fsPath;
}

export function fixtureUri(rel: string): vscode.Uri {
  return vscode.Uri.file(path.join(workspaceRoot(), rel));
}

export async function open(rel: string): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(fixtureUri(rel));
  return vscode.window.showTextDocument(doc, { preview: false });
}

export async function api(): Promise<NginxLensApi> {
  const ext = vscode.extensions.getExtension<NginxLensApi>(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not installed`);
  const exports = await ext.activate();
  await exports.ready();
  return exports;
}

/** Polls until `probe` returns something truthy; the server answers asynchronously after start. */
export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The position of the first occurrence of `needle` on the given 1-based line (fails loudly if absent). */
export function positionOf(doc: vscode.TextDocument, line1: number, needle: string): vscode.Position {
  const text = doc.lineAt(line1 - 1).text;
  const col = text.indexOf(needle);
  if (col < 0) throw new Error(`"${needle}" not found on line ${line1} of ${doc.uri.fsPath}: ${text}`);
  return new vscode.Position(line1 - 1, col);
}

export function hoverText(hovers: vscode.Hover[]): string {
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : c.value))
    .join('\n');
}
