// nginx's file questions (`if (-f ...)`, try_files, $request_filename under root and alias)
// answered from the machine's file system when the CLI traces where the files are; forks when
// they are not here. Checked against nginx 1.22 in differential-modules.test.ts ("file tests and
// try_files against real files").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Attributor, facts, http, lineOf, modelOf } from './support';
import type { FileFound, FileProbe } from '../../server/src/core/http/route';
import { nodeFileProbe } from '../../server/src/node/fileProbe';
import { buildModelFromFile } from '../../server/src/core/http/model';
import { parse } from '../../server/src/core/parser';

/** A probe over a listed tree: paths ending in '/' are directories. */
function fakeFiles(paths: string[]): FileProbe & { asked: string[] } {
  const asked: string[] = [];
  const probe = (path: string): FileFound | null => {
    asked.push(path);
    // As stat: a trailing slash names the directory.
    const p = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
    if (paths.includes(p + '/') || paths.some((x) => x.startsWith(p + '/'))) return { kind: 'dir', exec: true };
    return paths.includes(p) ? { kind: 'file', exec: false } : null;
  };
  return Object.assign(probe, { asked });
}

// Two drops per file question where one would not tell the answer: the line says which ran.
const conf = http(`
server { listen 80; root /srv/www/;
  location /fe/ {
    if (!-f $request_filename) { return 444; }
    return 444;
  }
  location /tf/ { try_files $uri $uri/ @drop; }
  location /al/ { alias /srv/other/; try_files $uri =444; }
  location ~ ^/rx/(.*)$ { alias /srv/other/$1;
    if (!-e $request_filename) { return 444; }
    return 444;
  }
  location @drop { return 444; }
}`);
const tree = ['/srv/www/', '/srv/www/fe/yes.txt', '/srv/www/tf/x.txt', '/srv/www/tf/dir/', '/srv/other/', '/srv/other/a.txt'];
const drop = (path: string, files?: FileProbe) =>
  new Attributor(modelOf(conf), { files }).attribute(facts({ request: `GET ${path} HTTP/1.1`, host: 'h', serverPort: 80 }), 444);

test('-f on $request_filename: root (its trailing slash dropped) and the URI, asked of the files', () => {
  const files = fakeFiles(tree);
  const missing = drop('/fe/no.txt', files);
  assert.equal(missing.verdict, 'exact', missing.why);
  assert.equal(missing.rules[0].range.start.line + 1, lineOf(conf, 'if (!-f'));
  assert.ok(files.asked.includes('/srv/www/fe/no.txt'), files.asked.join(' '));
  assert.match(missing.why, /does not exist on this machine/);
  const there = drop('/fe/yes.txt', files);
  assert.equal(there.verdict, 'exact', there.why);
  assert.equal(there.rules[0].range.start.line + 1, lineOf(conf, 'if (!-f') + 1);
  // Without the files: either drop.
  assert.equal(drop('/fe/yes.txt').verdict, 'ambiguous');
});

test('try_files: the first candidate that exists, a "/" one only as a directory; none: the fallback', () => {
  const files = fakeFiles(tree);
  assert.equal(drop('/tf/x.txt', files).verdict, 'unmatched');
  assert.equal(drop('/tf/dir', files).verdict, 'unmatched');
  const none = drop('/tf/none', files);
  assert.equal(none.verdict, 'exact', none.why);
  assert.equal(none.rules[0].range.start.line + 1, lineOf(conf, 'location @drop'));
});

test('alias: the URI loses its location\'s part; in a regex location the alias is the whole path', () => {
  const files = fakeFiles(tree);
  assert.equal(drop('/al/a.txt', files).verdict, 'unmatched');
  assert.ok(files.asked.includes('/srv/other/a.txt'), files.asked.join(' '));
  assert.equal(drop('/al/b.txt', files).verdict, 'exact');
  // A regex location's alias, with its captures, is the whole path ($request_filename).
  const rx = drop('/rx/b.txt', files);
  assert.equal(rx.verdict, 'exact', rx.why);
  assert.equal(rx.rules[0].range.start.line + 1, lineOf(conf, 'if (!-e'));
  assert.ok(files.asked.includes('/srv/other/b.txt'), files.asked.join(' '));
  assert.equal(drop('/rx/a.txt', files).rules[0].range.start.line + 1, lineOf(conf, 'if (!-e') + 1);
});

