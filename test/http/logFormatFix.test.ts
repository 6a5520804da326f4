// The quick fix that logs what an ambiguous answer lacked (core/http/logFormatFix.ts): the edited
// configuration must be one nginx accepts, its log must then carry the variables, and with real
// nginx the drops that were ambiguous become exact after the fix and a reload.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTrace } from '../../server/src/cli/trace';
import { MemoryFileSystem } from '../../server/src/core/fileSystem';
import { loadConfigGraph } from '../../server/src/core/configGraph';
import { buildModelFromGraph, type HttpModel } from '../../server/src/core/http/model';
import { loggableVariables, logVariablesFix, markerFix } from '../../server/src/core/http/logFormatFix';
import { formatForLog, traceLog, type TraceEntry } from '../../server/src/core/trace';
import type { TextEdit } from '../../server/src/core/diagnostic';
import { NodeFileSystem } from '../../server/src/node/fileSystem';
import { hasNginx, httpRequest, nginxTest, sendRaw, startNginx } from '../support/realNginx';
import { setTimeout as sleep } from 'node:timers/promises';

const LOG = '/var/log/nginx/access.log';

function apply(files: Record<string, string>, edits: readonly TextEdit[]): Record<string, string> {
  const out = { ...files };
  const sorted = [...edits].sort((a, b) => b.range.start.offset - a.range.start.offset);
  for (const e of sorted) {
    const t = out[e.file];
    assert.ok(t !== undefined, `edit of an unknown file ${e.file}`);
    out[e.file] = t.slice(0, e.range.start.offset) + e.newText + t.slice(e.range.end.offset);
  }
  return out;
}

const modelOf = (files: Record<string, string>): HttpModel => buildModelFromGraph(loadConfigGraph('/etc/nginx/nginx.conf', new MemoryFileSystem(files)));

/** The fix for `vars` on the log, applied; the log's format afterwards, and the edited files. */
function fixed(files: Record<string, string>, format: string, vars: string[]) {
  const before = modelOf(files);
  const fix = logVariablesFix(before, LOG, format, vars);
  assert.ok(fix, 'a fix is offered');
  // Every edit's range is where the text says it is (line/character agree with the offset).
  for (const e of fix.edits) {
    const lines = files[e.file].slice(0, e.range.start.offset).split('\n');
    assert.deepEqual([lines.length - 1, lines[lines.length - 1].length], [e.range.start.line, e.range.start.character], `${e.file}: ${JSON.stringify(e)}`);
  }
  const after = apply(files, fix.edits);
  const m = modelOf(after);
  return { fix, files: after, format: formatForLog(m, LOG).format };
}

async function nginxAccepts(conf: string) {
  assert.ok(hasNginx(), 'real nginx (/usr/sbin/nginx) is needed: .ci/run installs nginx-full');
  const r = await nginxTest(conf.replaceAll('/var/log/nginx/', '{{logs}}/'));
  assert.ok(r.ok, `nginx -t rejects the fixed config:\n${r.stderr}\n${conf}`);
}

const http = (body: string) => `events {}\nhttp {\n${body}}\n`;

test('the plain variable names of what an answer lacked', () => {
  assert.deepEqual(loggableVariables(['$host', '$server_port', '$host', '$bad (regex timed out)', '$http_x_token']), ['host', 'server_port', 'http_x_token']);
});

test('a named text format gets the variables as one more string (log_format joins them)', async () => {
  const conf = http(`    log_format main '$remote_addr "$request" $status'\n                    ' "$http_user_agent"';\n    access_log ${LOG} main;\n    server { listen 80; return 444; }\n`);
  const r = fixed({ '/etc/nginx/nginx.conf': conf }, 'main', ['host', 'server_port']);
  assert.equal(r.format.name, 'main');
  assert.deepEqual(r.format.variables.slice(-2), ['host', 'server_port']);
  assert.match(r.files['/etc/nginx/nginx.conf'], /' "\$http_user_agent"' ' "\$host" \$server_port';/);
  await nginxAccepts(r.files['/etc/nginx/nginx.conf']);
});

