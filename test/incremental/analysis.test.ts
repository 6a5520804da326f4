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
import { buildModelFromGraph } from '../../server/src/core/http/model';
import { fcParams, repoRoot, tokenRanges } from '../robustness/support';

const MAIN = join(repoRoot, 'examples/nginx.conf');

/** The model without its back-pointers (scope.parent, .server, .location), which deepEqual would chase around. */
function plain(graph: ConfigGraph): unknown {
  const model = buildModelFromGraph(graph);
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
        assert.deepStrictEqual(plain(graph), plain(fresh));
      }
    }),
    fcParams(40),
  );
});
