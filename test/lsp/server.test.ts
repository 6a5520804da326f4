// The built server over stdio, driven by a real LSP client.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CodeActionRequest,
  CompletionRequest,
  type CodeAction,
  DefinitionRequest,
  DocumentLinkRequest,
  DocumentSymbolRequest,
  FoldingRangeRequest,
  HoverRequest,
  WorkspaceSymbolRequest,
  type SymbolInformation,
  type CompletionList,
  type DocumentSymbol,
  type Location,
  type MarkupContent,
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

test('publishDiagnostics: the whole-config check judges a fragment in the context its includer gives it', async () => {
  const ctx = join(site, 'conf.d/context.conf');
  const pending = c.diagnostics(uriOf(ctx));
  await c.open(ctx, 'server {\n    listen 8081;\n    worker_processes 2;\n    proxy_passs http://backend;\n}\n');
  const diags = await pending;
  const codes = diags.map((d) => `${d.range.start.line}:${d.code}:${d.severity}`);
  assert.ok(codes.includes('2:not-allowed-here:1'), codes.join(', '));
  assert.ok(diags.some((d) => d.range.start.line === 3 && d.severity === 2), codes.join(', '));

  // The typo carries a fix: offered as a quick fix, applied only if chosen.
  const actions = (await c.connection.sendRequest(CodeActionRequest.type, {
    textDocument: { uri: uriOf(ctx) },
    range: { start: { line: 3, character: 6 }, end: { line: 3, character: 6 } },
    context: { diagnostics: [] },
  })) as CodeAction[];
  const fix = actions.find((a) => /proxy_pass"/.test(a.title));
  assert.ok(fix, JSON.stringify(actions.map((a) => a.title)));
  assert.equal(fix.kind, 'quickfix');
  assert.deepEqual(fix.edit!.changes![uriOf(ctx)].map((e) => [e.range.start.line, e.range.start.character, e.newText]), [[3, 4, 'proxy_pass']]);
});

const snippets = join(site, 'snippets/deny-bots.conf');

async function hoverText(path: string, line: number, character: number): Promise<string> {
  const h = await c.connection.sendRequest(HoverRequest.type, { textDocument: { uri: uriOf(path) }, position: { line, character } });
  return h ? (h.contents as MarkupContent).value : '';
}

test('hover on a directive shows the reference docs', async () => {
  const text = await hoverText(shopConf, 6, 10); // proxy_pass
  assert.match(text, /\*\*proxy_pass\*\* \*`URL`\*;/);
  assert.match(text, /ngx_http_proxy_module/);
  assert.match(text, /Context: .*`location`/);
  assert.match(text, /https:\/\/nginx\.org\/en\/docs\/http\/ngx_http_proxy_module\.html#proxy_pass/);
});

test('hover on return 444: the 444 engine explains which requests it drops, then the docs', async () => {
  const text = await hoverText(shopConf, 10, 9);
  assert.match(text, /closes the connection without sending/);
  assert.match(text, /\*\*Drops\*\* requests that reach it/);
  assert.match(text, /Pre-empted.*if \(\$bad_bot\)/);
  assert.match(text, /\*\*return\*\*/);
});

test('hover on variables: built-in family and user-defined map', async () => {
  const main = readFileSync(mainConf, 'utf8').split('\n');
  const mapLine = main.findIndex((l) => l.includes('map $http_user_agent'));
  const ua = await hoverText(mainConf, mapLine, main[mapLine].indexOf('$http_user_agent') + 3);
  assert.match(ua, /arbitrary request header field/);
  const bad = await hoverText(mainConf, mapLine, main[mapLine].indexOf('$bad_bot') + 2);
  assert.match(bad, /user variable/);
  assert.match(bad, /`map \$http_user_agent \$bad_bot` — nginx\.conf:14/);
});

test('completion in a server block offers server directives only', async () => {
  const path = join(site, 'conf.d/typing.conf');
  await c.open(path, 'server {\n    \n}\n');
  const list = (await c.connection.sendRequest(CompletionRequest.type, {
    textDocument: { uri: uriOf(path) },
    position: { line: 1, character: 4 },
  })) as CompletionList;
  const labels = list.items.map((i) => i.label);
  assert.ok(labels.includes('listen'), 'listen offered');
  assert.ok(labels.includes('location'), 'location offered');
  assert.ok(!labels.includes('worker_processes'), 'worker_processes not offered in server');
  assert.ok(!labels.includes('upstream'), 'upstream not offered in server');
});

test('completion of variables after $ includes user-defined ones', async () => {
  const path = join(site, 'conf.d/typing2.conf');
  await c.open(path, 'server {\n    if ($b\n}\n');
  const list = (await c.connection.sendRequest(CompletionRequest.type, {
    textDocument: { uri: uriOf(path) },
    position: { line: 1, character: 10 },
  })) as CompletionList;
  const labels = list.items.map((i) => i.label);
  assert.ok(labels.includes('$bad_bot'), 'user variable from the map in nginx.conf');
  assert.ok(labels.includes('$host'), 'built-in');
  assert.ok(labels.includes('$http_NAME'), 'header family');
});

test('definition: include targets, upstream in proxy_pass, named variables', async () => {
  const main = readFileSync(mainConf, 'utf8').split('\n');
  const incLine = main.findIndex((l) => l.includes('include conf.d'));
  const inc = (await c.connection.sendRequest(DefinitionRequest.type, {
    textDocument: { uri: uriOf(mainConf) },
    position: { line: incLine, character: main[incLine].indexOf('conf.d') + 2 },
  })) as Location[];
  assert.ok(inc.some((l) => l.uri === uriOf(shopConf)), JSON.stringify(inc));

  const up = (await c.connection.sendRequest(DefinitionRequest.type, {
    textDocument: { uri: uriOf(shopConf) },
    position: { line: 6, character: 28 },
  })) as Location[];
  assert.deepEqual(up.map((l) => [l.uri, l.range.start.line]), [[uriOf(mainConf), main.findIndex((l) => l.includes('upstream backend'))]]);

  await c.open(snippets, readFileSync(snippets, 'utf8'));
  const v = (await c.connection.sendRequest(DefinitionRequest.type, {
    textDocument: { uri: uriOf(snippets) },
    position: { line: 0, character: 7 },
  })) as Location[];
  assert.deepEqual(v.map((l) => [l.uri, l.range.start.line]), [[uriOf(mainConf), main.findIndex((l) => l.includes('map $http_user_agent'))]]);
});

test('document links for include globs', async () => {
  const links = await c.connection.sendRequest(DocumentLinkRequest.type, { textDocument: { uri: uriOf(mainConf) } });
  const main = readFileSync(mainConf, 'utf8').split('\n');
  const incLine = main.findIndex((l) => l.includes('include conf.d'));
  const link = links!.find((l) => l.range.start.line === incLine);
  assert.ok(link, JSON.stringify(links));
  assert.match(link.target!, /\/fixtures\/site\/conf\.d\/[a-z0-9]+\.conf$/);
  // Several files match the glob (shop.conf plus the buffers the other tests opened).
  assert.match(link.tooltip ?? '', /^\d+ files match/);
});

test('workspace symbols: servers, locations and 444 rules', async () => {
  const syms = (await c.connection.sendRequest(WorkspaceSymbolRequest.type, { query: '' })) as SymbolInformation[];
  const names = syms.map((s) => s.name);
  assert.ok(names.includes('server shop.example.com www.shop.example.com'), names.join(', '));
  assert.ok(names.includes('location ~* \\.php$'), names.join(', '));
  const drops = syms.filter((s) => / 444/.test(s.name));
  assert.equal(drops.length, 3, names.join(', '));
  const filtered = (await c.connection.sendRequest(WorkspaceSymbolRequest.type, { query: 'fallback' })) as SymbolInformation[];
  assert.deepEqual(filtered.map((s) => [s.name, s.containerName]), [['location @fallback', 'server shop.example.com www.shop.example.com']]);
});

test('nginx-lens/all444Rules lists every 444 source with its condition', async () => {
  const { rules } = await c.connection.sendRequest<{ rules: { uri: string; range: { start: { line: number } }; title: string; condition: string }[] }>('nginx-lens/all444Rules', {});
  const byPlace = rules.map((r) => [`${r.uri.split('/').pop()}:${r.range.start.line + 1}`, r.condition] as const).sort((a, b) => a[0].localeCompare(b[0]));
  assert.deepEqual(byPlace.map((x) => x[0]), ['deny-bots.conf:2', 'shop.conf:11', 'shop.conf:22']);
  assert.match(byPlace[0][1], /Host `shop\.example\.com`.*if `\$bad_bot` is neither empty nor "0"/);
  assert.match(byPlace[1][1], /URIs matching `\\\.php\$` \(case-insensitive\)/);
  assert.match(byPlace[2][1], /default_server/);
});
