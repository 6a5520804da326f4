// Features the language server provides, seen through VS Code's own command API (what the UI calls).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { describe, it, before } from 'mocha';
import { api, open, waitFor, workspaceRoot } from './helpers';

function flatten(symbols: vscode.DocumentSymbol[]): vscode.DocumentSymbol[] {
  return symbols.flatMap((s) => [s, ...flatten(s.children ?? [])]);
}

export function register(): void {
  describe('language server', () => {
    before(async () => {
      await api();
    });

    it('outlines a site: server with its names, locations', async () => {
      const editor = await open('nginx/sites-enabled/shop.conf');
      const symbols = await waitFor('document symbols', async () => {
        const s = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>(
          'vscode.executeDocumentSymbolProvider',
          editor.document.uri,
        );
        return s?.length ? s : undefined;
      });
      const names = flatten(symbols).map((s) => `${s.name} ${s.detail}`);
      assert.ok(names.some((n) => n.includes('shop.example.com')), `no server symbol naming shop.example.com: ${names.join(' | ')}`);
      assert.ok(names.some((n) => n.includes('/admin/')), `no location /admin/ symbol: ${names.join(' | ')}`);
    });

    it('publishes diagnostics for a broken config and clears them when fixed', async () => {
      // Outside what nginx.conf includes: the attribution tests must not see this server.
      const file = path.join(workspaceRoot(), 'nginx/scratch/broken.conf');
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, 'server {\n    listen 8080\n    location / {\n        return 444;\n    }\n');
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
      await vscode.window.showTextDocument(doc);
      const diags = await waitFor('diagnostics on broken.conf', () => {
        const d = vscode.languages.getDiagnostics(doc.uri);
        return d.length ? d : undefined;
      });
      assert.ok(
        diags.some((d) => d.severity === vscode.DiagnosticSeverity.Error && d.code !== undefined),
        `expected an error with a code, got ${JSON.stringify(diags.map((d) => [d.message, d.code]))}`,
      );
      // The missing ';' after `listen 8080` and the unclosed server block are both reported near where they are.
      assert.ok(diags.some((d) => d.range.start.line <= 2), 'no diagnostic near the missing semicolon');

      const edit = new vscode.WorkspaceEdit();
      edit.replace(doc.uri, new vscode.Range(0, 0, doc.lineCount, 0), 'server {\n    listen 8080;\n    location / {\n        return 444;\n    }\n}\n');
      assert.ok(await vscode.workspace.applyEdit(edit));
      await waitFor('diagnostics to clear after the fix', () => {
        const errors = vscode.languages.getDiagnostics(doc.uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error);
        return errors.length === 0 ? true : undefined;
      });
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
      fs.rmSync(file);
    });

    it('reports no error on the fixture config, which nginx -t accepts', async () => {
      const files = ['nginx/nginx.conf', 'nginx/conf.d/bots.conf', 'nginx/sites-enabled/default', 'nginx/sites-enabled/shop.conf', 'nginx/snippets/deny-dotfiles.conf'];
      for (const rel of files) await open(rel);
      // Give the debounced diagnostics a moment to arrive before asserting their absence.
      await new Promise((r) => setTimeout(r, 1500));
      for (const rel of files) {
        const uri = vscode.Uri.file(path.join(workspaceRoot(), rel));
        const errors = vscode.languages.getDiagnostics(uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error);
        assert.deepEqual(errors.map((d) => `${d.range.start.line + 1}: ${d.message}`), [], rel);
      }
    });
  });
}
