// The router answers a CIDR geo block through per-prefix-length tables (route.ts cidrIndex). The
// answer must be the one the entries give read in order: the most specific network, the last value
// of a repeated network (nginx replaces it: ngx_http_geo_cidr_add), else the default. Random networks (nested, duplicated) and addresses, checked
// through attribution: each value has its own `return 444`, so the exact rule names the value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MemoryFileSystem } from '../../server/src/core/fileSystem';
import { loadConfigGraph } from '../../server/src/core/configGraph';
import { buildModelFromGraph } from '../../server/src/core/http/model';
import { Attributor } from '../../server/src/core/http/attribute';
import { factsFromLog } from '../../server/src/core/http/request';
import { fcParams, runs } from './support';

const ip = (n: number) => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
// Few distinct high bits so that networks nest and collide.
const addr = fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 0xffffff })).map(([hi, lo]) => ((hi << 24) | lo) >>> 0);
const net = fc.tuple(addr, fc.constantFrom(0, 8, 16, 20, 24, 28, 30, 32));

test(`geo: indexed lookup gives the most specific network, the last value of a repeated one (${runs(60)} runs)`, () => {
  fc.assert(
    fc.property(fc.array(net, { minLength: 17, maxLength: 40 }), fc.array(addr, { minLength: 1, maxLength: 10 }), (nets, addrs) => {
      const entries = nets.map(([a, bits], i) => ({ text: `${ip(a)}/${bits}`, lo: bits === 0 ? 0 : a - (a % 2 ** (32 - bits)), bits, value: `v${i}` }));
      const lines = ['http {', '  geo $g {', '    default none;', ...entries.map((e) => `    ${e.text} ${e.value};`), '  }', '  server {', '    listen 80;'];
      const ruleLine = new Map<string, number>();
      for (const v of [...entries.map((e) => e.value), 'none']) {
        ruleLine.set(v, lines.length);
        lines.push(`    if ($g = ${v}) { return 444; }`);
      }
      lines.push('  }', '}');
      const graph = loadConfigGraph('/w/nginx.conf', new MemoryFileSystem({ '/w/nginx.conf': lines.join('\n') + '\n' }));
      const at = new Attributor(buildModelFromGraph(graph));
      for (const a of addrs) {
        let best: (typeof entries)[number] | undefined;
        for (const e of entries) if (a >= e.lo && a < e.lo + 2 ** (32 - e.bits) && (!best || e.bits >= best.bits)) best = e;
        const want = best ? best.value : 'none';
        const r = at.attribute(factsFromLog(['remote_addr', 'request', 'host'], { remote_addr: ip(a), request: 'GET / HTTP/1.1', host: 'x' }), 444);
        assert.equal(r.verdict, 'exact', r.why);
        assert.equal(r.rules[0].range.start.line, ruleLine.get(want), `${ip(a)} should read ${want}`);
      }
    }),
    fcParams(60),
  );
});
