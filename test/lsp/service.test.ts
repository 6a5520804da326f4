// The feature functions called directly on core data (no server): fast, precise checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '../../server/src/core/parser';
import { MemoryFileSystem } from '../../server/src/core/fileSystem';
import { loadConfigGraph } from '../../server/src/core/configGraph';
import type { Diagnostic } from '../../server/src/core/diagnostic';
import type { DocumentView } from '../../server/src/service/document';
import { completion, cursorStatement, resolveCompletion } from '../../server/src/service/completion';
import { hover } from '../../server/src/service/hover';
import { definition } from '../../server/src/service/definition';
import { documentSymbols } from '../../server/src/service/symbols';
import { foldingRanges } from '../../server/src/service/folding';
import { codeActions } from '../../server/src/service/codeActions';
import { documentLinks } from '../../server/src/service/links';
import { workspaceSymbols } from '../../server/src/service/workspaceSymbols';
import { variableDefinitions } from '../../server/src/service/variables';
import { diagnosticsByUri } from '../../server/src/service/diagnostics';
import { syntaxErrorDiagnostics } from '../../server/src/core/validate';

const at = (text: string, marker = '|') => {
  const offset = text.indexOf(marker);
  return { text: text.slice(0, offset) + text.slice(offset + marker.length), offset };
};
const view = (text: string, contexts: string[][] = [[]]): DocumentView => ({ file: parse(text, '/etc/nginx/x.conf'), contexts });
const labels = (v: DocumentView, offset: number) => completion(v, offset).items.map((i) => i.label);
const hoverText = (v: DocumentView, offset: number) => {
  const h = hover(v, offset);
  return h ? (h.contents as { value: string }).value : '';
};

test('completion: the context decides which directives are offered', () => {
  const main = at('worker_processes 1;\n|\nhttp {\n}\n');
  const top = labels(view(main.text), main.offset);
  assert.ok(top.includes('worker_processes') && top.includes('http') && top.includes('events'));
  assert.ok(!top.includes('listen') && !top.includes('proxy_pass'));

  const loc = at('http { server { location / {\n  pro|\n} } }');
  const inLoc = labels(view(loc.text), loc.offset);
  const pass = completion(view(loc.text), loc.offset).items.find((i) => i.label === 'proxy_pass')!;
  assert.equal(pass.documentation, undefined, 'docs come with resolve');
  assert.match((resolveCompletion(pass).documentation as { value: string }).value, /\*\*proxy_pass\*\* \*`URL`\*;/);
  assert.ok(inLoc.includes('proxy_pass') && inLoc.includes('return'));
  assert.ok(!inLoc.includes('listen') && !inLoc.includes('server_name'));

  // A fragment nothing includes: `server { }` there is an http or stream server, never main.
  const frag = at('server {\n  |\n}\n');
  const inFrag = labels(view(frag.text, []), frag.offset);
  assert.ok(inFrag.includes('listen') && inFrag.includes('server_name'));
  assert.ok(!inFrag.includes('worker_processes'));

  // Typing spaces to indent must not pop the directive list up; a space after `access_log path` may.
  assert.deepEqual(completion(view(loc.text), loc.offset - 3, undefined, ' ').items, []);

  // Inside a map block the lines are entries, not directives.
  const map = at('http { map $a $b {\n  |\n} }');
  assert.deepEqual(labels(view(map.text), map.offset), []);
});

test('completion: arguments — log formats, named locations, upstreams, variables', () => {
  const conf = 'http {\n log_format main "$remote_addr";\n upstream app { server 127.0.0.1:1; }\n server {\n  location @back { }\n  set $mine 1;\n  ';
  const logs = at(conf + 'access_log /var/log/a.log |');
  assert.deepEqual(labels(view(logs.text), logs.offset), ['combined', 'main']);
  assert.deepEqual(completion(view(logs.text), logs.offset, undefined, ' ').items.map((i) => i.label), ['combined', 'main']);
  const named = at(conf + 'try_files $uri @b|');
  assert.deepEqual(labels(view(named.text), named.offset), ['@back']);
  const up = at(conf + 'location / { proxy_pass http://a|');
  assert.deepEqual(labels(view(up.text), up.offset), ['app']);
  const vars = at(conf + 'return 200 "$mi|');
  const items = completion(view(vars.text), vars.offset).items;
  const mine = items.find((i) => i.label === '$mine');
  assert.ok(mine, 'user variable');
  assert.equal((mine!.textEdit as { newText: string }).newText, 'mine');
  assert.ok(items.some((i) => i.label === '$request_uri'));
  // Stream-only variables are not offered inside http.
  assert.ok(!items.some((i) => i.label === '$upstream_session_time'), 'no stream variables in http');
});

