// The log-lens feature functions on core data: verdict titles, decision-path hover, the cheap
// traced-line scan, and reverse lenses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryFileSystem } from '../../server/src/core/fileSystem';
import { loadConfigGraph } from '../../server/src/core/configGraph';
import { buildModelFromGraph } from '../../server/src/core/http/model';
import { ruleKey } from '../../server/src/core/trace';
import { LogLineAnalyzer, LogText } from '../../server/src/service/logLines';
import { logDocumentLenses, logLineHover, resolvedLogLens, ruleLenses, type DropCounts, type LogLensData } from '../../server/src/service/logLens';
import { computeLineStarts } from '../../server/src/core/positions';
import { displayPathIn } from '../../server/src/service/hover';

const conf = `http {
    access_log /var/log/nginx/access.log;
    server {
        listen 80;
        server_name a.example;
        location /admin { return 444; }
    }
    server {
        listen 80;
        server_name b.example;
        location /admin { return 444; }
    }
}
`;
const fs = new MemoryFileSystem({ '/etc/nginx/nginx.conf': conf });
const graph = loadConfigGraph('/etc/nginx/nginx.conf', fs);
const model = buildModelFromGraph(graph);
const ctx = { uri: 'file:///var/log/nginx/access.log', displayPath: (f: string) => displayPathIn(graph, f) };
const line = (path: string, status: number) =>
  `192.0.2.1 - - [27/Nov/2026:10:00:00 +0000] "GET ${path} HTTP/1.1" ${status} 0 "-" "curl/8"`;

test('combined log without Host: ambiguous between the servers, and says what is missing', () => {
  const text = [line('/', 200), line('/admin', 444), line('/shop', 444), ''].join('\n');
  const a = new LogLineAnalyzer(model, '/var/log/nginx/access.log', text.split('\n'));
  assert.equal(a.formatName, 'combined');
  const lenses = logDocumentLenses(new LogText(text), a, ctx);
  assert.deepEqual(
    lenses.map((l) => [l.range.start.line, l.command!.title]),
    [
      [1, 'one of 2 rules — the log lacks $host'],
      [2, 'no rule matches'],
    ],
  );
  const args = lenses[0].command!.arguments![0];
  assert.deepEqual(args.locations.map((l: { range: { start: { line: number } } }) => l.range.start.line), [5, 10]);
  const h = logLineHover(line('/admin', 444), 1, a, ctx)!;
  const md = (h.contents as { value: string }).value;
  assert.match(md, /ambiguous/);
  assert.match(md, /does not record `\$host`/);
  assert.match(md, /nginx\.conf:6/);
  assert.match(md, /nginx\.conf:11/);
  assert.match((logLineHover(line('/shop', 444), 2, a, ctx)!.contents as { value: string }).value, /no rule in the loaded configuration answers 444/);
  assert.equal(logLineHover(line('/', 200), 0, a, ctx), null);
});

test('traced lines: found by the status digits, not fooled by 444 elsewhere in a line', () => {
  const lines = [line('/444', 200), line('/admin', 444), 'garbage 444 garbage', line('/x?id=444', 404), line('/admin', 444)];
  const a = new LogLineAnalyzer(model, '/var/log/nginx/access.log', lines);
  assert.deepEqual(a.tracedLines(lines.join('\r\n')), [1, 4]);
  // Many lines: unresolved lenses carrying their line, resolved later.
  const many = Array.from({ length: 3000 }, () => line('/admin', 444)).join('\n');
  const lenses = logDocumentLenses(new LogText(many), a, ctx);
  assert.equal(lenses.length, 3000);
  assert.deepEqual(lenses[2999].data, [0, 2999]);
  assert.equal(lenses[0].command, undefined);
});

test('reverse lenses: counts per 444 source, with the lines as locations', () => {
  const sources = model.sources444;
  assert.equal(sources.length, 2);
  const counts = new Map<string, DropCounts>([
    [ruleKey(sources[0]), { exact: [{ uri: ctx.uri, range: { start: { line: 4, character: 0 }, end: { line: 4, character: 0 } } }], possible: [], exactCount: 1, possibleCount: 3 }],
  ]);
  const lenses = ruleLenses('/etc/nginx/nginx.conf', 'file:///etc/nginx/nginx.conf', sources, counts, 'access.log', ruleKey);
  assert.deepEqual(lenses.map((l) => [l.range.start.line, l.command!.title]), [
    [5, '1 drop in access.log (+3 possible)'],
    [10, '0 drops in access.log'],
  ]);
  assert.equal(lenses[0].command!.command, 'nginx-lens.showDropsForRule');
  assert.equal(lenses[0].command!.arguments![0].locations.length, 1);
  assert.match(lenses[1].command!.arguments![0].message, /no line of access\.log/);
});

