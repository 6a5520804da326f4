// Include resolution against nginx 1.22's rules (ngx_conf_include, ngx_conf_full_name, glob(3)),
// on in-memory trees so each case states exactly what is on "disk".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryFileSystem } from '../../server/src/core/fileSystem';
import { loadConfigGraph, contextsOf, walkEffective, effectiveContext, ParseCache } from '../../server/src/core/configGraph';
import { detectPathMappings } from '../../server/src/core/includes';
import type { Directive } from '../../server/src/core/syntax';

function targetsOf(g: ReturnType<typeof loadConfigGraph>, file: string, arg: string) {
  for (const [d, t] of g.includes) if (d.file === file && d.args[0].value === arg) return t;
  throw new Error(`no include ${arg} in ${file}`);
}

function effectiveNames(g: ReturnType<typeof loadConfigGraph>): string[] {
  const out: string[] = [];
  walkEffective(g, (d, anc) => {
    if (d.name !== 'include') out.push([...anc.map((a) => a.name), d.name].join('/') + (d.args[0] ? ' ' + d.args[0].value : ''));
  });
  return out;
}

test('relative include paths resolve against the conf prefix, not the including file', () => {
  const fs = new MemoryFileSystem({
    '/srv/nginx/nginx.conf': 'events {}\nhttp { include sites/site.conf; }\n',
    '/srv/nginx/sites/site.conf': 'server { include snippets/a.conf; }\n',
    '/srv/nginx/snippets/a.conf': 'return 444;\n',
    // a decoy next to the including file: nginx never looks here
    '/srv/nginx/sites/snippets/a.conf': 'return 200;\n',
  });
  const g = loadConfigGraph('/srv/nginx/nginx.conf', fs);
  assert.equal(g.prefix, '/srv/nginx/');
  assert.deepEqual(targetsOf(g, '/srv/nginx/sites/site.conf', 'snippets/a.conf').map((t) => t.path), ['/srv/nginx/snippets/a.conf']);
  assert.deepEqual(effectiveNames(g), ['events', 'http', 'http/server', 'http/server/return 444']);
  assert.deepEqual(g.diagnostics, []);
});

test('the prefix option overrides the conf prefix', () => {
  const fs = new MemoryFileSystem({
    '/a/frag.conf': 'include x.conf;',
    '/b/x.conf': 'worker_processes 1;',
  });
  const g = loadConfigGraph('/a/frag.conf', fs, { prefix: '/b' });
  assert.equal(g.prefix, '/b/');
  assert.deepEqual([...g.files.keys()], ['/a/frag.conf', '/b/x.conf']);
});

test('globs expand in strcmp order over the whole path, skip dot-files, and a glob matching nothing is fine', () => {
  const names = ['a', 'B', '_x', '10', '9', 'é', 'a-b', 'a.b', '.hidden'];
  const files: Record<string, string> = { '/n/nginx.conf': 'include t/*.conf;\ninclude none/*.conf;\ninclude t/[!a]*.conf;\ninclude t/?.conf;\ninclude t/??.conf;\n' };
  for (const n of names) files[`/n/t/${n}.conf`] = `worker_priority 0;`;
  files['/n/t/sub/x.conf'] = 'ignored;';
  const g = loadConfigGraph('/n/nginx.conf', new MemoryFileSystem(files));
  const base = (arg: string) => targetsOf(g, '/n/nginx.conf', arg).map((t) => t.path.slice('/n/t/'.length));
  // Same order real nginx 1.22 reported (see nginxOrder.test.ts): bytes, not locale.
  assert.deepEqual(base('t/*.conf'), ['10.conf', '9.conf', 'B.conf', '_x.conf', 'a-b.conf', 'a.b.conf', 'a.conf', 'é.conf']);
  assert.deepEqual(base('none/*.conf'), []);
  assert.deepEqual(base('t/[!a]*.conf'), ['10.conf', '9.conf', 'B.conf', '_x.conf', 'é.conf']);
  // C locale: '?' is one byte, and 'é' is two
  assert.deepEqual(base('t/?.conf'), ['9.conf', 'B.conf', 'a.conf']);
  assert.deepEqual(base('t/??.conf'), ['10.conf', '_x.conf', 'é.conf']);
  assert.deepEqual(g.diagnostics, []);
});

