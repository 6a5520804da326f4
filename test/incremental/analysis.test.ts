// Incremental re-analysis equals analysis from scratch: a long-lived parse cache (re-parsing only
// edited statements, re-using unchanged directive objects and the models memoised on them) gives,
// after every random edit, the same trees, diagnostics and HTTP model as a fresh cache.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import fc from 'fast-check';
import { loadConfigGraph, ParseCache, type ConfigGraph } from '../../server/src/core/configGraph';
import { checkConfig } from '../../server/src/core/check';
import { OverlayFileSystem } from '../../server/src/core/fileSystem';
import { NodeFileSystem } from '../../server/src/node/fileSystem';
import { buildModelFromGraph, type HttpModel, type LocationModel, type LocationSet, type Scope, type ServerModel } from '../../server/src/core/http/model';
import { fcParams, repoRoot, tokenRanges } from '../robustness/support';
import { dropsIndex } from '../../server/src/core/drops/index';
import { sources444 } from '../../server/src/core/drops/sources';

const MAIN = join(repoRoot, 'examples/nginx.conf');

/** The model without its back-pointers (scope.parent, .server, .location), which deepEqual would chase around. */
/** The 444 sources of a graph by position: where each is, its scope, and where a *_status applies. */
function sourcesPlain(graph: ConfigGraph): unknown {
  const at = (d: { file: string; range: { start: { offset: number } } } | undefined) => d && `${d.file}:${d.range.start.offset}`;
  return sources444(dropsIndex(graph)).map((s) => ({
    d: at(s.d),
    kind: s.kind,
    scope: [s.scope.kind, at(s.scope.directive)],
    target: at(s.target),
    appliesIn: s.appliesIn?.map((x) => [x.kind, at(x.directive), x.server?.index]),
  }));
}

function plain(graph: ConfigGraph, options?: { defaultPort?: number; memo?: boolean }): unknown {
  const model = buildModelFromGraph(graph, options);
  return JSON.parse(
    JSON.stringify(model, (k, v) => {
      if (k === 'parent' || k === 'server' || k === 'location' || k === 'directive' || k === 'd' || k === 're') return v && typeof v === 'object' ? (v.kind ?? v.name ?? v.source ?? v.index ?? true) : v;
      if (v instanceof Map) return [...v.entries()];
      if (v instanceof Set) return [...v];
      return v;
    }),
  );
}

const HOSTS = join(repoRoot, 'examples/conf.d/zz-hosts.conf');
const HOSTS_TEXT = `map $http_host $h1 {
    default 0;
    ~^www.example.com 1;
    ~*shop\\.example\\.org$ 2;
    ~(?i)api.example.net 3;
    ~[ 4;
}
map $host $h2 {
    default 0;
    ~^Admin\\.example\\.com$ 1;
    ~^static.example.com$ 2;
}
geo $g {
    default 0;
    10.0.0.0/8 1;
    192.168.1.7 2;
}
`;

// Servers whose models are memoised and re-linked under each new http scope: `set` and named
// captures (declared variables), nested and named locations, limit_except, `if` in a location,
// http-level merge_slashes and allow/deny that every server inherits.
const SERVERS = join(repoRoot, 'examples/conf.d/zz-servers.conf');
const SERVERS_TEXT = `merge_slashes off;
allow 10.0.0.0/8;
server {
    listen 8080;
    server_name a.example.com;
    set $tenant a;
    location ~ ^/(?<user>[a-z]+)/ {
        if ($user = admin) {
            return 444;
        }
        location ~ \\.php$ {
            return 403;
        }
    }
    location /files/ {
        limit_except GET {
            deny all;
        }
        location /files/tmp/ {
            return 200 "ok";
        }
    }
    location @fallback {
        return 444;
    }
    error_page 404 = @fallback;
}
server {
    listen 8080;
    server_name b.example.com;
    merge_slashes off;
    return 200 "b";
}
server {
    server_name c.example.com;
}
`;

/** Every up-link of a model points into that same model: no scope of an older build. */
function assertLinked(model: HttpModel): void {
  const scope = (s: Scope, parent: Scope | undefined, server: ServerModel, location: LocationModel | undefined) => {
    assert.equal(s.parent, parent);
    assert.equal(s.server, server);
    assert.equal(s.location, location);
    for (const op of s.codes) {
      if (op.op !== 'if') continue;
      assert.equal(op.body, op.scope.codes);
      scope(op.scope, s, server, location);
    }
  };
  const loc = (l: LocationModel, parent: Scope, server: ServerModel) => {
    assert.equal(l.server, server);
    scope(l.scope, parent, server, l);
    if (l.limitExcept) scope(l.limitExcept.scope, l.scope, server, l);
    set(l.nested, l.scope, server);
  };
  const set = (ls: LocationSet, parent: Scope, server: ServerModel) => {
    for (const l of [...ls.exact.values(), ...ls.prefix, ...ls.regex]) loc(l, parent, server);
  };
  model.servers.forEach((s, i) => {
    assert.equal(s.index, i);
    scope(s.scope, model.http, s, undefined);
    set(s.locations, s.scope, s);
    for (const l of s.named.values()) loc(l, s.scope, s);
  });
}

