// Package bench: the .vsix size, and extension activation time by proxy: loading the client bundle
// (dist/client.js, with a stand-in for the `vscode` module, which only VS Code provides) plus the
// language server's start → initialize answered over stdio, which is what activation waits for
// before features work. The real-VS-Code figure (activation as VS Code reports it for the
// installed .vsix) comes from the editor tier (npm run bench:editor, bench/editor.mjs) and is
// shown here when that run left its metrics.
//
//   node bench/package.mjs        (npm run bench runs it)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import { join } from 'node:path';
import { fmt, mark, percentile, record, root } from './lib.mjs';

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const vsixName = `${pkg.name}-${pkg.version}.vsix`;
let vsix = join(root, vsixName);
const notes = [];
if (!existsSync(vsix)) {
  console.log(`${vsixName} absent: npm run package`);
  const r = spawnSync('npm', ['run', 'package'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) notes.push(`npm run package failed (exit ${r.status}): ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ')}`);
}
if (!existsSync(vsix)) {
  const any = readdirSync(root).filter((f) => f.endsWith('.vsix'));
  vsix = any.length ? join(root, any[0]) : undefined;
}
let files;
if (vsix) {
  const l = spawnSync('unzip', ['-l', vsix], { encoding: 'utf8' });
  files = l.status === 0 ? l.stdout.trim().split('\n').pop().trim().split(/\s+/)[1] : undefined;
}

// Client bundle load: a fresh process requires dist/client.js with `vscode` stubbed.
const loadTimes = [];
for (let i = 0; i < 5; i++) {
  const script = `
    const { Module } = require('node:module');
    const orig = Module._resolveFilename;
    Module._resolveFilename = function (req, ...a) { return req === 'vscode' ? 'vscode' : orig.call(this, req, ...a); };
    // Any property, call or construction gives the stub back; esbuild's ESM interop copies the
    // module onto an object inheriting from its prototype, so the prototype answers too.
    const anything = new Proxy({}, { get: () => stub });
    const stub = new Proxy(function () {}, {
      get: (t, k) => (k === '__esModule' ? true : k === 'prototype' ? {} : stub),
      apply: () => stub,
      construct: () => stub,
      getPrototypeOf: () => anything,
    });
    require.cache.vscode = { id: 'vscode', filename: 'vscode', loaded: true, exports: stub };
    const t = process.hrtime.bigint();
    const m = require(${JSON.stringify(join(root, 'dist/client.js'))});
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    if (typeof m.activate !== 'function') throw new Error('no activate export');
    process.stdout.write(String(ms));`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  if (r.status !== 0) {
    notes.push(`client bundle did not load: ${r.stderr.trim().split('\n').slice(-2).join(' ')}`);
    break;
  }
  loadTimes.push(Number(r.stdout));
}

// Server: spawn → initialize result received (the client's "ready").
const { createProtocolConnection, StreamMessageReader, StreamMessageWriter, InitializeRequest, ShutdownRequest, ExitNotification } =
  createRequire(import.meta.url)('vscode-languageserver-protocol/node');
const serverTimes = [];
for (let i = 0; i < 5; i++) {
  const t0 = performance.now();
  const child = spawn(process.execPath, [join(root, 'dist/server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const c = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  c.listen();
  await c.sendRequest(InitializeRequest.type, {
    processId: process.pid,
    rootUri: null,
    workspaceFolders: null,
    capabilities: {},
    initializationOptions: { trusted: true, settings: {} },
  });
  serverTimes.push(performance.now() - t0);
  await c.sendRequest(ShutdownRequest.type).catch(() => {});
  await c.sendNotification(ExitNotification.type).catch(() => {});
  c.dispose();
  await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
}

let real;
const metrics = join(root, '.vscode-test/runs/metrics.json');
if (existsSync(metrics)) {
  const m = JSON.parse(readFileSync(metrics, 'utf8'));
  real = m['vsix.activationMs'];
  if (real !== undefined) notes.push(`real VS Code (code-server 4.100.3) activation of the installed .vsix: ${real} ms, from ${metrics} (${statSync(metrics).mtime.toISOString()})`);
} else notes.push('no real-VS-Code activation figure: run npm run bench:editor (installs the offline VS Code)');

const size = vsix ? statSync(vsix).size : undefined;
const med = (a) => percentile(a, 50);
const proxy = loadTimes.length && serverTimes.length ? med(loadTimes) + med(serverTimes) : undefined;
record(
  'package: .vsix size and activation time (proxy)',
  [
    ['.vsix size [< 2 MB]', size === undefined ? 'n/a' : `${fmt(size / 1024, 0)} KB (${files ?? '?'} files, ${vsix.slice(root.length + 1)}) — ${mark(size < 2 * 1024 * 1024)}`],
    ['client bundle load (require dist/client.js) median of 5', loadTimes.length ? `${fmt(med(loadTimes))} ms (dist/client.js ${fmt(statSync(join(root, 'dist/client.js')).size / 1024, 0)} KB)` : 'n/a'],
    ['server spawn → initialize answered, median of 5', `${fmt(med(serverTimes), 0)} ms (min ${fmt(Math.min(...serverTimes), 0)})`],
    ['activation proxy (client load + server ready)', proxy === undefined ? 'n/a' : `${fmt(proxy, 0)} ms`],
  ],
  [
    'activation here is a proxy measured outside VS Code: bundle load plus server start-to-initialized over stdio; the extension host adds its own start-up',
    'dist/ as built by the last build (npm run package builds it minified)',
    ...notes,
  ],
);
void Module;
