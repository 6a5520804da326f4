// The language server survives what an editor (or a broken client) can send: malformed params to
// every feature, positions outside the document, requests for unknown documents, a huge open
// log. Every request is answered, the others keep working, memory stays bounded, and the server
// never reports an unhandled rejection or exception on stderr. (A handler that throws and
// cancellation: test/lsp/robustness.test.ts.)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CodeLensRequest, HoverRequest, type MarkupContent } from 'vscode-languageserver-protocol/node';
import { startClient, uriOf, type TestClient } from '../lsp/client';
import { syntheticLines } from '../support/accessLog';
import { repoRoot } from './support';

let dir: string;
let c: TestClient;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nginx-lens-lsp-robust-'));
  cpSync(join(repoRoot, 'examples'), dir, { recursive: true });
  c = await startClient({ rootPath: dir });
});
after(async () => {
  await c?.close();
  rmSync(dir, { recursive: true, force: true });
});

const METHODS = [
  'textDocument/hover',
  'textDocument/definition',
  'textDocument/references',
  'textDocument/completion',
  'textDocument/documentSymbol',
  'textDocument/foldingRange',
  'textDocument/codeAction',
  'textDocument/codeLens',
  'codeLens/resolve',
  'textDocument/documentLink',
  'workspace/symbol',
  'workspace/executeCommand',
];

async function hoverOk(): Promise<void> {
  const p = join(dir, 'sites-enabled/shop.conf');
  const lines = readFileSync(p, 'utf8').split('\n');
  const line = lines.findIndex((l) => /^\s*listen\b/.test(l));
  const h = await c.connection.sendRequest(HoverRequest.type, { textDocument: { uri: uriOf(p) }, position: { line, character: lines[line].indexOf('listen') + 1 } });
  assert.match((h!.contents as MarkupContent).value, /listen/);
}

test('malformed params, unknown documents and out-of-range positions: every request answered, server up', { timeout: 120_000 }, async () => {
  const shop = join(dir, 'sites-enabled/shop.conf');
  await c.open(shop, readFileSync(shop, 'utf8'));
  await hoverOk();
  const uri = uriOf(shop);
  const bad: unknown[] = [
    null,
    {},
    { textDocument: null },
    { textDocument: { uri: 'file:///nope/missing.conf' }, position: { line: 0, character: 0 } },
    { textDocument: { uri: 'untitled:Untitled-1' }, position: { line: 0, character: 0 } },
    { textDocument: { uri: 'not a uri' }, position: { line: 0, character: 0 } },
    { textDocument: { uri }, position: { line: -1, character: -5 } },
    { textDocument: { uri }, position: { line: 1e9, character: 1e9 } },
    { textDocument: { uri }, position: { line: 0.5, character: NaN } },
    { textDocument: { uri }, range: { start: { line: 5, character: 0 }, end: { line: 0, character: 0 } }, context: { diagnostics: [null] } },
    { textDocument: { uri }, position: { line: 0, character: 0 }, context: 'x' },
    { query: 12 },
    { command: 'nginx-lens.unknown', arguments: [null, { a: 1 }] },
    { range: 'x', command: { command: 7 } },
  ];
  let answered = 0;
  for (const method of METHODS) {
    for (const params of bad) {
      try {
        await c.connection.sendRequest(method, params);
      } catch {
        // an error response is an answer too
      }
      answered++;
    }
  }
  assert.equal(answered, METHODS.length * bad.length);
  assert.equal(c.child.exitCode, null);
  await hoverOk();
});

test('a huge open access log: lenses answered, memory bounded', { timeout: 300_000 }, async () => {
  const lines = syntheticLines(200_000, { seed: 3 });
  const text = lines.join('\n') + '\n';
  const log = join(dir, 'logs/huge.access.log');
  await c.open(log, text, 'nginx-access-log');
  const t = performance.now();
  const lenses = await c.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri: uriOf(log) } });
  const ms = performance.now() - t;
  assert.ok(Array.isArray(lenses) && lenses.length > 10_000, `${lenses?.length} lenses`);
  await hoverOk();
  const status = readFileSync(`/proc/${c.child.pid}/status`, 'utf8');
  const peakMB = Number(/^VmHWM:\s+(\d+)/m.exec(status)![1]) / 1024;
  console.log(`# ${(text.length / 2 ** 20).toFixed(0)} MB log: ${lenses!.length} lenses in ${ms.toFixed(0)} ms, server peak RSS ${peakMB.toFixed(0)} MB`);
  // The document itself is held as a string (~35 MB) by the LSP library; the analysis must not
  // multiply it.
  assert.ok(peakMB < 600, `server peak RSS ${peakMB.toFixed(0)} MB`);
});

test('no unhandled rejection or exception reached stderr', () => {
  const err = c.stderr();
  assert.doesNotMatch(err, /unhandled|uncaught|UnhandledPromiseRejection|TypeError|RangeError|ReferenceError/i, err.slice(0, 2000));
  assert.equal(c.child.exitCode, null);
});
