// trace over a whole log: the format its access_log names, the JSON shape the CLI prints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfigGraph } from '../../server/src/core/configGraph';
import { NodeFileSystem } from '../../server/src/node/fileSystem';
import { buildModelFromGraph } from '../../server/src/core/http/model';
import { traceLog, type TraceEntry } from '../../server/src/core/trace';

import { runTrace } from '../../server/src/cli/trace';

/** Runs the CLI subcommand in-process from `cwd`, capturing what it prints. */
async function cli(cwd: string, args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const before = process.cwd();
  process.chdir(cwd);
  try {
    const status = await runTrace(args, { out: (t) => out.push(t), err: (t) => err.push(t) });
    return { status, stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.chdir(before);
  }
}

function setup(): { dir: string; conf: string; log: string } {
  const dir = mkdtempSync(join(tmpdir(), 'lens-trace-'));
  mkdirSync(join(dir, 'sites'));
  const conf = join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    `events {}
http {
    log_format vhost '$remote_addr - [$time_local] "$request" $status "$http_user_agent" "$host"';
    access_log ${dir}/access.log vhost;
    include sites/*.conf;
}
`,
  );
  writeFileSync(join(dir, 'sites', 'a.conf'), `server {\n    listen 80 default_server;\n    return 444;\n}\n`);
  writeFileSync(
    join(dir, 'sites', 'b.conf'),
    `server {\n    listen 80;\n    server_name shop.test;\n    if ($http_user_agent ~* bot) {\n        return 444;\n    }\n    location / {\n        return 200;\n    }\n}\n`,
  );
  const log = join(dir, 'access.log');
  writeFileSync(
    log,
    [
      '192.0.2.1 - [27/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 444 "curl/8" "unknown.test"',
      '192.0.2.1 - [27/Nov/2026:10:00:01 +0000] "GET / HTTP/1.1" 200 "Mozilla" "shop.test"',
      '192.0.2.1 - [27/Nov/2026:10:00:02 +0000] "GET /x HTTP/1.1" 444 "SomeBot" "shop.test"',
      '192.0.2.1 - [27/Nov/2026:10:00:03 +0000] "GET /x HTTP/1.1" 444 "Mozilla" "shop.test"',
      '',
    ].join('\n'),
  );
  return { dir, conf, log };
}