const edit = fc.record({
  file: fc.nat(),
  spot: fc.nat(),
  at: fc.nat(),
  del: fc.integer({ min: 0, max: 2 }),
  ins: fc.oneof(
    { weight: 5, arbitrary: fc.array(fc.constantFrom('a', '4', '7', '.', '/', '~', '*', '$', '^'), { maxLength: 2 }) },
    { weight: 1, arbitrary: fc.array(fc.constantFrom(' ', ';', '{', '}', '"', '#', '\n'), { maxLength: 2 }) },
  ),
});

test('after random edits, the incremental analysis equals one from a fresh parse cache', () => {
  fc.assert(
    fc.property(fc.array(edit, { minLength: 1, maxLength: 6 }), (edits) => {
      const fs = new OverlayFileSystem(new NodeFileSystem());
      // Host-pattern map keys (their diagnostics are memoised per map) and a geo, in an extra file.
      fs.set(HOSTS, HOSTS_TEXT);
      fs.set(SERVERS, SERVERS_TEXT);
      const cache = new ParseCache();
      let graph = loadConfigGraph(MAIN, fs, { cache });
      checkConfig(graph);
      for (const e of edits) {
        const paths = [...graph.files.keys()];
        const path = paths[e.file % paths.length];
        const file = graph.files.get(path)!;
        const ss = tokenRanges(file);
        if (!ss.length) continue;
        const [a, b] = ss[e.spot % ss.length];
        const at = a + (e.at % (b - a + 1));
        fs.set(path, file.text.slice(0, at) + e.ins.join('') + file.text.slice(Math.min(file.text.length, at + e.del)));
        graph = loadConfigGraph(MAIN, fs, { cache });
        const fresh = loadConfigGraph(MAIN, fs, { cache: new ParseCache() });
        assert.deepStrictEqual([...graph.files.entries()], [...fresh.files.entries()]);
        assert.deepStrictEqual(checkConfig(graph), checkConfig(fresh));
        // The reference model is built with nothing memoised across builds (servers, maps, geos).
        assert.deepStrictEqual(plain(graph), plain(fresh, { memo: false }));
        assert.deepStrictEqual(sourcesPlain(graph), sourcesPlain(fresh));
        assertLinked(buildModelFromGraph(graph));
        // Memoised servers are built for one default port (a server without listen gets it).
        assert.deepStrictEqual(plain(graph, { defaultPort: 8000 }), plain(fresh, { defaultPort: 8000, memo: false }));
      }
    }),
    fcParams(40),
  );
});

