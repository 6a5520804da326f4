// The editor answers nginx's file questions (if (-f ...), try_files) from the disk only where it
// may read: a document root in the workspace is asked, one outside it is not (unless allowed),
// and the lens then names both rules a line may be.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CodeLensRequest, type CodeLens } from 'vscode-languageserver-protocol/node';
import { startClient, uriOf, type TestClient } from './client';

let dir: string;
let outside: string;
let c: TestClient;

const server = (port: number, root: string, log: string) => `    server { listen ${port}; root ${root}; access_log ${log};
        location /fe/ {
            if (!-f $request_filename) { return 444; }
            return 444;
        }
    }`;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nginx-lens-files-'));
  outside = mkdtempSync(join(tmpdir(), 'nginx-lens-outside-'));
  for (const d of [dir, outside]) {
    // As a server's tree: nginx's workers (another user) may search it.
    chmodSync(d, 0o755);
    mkdirSync(join(d, 'www/fe'), { recursive: true });
    writeFileSync(join(d, 'www/fe/yes.txt'), 'y');
  }
  mkdirSync(join(dir, 'logs'));
  writeFileSync(
    join(dir, 'nginx.conf'),
    `events {}\nhttp {\n${server(80, join(dir, 'www'), join(dir, 'logs/in.log'))}\n${server(81, join(outside, 'www'), join(dir, 'logs/out.log'))}\n}\n`,
  );
  c = await startClient({ rootPath: dir });
});
after(async () => {
  await c?.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

const lines = ['/fe/yes.txt', '/fe/no.txt'].map((p) => `192.0.2.1 - - [28/Nov/2026:10:00:00 +0000] "GET ${p} HTTP/1.1" 444 0 "-" "curl/8"`);

async function lensTitles(name: string): Promise<string[]> {
  const log = join(dir, 'logs', name);
  const text = lines.join('\n') + '\n';
  writeFileSync(log, text);
  await c.open(log, text, 'nginx-access-log');
  const lenses = ((await c.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri: uriOf(log) } })) ?? []) as CodeLens[];
  return lenses.map((l) => l.command?.title ?? '');
}

test('a document root in the workspace: each line names the drop its file decided', async () => {
  const titles = await lensTitles('in.log');
  // nginx.conf lines: 5 is the `if (!-f ...)` of the first server, 6 its plain return.
  assert.deepEqual(titles.map((t) => /:(\d+)$/.exec(t)?.[1]), ['6', '5'], titles.join(' | '));
});

test('a document root outside the workspace is not read: both drops', async () => {
  const titles = await lensTitles('out.log');
  assert.deepEqual(titles.map((t) => t.replace(/ — .*/, '')), ['one of 2 rules', 'one of 2 rules'], titles.join(' | '));
});