test('globs in directory components, bracket ranges and escapes', () => {
  const fs = new MemoryFileSystem({
    '/n/nginx.conf': 'include sites-*/*.conf;\ninclude lit/\\*.conf;\ninclude r/[0-9][a-c].conf;\n',
    '/n/sites-enabled/b.conf': '',
    '/n/sites-available/a.conf': '',
    '/n/sites-x': 'a file, not a directory',
    '/n/lit/*.conf': '',
    '/n/lit/x.conf': '',
    '/n/r/1a.conf': '',
    '/n/r/1d.conf': '',
    '/n/r/9c.conf': '',
  });
  const g = loadConfigGraph('/n/nginx.conf', fs);
  assert.deepEqual(targetsOf(g, '/n/nginx.conf', 'sites-*/*.conf').map((t) => t.path), ['/n/sites-available/a.conf', '/n/sites-enabled/b.conf']);
  assert.deepEqual(targetsOf(g, '/n/nginx.conf', 'lit/\\*.conf').map((t) => t.path), ['/n/lit/*.conf']);
  assert.deepEqual(targetsOf(g, '/n/nginx.conf', 'r/[0-9][a-c].conf').map((t) => t.path), ['/n/r/1a.conf', '/n/r/9c.conf']);
});

test('a plain include of a missing file is an error on its argument, worded like nginx', () => {
  const fs = new MemoryFileSystem({ '/n/nginx.conf': 'events {}\n\nhttp {\n    include   missing.conf;\n}\n' });
  const g = loadConfigGraph('/n/nginx.conf', fs);
  assert.equal(g.diagnostics.length, 1);
  const d = g.diagnostics[0];
  assert.equal(d.code, 'include-not-found');
  assert.equal(d.severity, 'error');
  assert.equal(d.message, 'open() "/n/missing.conf" failed (2: No such file or directory)');
  assert.equal(d.file, '/n/nginx.conf');
  assert.deepEqual([d.range.start.line, d.range.start.character, d.range.end.character], [3, 14, 26]);
  assert.equal(targetsOf(g, '/n/nginx.conf', 'missing.conf')[0].status, 'missing');
});

test('include cycles and self-includes are reported once and not followed', () => {
  const fs = new MemoryFileSystem({
    '/n/nginx.conf': 'events {}\nhttp { include a.conf; include self.conf; }\n',
    '/n/a.conf': 'server { include b.conf; }\n',
    '/n/b.conf': 'location / { include a.conf; }\n',
    '/n/self.conf': 'include self.conf;\nmap $a $b { }\n',
  });
  const g = loadConfigGraph('/n/nginx.conf', fs);
  const cycles = g.diagnostics.filter((d) => d.code === 'include-cycle');
  assert.equal(cycles.length, 2, JSON.stringify(g.diagnostics));
  assert.ok(cycles.some((d) => d.file === '/n/b.conf' && d.message.includes('a.conf → b.conf → a.conf')));
  assert.ok(cycles.some((d) => d.file === '/n/self.conf' && d.message.includes('includes itself')));
  assert.ok(cycles.every((d) => d.severity === 'error'));
  // and the effective walk terminates with each file once
  const names = effectiveNames(g);
  assert.deepEqual(names, ['events', 'http', 'http/server', 'http/server/location /', 'http/map $a']);
});

test('includes inside blocks give the included file that context; a file included twice has both', () => {
  const fs = new MemoryFileSystem({
    '/n/nginx.conf': 'events {}\nhttp {\n map $u $bad { include maps/*.map; }\n server { location / { include common.conf; } }\n server { include common.conf; }\n include common.conf;\n}\n',
    '/n/maps/bots.map': '"~*bot" 1;\ndefault 0;\n',
    '/n/common.conf': 'add_header X-A 1;\n',
  });
  const g = loadConfigGraph('/n/nginx.conf', fs);
  assert.deepEqual(contextsOf(g, '/n/maps/bots.map'), [['http', 'map']]);
  assert.deepEqual(contextsOf(g, '/n/common.conf'), [['http', 'server', 'location'], ['http', 'server'], ['http']]);
  assert.deepEqual(contextsOf(g, '/n/nginx.conf'), [[]]);
  assert.equal(g.includedBy.get('/n/common.conf')?.length, 3);
  let seen = 0;
  walkEffective(g, (d, anc, via) => {
    if (d.name === 'add_header') {
      seen++;
      assert.equal(via.length, 1);
      assert.equal(via[0].name, 'include');
      assert.ok(anc.length >= 1);
    }
  });
  assert.equal(seen, 3);
});