test('a JSON format gets fields inside its object, in single- and double-quoted strings', async () => {
  for (const [q, body] of [
    ["'", `'{"addr":"$remote_addr",'\n      '"request":"$request","status":$status}'`],
    ['"', `"{\\"addr\\":\\"$remote_addr\\",\\"request\\":\\"$request\\",\\"status\\":$status}"`],
  ]) {
    const conf = http(`    log_format j escape=json ${body};\n    access_log ${LOG} j;\n    server { listen 80; return 444; }\n`);
    const r = fixed({ '/etc/nginx/nginx.conf': conf }, 'j', ['host']);
    assert.deepEqual(r.format.variables.slice(-1), ['host'], `quote ${q}`);
    const m = modelOf(r.files);
    assert.ok(m.logFormats.get('j')!.format.endsWith(',"host":"$host"}'), m.logFormats.get('j')!.format);
    await nginxAccepts(r.files['/etc/nginx/nginx.conf']);
  }
});

test('nginx\'s combined: a new format, combined plus the variables, and every access_log writing the log switched to it', async () => {
  const files = {
    '/etc/nginx/nginx.conf': http(`    include mime.types;\n    access_log ${LOG};\n    include sites/*.conf;\n`),
    '/etc/nginx/mime.types': 'types { text/html html; }\n',
    '/etc/nginx/sites/a.conf': `server {\n    listen 80;\n    access_log ${LOG} combined buffer=32k;\n    return 444;\n}\n`,
    '/etc/nginx/sites/b.conf': `server {\n    listen 81;\n    access_log /var/log/nginx/other.log;\n    return 444;\n}\n`,
  };
  const r = fixed(files, 'combined', ['host', 'server_port']);
  assert.equal(r.format.name, 'combined_host_server_port');
  assert.deepEqual(r.format.variables.slice(-2), ['host', 'server_port']);
  assert.match(r.files['/etc/nginx/sites/a.conf'], /access_log \/var\/log\/nginx\/access\.log combined_host_server_port buffer=32k;/);
  assert.match(r.files['/etc/nginx/nginx.conf'], /access_log \/var\/log\/nginx\/access\.log combined_host_server_port;/);
  // Another log stays as it was.
  assert.equal(r.files['/etc/nginx/sites/b.conf'], files['/etc/nginx/sites/b.conf']);
  const inlined = r.files['/etc/nginx/nginx.conf']
    .replace('include mime.types;', r.files['/etc/nginx/mime.types'])
    .replace('include sites/*.conf;', r.files['/etc/nginx/sites/a.conf'] + r.files['/etc/nginx/sites/b.conf']);
  await nginxAccepts(inlined);
  // A second fix on the fixed config does not reuse the name.
  const again = logVariablesFix(modelOf({ ...files, '/etc/nginx/nginx.conf': r.files['/etc/nginx/nginx.conf'] }), '/var/log/nginx/x.log', 'combined', ['host', 'server_port']);
  assert.equal(again, undefined, 'no access_log writes x.log: nothing to switch');
});

test('nginx\'s default log (no access_log anywhere): the format and an access_log for the same file', async () => {
  const conf = http(`    server { listen 80; return 444; }\n`);
  const before = modelOf({ '/etc/nginx/nginx.conf': conf });
  // NGX_HTTP_LOG_PATH of Debian's build: absolute, wherever the prefix is.
  const fix = logVariablesFix(before, '/var/log/nginx/access.log', 'combined', ['host']);
  assert.ok(fix);
  const after = apply({ '/etc/nginx/nginx.conf': conf }, fix.edits)['/etc/nginx/nginx.conf'];
  assert.match(after, /log_format combined_host '.*"\$host"';\n {4}access_log \/var\/log\/nginx\/access\.log combined_host;\n {4}server/);
  const m = modelOf({ '/etc/nginx/nginx.conf': after });
  assert.equal(formatForLog(m, '/var/log/nginx/access.log').format.name, 'combined_host');
});

