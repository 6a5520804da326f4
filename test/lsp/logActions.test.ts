// Quick fix on an access-log line whose 444 is ambiguous for want of a logged variable: offered
// in the log, editing the configuration, and marked for the editor to show before applying.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CodeActionRequest, HoverRequest, type AnnotatedTextEdit, type CodeAction, type MarkupContent, type TextDocumentEdit } from 'vscode-languageserver-protocol/node';
import { startClient, uriOf, type TestClient } from './client';

let dir: string;
let c: TestClient;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nginx-lens-logfix-'));
  mkdirSync(join(dir, 'logs'));
  writeFileSync(
    join(dir, 'nginx.conf'),
    `events {}
http {
    access_log logs/access.log;
    server { listen 80 default_server; server_name a.test; location /x { return 444; } }
    server { listen 80; server_name b.test; location /x { return 444; } }
}
`,
  );
  c = await startClient({ rootPath: dir });
});
after(async () => {
  await c?.close();
  rmSync(dir, { recursive: true, force: true });
});

const actions = async (uri: string, line: number) =>
  ((await c.connection.sendRequest(CodeActionRequest.type, {
    textDocument: { uri },
    range: { start: { line, character: 0 }, end: { line, character: 0 } },
    context: { diagnostics: [] },
  })) ?? []) as CodeAction[];

test('an ambiguous 444 line offers to log $host, or to mark its drops; other lines offer nothing', async () => {
  const log = join(dir, 'logs/access.log');
  const lines = [
    '192.0.2.1 - - [27/Nov/2026:10:00:00 +0000] "GET /x HTTP/1.1" 444 0 "-" "curl/8"',
    '192.0.2.1 - - [27/Nov/2026:10:00:01 +0000] "GET / HTTP/1.1" 404 0 "-" "curl/8"',
  ];
  writeFileSync(log, lines.join('\n') + '\n');
  await c.open(log, lines.join('\n') + '\n', 'nginx-access-log');
  const [fix, mark, ...rest] = await actions(uriOf(log), 0);
  assert.equal(rest.length, 0);
  assert.ok(fix, 'a quick fix on the ambiguous line');
  assert.equal(fix.isPreferred, true);
  // The other fix: a marker before each of the two drops, on their line, and the marker logged.
  assert.ok(mark, 'the marker fix');
  assert.match(mark.title, /Mark these 2 drops/);
  assert.notEqual(mark.isPreferred, true);
  const marks = (mark.edit!.documentChanges as TextDocumentEdit[]).flatMap((d) => d.edits as AnnotatedTextEdit[]).map((e) => e.newText);
  assert.deepEqual(marks.filter((t) => t.startsWith('set ')), ['set $nginx_lens_rule "nginx.conf:4"; ', 'set $nginx_lens_rule "nginx.conf:5"; ']);
  assert.ok(marks.some((t) => /log_format combined_nginx_lens_rule '.*"\$nginx_lens_rule"';/.test(t)), marks.join('|'));
  assert.equal(fix.kind, 'quickfix');
  assert.match(fix.title, /Log \$host/);
  const changes = fix.edit!.documentChanges as TextDocumentEdit[];
  assert.deepEqual(changes.map((d) => d.textDocument.uri), [uriOf(join(dir, 'nginx.conf'))]);
  const edits = changes[0].edits as AnnotatedTextEdit[];
  const texts = edits.map((e) => e.newText).join('|');
  assert.match(texts, /log_format combined_host '\$remote_addr .*"\$host"';/);
  assert.match(texts, /combined_host/);
  assert.ok(edits.every((e) => fix.edit!.changeAnnotations![e.annotationId].needsConfirmation === true));
  assert.deepEqual(await actions(uriOf(log), 1), []);
  // The hover of the ambiguous line says so.
  const hover = await c.connection.sendRequest(HoverRequest.type, { textDocument: { uri: uriOf(log) }, position: { line: 0, character: 2 } });
  assert.match((hover!.contents as MarkupContent).value, /log `\$host`: the quick fix on this line adds it to the log format/);
});