test('/etc/nginx paths map onto a workspace copy, auto-detected from the layout', () => {
  const files = {
    '/ws/etc/nginx/nginx.conf': 'events {}\nhttp { include /etc/nginx/mime.types; include /etc/nginx/sites-enabled/*; }\n',
    '/ws/etc/nginx/mime.types': 'types { text/html html; }\n',
    '/ws/etc/nginx/sites-enabled/default': 'server { listen 80; }\n',
  };
  const fs = new MemoryFileSystem(files);
  const g = loadConfigGraph('/ws/etc/nginx/nginx.conf', fs);
  assert.deepEqual(g.pathMappings, [{ from: '/etc/nginx', to: '/ws/etc/nginx' }]);
  assert.deepEqual(g.diagnostics, []);
  const t = targetsOf(g, '/ws/etc/nginx/nginx.conf', '/etc/nginx/sites-enabled/*')[0];
  assert.equal(t.path, '/ws/etc/nginx/sites-enabled/default');
  assert.equal(t.nginxPath, '/etc/nginx/sites-enabled/default');

  // flat layout: nginx.conf beside sites-enabled, conf.d, mime.types
  const flat = new MemoryFileSystem({
    '/repo/nginx/nginx.conf': 'include /etc/nginx/conf.d/*.conf;',
    '/repo/nginx/conf.d/x.conf': '',
    '/repo/nginx/sites-enabled/y': '',
    '/repo/nginx/mime.types': '',
  });
  assert.deepEqual(detectPathMappings('/repo/nginx/nginx.conf', flat), [{ from: '/etc/nginx', to: '/repo/nginx' }]);
  // a lone nginx.conf is not enough evidence
  assert.deepEqual(detectPathMappings('/x/nginx.conf', new MemoryFileSystem({ '/x/nginx.conf': '' })), []);

  // explicit mapping wins; a missing mapped file names both paths
  const g2 = loadConfigGraph('/ws/etc/nginx/nginx.conf', fs, { pathMappings: [{ from: '/etc/nginx/', to: '/elsewhere' }] });
  assert.equal(g2.diagnostics.length, 1);
  assert.match(g2.diagnostics[0].message, /^open\(\) "\/etc\/nginx\/mime.types" failed \(2: No such file or directory\) \(looked for it at "\/elsewhere\/mime.types"\)$/);
});

test('paths the caller does not allow are not read: information, not an error', () => {
  const fs = new MemoryFileSystem({
    '/ws/nginx.conf': 'include /etc/secret/*.conf;\ninclude /etc/passwd;\ninclude ok.conf;\n',
    '/etc/secret/a.conf': 'x;',
    '/etc/passwd': 'root:x:0:0',
    '/ws/ok.conf': '',
  });
  let asked: string[] = [];
  const g = loadConfigGraph('/ws/nginx.conf', fs, {
    allowRead: (p) => {
      asked.push(p);
      return p.startsWith('/ws/');
    },
  });
  assert.deepEqual([...g.files.keys()], ['/ws/nginx.conf', '/ws/ok.conf']);
  const refused = g.diagnostics.filter((d) => d.code === 'include-outside-workspace');
  assert.equal(refused.length, 2);
  // the glob's directory was not even listed
  assert.ok(!asked.includes('/etc/secret/a.conf'));
  assert.match(refused[0].message, /"\/etc\/secret" is outside the workspace/);
  assert.ok(refused.every((d) => d.severity === 'information'));
  assert.ok(g.diagnostics.every((d) => d.code === 'include-outside-workspace'));
  assert.ok(asked.includes('/etc/passwd'));
});

test('unreadable files and directories are include-unreadable errors; the rest still loads', () => {
  const fs = new MemoryFileSystem({ '/n/nginx.conf': 'include locked.conf;\ninclude conf.d;\ninclude conf.d/*;\ninclude good.conf;\n', '/n/good.conf': 'worker_processes 1;', '/n/conf.d/in.conf': '' });
  fs.writeUnreadable('/n/locked.conf');
  fs.mkdir('/n/conf.d/subdir');
  const g = loadConfigGraph('/n/nginx.conf', fs);
  const codes = g.diagnostics.map((d) => `${d.code}: ${d.message}`);
  assert.deepEqual(codes, [
    'include-unreadable: open() "/n/locked.conf" failed (13: Permission denied)',
    'include-unreadable: pread() "/n/conf.d" failed (21: Is a directory)',
    'include-unreadable: pread() "/n/conf.d/subdir" failed (21: Is a directory)',
  ]);
  assert.ok(g.files.has('/n/good.conf'));
  assert.ok(g.files.has('/n/conf.d/in.conf'));
});