/** Applies edits of the running nginx's config file and reloads it as an admin would. */
async function applyAndReload(n: Awaited<ReturnType<typeof startNginx>>, edits: readonly TextEdit[]): Promise<void> {
  const text = readFileSync(n.confFile, 'utf8');
  writeFileSync(n.confFile, apply({ [n.confFile]: text }, edits)[n.confFile]);
  const exited = (n.errorLog().match(/worker process \d+ exited/g) ?? []).length;
  // Until the old worker has exited it may still take a connection and log it in the old format:
  // wait for the master to report it gone (notice level).
  process.kill(Number(readFileSync(`${n.prefix}/nginx.pid`, 'utf8').trim()), 'SIGHUP');
  for (let i = 0; (n.errorLog().match(/worker process \d+ exited/g) ?? []).length <= exited; i++) {
    assert.ok(i < 200, `nginx did not reload:\n${n.errorLog()}`);
    await sleep(25);
  }
}

/**
 * A real nginx where two servers drop /x into one combined log, which does not say which Host a
 * request had (access_log is per server: the harness turns logs off at http level); `send` a
 * request for /x with a Host, `trace` the log with the config as it is now.
 */
async function twoDrops(t: { after: (f: () => void) => void }) {
  assert.ok(hasNginx(), 'real nginx (/usr/sbin/nginx) is needed: .ci/run installs nginx-full');
  const n = await startNginx({
    conf: `
  server { listen 127.0.0.1:{{port}} default_server; server_name a.test; access_log {{logs}}/access.log; location /x { return 444; } location / { return 200; } }
  server { listen 127.0.0.1:{{port}}; server_name b.test; access_log {{logs}}/access.log; location /x { return 444; } location / { return 200; } }
`,
  });
  t.after(() => n.stop());
  const send = (host: string) => sendRaw(n.port, httpRequest('GET', '/x', { Host: host })).catch(() => undefined);
  const trace = async () => {
    const m = buildModelFromGraph(loadConfigGraph(n.confFile, new NodeFileSystem()));
    const out: TraceEntry[] = [];
    await traceLog(m, `${n.logs}/access.log`, (e) => out.push(e));
    return { m, out };
  };
  return { n, send, trace };
}

test('real nginx: drops ambiguous in a combined log are exact once the fix is applied and nginx reloaded', async (t) => {
  const { n, send, trace } = await twoDrops(t);
  await send('a.test');
  await send('b.test');
  await n.waitForLines('access.log', 2);
  const first = await trace();
  assert.deepEqual(first.out.map((e) => e.attribution.verdict), ['ambiguous', 'ambiguous']);
  const vars = loggableVariables(first.out.flatMap((e) => e.attribution.missing));
  assert.ok(vars.includes('host'), vars.join(','));
  const fix = logVariablesFix(first.m, `${n.logs}/access.log`, 'combined', vars);
  assert.ok(fix);
  await applyAndReload(n, fix.edits);
  const lines = 2;
  await send('a.test');
  await send('b.test');
  await n.waitForLines('access.log', lines + 2);
  const second = await trace();
  const last = second.out.slice(-2);
  assert.deepEqual(last.map((e) => e.attribution.verdict), ['exact', 'exact'], last.map((e) => e.attribution.why).join('\n'));
  const lineOf = (e: TraceEntry) => e.attribution.rules[0].range.start.line;
  assert.notEqual(lineOf(last[0]), lineOf(last[1]));
  // The lines written before the fix are still read (with the file's former format): ambiguous as before.
  assert.deepEqual(second.out.slice(0, 2).map((e) => e.attribution.verdict), ['ambiguous', 'ambiguous']);
});

