// The server under hostile input: it answers, stays up, and keeps other features working.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import {
  CancellationTokenSource,
  CodeLensRequest,
  CompletionRequest,
  DefinitionRequest,
  DocumentSymbolRequest,
  FoldingRangeRequest,
  HoverRequest,
  LSPErrorCodes,
  ResponseError,
  type MarkupContent,
} from 'vscode-languageserver-protocol/node';
import { startClient, uriOf, type TestClient } from './client';
import { guard } from '../../server/src/lsp/guard';

const site = join(__dirname, 'fixtures/site');
let c: TestClient;

before(async () => {
  c = await startClient({ rootPath: site });
});
after(async () => {
  await c?.close();
});

async function hoverAt(path: string, line: number, character: number): Promise<string> {
  const h = await c.connection.sendRequest(HoverRequest.type, { textDocument: { uri: uriOf(path) }, position: { line, character } });
  return h ? (h.contents as MarkupContent).value : '';
}

test('binary, a 10 MB line and 10,000-deep nesting: answered, and the server stays up', async () => {
  const bin = join(site, 'hostile/binary.conf');
  const pendingBin = c.diagnostics(uriOf(bin));
  await c.open(bin, 'ELF\u0000\u0001\u0002\u00ff{{{;;;\u0000'.repeat(1000));
  const d = await pendingBin;
  assert.equal(d.length, 1);
  assert.match(String(d[0].message), /binary/);

  const long = join(site, 'hostile/long.conf');
  await c.open(long, 'server { return 200 "' + 'x'.repeat(10 * 1024 * 1024) + '"; }\n');
  const deep = join(site, 'hostile/deep.conf');
  await c.open(deep, 'location / {\n'.repeat(10_000) + '}\n'.repeat(10_000));

  const t0 = Date.now();
  for (const p of [bin, long, deep]) {
    const uri = uriOf(p);
    await c.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri } });
    await c.connection.sendRequest(FoldingRangeRequest.type, { textDocument: { uri } });
    await c.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 0, character: 5_000_000 } });
    await c.connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: { line: 500, character: 3 } });
    await c.connection.sendRequest(DefinitionRequest.type, { textDocument: { uri }, position: { line: 0, character: 20 } });
  }
  assert.ok(Date.now() - t0 < 30_000, `hostile documents took ${Date.now() - t0} ms`);

  const shop = join(site, 'conf.d/shop.conf');
  await c.open(shop, readFileSync(shop, 'utf8'));
  assert.match(await hoverAt(shop, 1, 5), /\*\*listen\*\*/);
  assert.equal(c.child.exitCode, null);
});

test('a handler that throws answers empty and the others keep working', async () => {
  const r = await c.connection.sendRequest('textDocument/hover', {});
  assert.equal(r, null);
  const shop = join(site, 'conf.d/shop.conf');
  await c.open(shop, readFileSync(shop, 'utf8'));
  assert.match(await hoverAt(shop, 1, 5), /\*\*listen\*\*/);
  assert.ok(c.logs.some((l) => l.includes('[hover] failed')), 'the failure is logged');
});

test('guard: cancelled requests are answered as cancelled, exceptions as empty', async () => {
  const errors: string[] = [];
  const log = { error: (m: string) => errors.push(m), warn: () => {}, info: () => {} };
  const src = new CancellationTokenSource();
  src.cancel();
  const cancelled = await guard(log, 'x', () => 'empty', () => 'value')(undefined, src.token);
  assert.ok(cancelled instanceof ResponseError && cancelled.code === LSPErrorCodes.RequestCancelled);
  const failing = await guard(log, 'x', () => 'empty', () => {
    throw new Error('boom');
  })(undefined, new CancellationTokenSource().token);
  assert.equal(failing, 'empty');
  assert.match(errors[0], /\[x\] failed: Error: boom/);
  const rejected = await guard(log, 'y', () => 'empty', async () => Promise.reject(new Error('async boom')))(undefined, new CancellationTokenSource().token);
  assert.equal(rejected, 'empty');
});

test('untrusted workspace: parse-only features, nothing read from disk', async () => {
  const u = await startClient({ rootPath: site, initializationOptions: { trusted: false, settings: {} } });
  try {
    const main = join(site, 'nginx.conf');
    const text = readFileSync(main, 'utf8');
    const pending = u.diagnostics(uriOf(main));
    await u.open(main, text);
    assert.deepEqual(await pending, []);
    const h = await u.connection.sendRequest(HoverRequest.type, { textDocument: { uri: uriOf(main) }, position: { line: 0, character: 3 } });
    assert.match((h!.contents as MarkupContent).value, /worker_processes/);
    const lines = text.split('\n');
    const incLine = lines.findIndex((l) => l.includes('include conf.d'));
    const defs = await u.connection.sendRequest(DefinitionRequest.type, {
      textDocument: { uri: uriOf(main) },
      position: { line: incLine, character: lines[incLine].indexOf('conf.d') + 1 },
    });
    assert.deepEqual(defs, [], 'includes are not resolved off disk');
  } finally {
    await u.close();
  }
});

test('hostile access logs: binary, a 10 MB line of 4s, lines of 444s that are not log lines', async () => {
  const bin = join(site, 'logs/binary-access.log');
  await c.open(bin, '\u0000\u0001444\u0000 "GET / HTTP/1.1" 444 0\n'.repeat(5000), 'nginx-access-log');
  const long = join(site, 'logs/long-access.log');
  await c.open(long, '4'.repeat(10 * 1024 * 1024) + '\n203.0.113.9 - - [27/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 444 0 "-" "x" "10.0.0.1"\n', 'nginx-access-log');
  const t0 = Date.now();
  const binLenses = await c.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri: uriOf(bin) } });
  assert.deepEqual(binLenses, []);
  const longLenses = await c.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri: uriOf(long) } });
  // The 10 MB line is skipped; the real line after it still gets its lens.
  assert.deepEqual(longLenses!.map((l) => [l.range.start.line, l.command?.title]), [[1, 'dropped by return 444 — conf.d/shop.conf:22']]);
  const h = await c.connection.sendRequest(HoverRequest.type, { textDocument: { uri: uriOf(long) }, position: { line: 0, character: 5_000_000 } });
  assert.equal(h, null);
  assert.ok(Date.now() - t0 < 30_000, `took ${Date.now() - t0} ms`);
});