test('completion: nothing inside a comment; the statement under the cursor is found', () => {
  const c = at('http {\n  # proxy_|\n}');
  assert.deepEqual(labels(view(c.text), c.offset), []);
  const s = at('http {\n  access_log /x.log com|\n}');
  const st = cursorStatement(parse(s.text, 'a'), s.offset)!;
  assert.deepEqual([st.words, st.index, st.prefix, st.blocks.map((b) => b.name)], [['access_log', '/x.log', 'com'], 2, 'com', ['http']]);
});

test('hover: directive docs, unknown directives, map entries, captures', () => {
  const t = at('http { server { listen 80; lis|ten 81; } }');
  assert.match(hoverText(view(t.text), t.offset), /\*\*listen\*\*.*Context: `server`/s);
  const u = at('http { proxy_passs| x; }');
  assert.match(hoverText(view(u.text), u.offset), /not a directive in NGINX's reference/);
  const m = at('http { map $a $b { defa|ult 0; } }');
  assert.equal(hoverText(view(m.text), m.offset), '');
  const cap = at('http { server { location ~ ^/(x) { return 200 $|1; } } }');
  assert.match(hoverText(view(cap.text), cap.offset), /capture group 1/);
  const g = at('http { geo $remote_addr $blocked { default 0; } server { if ($bloc|ked) { return 444; } } }');
  assert.match(hoverText(view(g.text), g.offset), /`geo \$remote_addr \$blocked`/);
});

test('symbols: upstream members are not servers; return 444 is listed', () => {
  const f = parse('http {\n upstream u { server 10.0.0.1; }\n server { listen 443 ssl; server_name a b; location = /x { return 444; } }\n}', 'a');
  const syms = documentSymbols(f);
  const http = syms[0];
  assert.deepEqual(http.children!.map((s) => [s.name, s.detail ?? '']), [['upstream u', ''], ['server a b', 'listen 443 ssl']]);
  assert.deepEqual(http.children![1].children!.map((s) => s.name), ['location = /x']);
  assert.deepEqual(http.children![1].children![0].children!.map((s) => s.name), ['return 444']);
});

test('folding: unclosed block folds to the end, single comments do not fold', () => {
  const f = parse('# one\nhttp {\n  server {\n    listen 80;\n', 'a');
  const r = foldingRanges(f).map((x) => `${x.startLine}-${x.endLine}${x.kind ? ':' + x.kind : ''}`);
  assert.deepEqual(r.sort(), ['1-3', '2-3']);
});

test('definition and links over a loaded include tree', () => {
  const fs = new MemoryFileSystem({
    '/etc/nginx/nginx.conf': 'http {\n include conf.d/*.conf;\n log_format main "$host";\n}\n',
    '/etc/nginx/conf.d/a.conf': 'server { access_log /var/log/a main; ssl_certificate certs/a.pem; location / { try_files $uri @fb; } location @fb { } }\n',
    '/etc/nginx/conf.d/b.conf': 'server { }\n',
    '/etc/nginx/certs/a.pem': 'x',
  });
  const graph = loadConfigGraph('/etc/nginx/nginx.conf', fs);
  const main = graph.files.get('/etc/nginx/nginx.conf')!;
  const a = graph.files.get('/etc/nginx/conf.d/a.conf')!;
  const mainView: DocumentView = { file: main, contexts: [[]], graph };
  const aView: DocumentView = { file: a, contexts: [['http']], graph };

  const inc = definition(mainView, main.text.indexOf('conf.d'));
  assert.deepEqual(inc.map((l) => l.uri), ['file:///etc/nginx/conf.d/a.conf', 'file:///etc/nginx/conf.d/b.conf']);
  const fb = definition(aView, a.text.indexOf('@fb;') + 1);
  assert.deepEqual(fb.map((l) => l.range.start.character), [a.text.indexOf('location @fb')]);
  const fmt = definition(aView, a.text.indexOf('main;'));
  assert.deepEqual(fmt.map((l) => [l.uri, l.range.start.line]), [['file:///etc/nginx/nginx.conf', 2]]);

  const links = documentLinks(mainView, (p) => fs.stat(p)?.kind === 'file');
  assert.equal(links.length, 1);
  assert.equal(links[0].target, 'file:///etc/nginx/conf.d/a.conf');
  assert.match(links[0].tooltip!, /2 files match/);
  const certLinks = documentLinks(aView, (p) => fs.stat(p)?.kind === 'file');
  assert.deepEqual(certLinks.map((l) => l.target), ['file:///etc/nginx/certs/a.pem']);

  const incHover = hover(mainView, main.text.indexOf('conf.d'));
  assert.match((incHover!.contents as { value: string }).value, /^Includes 2 files, in nginx's order:\n- conf\.d\/a\.conf\n- conf\.d\/b\.conf/);

  const ws = workspaceSymbols([graph], 'loc');
  assert.deepEqual(ws.map((s) => s.name), ['location /', 'location @fb']);
});

test('code actions come from the fixes core diagnostics carry', () => {
  const range = { start: { line: 2, character: 4, offset: 20 }, end: { line: 2, character: 10, offset: 26 } };
  const diags: Diagnostic[] = [
    {
      severity: 'warning',
      code: 'log-format-missing-host',
      message: 'the log format lacks $host',
      file: '/etc/nginx/nginx.conf',
      range,
      fixes: [{ title: 'Add "$host" to log_format main', edits: [{ file: '/etc/nginx/nginx.conf', range, newText: '"$host"' }] }],
    },
    { severity: 'error', code: 'x', message: 'no fix', file: '/etc/nginx/nginx.conf', range },
  ];
  const acts = codeActions(diags, '/etc/nginx/nginx.conf', { start: { line: 2, character: 5 }, end: { line: 2, character: 5 } });
  assert.equal(acts.length, 1);
  assert.equal(acts[0].title, 'Add "$host" to log_format main');
  assert.deepEqual(Object.keys(acts[0].edit!.changes!), ['file:///etc/nginx/nginx.conf']);
  assert.deepEqual(codeActions(diags, '/etc/nginx/nginx.conf', { start: { line: 5, character: 0 }, end: { line: 5, character: 1 } }), []);
  assert.deepEqual(codeActions(diags, '/etc/nginx/nginx.conf', range, ['refactor']), []);
});

test('variables defined by set, map, geo, split_clients, perl_set are all found', () => {
  const f = parse('http { map $a $m { } geo $g { } geo $remote_addr $g2 { } split_clients $x $s { } perl_set $p x; server { set $v 1; } }', 'a');
  assert.deepEqual([...variableDefinitions([f]).keys()].sort(), ['g', 'g2', 'm', 'p', 's', 'v']);
});

test('diagnostics: every covered file gets a list, so fixed files are cleared', () => {
  const f = parse('server {\n listen 80\n}\n', '/x/a.conf');
  const by = diagnosticsByUri(syntaxErrorDiagnostics(f), ['/x/a.conf', '/x/b.conf']);
  assert.equal(by.get('file:///x/a.conf')!.length, 1);
  assert.deepEqual(by.get('file:///x/b.conf'), []);
});

test('hostile input: a 10 MB line and deep nesting stay fast', () => {
  const long = 'http { return 200 "' + 'a'.repeat(10_000_000) + '"; }';
  const t0 = Date.now();
  const v = view(long);
  hover(v, 5_000_000);
  completion(v, 5_000_000);
  definition(v, 5_000_000);
  foldingRanges(v.file);
  documentSymbols(v.file);
  const deep = view('location / {'.repeat(10_000) + '}'.repeat(10_000));
  documentSymbols(deep.file);
  foldingRanges(deep.file);
  completion(deep, 6000);
  hover(deep, 6000);
  assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
});

test('hover on a 444 source: the hook explains it; without one, what nginx documents', () => {
  const t = at('http { server { return 44|4; } }');
  const v = view(t.text);
  assert.match(hoverText(v, t.offset), /^\*\*444\*\*: nginx closes the connection without sending a response/);
  const h = hover(v, t.offset, { explain444: { explain: (d) => `custom for ${d.name}` } });
  assert.match((h!.contents as { value: string }).value, /^custom for return\n\n---/);
});

test('workspace symbols list every kind of 444 source', () => {
  const fs = new MemoryFileSystem({
    '/n/nginx.conf': 'http { limit_req_zone $binary_remote_addr zone=z:1m rate=1r/s; server { limit_req zone=z; limit_req_status 444; location /s { try_files $uri =444; } if ($x) { return 444; } } }',
  });
  const graph = loadConfigGraph('/n/nginx.conf', fs);
  const names = workspaceSymbols([graph], '444').map((s) => s.name);
  assert.equal(names.length, 3, names.join(' | '));
  assert.match(names[0], /^limit_req_status 444\b/);
  assert.match(names[1], /^try_files \$uri =444\b.*\/s/);
  assert.match(names[2], /^return 444\b.*\$x/);
});