test('a machine without the document root (a mirrored config) leaves every file question open', () => {
  const files = fakeFiles(['/elsewhere/']);
  assert.equal(drop('/fe/no.txt', files).verdict, 'ambiguous');
  // try_files: a file candidate may have existed (content, no 444) or not (@drop): one drop.
  const tf = drop('/tf/none', files);
  assert.equal(tf.verdict, 'exact', tf.why);
  assert.doesNotMatch(tf.why, /on this machine/);
});

test('the node probe: file, directory, missing; cannot tell under a directory not everyone may search', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lens-probe-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  chmodSync(dir, 0o755);
  mkdirSync(join(dir, 'd'));
  writeFileSync(join(dir, 'f'), 'x', { mode: 0o755 });
  mkdirSync(join(dir, 'closed'), { mode: 0o700 });
  writeFileSync(join(dir, 'closed', 'g'), 'x');
  const probe = nodeFileProbe();
  assert.deepEqual(probe(join(dir, 'f')), { kind: 'file', exec: true });
  assert.equal(probe(join(dir, 'd'))?.kind, 'dir');
  assert.equal(probe(join(dir, 'none')), null);
  assert.equal(probe(join(dir, 'f', 'under-a-file')), null);
  // Deeper under a file (`/index.php/a/b`, scanners' favourite), or under a name too long: stat
  // of the parents throws ENOTDIR / ENAMETOOLONG, which is "no such file", not a crash.
  assert.equal(probe(join(dir, 'f', 'a', 'b')), null);
  assert.equal(probe(join(dir, 'x'.repeat(300), 'b')), null);
  assert.equal(probe(join(dir, 'closed', 'g')), undefined);
  assert.equal(probe('relative/path'), undefined);
  // Paths are bytes: a URI's %C3%A9 and a config's "é" both name the file é (UTF-8 on disk).
  writeFileSync(join(dir, 'd', 'é'), 'x');
  assert.equal(probe(`${dir}/d/\xC3\xA9`)?.kind, 'file');
});

test('a root with non-ASCII text and a percent-encoded URI name the same file', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lens-probe-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  chmodSync(dir, 0o755);
  mkdirSync(join(dir, 'é'));
  writeFileSync(join(dir, 'é', 'ü.txt'), 'x');
  const c = http(`
server { listen 80; root ${dir}/é;
  location / {
    if (-f $request_filename) { return 444; }
    try_files $uri =444;
  }
}`);
  const at = (path: string) =>
    new Attributor(modelOf(c), { files: nodeFileProbe() }).attribute(facts({ request: `GET ${path} HTTP/1.1`, host: 'h', serverPort: 80 }), 444);
  const here = at('/%C3%BC.txt');
  assert.equal(here.verdict, 'exact', here.why);
  assert.equal(here.rules[0].range.start.line + 1, lineOf(c, 'if (-f'));
  // Shown as text.
  assert.match(here.why, /é\/ü\.txt is a file/);
  const gone = at('/%C3%BD.txt');
  assert.equal(gone.verdict, 'exact', gone.why);
  assert.equal(gone.rules[0].range.start.line + 1, lineOf(c, 'try_files'));
});

test('index: the first index file that exists, else the absolute last name; a missing directory stops it', () => {
  const c = http(`
server { listen 80; root /srv/www;
  location /ix/ { index index.html /drop-ix; }
  location = /drop-ix { return 444; }
  location ~ ^/ix/.*/index\\.html$ { return 444; }
}`);
  const files = fakeFiles(['/srv/www/', '/srv/www/ix/a/index.html', '/srv/www/ix/b/']);
  const at = (path: string, probe?: FileProbe) =>
    new Attributor(modelOf(c), { files: probe }).attribute(facts({ request: `GET ${path} HTTP/1.1`, host: 'h', serverPort: 80 }), 444);
  const found = at('/ix/a/', files);
  assert.equal(found.verdict, 'exact', found.why);
  assert.equal(found.rules[0].range.start.line + 1, lineOf(c, 'location ~ ^/ix/'));
  const fallback = at('/ix/b/', files);
  assert.equal(fallback.verdict, 'exact', fallback.why);
  assert.equal(fallback.rules[0].range.start.line + 1, lineOf(c, 'location = /drop-ix'));
  // No such directory: nginx answers 404 before the fallback.
  assert.equal(at('/ix/c/', files).verdict, 'unmatched');
  assert.equal(at('/ix/a/').verdict, 'ambiguous');
});

