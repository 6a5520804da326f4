// The log-lens feature functions on core data: verdict titles, decision-path hover, the cheap
// traced-line scan, and reverse lenses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryFileSystem } from '../../server/src/core/fileSystem';
import { loadConfigGraph } from '../../server/src/core/configGraph';
import { buildModelFromGraph } from '../../server/src/core/http/model';
import { ruleKey } from '../../server/src/core/trace';
import { LogLineAnalyzer } from '../../server/src/service/logLines';
import { logDocumentLenses, logLineHover, ruleLenses, type DropCounts } from '../../server/src/service/logLens';
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
  const lenses = logDocumentLenses(text, a, ctx, (n) => text.split('\n')[n]);
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
  const lenses = logDocumentLenses(many, a, ctx, () => line('/admin', 444));
  assert.equal(lenses.length, 3000);
  assert.deepEqual(lenses[2999].data, { uri: ctx.uri, line: 2999 });
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