test('traceLog attributes each 444 line with the format its access_log names', async () => {
  const { dir, conf, log } = setup();
  try {
    const model = buildModelFromGraph(loadConfigGraph(conf, new NodeFileSystem()));
    const entries: TraceEntry[] = [];
    const r = await traceLog(model, log, (e) => entries.push(e));
    assert.match(r.format.how, /vhost/);
    assert.deepEqual(
      entries.map((e) => [e.log.line, e.attribution.verdict, e.attribution.rules.map((x) => `${x.file.slice(dir.length)}:${x.range.start.line + 1}`)]),
      [
        [1, 'exact', ['/sites/a.conf:3']],
        [3, 'exact', ['/sites/b.conf:5']],
        [4, 'unmatched', []],
      ],
    );
    assert.match(entries[2].attribution.why, /would get 200/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('traceLog gives where each line\'s $request is, in the columns an editor shows (UTF-8 decoded)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lens-trace-'));
  try {
    const conf = join(dir, 'nginx.conf');
    writeFileSync(
      conf,
      `events {}\nhttp {\n    log_format u escape=none '$remote_user "$request" $status';\n    access_log ${dir}/access.log u;\n    server {\n        listen 80;\n        return 444;\n    }\n}\n`,
    );
    const log = join(dir, 'access.log');
    // é is two bytes before the request: a byte offset would be one column too far.
    const lines = ['jose "GET /a HTTP/1.1" 444', 'josé "GET /ü HTTP/1.1" 444'];
    writeFileSync(log, lines.join('\n') + '\n', 'utf8');
    const model = buildModelFromGraph(loadConfigGraph(conf, new NodeFileSystem()));
    const entries: TraceEntry[] = [];
    await traceLog(model, log, (e) => entries.push(e));
    assert.equal(entries.length, 2);
    for (const [i, e] of entries.entries()) {
      const at = e.log.request;
      assert.ok(at, `line ${e.log.line} has a request span`);
      assert.equal(lines[i].slice(at.start, at.end), lines[i].slice(lines[i].indexOf('"') + 1, lines[i].lastIndexOf('"')), `line ${e.log.line}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('nginx-lens trace --json prints {log, status, verdict, rules: [{file, line, column}], why}, 1-based, cwd-relative', async () => {
  const { dir, conf } = setup();
  try {
    const r = await cli(dir, ['--config', conf, '--json', 'access.log']);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.length, 3);
    assert.deepEqual(out[0], {
      log: { file: 'access.log', line: 1 },
      status: 444,
      verdict: 'exact',
      rules: [{ file: 'sites/a.conf', line: 3, column: 5 }],
      why: out[0].why,
    });
    assert.equal(typeof out[0].why, 'string');
    // Config places in the explanation are shown as the rule files are.
    assert.match(out[1].why, /\(sites\/b\.conf:4\)/);
    assert.ok(!out[1].why.includes(dir), out[1].why);
    assert.deepEqual(out[1].rules, [{ file: 'sites/b.conf', line: 5, column: 9 }]);
    assert.equal(out[2].verdict, 'unmatched');
    assert.deepEqual(out[2].rules, []);
    const text = await cli(dir, ['--config', conf, 'access.log']);
    assert.match(text.stdout, /3 line\(s\) with status 444: 2 exact, 0 ambiguous, 1 unmatched/);
    assert.match(text.stdout, /1 {2}sites\/a\.conf:3:5/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('traceLog reads a line the file format does not with the other formats (a log whose format changed)', async () => {
  const { dir, conf, log } = setup();
  try {
    writeFileSync(
      log,
      [
        // Written before the log_format gained $host: plain combined.
        '192.0.2.9 - - [26/Nov/2026:10:00:00 +0000] "GET /old HTTP/1.1" 444 0 "-" "OldBot/1"',
        '192.0.2.1 - [27/Nov/2026:10:00:02 +0000] "GET /x HTTP/1.1" 444 "SomeBot" "shop.test"',
        'garbage 444 line',
        '',
      ].join('\n'),
    );
    const model = buildModelFromGraph(loadConfigGraph(conf, new NodeFileSystem()));
    const got: TraceEntry[] = [];
    const r = await traceLog(model, log, (e) => got.push(e));
    assert.equal(r.format.how.includes('vhost'), true);
    assert.deepEqual(got.map((e) => e.log.line), [1, 2]);
    assert.equal(r.unparsed, 1);
    // Without $host the old line is ambiguous between the bot rule and the default server.
    assert.equal(got[0].attribution.verdict, 'ambiguous');
    assert.ok(got[0].attribution.missing.includes('$host'));
    assert.equal(got[1].attribution.verdict, 'exact');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a line whose readings disagree on $status: traced only through a possible reading, and never as certain', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lens-trace-'));
  try {
    const conf = join(dir, 'nginx.conf');
    writeFileSync(
      conf,
      `events {}
http {
  log_format pipe '$remote_addr|$request|$status|$http_referer|$http_user_agent';
  access_log ${dir}/pipe.log pipe;
  server { listen 80;
    location /admin { return 444; }
    location / { return 200; }
  }
}
`,
    );
    const log = join(dir, 'pipe.log');
    writeFileSync(
      log,
      [
        // nginx wrote 444 for "GET /admin|200|x HTTP/1.1": the first reading says 200.
        '192.0.2.1|GET /admin|200|x HTTP/1.1|444|-|curl/8',
        // nginx wrote 200 for "GET /x|444|y HTTP/1.1": its 444 readings (GET /x, the referer
        // taking any share of the rest) cannot be one.
        '192.0.2.1|GET /x|444|y HTTP/1.1|200|-|curl/8',
        '192.0.2.1|GET /admin HTTP/1.1|444|-|curl/8',
        '',
      ].join('\n'),
    );
    const model = buildModelFromGraph(loadConfigGraph(conf, new NodeFileSystem()));
    const got: TraceEntry[] = [];
    await traceLog(model, log, (e) => got.push(e));
    assert.deepEqual(got.map((e) => [e.log.line, e.attribution.verdict, e.attribution.rules.map((r) => r.range.start.line + 1)]), [
      [1, 'ambiguous', [6]],
      [3, 'exact', [6]],
    ]);
    assert.match(got[0].attribution.why, /reads two ways/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('nginx-lens trace says so when the log\'s format has no $status (rather than "0 lines with status 444")', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lens-trace-'));
  try {
    writeFileSync(join(dir, 'nginx.conf'), `events {}\nhttp {\n  log_format nostatus '$remote_addr "$request" "$http_user_agent"';\n  access_log ${dir}/a.log nostatus;\n  server { listen 80; return 444; }\n}\n`);
    writeFileSync(join(dir, 'a.log'), '192.0.2.1 "GET / HTTP/1.1" "curl/8"\n');
    for (const json of [[], ['--json']]) {
      const r = await cli(dir, ['--config', 'nginx.conf', ...json, 'a.log']);
      assert.match(r.stderr, /does not log \$status/);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a log in a common format the configuration does not define is still read (main: combined and X-Forwarded-For)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lens-trace-'));
  try {
    const conf = join(dir, 'nginx.conf');
    writeFileSync(conf, `events {}\nhttp {\n  server { listen 80; location /admin { return 444; } location / { return 200; } }\n}\n`);
    const log = join(dir, 'copied.log');
    writeFileSync(log, '192.0.2.1 - - [28/Nov/2026:10:00:00 +0000] "GET /admin HTTP/1.1" 444 0 "-" "curl/8" "10.0.0.1"\n');
    const model = buildModelFromGraph(loadConfigGraph(conf, new NodeFileSystem()));
    const got: TraceEntry[] = [];
    const r = await traceLog(model, log, (e) => got.push(e));
    assert.match(r.format.how, /main/);
    assert.deepEqual(got.map((e) => [e.attribution.verdict, e.attribution.rules[0]?.range.start.line + 1]), [['exact', 3]]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a fault in one line\'s routing answers that line "cannot tell", and the rest of the log is traced', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nginx-lens-fault-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, `events {}\nhttp { server { listen 80; root /srv/www; location /f/ { try_files $uri =444; } location / { return 444; } } }\n`);
  const log = join(dir, 'access.log');
  const line = (path: string) => `192.0.2.1 - - [28/Nov/2026:10:00:00 +0000] "GET ${path} HTTP/1.1" 444 0 "-" "curl/8"`;
  writeFileSync(log, [line('/f/x'), line('/other')].join('\n') + '\n');
  const model = buildModelFromGraph(loadConfigGraph(conf, new NodeFileSystem()));
  const got: TraceEntry[] = [];
  const files = () => {
    throw new Error('EIO: i/o error');
  };
  await traceLog(model, log, (e) => got.push(e), { files });
  assert.deepEqual(got.map((e) => [e.log.line, e.attribution.verdict]), [[1, 'ambiguous'], [2, 'exact']]);
  assert.match(got[0].attribution.why, /could not be traced \(EIO: i\/o error\)/);
});

test('a log_format written across lines: each request is a record of that many lines, read whole, and a lost line does not shift the rest', async () => {
  // nginx keeps the line break (and the indentation) of a quoted format that spans lines.
  const dir = mkdtempSync(join(tmpdir(), 'lens-trace-'));
  try {
    const conf = join(dir, 'nginx.conf');
    const log = join(dir, 'multi.log');
    writeFileSync(
      conf,
      `events {}\nhttp {\n  log_format multi '$remote_addr [$time_local]\n      "$request" $status "$http_user_agent"';\n  access_log ${log} multi;\n` +
        `  server { listen 80; location /drop { return 444; } location / { if ($http_user_agent ~ bot) { return 444; } return 200; } }\n}\n`,
    );
    // As nginx 1.22 wrote it; the third record lost its first line.
    const rec = (path: string, status: number, ua: string) => [`127.0.0.1 [29/Nov/2026:00:59:09 +0000]`, `      "GET ${path} HTTP/1.1" ${status} "${ua}"`];
    writeFileSync(log, [...rec('/', 200, 'curl'), ...rec('/drop', 444, 'curl'), rec('/x', 444, 'a bot')[1], ...rec('/x', 444, 'a bot'), ''].join('\n'));
    const model = buildModelFromGraph(loadConfigGraph(conf, new NodeFileSystem()));
    const got: TraceEntry[] = [];
    const r = await traceLog(model, log, (e) => got.push(e));
    assert.match(r.format.how, /multi/);
    const server = readFileSync(conf, 'utf8').split('\n')[5];
    const drop = server.indexOf('return 444');
    const bot = server.indexOf('return 444', drop + 1);
    assert.deepEqual(
      got.map((e) => [e.log.line, e.attribution.verdict, e.attribution.rules[0]?.range.start.line, e.attribution.rules[0]?.range.start.character]),
      [
        [3, 'exact', 5, drop],
        [6, 'exact', 5, bot],
      ],
    );
    // The request's columns are given when it is on the record's first line only.
    assert.equal(got[0].log.request, undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a file several formats write: each line is read in every one of them, and only its own format\'s access_logs wrote it', async () => {
  // ngx_http_log_handler formats a line with the format of the access_log entry that names the
  // file. Here the http level logs `withhost` (ending "$host") and a.test logs `main` (ending
  // "$http_x_forwarded_for") to the same file: read as `withhost` only, a.test's "-" was taken
  // for the Host, and the default server's rule named, exact and wrong.
  const dir = mkdtempSync(join(tmpdir(), 'lens-trace-'));
  try {
    const conf = join(dir, 'nginx.conf');
    const log = join(dir, 'a.log');
    writeFileSync(conf, `events {}
http {
  log_format main '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for"';
  log_format withhost '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$host"';
  access_log ${log} withhost;
  server { listen 80 default_server; server_name b.test;
    location /a { return 444; } location / { return 200; } }
  server { listen 80; server_name a.test; access_log ${log} main;
    if ($http_user_agent ~ bot) { return 444; } location / { return 200; } }
  server { listen 80; server_name c.test; location / { return 444; } }
}
`);
    const line = (path: string, ua: string, last: string) => `192.0.2.1 - - [27/Nov/2026:10:00:00 +0000] "GET ${path} HTTP/1.1" 444 0 "-" "${ua}" "${last}"`;
    writeFileSync(log, [line('/a', 'bot', '-'), line('/a', 'bot', '10.1.2.3'), line('/x', 'curl', 'c.test'), line('/a', 'curl', 'b.test'), ''].join('\n'));
    const model = buildModelFromGraph(loadConfigGraph(conf, new NodeFileSystem()));
    const got: TraceEntry[] = [];
    await traceLog(model, log, (e) => got.push(e));
    const rules = (e: TraceEntry) => e.attribution.rules.map((r) => r.range.start.line + 1).sort();
    // As `main`: a.test's bot rule; as `withhost`: Host "-" or "10.1.2.3" went to b.test's /a. Both possible.
    assert.equal(got[0].attribution.verdict, 'ambiguous');
    assert.deepEqual(rules(got[0]), [7, 9]);
    assert.deepEqual(rules(got[1]), [7, 9]);
    // As `main` the User-Agent "curl" drops nothing in a.test: only the `withhost` reading is possible.
    assert.equal(got[2].attribution.verdict, 'exact');
    assert.deepEqual(rules(got[2]), [10]);
    assert.equal(got[3].attribution.verdict, 'exact');
    assert.deepEqual(rules(got[3]), [7]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