// Edits random ones seldom make: a value every memoised server inherits from http, and files
// included inside map and geo blocks (same map/geo directive, other entries).
const V = join(repoRoot, 'examples/.incremental');
const TARGETED: { files: Record<string, string>; edits: [file: string, from: string, to: string][] }[] = [
  {
    files: {
      'nginx.conf': 'http {\n    merge_slashes off;\n    deny 192.0.2.1;\n    map $http_host $m {\n        default 0;\n        include keys.conf;\n    }\n    include a.conf;\n    include b.conf;\n}\n',
      'keys.conf': 'a.example.com $v1;\n',
      'a.conf': 'server {\n    listen 80;\n    server_name a.example.com;\n    location / {\n        allow 10.0.0.0/8;\n        deny all;\n    }\n}\n',
      'b.conf': 'server {\n    listen 81;\n    server_name b.example.com;\n    include drop*.conf;\n    return 200 $v2;\n}\n',
      'drop.conf': 'if ($v2) {\n    return 444 "gone";\n}\n',
    },
    edits: [
      ['keys.conf', '$v1', '$v7'],
      ['nginx.conf', 'merge_slashes off', 'merge_slashes of7'],
      ['b.conf', '$v2;', '$v8;'],
      // Same server directive, another expansion: its 444-with-body text changes.
      ['drop.conf', 'gone', 'g0ne'],
      // A new file for its include glob: no file it read changed, yet the server did.
      ['drop2.conf', '', 'return 200 "late";\n'],
      ['nginx.conf', 'merge_slashes of7', 'merge_slashes off'],
      // b's `return 200` bypasses the inherited deny, then there is none.
      ['nginx.conf', 'deny 192', 'allow 192'],
      // A server added before b: b's server is reused under the same http settings, at another index.
      ['a.conf', 'server {\n    listen 80;', 'server {\n    listen 82;\n}\nserver {\n    listen 80;'],
    ],
  },
  {
    files: {
      'nginx.conf': 'http {\n    geo $g {\n        default 0;\n        include nets.conf;\n    }\n    geo $r {\n        ranges;\n        10.0.0.1-10.0.0.9 1;\n        10.0.0.0/8 2;\n    }\n    include a.conf;\n}\n',
      'nets.conf': '10.0.0.0/8 1;\n192.168.0.0/16 2;\n',
      'a.conf': 'server {\n    listen 80;\n    if ($g) {\n        return 444;\n    }\n}\n',
    },
    edits: [
      ['nets.conf', '10.0.0.0/8 1', '10.0.0.0/8 7'],
      ['nets.conf', '192.168', '192.169'],
      // One entry of a ranges geo: the geo is patched from its last build, in ranges mode.
      ['nginx.conf', '10.0.0.1-10.0.0.9 1', '10.0.0.1-10.0.0.8 1'],
      // The same entry directives read as CIDRs now (parsed entries are kept per mode).
      ['nginx.conf', 'ranges;', 'rangez;'],
      ['nginx.conf', 'rangez;', 'ranges;'],
    ],
  },
  {
    // A limit status set at http level applies in every server that limits: servers reused as
    // they are must not keep the status directive of an older parse.
    files: {
      'nginx.conf': 'http {\n    limit_req_zone $binary_remote_addr zone=z:1m rate=1r/s;\n    limit_req_status 444;\n    include a.conf;\n    include b.conf;\n}\n',
      'a.conf': 'server {\n    listen 80;\n    location / {\n        limit_req zone=z;\n    }\n}\n',
      'b.conf': 'server {\n    listen 81;\n    limit_req zone=z;\n    location /x {\n        limit_req_status 503;\n    }\n}\n',
    },
    edits: [
      ['nginx.conf', 'limit_req_status 444', 'limit_req_status 449'],
      ['nginx.conf', 'limit_req_status 449', 'limit_req_status 444'],
      ['b.conf', 'limit_req_status 503', 'limit_req_status 444'],
      ['a.conf', 'limit_req zone=z;', 'limit_req zone=y;'],
    ],
  },
  {
    // Syntax checks walk blocks the model does not read (a location nested in a named one), and a
    // snippet shared by two servers is checked against the port of the server indexed last.
    files: {
      'nginx.conf': 'http {\n    include a.conf;\n    include b.conf;\n}\n',
      'a.conf': 'server {\n    listen 80;\n    include host.conf;\n    location @n {\n        location /y {\n            include inner*.conf;\n        }\n    }\n}\n',
      'b.conf': 'server {\n    listen 8080;\n    include host.conf;\n}\n',
      'host.conf': 'if ($http_host = example.com) {\n    return 444;\n}\n',
      'inner1.conf': 'rewrite "(" /x;\n',
    },
    edits: [
      ['b.conf', 'listen 8080', 'listen 80'],
      ['inner1.conf', '"("', '"["'],
      ['inner2.conf', '', 'rewrite "*" /x;\n'],
    ],
  },
];

test('targeted edits: the incremental analysis equals one from scratch', () => {
  for (const { files, edits } of TARGETED) {
    const fs = new OverlayFileSystem(new NodeFileSystem());
    const text = new Map(Object.entries(files).map(([f, t]) => [join(V, f), t]));
    for (const [p, t] of text) fs.set(p, t);
    const main = join(V, 'nginx.conf');
    const cache = new ParseCache();
    checkConfig(loadConfigGraph(main, fs, { cache }));
    for (const [f, from, to] of edits) {
      const p = join(V, f);
      const t = text.get(p) ?? '';
      assert.ok(t.includes(from), from);
      text.set(p, t.replace(from, to));
      fs.set(p, text.get(p)!);
      const graph = loadConfigGraph(main, fs, { cache });
      const fresh = loadConfigGraph(main, fs, { cache: new ParseCache() });
      assert.deepStrictEqual(checkConfig(graph), checkConfig(fresh));
      assert.deepStrictEqual(plain(graph), plain(fresh, { memo: false }), `${f}: ${from} → ${to}`);
      assert.deepStrictEqual(sourcesPlain(graph), sourcesPlain(fresh), `444 sources after ${f}: ${from} → ${to}`);
      assertLinked(buildModelFromGraph(graph));
    }
  }
});

test('a server file shared by two configurations: its 444 diagnostics are located relative to each', () => {
  const fs = new OverlayFileSystem(new NodeFileSystem());
  const site = join(V, 'sites/a.conf');
  fs.set(site, 'server {\n    listen 80;\n    return 444;\n    set $x 1;\n}\n');
  fs.set(join(V, 'nginx.conf'), `http {\n    include ${site};\n}\n`);
  fs.set(join(V, 'sites/nginx.conf'), `http {\n    include ${site};\n}\n`);
  const cache = new ParseCache();
  for (const main of [join(V, 'nginx.conf'), join(V, 'sites/nginx.conf'), join(V, 'nginx.conf')]) {
    const graph = loadConfigGraph(main, fs, { cache });
    const diags = checkConfig(graph);
    assert.deepStrictEqual(diags, checkConfig(loadConfigGraph(main, fs, { cache: new ParseCache() })));
    assert.ok(diags.some((d) => d.code === 'unreachable-after-return'));
  }
});
