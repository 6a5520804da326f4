// Access-log features over the built server: a lens per 444 line naming the rule, the decision
// path on hover, the log_format notification, and the reverse lens on each 444 source.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CodeLensRequest, CodeLensResolveRequest, DidCloseTextDocumentNotification, HoverRequest, type CodeLens, type MarkupContent } from 'vscode-languageserver-protocol/node';
import { startClient, uriOf, type TestClient } from './client';

const fixture = join(__dirname, 'fixtures/site');
let dir: string;
let c: TestClient;
let formats: { uri: string; format: string; source: string }[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nginx-lens-lsp-'));
  cpSync(fixture, dir, { recursive: true });
  c = await startClient({ rootPath: dir });
  c.connection.onNotification('nginx-lens/logFormat', (p: { uri: string; format: string; source: string }) => {
    formats.push(p);
  });
});
after(async () => {
  await c?.close();
  rmSync(dir, { recursive: true, force: true });
});

const lenses = async (path: string) =>
  ((await c.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri: uriOf(path) } })) ?? []) as CodeLens[];

test('a code lens on every 444 line names the rule that dropped it', async () => {
  const log = join(dir, 'logs/access.log');
  await c.open(log, readFileSync(log, 'utf8'), 'nginx-access-log');
  const got = await lenses(log);
  assert.deepEqual(
    got.map((l) => [l.range.start.line, l.command!.title]),
    [
      [1, 'dropped by return 444 — conf.d/shop.conf:11'],
      [2, 'dropped by return 444 — conf.d/shop.conf:22'],
      [3, 'dropped by return 444 — snippets/deny-bots.conf:2'],
    ],
  );
  const arg = got[0].command!.arguments![0];
  assert.equal(got[0].command!.command, 'nginx-lens.showLogLineRules');
  assert.deepEqual(arg.locations.map((l: { uri: string; range: { start: { line: number } } }) => [l.uri, l.range.start.line]), [[uriOf(join(dir, 'conf.d/shop.conf')), 10]]);
  assert.match(arg.message, /location ~\* \\\.php\$/);
});

test('the server tells the client which log_format reads the log', async () => {
  for (let i = 0; i < 200 && !formats.length; i++) await new Promise((r) => setTimeout(r, 50));
  const f = formats.find((x) => x.uri === uriOf(join(dir, 'logs/access.log')));
  assert.ok(f, 'a nginx-lens/logFormat notification');
  assert.equal(f.format, 'withhost');
  assert.match(f.source, /access_log/);
});

test('a log no configuration names is read with a detected format, and the status bar says so', async () => {
  const elsewhere = mkdtempSync(join(tmpdir(), 'nginx-lens-noconf-'));
  try {
    const log = join(elsewhere, 'access.log');
    const line = (i: number) => `203.0.113.${i} - - [27/Nov/2026:10:00:0${i} +0000] "GET / HTTP/1.1" 444 0 "-" "curl/8.0"`;
    await c.open(log, `${line(1)}\r\n${line(2)}\r\n\r\n${line(3)}\r\n`, 'nginx-access-log');
    let f: { format: string; source: string } | undefined;
    for (let i = 0; i < 200 && !f; i++) {
      f = formats.find((x) => x.uri === uriOf(log));
      if (!f) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(f, 'a nginx-lens/logFormat notification');
    assert.equal(f.format, 'combined (detected)');
    assert.match(f.source, /\(3\/3 lines\)/);
    await c.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri: uriOf(log) } });
  } finally {
    rmSync(elsewhere, { recursive: true, force: true });
  }
});