test('an unreadable main file is one diagnostic, not an exception', () => {
  const g = loadConfigGraph('/nope/nginx.conf', new MemoryFileSystem());
  assert.equal(g.files.size, 0);
  assert.equal(g.diagnostics[0].code, 'file-unreadable');
});

test('a glob matching 10,000 files stays bounded; over the cap it is truncated with a warning', () => {
  const files: Record<string, string> = { '/n/nginx.conf': 'events {}\nhttp { include vhosts/*.conf; }\n' };
  for (let i = 0; i < 10000; i++) files[`/n/vhosts/v${String(i).padStart(5, '0')}.conf`] = `server { server_name s${i}; include /n/common.conf; }\n`;
  files['/n/common.conf'] = 'location / { return 444; }\n';
  const fs = new MemoryFileSystem(files);
  // CPU time, not wall time: the bound is about our work, not about how busy the machine is.
  const c0 = process.cpuUsage();
  const g = loadConfigGraph('/n/nginx.conf', fs);
  const c = process.cpuUsage(c0);
  const ms = (c.user + c.system) / 1000;
  assert.equal(g.files.size, 10002);
  assert.deepEqual(g.diagnostics, []);
  assert.ok(ms < 5000, `took ${ms} ms of CPU`);
  const g2 = loadConfigGraph('/n/nginx.conf', fs, { maxGlobMatches: 1000 });
  assert.equal(g2.files.size, 1002);
  assert.equal(g2.diagnostics.length, 1);
  assert.equal(g2.diagnostics[0].code, 'include-limit');
  assert.match(g2.diagnostics[0].message, /matches 10000 files; only the first 1000/);
  const g3 = loadConfigGraph('/n/nginx.conf', fs, { maxFiles: 50 });
  assert.equal(g3.files.size, 50);
  assert.ok(g3.diagnostics.some((d) => d.code === 'include-limit'));
});

test('diamond-shaped include trees stay linear', () => {
  // 30 levels, each file including the next level twice: 2^30 paths, 30 files.
  const files: Record<string, string> = { '/n/nginx.conf': 'include l0.conf;' };
  for (let i = 0; i < 30; i++) files[`/n/l${i}.conf`] = `include l${i + 1}.conf;\ninclude l${i + 1}.conf;\n`;
  files['/n/l30.conf'] = 'worker_processes 1;';
  const g = loadConfigGraph('/n/nginx.conf', new MemoryFileSystem(files));
  assert.equal(g.files.size, 32);
  assert.deepEqual(g.diagnostics, []);
  let visits = 0;
  walkEffective(g, () => void visits++, { maxVisits: 100000 });
  assert.ok(visits <= 100000);
});

test('the parse cache re-parses only the edited file', () => {
  const files: Record<string, string> = { '/n/nginx.conf': 'events {}\nhttp { include sites/*.conf; }\n' };
  for (let i = 0; i < 300; i++) files[`/n/sites/s${i}.conf`] = `server {\n  listen 80;\n  server_name s${i}.example;\n  location / { return 444; }\n}\n`;
  const fs = new MemoryFileSystem(files);
  const cache = new ParseCache();
  const g1 = loadConfigGraph('/n/nginx.conf', fs, { cache });
  assert.equal(cache.misses, 301);
  fs.write('/n/sites/s7.conf', files['/n/sites/s7.conf'].replace('444', '404'));
  const before = cache.misses;
  const g2 = loadConfigGraph('/n/nginx.conf', fs, { cache });
  assert.equal(cache.misses - before, 1);
  assert.equal(g2.files.get('/n/sites/s8.conf'), g1.files.get('/n/sites/s8.conf'));
  assert.notEqual(g2.files.get('/n/sites/s7.conf'), g1.files.get('/n/sites/s7.conf'));
  cache.retain(['/n/nginx.conf', '/n/sites/s1.conf']);
  assert.equal(cache.size, 2);
});

test('include with the wrong number of arguments is not followed', () => {
  const fs = new MemoryFileSystem({ '/n/nginx.conf': 'include a.conf b.conf;\ninclude;\n', '/n/a.conf': '' });
  const g = loadConfigGraph('/n/nginx.conf', fs);
  assert.equal(g.includes.size, 0);
  assert.equal(g.files.size, 1);
});

