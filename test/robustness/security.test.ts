// Security: the extension and the server execute nothing and write nothing; include resolution in
// the language server stays inside the workspace unless the user allows more. (Untrusted
// workspaces get parse-only features: test/lsp/robustness.test.ts "untrusted workspace"; core
// include refusal: test/includes/resolve.test.ts "paths the caller does not allow".)
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { CodeActionRequest, CodeLensRequest, CodeLensResolveRequest, DefinitionRequest, DocumentSymbolRequest, HoverRequest, type CodeLens } from 'vscode-languageserver-protocol/node';
import { startClient, uriOf } from '../lsp/client';
import { repoRoot } from './support';
import { compileLogFormat } from '../../server/src/core/logs/format';
import { factsBuilder } from '../../server/src/core/http/request';

const tmp = mkdtempSync(join(tmpdir(), 'nginx-lens-security-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function sources(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) sources(p, out);
    else if (/\.(ts|js|mjs|cjs)$/.test(e.name)) out.push(p);
  }
  return out;
}

test('server and client sources spawn no process and write no file', () => {
  const files = [...sources(join(repoRoot, 'server/src')), ...sources(join(repoRoot, 'client/src'))];
  assert.ok(files.length > 20);
  const forbidden: [RegExp, string][] = [
    [/\bfrom\s+['"](node:)?(child_process|cluster|worker_threads)['"]|require\(\s*['"](node:)?(child_process|cluster|worker_threads)['"]\s*\)/, 'process-spawning module'],
    [/\b(execSync|execFileSync|spawnSync|execFile|fork)\s*\(|\bspawn\s*\(/, 'process spawn'],
    [/\b(writeFileSync|writeFile|appendFileSync|appendFile|createWriteStream|mkdirSync|mkdtempSync|rmSync|rmdirSync|unlinkSync|unlink|renameSync|copyFileSync|cpSync|symlinkSync|chmodSync|truncateSync|utimesSync)\s*\(/, 'file system write'],
    [/\bopenSync\s*\([^)]*['"][wa+]/, 'file opened for writing'],
    [/\bnew\s+Function\s*\(|\beval\s*\(/, 'code evaluation'],
  ];
  // The reviewed exceptions: the log matcher generated per log_format (core/logs/fastMatch.ts)
  // embeds the format's literals only as JSON strings, and the facts builder per list of logged
  // variables (core/http/request.ts) only names that are plain words; the tests below feed both
  // injection attempts.
  const allowed = new Set(['server/src/core/logs/fastMatch.ts:code evaluation', 'server/src/core/http/request.ts:code evaluation']);
  const hits: string[] = [];
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    text.split('\n').forEach((line, i) => {
      if (/^\s*(\/\/|\*)/.test(line)) return;
      for (const [re, what] of forbidden) if (re.test(line) && !allowed.has(`${relative(repoRoot, f)}:${what}`)) hits.push(`${relative(repoRoot, f)}:${i + 1}: ${what}: ${line.trim()}`);
    });
  }
  assert.deepEqual(hits, []);
});

test('a log_format written to break out of the generated matcher is matched as plain text', () => {
  const g = globalThis as { pwned?: number };
  const evil = [
    `"); globalThis.pwned = 1; ("`,
    "'); globalThis.pwned = 2; ('",
    '` + (globalThis.pwned = 3) + `',
    '\u2028globalThis.pwned = 4;\u2029',
    '*/ globalThis.pwned = 5; /*',
    '\\"); globalThis.pwned = 6; //',
  ];
  for (const [i, lit] of evil.entries()) {
    for (const escape of ['default', 'json', 'none'] as const) {
      const f = compileLogFormat(`evil${i}`, `$remote_addr ${lit} $status ${lit}"$http_user_agent"`, escape);
      // Lines are bytes (one char per byte): the literal as nginx writes it, UTF-8 encoded.
      const line = Buffer.from(`192.0.2.1 ${lit} 444 ${lit}"curl"`, 'utf8').toString('latin1');
      const r = f.parse(line);
      assert.ok(r.ok, `${escape} ${lit}: ${!r.ok && r.reason}`);
      assert.equal(r.fields.status, '444');
      f.match(line);
    }
  }
  assert.equal(g.pwned, undefined);
});

test('variable names written to break out of the generated facts builder are left out', () => {
  const g = globalThis as { pwned?: number };
  const evil = [
    `a": (globalThis.pwned = 1), "b`,
    "a: (globalThis.pwned = 2), b",
    '__proto__',
    'x\u2028globalThis.pwned = 4',
    'http_host } }); globalThis.pwned = 5; ({ x: { y',
  ];
  for (const absentIsEmpty of [false, true]) {
    const facts = factsBuilder(['remote_addr', ...evil, 'http_user_agent'], absentIsEmpty)(['192.0.2.1', ...evil.map(() => 'v'), 'curl']);
    assert.equal(facts.remoteAddr, '192.0.2.1');
    assert.deepEqual(Object.keys(facts.vars), ['http_user_agent']);
    assert.equal(Object.getPrototypeOf(facts.vars), Object.prototype);
  }
  assert.equal(g.pwned, undefined);
});

/** Path → size, mtime and content hash of every file under dir. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  (function walk(d: string) {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        out.set(relative(dir, p) + '/', 'dir');
        walk(p);
      } else {
        const st = statSync(p);
        out.set(relative(dir, p), `${st.size} ${st.mtimeMs} ${createHash('sha1').update(readFileSync(p)).digest('hex')}`);
      }
    }
  })(dir);
  return out;
}

test('check, trace and a language-server session on a copy of examples/ leave it byte-for-byte unchanged', { timeout: 120_000 }, async () => {
  const ws = join(tmp, 'examples');
  cpSync(join(repoRoot, 'examples'), ws, { recursive: true });
  const before = snapshot(ws);
  const cli = join(repoRoot, 'dist/cli.js');
  const check = spawnSync(process.execPath, [cli, 'check', '--json', 'nginx.conf'], { cwd: ws, encoding: 'utf8' });
  assert.ok(check.status === 0 || check.status === 1, check.stderr);
  const trace = spawnSync(process.execPath, [cli, 'trace', '--json', '--config', 'nginx.conf', 'logs/access.log'], { cwd: ws, encoding: 'utf8' });
  assert.equal(trace.status, 0, trace.stderr);
  assert.ok(JSON.parse(trace.stdout).length > 0);

  const c = await startClient({ rootPath: ws });
  try {
    const docs = readdirSync(ws, { recursive: true, encoding: 'utf8' }).filter((p) => statSync(join(ws, p)).isFile() && !p.endsWith('mime.types'));
    for (const rel of docs) {
      const p = join(ws, rel);
      const isLog = rel.endsWith('.log');
      const text = readFileSync(p, 'utf8');
      await c.open(p, text, isLog ? 'nginx-access-log' : 'nginx');
      const uri = uriOf(p);
      const lines = text.split('\n');
      for (let line = 0; line < Math.min(lines.length, 40); line++) {
        const position = { line, character: Math.min(lines[line].length, 6) };
        await c.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position });
        await c.connection.sendRequest(DefinitionRequest.type, { textDocument: { uri }, position });
      }
      await c.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri } });
      const range = { start: { line: 0, character: 0 }, end: { line: lines.length, character: 0 } };
      // Quick fixes are offered as edits for the user to accept; nothing is applied by the server.
      await c.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range, context: { diagnostics: [] } });
      const lenses = ((await c.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } })) ?? []) as CodeLens[];
      for (const l of lenses.slice(0, 20)) await c.connection.sendRequest(CodeLensResolveRequest.type, l);
    }
    assert.equal(c.child.exitCode, null);
  } finally {
    await c.close();
  }
  assert.deepEqual(snapshot(ws), before, 'no file changed, appeared or disappeared');
});

test('the language server reads no include outside the workspace unless allowed', { timeout: 120_000 }, async () => {
  const ws = join(tmp, 'ws');
  const outside = join(tmp, 'outside');
  mkdirSync(ws, { recursive: true });
  mkdirSync(outside, { recursive: true });
  // The outside file is broken: if it is read, its syntax error shows up in the diagnostics.
  writeFileSync(join(outside, 'secret.conf'), 'server { listen 80; return 444 \n');
  const main = join(ws, 'nginx.conf');
  const text = `events {}\nhttp {\n    include ${outside}/*.conf;\n}\n`;
  writeFileSync(main, text);
  const secret = uriOf(join(outside, 'secret.conf'));
  const run = async (settings: object) => {
    const c = await startClient({ rootPath: ws, initializationOptions: { trusted: true, settings } });
    try {
      const pending = c.diagnostics(uriOf(main), 20_000);
      // The server publishes diagnostics for every file its analysis read.
      const pendingSecret = c.diagnostics(secret, 8_000).catch(() => undefined);
      await c.open(main, text);
      const mainDiags = (await pending).map((d) => `${d.code} ${d.message}`);
      const secretDiags = (await pendingSecret)?.map((d) => (typeof d.message === 'string' ? d.message : d.message.value));
      return { mainDiags, secretDiags };
    } finally {
      await c.close();
    }
  };
  const refused = await run({});
  assert.ok(refused.mainDiags.some((m) => /outside the workspace/.test(m)), refused.mainDiags.join('\n'));
  assert.ok(!refused.secretDiags?.length, `the outside file was analysed: ${refused.secretDiags}`);
  const allowed = await run({ allowIncludesOutsideWorkspace: true });
  assert.ok(!allowed.mainDiags.some((m) => /outside the workspace/.test(m)), allowed.mainDiags.join('\n'));
  assert.ok(allowed.secretDiags?.some((m) => /end of file/.test(m)), `allowed: the outside file is read (${allowed.secretDiags})`);
});