test('hover on a 444 line shows the decision path', async () => {
  const log = join(dir, 'logs/access.log');
  const h = await c.connection.sendRequest(HoverRequest.type, { textDocument: { uri: uriOf(log) }, position: { line: 2, character: 4 } });
  // Compared as shown: the hover escapes nginx text for Markdown (backslash escapes resolved here).
  const text = (h!.contents as MarkupContent).value.replace(/\\([!-/:-@[-`{-~])/g, '$1');
  assert.match(text, /exact/);
  assert.match(text, /no server_name matches Host "10\.0\.0\.1"/);
  assert.match(text, /default_server/);
  const none = await c.connection.sendRequest(HoverRequest.type, { textDocument: { uri: uriOf(log) }, position: { line: 0, character: 4 } });
  assert.equal(none, null, 'a 200 line has no hover');
});

test('reverse lens: each 444 source counts its drops in the workspace logs', async () => {
  const shop = join(dir, 'conf.d/shop.conf');
  await c.open(shop, readFileSync(shop, 'utf8'));
  // Counted in the background; the server asks the client to refresh its lenses when done (and
  // after config edits), so ask again at each refresh until the counts are there.
  let got = await lenses(shop);
  for (let i = 0; i < 20 && got.length === 0; i++) {
    await c.lensRefresh(2000).catch(() => undefined);
    got = await lenses(shop);
  }
  assert.deepEqual(
    got.map((l) => [l.range.start.line, l.command!.title]),
    [
      [10, '1 drop in access.log'],
      [21, '1 drop in access.log'],
    ],
  );
  const arg = got[1].command!.arguments![0];
  assert.equal(got[1].command!.command, 'nginx-lens.showDropsForRule');
  assert.deepEqual(arg.locations.map((l: { uri: string; range: { start: { line: number } } }) => [l.uri, l.range.start.line]), [[uriOf(join(dir, 'logs/access.log')), 2]]);
  // The peek list previews each line from the location's start: it starts at the request, not the client address.
  const { range } = arg.locations[0] as { range: { start: { line: number; character: number }; end: { line: number; character: number } } };
  const line = readFileSync(join(dir, 'logs/access.log'), 'utf8').split('\n')[2];
  assert.equal(range.end.line, 2);
  assert.equal(line.slice(range.start.character, range.end.character), 'GET / HTTP/1.1');
});

test('reverse lens: a log changed on disk is recounted even when no watcher event comes', async () => {
  // The editor's watcher may report late, or not at all: the counts are checked against the disk.
  const shop = join(dir, 'conf.d/shop.conf');
  const log = join(dir, 'logs/access.log');
  const before = readFileSync(log, 'utf8');
  writeFileSync(log, before + before.split('\n')[2] + '\n');
  const title = async (want: string) => {
    let got = '';
    for (let i = 0; i < 40 && got !== want; i++) {
      got = (await lenses(shop)).find((l) => l.range.start.line === 21)?.command?.title ?? '';
      if (got !== want) await c.lensRefresh(500).catch(() => undefined);
    }
    return got;
  };
  try {
    assert.equal(await title('2 drops in access.log'), '2 drops in access.log');
  } finally {
    writeFileSync(log, before);
  }
  assert.equal(await title('1 drop in access.log'), '1 drop in access.log');
});

test('lenses for a 100k-line log: one cheap pass, resolved when they scroll into view', async () => {
  const base = readFileSync(join(dir, 'logs/access.log'), 'utf8').trimEnd().split('\n');
  const lines: string[] = [];
  for (let i = 0; i < 100_000; i++) {
    // 1 line in 10 is a 444 (cycling through the three rules), every line from its own address.
    const l = i % 10 === 0 ? base[1 + ((i / 10) % 3)] : base[0];
    lines.push(l.replace(/^203\.0\.113\.\d+/, `198.51.${(i >> 8) & 255}.${i & 255}`));
  }
  const big = join(dir, 'logs/big.access.log');
  await c.open(big, lines.join('\n') + '\n', 'nginx-access-log');
  const t0 = performance.now();
  const got = await lenses(big);
  const cold = performance.now() - t0;
  const t1 = performance.now();
  const again = await lenses(big);
  const warm = performance.now() - t1;
  console.log(`# 100k-line log: ${got.length} lenses, first request ${cold.toFixed(0)} ms, again ${warm.toFixed(0)} ms (round trip)`);
  assert.equal(got.length, 10_000);
  assert.equal(again.length, 10_000);
  assert.deepEqual(got.slice(0, 3).map((l) => l.range.start.line), [0, 10, 20]);
  assert.ok(!got[0].command, 'many lenses: resolved on demand');
  // Resolved lenses carry the titles the eager path gives these lines (first test), wherever they are.
  const titles = ['dropped by return 444 — conf.d/shop.conf:11', 'dropped by return 444 — conf.d/shop.conf:22', 'dropped by return 444 — snippets/deny-bots.conf:2'];
  for (let k = 2; k < got.length; k += 397) {
    const r = await c.connection.sendRequest(CodeLensResolveRequest.type, got[k]);
    assert.equal(r.range.start.line, 10 * k);
    assert.equal(r.command!.title, titles[k % 3], `lens ${k}`);
  }
  // A lens of a log closed since resolves to itself (no title from another document).
  await c.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri: uriOf(big) } });
  const stale = await c.connection.sendRequest(CodeLensResolveRequest.type, got[2]);
  assert.equal(stale.command, undefined);
  assert.deepEqual(stale.data, got[2].data);
  assert.ok(cold < 10_000, `cold ${cold} ms`);
});

test('nginx-lens.logFiles maps a log to a config the workspace layout does not reveal', async () => {
  const ws = mkdtempSync(join(tmpdir(), 'nginx-lens-logfiles-'));
  try {
    cpSync(fixture, join(ws, 'srv'), { recursive: true });
    // Not called nginx.conf: nothing would find it without the setting.
    cpSync(join(ws, 'srv/nginx.conf'), join(ws, 'srv/main.conf'));
    rmSync(join(ws, 'srv/nginx.conf'));
    mkdirSync(join(ws, 'archive'));
    const log = join(ws, 'archive/shop-2026-11.log');
    const text = readFileSync(join(fixture, 'logs/access.log'), 'utf8');
    writeFileSync(log, text);
    const ask = async (client: TestClient) => {
      await client.open(log, text, 'nginx-access-log');
      return ((await client.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri: uriOf(log) } })) ?? []) as CodeLens[];
    };
    const plain = await startClient({ rootPath: ws });
    try {
      assert.deepEqual(await ask(plain), []);
    } finally {
      await plain.close();
    }
    const mapped = await startClient({
      rootPath: ws,
      initializationOptions: { trusted: true, settings: { logFiles: { 'archive/shop-*.log': { config: 'srv/main.conf', format: 'withhost' } } } },
    });
    try {
      const got = await ask(mapped);
      assert.deepEqual(got.map((l) => l.command!.title), [
        'dropped by return 444 — conf.d/shop.conf:11',
        'dropped by return 444 — conf.d/shop.conf:22',
        'dropped by return 444 — snippets/deny-bots.conf:2',
      ]);
    } finally {
      await mapped.close();
    }
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
});