test('a relative root is under nginx\'s prefix: asked only when the prefix was given (trace --prefix)', () => {
  const c = http(`
server { listen 80; root html;
  location /fe/ {
    if (!-f $request_filename) { return 444; }
    return 444;
  }
}`);
  const files = fakeFiles(['/var/lib/nginx/html/', '/usr/share/nginx/html/', '/usr/share/nginx/html/fe/yes.txt']);
  const req = facts({ request: 'GET /fe/yes.txt HTTP/1.1', host: 'h', serverPort: 80 });
  // Given: /var/lib/nginx/html/fe/yes.txt does not exist.
  const given = new Attributor(modelOf(c), { files }).attribute(req, 444);
  assert.equal(given.verdict, 'exact', given.why);
  assert.equal(given.rules[0].range.start.line + 1, lineOf(c, 'if (!-f'));
  // Guessed (Debian's /usr/share/nginx/): not asked, though a file by that name is there.
  const guessed = new Attributor(buildModelFromFile(parse(c, '/etc/nginx/nginx.conf')), { files }).attribute(req, 444);
  assert.equal(guessed.verdict, 'ambiguous', guessed.why);
});

test('try_files $uri/: the directory becomes the URI without the slash nginx drops from the candidate', () => {
  const c = http(`
server { listen 80; root /srv/www;
  location /d/ { try_files $uri $uri/ =404; }
  location ~ ^/d/sub/index\\.html$ { return 444; }
}`);
  const files = fakeFiles(['/srv/www/', '/srv/www/d/sub/index.html']);
  const at = (path: string) => new Attributor(modelOf(c), { files }).attribute(facts({ request: `GET ${path} HTTP/1.1`, host: 'h', serverPort: 80 }), 444);
  // "/d/sub/": the directory, then its index file (the regex location drops it).
  const slash = at('/d/sub/');
  assert.equal(slash.verdict, 'exact', slash.why);
  assert.equal(slash.rules[0].range.start.line + 1, lineOf(c, 'location ~ ^/d/sub/'));
  // "/d/sub": the URI stays "/d/sub", which the index module leaves (the static module's 301).
  assert.equal(at('/d/sub').verdict, 'unmatched');
});

test('the static module\'s answer where the files are here: 404, 301, 405 for POST to a file, the file; 405 for other methods anywhere', () => {
  const c = http(`
server { listen 80; root /srv/www;
  error_page 403 = @forbidden;
  error_page 404 = @missing;
  error_page 405 = @method;
  location /s/ { limit_req_status 444; }
  location @forbidden { return 444; }
  location @missing { return 444; }
  location @method { return 444; }
}`);
  const files = fakeFiles(['/srv/www/s/page.html', '/srv/www/s/dir/']);
  const m = modelOf(c);
  const rules = (req: string, probe?: FileProbe) =>
    new Attributor(m, probe ? { files: probe } : {}).attribute(facts({ request: req, host: 'h', serverPort: 80 }), 444).rules.map((r) => r.range.start.line + 1);
  const line = (needle: string) => lineOf(c, needle);
  assert.deepEqual(rules('GET /s/missing HTTP/1.1', files), [line('@missing {')]);
  assert.deepEqual(rules('POST /s/page.html HTTP/1.1', files), [line('@method {')]);
  assert.deepEqual(rules('GET /s/page.html HTTP/1.1', files), []);
  assert.deepEqual(rules('GET /s/dir HTTP/1.1', files), []);
  // Whatever the files: the static module takes only GET, HEAD and POST.
  assert.deepEqual(rules('PUT /s/anything HTTP/1.1'), [line('@method {')]);
  // Without the files: any of its errors.
  assert.deepEqual(rules('GET /s/missing HTTP/1.1').sort(), [line('@forbidden {'), line('@missing {'), line('@method {')].sort());
});
