// The extension as VS Code sees it: manifest, activation, language detection, grammars, commands.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { describe, it } from 'mocha';
import { EXTENSION_ID, api, fixtureUri, metrics, open, workspaceRoot } from './helpers';

const COMMANDS = [
  'nginx-lens.showAll444Rules',
  'nginx-lens.traceLogLine',
  'nginx-lens.showDropsForRule',
  'nginx-lens.showLogLineRules',
  'nginx-lens.restartServer',
];

export function register(): void {
  describe('extension', () => {
    it('is installed and activates when an nginx config opens', async () => {
      const ext = vscode.extensions.getExtension(EXTENSION_ID);
      assert.ok(ext, `${EXTENSION_ID} not found`);
      assert.ok(!ext.isActive, 'active before any nginx file was opened: activation events too broad');
      const t0 = Date.now();
      await open('nginx/nginx.conf');
      // onLanguage:nginx must activate it; nothing else in this test does.
      const deadline = Date.now() + 15_000;
      while (!ext.isActive && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      assert.ok(ext.isActive, 'opening nginx.conf did not activate the extension');
      metrics.openToActiveMs = Date.now() - t0;
      const exports = await api();
      metrics.openToServerReadyMs = Date.now() - t0;
      assert.equal(typeof exports.logFormat, 'function');
    });

    it('detects the nginx language by file name, folder pattern and first line', async () => {
      const expectations: [string, string][] = [
        ['nginx/nginx.conf', 'nginx'],
        ['nginx/conf.d/bots.conf', 'nginx'],
        ['nginx/sites-enabled/default', 'nginx'],
        ['nginx/sites-enabled/shop.conf', 'nginx'],
        ['nginx/snippets/deny-dotfiles.conf', 'nginx'],
      ];
      for (const [rel, id] of expectations) {
        const doc = await vscode.workspace.openTextDocument(fixtureUri(rel));
        assert.equal(doc.languageId, id, rel);
      }
      // No name rule applies to this file: only its first line says it is nginx.
      const loose = path.join(workspaceRoot(), 'first-line-detection');
      fs.writeFileSync(loose, 'worker_processes auto;\nevents {}\n');
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(loose));
      assert.equal(doc.languageId, 'nginx', 'first-line detection');
      // A file whose name is covered by no rule and whose first line is not nginx stays plain text.
      const other = path.join(workspaceRoot(), 'notes.txt');
      fs.writeFileSync(other, 'server maintenance at noon\n');
      assert.equal((await vscode.workspace.openTextDocument(vscode.Uri.file(other))).languageId, 'plaintext');
    });

    it('detects the access-log language, rotated logs included', async () => {
      const logDir = path.join(workspaceRoot(), 'log');
      for (const name of ['access.log.1', 'shop.access.log', 'api-access.log']) {
        fs.copyFileSync(path.join(logDir, 'access.log'), path.join(logDir, name));
      }
      for (const name of ['access.log', 'access.log.1', 'shop.access.log', 'api-access.log']) {
        const doc = await vscode.workspace.openTextDocument(fixtureUri(`log/${name}`));
        assert.equal(doc.languageId, 'nginx-access-log', name);
      }
      const errorLog = path.join(logDir, 'error.log');
      fs.writeFileSync(errorLog, '2024/01/01 00:00:00 [error] 1#1: *1 open() failed\n');
      assert.notEqual((await vscode.workspace.openTextDocument(vscode.Uri.file(errorLog))).languageId, 'nginx-access-log');
      // Copies would add to the drop counts the attribution tests check.
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      for (const name of ['access.log.1', 'shop.access.log', 'api-access.log', 'error.log']) fs.rmSync(path.join(logDir, name));
    });

    it('contributes both grammars with scope names their files declare', () => {
      const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
      const grammars = ext.packageJSON.contributes.grammars as { language: string; scopeName: string; path: string }[];
      assert.deepEqual(grammars.map((g) => g.language).sort(), ['nginx', 'nginx-access-log']);
      for (const g of grammars) {
        const file = path.join(ext.extensionPath, g.path);
        assert.ok(fs.existsSync(file), `grammar file missing: ${g.path}`);
        const grammar = JSON.parse(fs.readFileSync(file, 'utf8')) as { scopeName: string; patterns: unknown[] };
        assert.equal(grammar.scopeName, g.scopeName, g.path);
        assert.ok(Array.isArray(grammar.patterns) && grammar.patterns.length > 0, `${g.path} has no patterns`);
      }
    });

    it('registers its commands', async () => {
      const all = new Set(await vscode.commands.getCommands(true));
      for (const c of COMMANDS) assert.ok(all.has(c), `command ${c} not registered`);
    });

    it('restarts the language server on command', async () => {
      const exports = await api();
      await vscode.commands.executeCommand('nginx-lens.restartServer');
      await exports.ready();
      // Answers after the restart: the outline of nginx.conf comes from the new server process.
      const editor = await open('nginx/nginx.conf');
      const symbols = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>(
        'vscode.executeDocumentSymbolProvider',
        editor.document.uri,
      );
      assert.ok(symbols && symbols.length > 0, 'no document symbols after restart');
    });
  });
}
