// `nginx-lens trace --json` as users run it: the built dist/cli.js writing megabytes of JSON to a
// file and (run as its bin) to a pipe (its output buffers are reused once written) gives exactly
// what the in-process text path gives.
import { test, before, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { gzipSync } from 'node:zlib';
import { chmodSync, closeSync, cpSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runTrace } from '../../server/src/cli/trace';
import { cli, ensureBuiltCli, repoRoot } from './support';
import { binEnv } from '../support/binEnv';

before(ensureBuiltCli);

/** The examples in a temp directory, their log repeated `copies` times; the trace's arguments. */
function repeatedExample(t: TestContext, copies: number): { one: string; args: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'nginx-lens-trace-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(join(repoRoot, 'examples'), dir, { recursive: true });
  const one = readFileSync(join(repoRoot, 'examples/logs/access.log'), 'latin1');
  writeFileSync(join(dir, 'logs/access.log'), one.repeat(copies), 'latin1');
  return { one, args: ['trace', '--json', '--config', join(dir, 'nginx.conf'), join(dir, 'logs/access.log')] };
}

test('trace --json: megabytes of output to a file and to a pipe equal the in-process answer', async (t) => {
  const copies = 300;
  const { one, args } = repeatedExample(t, copies);

  const out: string[] = [];
  assert.equal(await runTrace(args.slice(1), { out: (s) => out.push(s), err: () => undefined }), 0);
  const expected = JSON.parse(out.join('')) as { log: { line: number } }[];
  const perCopy = one.split('\n').filter((l) => / 444 /.test(l)).length;
  assert.equal(expected.length, perCopy * copies);

  const file = join(tmpdir(), `nginx-lens-trace-${process.pid}.json`);
  t.after(() => rmSync(file, { force: true }));
  const fd = openSync(file, 'w');
  const toFile = spawnSync(process.execPath, [cli, ...args], { stdio: ['ignore', fd, 'pipe'], cwd: repoRoot, timeout: 60000 });
  closeSync(fd);
  assert.equal(toFile.status, 0, String(toFile.stderr));
  const written = readFileSync(file, 'utf8');
  assert.ok(written.length > 2 << 20, `${written.length} bytes: more than the sink's 1 MB chunk`);
  assert.deepEqual(JSON.parse(written), expected);

  // Through the bin as npm links it: its #! line starts node with V8 flags of its own (scripts/build.mjs).
  const toPipe = spawnSync(cli, args, { cwd: repoRoot, env: binEnv(), encoding: 'utf8', maxBuffer: 64 << 20, timeout: 60000 });
  assert.equal(toPipe.status, 0, toPipe.stderr);
  assert.equal(toPipe.stdout, written);
});

test('trace --json into a reader that stops early (| head) ends quietly with status 0', async (t) => {
  const { args } = repeatedExample(t, 300);
  const child = spawn(cli, args, { cwd: repoRoot, env: binEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (b) => (err += b));
  // The first bytes, then the pipe is closed, as `head -c` does.
  child.stdout.once('data', () => child.stdout.destroy());
  const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
  assert.equal(signal, null);
  assert.equal(code, 0, err);
  assert.equal(err, '');
});

test('trace - reads the log from standard input, plain or gzip, with the same answers as from the file', async (t) => {
  const { args } = repeatedExample(t, 3);
  const file = args[args.length - 1];
  const viaFile = spawnSync(cli, args, { cwd: repoRoot, env: binEnv(), encoding: 'utf8', timeout: 60000 });
  assert.equal(viaFile.status, 0, viaFile.stderr);
  const expected = (JSON.parse(viaFile.stdout) as { log: { file: string; line: number } }[]).map((e) => ({ ...e, log: { ...e.log, file: '-' } }));
  assert.ok(expected.length > 0);
  const bytes = readFileSync(file);
  for (const [how, input] of [['plain', bytes], ['gzip', gzipSync(bytes)]] as const) {
    const viaStdin = spawnSync(cli, [...args.slice(0, -1), '-'], { cwd: repoRoot, env: binEnv(), input, encoding: 'utf8', timeout: 60000 });
    assert.equal(viaStdin.status, 0, viaStdin.stderr);
    assert.deepEqual(JSON.parse(viaStdin.stdout), expected, how);
  }
  const twice = spawnSync(cli, [...args.slice(0, -1), '-', '-'], { cwd: repoRoot, env: binEnv(), input: bytes, encoding: 'utf8', timeout: 60000 });
  assert.equal(twice.status, 2);
  assert.match(twice.stderr, /standard input \(-\) can be read once/);
});

test('trace - --written-to: the access_log nginx wrote the piped lines to picks their format', (t) => {
  const { args } = repeatedExample(t, 1);
  const bytes = readFileSync(args[args.length - 1]);
  const base = args.slice(2, 4); // --config <file>, no --json: the report names the format
  const run = (extra: string[]) => spawnSync(cli, ['trace', ...base, ...extra], { cwd: repoRoot, env: binEnv(), input: bytes, encoding: 'utf8', timeout: 60000 });
  const told = run(['--written-to', '/var/log/nginx/access.log', '-']);
  assert.equal(told.status, 0, told.stderr);
  assert.match(told.stderr, /^-: \d+ lines, format log_format vhost \(access_log \/var\/log\/nginx\/access\.log\)/m);
  const untold = run(['-']);
  assert.match(untold.stderr, /^-: \d+ lines, format detected: log_format vhost/m);
  assert.equal(untold.stdout.split('\n')[0], told.stdout.split('\n')[0], 'the same counts either way here');
  assert.equal(run(['--written-to', 'relative.log', '-']).status, 2);
  assert.equal(run(['--written-to', '/var/log/nginx/access.log', args[args.length - 1]]).status, 2);
});

test('trace without --prefix: a relative access_log and the log\'s own path give nginx\'s prefix, so relative roots are looked at', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nginx-lens-prefix-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // nginx's workers (another user) must be able to search it, else the file questions fork.
  chmodSync(dir, 0o755);
  const conf = join(dir, 'conf/nginx.conf');
  const files: Record<string, string> = {
    'conf/nginx.conf': `events {}
http {
  access_log logs/access.log;
  server {
    listen 8080;
    location / {
      if (-f $request_filename) { return 444; }
      try_files $uri =444;
    }
  }
}
`,
    'html/here.txt': 'x',
    'logs/access.log': [
      '127.0.0.1 - - [28/Nov/2026:10:00:00 +0000] "GET /here.txt HTTP/1.1" 444 0 "-" "curl/8"',
      '127.0.0.1 - - [28/Nov/2026:10:00:01 +0000] "GET /gone.txt HTTP/1.1" 444 0 "-" "curl/8"',
      '',
    ].join('\n'),
  };
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
  const trace = async (...extra: string[]) => {
    const out: string[] = [];
    assert.equal(await runTrace(['--json', '--config', conf, ...extra, join(dir, 'logs/access.log')], { out: (s) => out.push(s), err: () => undefined }), 0);
    return (JSON.parse(out.join('')) as { verdict: string; rules: { line: number }[] }[]).map((e) => `${e.verdict} ${e.rules.map((r) => r.line).join(',')}`);
  };
  // The file exists under <prefix>/html: the `if` returned; it does not: try_files did.
  assert.deepEqual(await trace(), ['exact 7', 'exact 8']);
  // Told a prefix whose document root is not on this machine, the file questions stay open.
  assert.deepEqual(await trace('--prefix', join(dir, 'elsewhere')), ['ambiguous 7,8', 'ambiguous 7,8']);
});