test('hover on a log line: regexes, host names and paths show as written, not as Markdown or links', () => {
  const php = `http {
    log_format vhost '$remote_addr - [$time_local] "$request" $status "$http_user_agent" "$host"';
    access_log /var/log/nginx/access.log vhost;
    server {
        listen 80;
        server_name www.shop.example *.shop_x.example;
        location ~ \\.php$ { return 444; }
    }
    # A second server on the port: nginx then looks the Host up among the names.
    server { listen 80; server_name other.example; }
}
`;
  const g = loadConfigGraph('/etc/nginx/nginx.conf', new MemoryFileSystem({ '/etc/nginx/nginx.conf': php }));
  const l = '192.0.2.1 - [27/Nov/2026:10:00:00 +0000] "GET /a_b/*x*.php HTTP/1.1" 444 "curl/8" "www.shop.example"';
  const a = new LogLineAnalyzer(buildModelFromGraph(g), '/var/log/nginx/access.log', [l]);
  const md = (logLineHover(l, 0, a, { uri: ctx.uri, displayPath: (f) => displayPathIn(g, f) })!.contents as { value: string }).value;
  // What a CommonMark renderer shows: backslash escapes resolved.
  const shown = md.replace(/\\([!-/:-@[-`{-~])/g, '$1');
  assert.match(md, /exact/);
  assert.ok(shown.includes('location ~ \\.php$'), md);
  assert.ok(shown.includes('server www.shop.example *.shop_x.example'), md);
  assert.ok(shown.includes('Host "www.shop.example" is its exact server_name'), md);
  assert.doesNotMatch(md, /www\.shop/, 'a bare www. host becomes a link');
  assert.match(md, /`return 444` at \[nginx\.conf:7\]\(file:\/\/\/etc\/nginx\/nginx\.conf#L7\)/);
});

/** Lazy lenses resolved one by one must equal the eager lenses, on exactly the given lines. */
function lazyMatchesEager(m: ReturnType<typeof buildModelFromGraph>, c: typeof ctx, kinds: string[], is444: (l: string) => boolean): string[] {
  // Every line break the editor knows, including a lone \r (a corrupt line).
  const breaks = ['\n', '\r\n', '\n', '\r', '\n'];
  let text = '';
  const expected: number[] = [];
  for (let i = 0; i < 2500; i++) {
    const l = kinds[i % kinds.length];
    if (is444(l)) expected.push(i);
    text += l + breaks[i % breaks.length];
  }
  // An oracle for line numbers: the core's LSP line starts.
  const doc = new LogText(text);
  assert.equal(doc.lineCount, computeLineStarts(text).length);
  for (const n of expected) assert.equal(doc.line(n), kinds[n % kinds.length]);
  const analyzer = () => new LogLineAnalyzer(m, '/var/log/nginx/access.log', doc.head(200));
  const eager = logDocumentLenses(doc, analyzer(), c, { resolveUpTo: Infinity });
  const lazy = logDocumentLenses(doc, analyzer(), c, { resolveUpTo: 0 });
  assert.deepEqual(lazy.map((l) => l.range.start.line), expected);
  assert.deepEqual(eager.map((l) => l.range.start.line), expected);
  assert.ok(lazy.every((l) => !l.command));
  // Resolved by a fresh analyzer (empty cache), as after the document's analyzer was rebuilt.
  const fresh = analyzer();
  const resolved = lazy.map((l) => {
    const [, line] = l.data as LogLensData;
    return resolvedLogLens(line, doc.line(line), fresh, c);
  });
  assert.deepEqual(resolved, eager);
  return [...new Set(eager.map((l) => l.command!.title))].sort();
}

test('lazy lenses: one per 444 line (as the editor counts lines), resolved to the titles the eager path gives', () => {
  const vhostConf = `http {
    log_format vhost '$remote_addr - [$time_local] "$request" $status "$http_user_agent" "$host"';
    access_log /var/log/nginx/access.log vhost;
    server {
        listen 80;
        server_name a.example;
        location /admin { return 444; }
        location /old { return 444; }
    }
    server {
        listen 80;
        server_name b.example;
        location /admin { return 444; }
    }
}
`;
  const g = loadConfigGraph('/etc/nginx/nginx.conf', new MemoryFileSystem({ '/etc/nginx/nginx.conf': vhostConf }));
  const vhost = (path: string, status: number, host: string) =>
    `192.0.2.1 - [27/Nov/2026:10:00:00 +0000] "GET ${path} HTTP/1.1" ${status} "curl/8" "${host}"`;
  const exact = [
    vhost('/admin', 444, 'a.example'),
    vhost('/old/444', 444, 'b.example'),
    vhost('/444', 200, 'a.example'),
    vhost('/admin', 444, 'b.example'),
    vhost('/x', 444, 'a.example'),
    vhost('/old', 444, 'a.example'),
    'garbage 444',
  ];
  assert.deepEqual(lazyMatchesEager(buildModelFromGraph(g), { uri: ctx.uri, displayPath: (f) => displayPathIn(g, f) }, exact, (l) => l.includes('" 444 "')), [
    'dropped by return 444 — nginx.conf:13',
    'dropped by return 444 — nginx.conf:7',
    'dropped by return 444 — nginx.conf:8',
    'no rule matches',
  ]);
  // combined lacks $host: one of the two servers' rules.
  const combined = [line('/admin', 444), line('/444', 200), line('/shop', 444), line('/x?id=444', 404), 'garbage 444 garbage'];
  assert.deepEqual(lazyMatchesEager(model, ctx, combined, (l) => l.includes('" 444 ')), ['no rule matches', 'one of 2 rules — the log lacks $host']);
});

test('a log_format written across lines: one lens per record, on its first line; the hover of any of its lines explains it', () => {
  const multiConf = `http {
    log_format multi '$remote_addr [$time_local]
        "$request" $status "$http_host"';
    access_log /var/log/nginx/multi.log multi;
    server { listen 80; server_name a.example; location /admin { return 444; } }
    server { listen 80; server_name b.example; location /admin { return 200; } }
}
`;
  const g = loadConfigGraph('/etc/nginx/nginx.conf', new MemoryFileSystem({ '/etc/nginx/nginx.conf': multiConf }));
  const m = buildModelFromGraph(g);
  const rec = (path: string, status: number, host: string) => [`192.0.2.1 [27/Nov/2026:10:00:00 +0000]`, `        "GET ${path} HTTP/1.1" ${status} "${host}"`];
  // A record cut by rotation first: its second line alone reads as nothing.
  const lines = [rec('/x', 444, 'a.example')[1], ...rec('/', 200, 'a.example'), ...rec('/admin', 444, 'a.example'), ...rec('/admin', 444, 'b.example')];
  const text = [...lines, ''].join('\n');
  const a = new LogLineAnalyzer(m, '/var/log/nginx/multi.log', text.split('\n'));
  assert.equal(a.formatName, 'multi');
  assert.equal(a.linesPerRecord, 2);
  const doc = new LogText(text);
  const lenses = logDocumentLenses(doc, a, { uri: 'file:///var/log/nginx/multi.log', displayPath: (f: string) => displayPathIn(g, f) });
  assert.deepEqual(
    lenses.map((l) => [l.range.start.line, l.command!.title]),
    [
      [3, 'dropped by return 444 — nginx.conf:5'],
      [5, 'no rule matches'],
    ],
  );
  for (const n of [3, 4]) assert.match((logLineHover(a.textAt(doc, n), n, a, ctx)!.contents as { value: string }).value, /exact/);
  assert.equal(a.recordOf(doc, 0), undefined);
});

test('a format the user chose for a file several formats write: its lines come from that format\'s access_logs only', () => {
  const twoConf = `http {
    log_format short '$remote_addr $status "$request"';
    log_format other '$status $remote_addr "$request"';
    server { listen 80 default_server; server_name a.example; access_log /var/log/nginx/all.log short; location /admin { return 444; } }
    server { listen 80; server_name b.example; access_log /var/log/nginx/all.log; location /admin { return 444; } }
}
`;
  const g = loadConfigGraph('/etc/nginx/nginx.conf', new MemoryFileSystem({ '/etc/nginx/nginx.conf': twoConf }));
  const m = buildModelFromGraph(g);
  const text = '192.0.2.1 444 "GET /admin HTTP/1.1"\n';
  const verdict = (format: string, line = text.trimEnd()) => new LogLineAnalyzer(m, '/var/log/nginx/all.log', [line], undefined, format).analyze(line)?.attribution;
  // Only a.example's access_log writes `short`; b.example's writes combined.
  const chosen = verdict('short')!;
  assert.equal(chosen.verdict, 'exact');
  assert.equal(chosen.rules[0].range.start.line, 3);
  // A format none of the file's access_logs writes: whoever wrote it, never certain.
  const foreign = verdict('other', '444 192.0.2.1 "GET /admin HTTP/1.1"');
  assert.equal(foreign?.verdict, 'ambiguous');
  assert.deepEqual(foreign!.rules.map((r) => r.range.start.line), [3, 4]);
});
