// `nginx-lens check` as users run it: the built dist/cli.js, real files, exit codes and output shapes.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { cli, ensureBuiltCli, repoRoot } from './support';
import { dirname, join } from 'node:path';

before(ensureBuiltCli);

function run(args: string[], cwd = repoRoot) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', timeout: 60000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tree(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), 'nginx-lens-cli-'));
  for (const [p, t] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), t);
  }
  return dir;
}

const SHAPE = ['file', 'line', 'column', 'endLine', 'endColumn', 'severity', 'code', 'message'];

test('the bundled example checks clean, exit 0, from the repo root via the bin path', () => {
  const r = run(['check', '--json', 'examples/nginx.conf']);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.ok(Array.isArray(out));
  assert.ok(out.every((d: { severity: string }) => d.severity !== 'error'));
  const human = run(['check', 'examples/nginx.conf']);
  assert.equal(human.status, 0);
  assert.match(human.stderr, /0 errors, \d+ warnings?, \d+ notes? in \d+ files/);
});

test('errors anywhere in the include tree: exit 1, JSON with 1-based positions and cwd-relative paths', (t) => {
  const dir = tree({
    'nginx.conf': 'events {}\nhttp {\n    include conf.d/*.conf;\n    include missing.conf;\n}\n',
    'conf.d/a.conf': 'server {\n    listen 80\n    location / { return 444; }\n}\n',
    'conf.d/b.conf': 'server { location / { proxy_passs http://x; } }\n',
  });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const r = run(['check', '--json', 'nginx.conf'], dir);
  assert.equal(r.status, 1, r.stderr);
  const out = JSON.parse(r.stdout) as Record<string, unknown>[];
  for (const d of out) assert.deepEqual(Object.keys(d), SHAPE);
  const missing = out.find((d) => d.code === 'include-not-found')!;
  assert.deepEqual(missing, {
    file: 'nginx.conf',
    line: 4,
    column: 13,
    endLine: 4,
    endColumn: 25,
    severity: 'error',
    code: 'include-not-found',
    message: `open() "${dir}/missing.conf" failed (2: No such file or directory)`,
  });
  assert.ok(out.some((d) => d.file === 'conf.d/a.conf' && d.severity === 'error' && d.line === 2), JSON.stringify(out));
  assert.ok(out.some((d) => d.file === 'conf.d/b.conf' && d.code === 'unknown-directive' && d.severity === 'warning'));
  // outside the cwd: absolute paths
  const outside = run(['check', '--json', join(dir, 'nginx.conf')], tmpdir() === dir ? '/' : repoRoot);
  assert.equal(JSON.parse(outside.stdout)[0].file.startsWith('/'), true);
  // human format
  const human = run(['check', 'nginx.conf'], dir);
  assert.equal(human.status, 1);
  assert.ok(human.stdout.split('\n').includes(`nginx.conf:4:13: error: open() "${dir}/missing.conf" failed (2: No such file or directory) [include-not-found]`), human.stdout);
  for (const line of human.stdout.trim().split('\n')) assert.match(line, /^[^:]+:\d+:\d+: (error|warning|information|hint): .+ \[[a-z0-9-]+\]$/);
});

test('fragments: checked under the config that includes them, or in --context; never a false "not allowed here"', (t) => {
  const dir = tree({
    'nginx.conf': 'events {}\nhttp {\n  server {\n    listen 80;\n    include snippets/*.conf;\n  }\n}\n',
    'snippets/block.conf': 'location /admin { return 444; }\nif ($bad) { return 444; }\n',
    'orphan/site.conf': 'location / { proxy_pass http://127.0.0.1:8080; }\n',
  });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const viaIncluder = run(['check', '--json', 'snippets/block.conf'], dir);
  assert.equal(viaIncluder.status, 0, viaIncluder.stdout + viaIncluder.stderr);
  assert.match(run(['check', 'snippets/block.conf'], dir).stderr, /http > server \(includer\)/);
  const byContent = run(['check', '--json', 'orphan/site.conf'], dir);
  assert.equal(byContent.status, 0, byContent.stdout);
  const explicitOk = run(['check', '--json', '--context', 'server', 'orphan/site.conf'], dir);
  assert.equal(explicitOk.status, 0);
  const explicitWrong = run(['check', '--json', '--context=http', 'orphan/site.conf'], dir);
  assert.equal(explicitWrong.status, 1);
  assert.ok(JSON.parse(explicitWrong.stdout).some((d: { code: string }) => d.code === 'not-allowed-here'));
});

test('hostile input: binary file, include cycle, deep nesting, a 10 MB line — answers, no crash', (t) => {
  const dir = tree({
    'bin.conf': Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2, 0xff, 0xfe]),
    'cycle.conf': 'events {}\nhttp { include cycle2.conf; }\n',
    'cycle2.conf': 'include cycle.conf;\n',
    'deep.conf': 'events {}\n' + 'http {'.repeat(1) + 'location / {'.repeat(10000) + '}'.repeat(10001) + '\n',
    'long.conf': 'events {}\nhttp { server_name ' + 'a'.repeat(10 * 1024 * 1024) + '; }\n',
  });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const f of ['bin.conf', 'cycle.conf', 'deep.conf', 'long.conf']) {
    const t0 = Date.now();
    const r = run(['check', '--json', f], dir);
    assert.ok(r.status === 0 || r.status === 1, `${f}: status ${r.status} ${r.stderr.slice(0, 500)}`);
    assert.ok(Array.isArray(JSON.parse(r.stdout)), f);
    assert.ok(Date.now() - t0 < 30000, `${f} took ${Date.now() - t0} ms`);
  }
  const cycle = JSON.parse(run(['check', '--json', 'cycle.conf'], dir).stdout);
  assert.ok(cycle.some((d: { code: string }) => d.code === 'include-cycle'));
  const bin = JSON.parse(run(['check', '--json', 'bin.conf'], dir).stdout);
  assert.ok(bin.some((d: { severity: string }) => d.severity === 'error'));
});

test('usage: exit 2 on bad arguments; --help and --version exit 0', () => {
  assert.equal(run([]).status, 2);
  assert.equal(run(['check']).status, 2);
  assert.equal(run(['check', '--context', 'bogus', 'examples/nginx.conf']).status, 2);
  assert.equal(run(['check', '--frobnicate', 'examples/nginx.conf']).status, 2);
  assert.equal(run(['check', 'does/not/exist.conf']).status, 2);
  assert.equal(run(['frobnicate']).status, 2);
  const help = run(['--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /nginx-lens check \[--json\]/);
  const version = run(['--version']);
  assert.equal(version.status, 0);
  assert.equal(version.stdout.trim(), JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).version);
});
