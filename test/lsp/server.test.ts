// The built server over stdio, driven by a real LSP client.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DocumentSymbolRequest,
  FoldingRangeRequest,
  type DocumentSymbol,
} from 'vscode-languageserver-protocol/node';
import { startClient, uriOf, type TestClient } from './client';

const site = join(__dirname, 'fixtures/site');
const mainConf = join(site, 'nginx.conf');
const shopConf = join(site, 'conf.d/shop.conf');
let c: TestClient;

before(async () => {
  c = await startClient({ rootPath: site });
  await c.open(mainConf, readFileSync(mainConf, 'utf8'));
  await c.open(shopConf, readFileSync(shopConf, 'utf8'));
});
after(async () => {
  await c?.close();
});

test('initialize advertises the features', () => {
  const caps = c.init.capabilities;
  assert.ok(caps.documentSymbolProvider);
  assert.ok(caps.foldingRangeProvider);
  assert.equal(c.init.serverInfo?.name, 'nginx-lens');
});

test('documentSymbol: servers with names and listens, locations with modifiers', async () => {
  const syms = (await c.connection.sendRequest(DocumentSymbolRequest.type, {
    textDocument: { uri: uriOf(shopConf) },
  })) as DocumentSymbol[];
  assert.deepEqual(
    syms.map((s) => [s.name, s.detail]),
    [
      ['server shop.example.com www.shop.example.com', 'listen 80'],
      ['server _', 'listen 80 default_server'],
    ],
  );
  assert.deepEqual(
    syms[0].children!.map((s) => s.name),
    ['location /', 'location ~* \\.php$', 'location @fallback'],
  );
  assert.equal(syms[0].range.start.line, 0);
  assert.equal(syms[0].range.end.line, 16);
});

test('folding: blocks and comment runs', async () => {
  const ranges = await c.connection.sendRequest(FoldingRangeRequest.type, { textDocument: { uri: uriOf(mainConf) } });
  const pairs = ranges!.map((r) => `${r.startLine}-${r.endLine}${r.kind ? ':' + r.kind : ''}`);
  assert.ok(pairs.includes('1-2'), `events block in ${pairs}`);
  assert.ok(pairs.includes('5-6:comment'), `comment run in ${pairs}`);
  assert.ok(pairs.includes('8-10'), `multi-line log_format in ${pairs}`);
  assert.ok(pairs.includes('7-22'), `http block in ${pairs}`);
});

test('publishDiagnostics: a missing ";" is reported, a good config gets none', async () => {
  const broken = join(site, 'conf.d/broken.conf');
  const text = 'server {\n    server_name a.example;\n    listen 80\n}\n';
  const pending = c.diagnostics(uriOf(broken));
  await c.open(broken, text);
  const diags = await pending;
  assert.ok(diags.length >= 1, 'a diagnostic for the missing semicolon');
  assert.ok(diags.some((d) => d.severity === 1 && d.range.start.line === 3 && /;/.test(String(d.message))), JSON.stringify(diags));

  const good = join(site, 'conf.d/good.conf');
  const pendingGood = c.diagnostics(uriOf(good));
  await c.open(good, 'server {\n    listen 8080;\n    server_name good.example;\n    location / { return 200; }\n}\n');
  assert.deepEqual(await pendingGood, []);
});