test('nginx\'s prefix is inferred from the log\'s path, as the CLI does: relative roots name files the editor can look at', async () => {
  const ws = mkdtempSync(join(tmpdir(), 'nginx-lens-prefix-'));
  try {
    // mkdtemp's 0700 would hide the files from nginx's worker user, and so from the router's file questions.
    chmodSync(ws, 0o755);
    mkdirSync(join(ws, 'logs'));
    mkdirSync(join(ws, 'html'));
    writeFileSync(join(ws, 'html/secret.txt'), 'x');
    writeFileSync(
      join(ws, 'nginx.conf'),
      `events {}
http {
    access_log logs/access.log;
    server {
        listen 80;
        location / {
            if (-f $request_filename) { return 444; }
            return 444;
        }
    }
}
`,
    );
    const line = (path: string) => `192.0.2.1 - - [27/Nov/2026:10:00:00 +0000] "GET ${path} HTTP/1.1" 444 0 "-" "curl/8"`;
    const log = join(ws, 'logs/access.log');
    const text = [line('/secret.txt'), line('/nope.txt'), ''].join('\n');
    writeFileSync(log, text);
    // Without the prefix `root html` (the default) names no file here, and either return may have run.
    const client = await startClient({ rootPath: ws, initializationOptions: { trusted: true } });
    try {
      await client.open(log, text, 'nginx-access-log');
      const got = ((await client.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri: uriOf(log) } })) ?? []) as CodeLens[];
      assert.deepEqual(got.map((l) => [l.range.start.line, l.command!.title]), [
        [0, 'dropped by return 444 — nginx.conf:7'],
        [1, 'dropped by return 444 — nginx.conf:8'],
      ]);
    } finally {
      await client.close();
    }
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
});