test('the marker fix: `set` before each return 444 on its own line, the marker logged; nginx accepts it and the drops read apart', async () => {
  const files = {
    '/etc/nginx/nginx.conf': http(`  access_log ${LOG};
  include /etc/nginx/sites/*.conf;
`),
    '/etc/nginx/sites/a.conf': `server { listen 80 default_server; server_name a.test;
    if ($http_user_agent ~* bot) { return 444; }
    location /x { return 444; }
    location /y { limit_req_status 444; }
}
`,
    '/etc/nginx/sites/b.conf': `server { listen 80; server_name b.test; location /x { return 444; } }
`,
  };
  const before = modelOf(files);
  const rules = before.sources444;
  const fix = markerFix(before, LOG, 'combined', rules);
  assert.ok(fix, 'a fix is offered');
  // One `set` per return (not limit_req_status), each on the line of its return, and the log's format.
  const sets = fix.edits.filter((e) => e.newText.startsWith('set '));
  assert.deepEqual(sets.map((e) => e.newText), ['set $nginx_lens_rule "a.conf:2"; ', 'set $nginx_lens_rule "a.conf:3"; ', 'set $nginx_lens_rule "b.conf:1"; ']);
  const after = apply(files, fix.edits);
  for (const f of ['/etc/nginx/sites/a.conf', '/etc/nginx/sites/b.conf'] as const) assert.equal(after[f].split('\n').length, files[f].split('\n').length, `${f}: no line moves`);
  await nginxAccepts(after['/etc/nginx/nginx.conf'].replace('include /etc/nginx/sites/*.conf;', after['/etc/nginx/sites/a.conf'] + after['/etc/nginx/sites/b.conf']));
  const m = modelOf(after);
  const format = formatForLog(m, LOG).format;
  assert.ok(format.variables.includes('nginx_lens_rule'), format.name);
});

test('real nginx: drops ambiguous in a combined log are exact once each is marked and nginx reloaded', async (t) => {
  const { n, send, trace } = await twoDrops(t);
  await send('a.test');
  await n.waitForLines('access.log', 1);
  const first = await trace();
  assert.equal(first.out[0].attribution.verdict, 'ambiguous');
  const fix = markerFix(first.m, `${n.logs}/access.log`, 'combined', first.out[0].attribution.rules);
  assert.ok(fix);
  await applyAndReload(n, fix.edits);
  await send('b.test');
  await send('a.test');
  await n.waitForLines('access.log', 3);
  const second = await trace();
  const last = second.out.slice(-2);
  assert.deepEqual(last.map((e) => e.attribution.verdict), ['exact', 'exact'], last.map((e) => e.attribution.why).join('\n'));
  const server = (e: TraceEntry) => /server_name (\S+);/.exec(readFileSync(n.confFile, 'utf8').split('\n')[e.attribution.rules[0].range.start.line])?.[1];
  assert.deepEqual(last.map(server), ['b.test;', 'a.test;'].map((s) => s.slice(0, -1)));
});

test('nginx-lens trace (text report) ends with the edit that would make a log\'s ambiguous drops exact', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nginx-lens-fixhint-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'logs'));
  writeFileSync(
    join(dir, 'nginx.conf'),
    `events {}\nhttp {\n    log_format main '$remote_addr "$request" $status';\n    access_log logs/access.log main;\n    server { listen 80 default_server; location /x { return 444; } }\n    server { listen 81; location /x { return 444; } }\n}\n`,
  );
  writeFileSync(join(dir, 'logs/access.log'), '192.0.2.1 "GET /x HTTP/1.1" 444\n');
  const out: string[] = [];
  const status = await runTrace(['--config', join(dir, 'nginx.conf'), '--prefix', `${dir}/`, join(dir, 'logs/access.log')], { out: (s) => out.push(s), err: () => undefined });
  assert.equal(status, 0);
  const text = out.join('');
  assert.match(text, /1 ambiguous/);
  assert.match(text, /to make its ambiguous drops exact from now on, log \$server_port \(add to log_format main\)/);
  assert.match(text, /nginx\.conf:3:\d+: insert " ' \$server_port'"/);
});