test('walkEffective: skip on an include does not expand it; ancestors cross files', () => {
  const fs = new MemoryFileSystem({ '/n/nginx.conf': 'http { include s.conf; }', '/n/s.conf': 'server { location / { } }' });
  const g = loadConfigGraph('/n/nginx.conf', fs);
  const seen: string[] = [];
  walkEffective(g, (d: Directive, anc) => {
    seen.push(anc.map((a) => a.name).concat(d.name).join('/'));
  });
  assert.deepEqual(seen, ['http', 'http/include', 'http/server', 'http/server/location']);
  const skipped: string[] = [];
  walkEffective(g, (d) => {
    skipped.push(d.name);
    return d.name === 'include' ? 'skip' : undefined;
  });
  assert.deepEqual(skipped, ['http', 'include']);
});

test('path mapping detected from the main config\'s own absolute includes (Docker image layout)', () => {
  const fs = new MemoryFileSystem({
    '/repo/docker/nginx/nginx.conf': 'events {}\nhttp {\n  include /etc/nginx/mime.types;\n  include /etc/nginx/conf.d/*.conf;\n  include /etc/ssl/options.conf;\n}\n',
    '/repo/docker/nginx/conf.d/default.conf': 'server { listen 80; }\n',
    '/repo/docker/nginx/options.conf': '',
  });
  assert.deepEqual(detectPathMappings('/repo/docker/nginx/nginx.conf', fs), [{ from: '/etc/nginx', to: '/repo/docker/nginx' }]);
  const src = new MemoryFileSystem({
    '/w/conf/nginx.conf': 'include /usr/local/nginx/conf/vhosts/*.conf;\n',
    '/w/conf/vhosts/a.conf': '',
  });
  assert.deepEqual(detectPathMappings('/w/conf/nginx.conf', src), [{ from: '/usr/local/nginx/conf', to: '/w/conf' }]);
  const g = loadConfigGraph('/w/conf/nginx.conf', src);
  assert.deepEqual([...g.files.keys()], ['/w/conf/nginx.conf', '/w/conf/vhosts/a.conf']);
});

test("effectiveContext puts a fragment's root context in front of the walked ancestors", () => {
  const fs = new MemoryFileSystem({ '/n/frag.conf': 'location / { include inner.conf; }', '/n/inner.conf': 'return 444;' });
  const g = loadConfigGraph('/n/frag.conf', fs, { rootContext: ['http', 'server'] });
  const seen: string[] = [];
  walkEffective(g, (d, anc) => void seen.push(`${effectiveContext(g, anc).join('/')}:${d.name}`));
  assert.deepEqual(seen, ['http/server:location', 'http/server/location:include', 'http/server/location:return']);
  assert.deepEqual(contextsOf(g, '/n/inner.conf'), [['http', 'server', 'location']]);
});

test('the include that closes a cycle is marked, so the graph of followed includes is acyclic', () => {
  const fs = new MemoryFileSystem({
    '/n/nginx.conf': 'http { include a.conf; server { include b.conf; } }',
    '/n/a.conf': 'include b.conf;',
    '/n/b.conf': 'include a.conf;',
  });
  const g = loadConfigGraph('/n/nginx.conf', fs);
  const statuses = [...g.includes].map(([d, ts]) => `${d.file.slice(3)}→${ts.map((t) => `${t.path.slice(3)}:${t.status}`).join(',')}`);
  assert.deepEqual(statuses, ['nginx.conf→a.conf:ok', 'a.conf→b.conf:ok', 'b.conf→a.conf:cycle', 'nginx.conf→b.conf:ok']);
  // contexts only list places the followed includes reach
  assert.deepEqual(contextsOf(g, '/n/a.conf'), [['http']]);
  assert.deepEqual(contextsOf(g, '/n/b.conf'), [['http'], ['http', 'server']]);
  const seen: string[] = [];
  walkEffective(g, (d, anc) => void seen.push(`${effectiveContext(g, anc).join('/')}:${d.name} ${d.args[0]?.value ?? ''}`));
  assert.deepEqual(seen, [':http ', 'http:include a.conf', 'http:include b.conf', 'http:include a.conf', 'http:server ', 'http/server:include b.conf', 'http/server:include a.conf']);
});
