// Every access log of ../shared/corpus/logs parses with the format LOGS.tsv
// names for it, at least as many lines as LOGS.tsv counts; the formats come
// from where LOGS.tsv says they are defined (NPM's from its config file in
// the corpus).

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { KNOWN_FORMATS, detectLogFormat } from '../../server/src/core/logs/detect';
import { combinedFormat, compileLogFormat, type LogLineParser } from '../../server/src/core/logs/format';
import { withSyslogPrefix } from '../../server/src/core/logs/syslog';
import { readLogLines } from '../../server/src/core/logs/reader';
import { parseRequestLine } from '../../server/src/core/logs/request';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const corpus = path.resolve(repoRoot, '../shared/corpus');

/** log_format directives of a config file: name -> format (string args concatenated). */
function logFormatsIn(file: string): Map<string, string> {
  const text = readFileSync(file, 'utf8');
  const out = new Map<string, string>();
  for (const m of text.matchAll(/^\s*log_format\s+(\S+)\s+((?:'[^']*'\s*)+);/gm)) {
    out.set(m[1], [...m[2].matchAll(/'([^']*)'/g)].map((x) => x[1]).join(''));
  }
  return out;
}

function formats(): Map<string, LogLineParser> {
  const npm = logFormatsIn(path.join(corpus, 'configs/NginxProxyManager__nginx-proxy-manager/docker/rootfs/etc/nginx/conf.d/include/log-proxy.conf'));
  const nginxConf = readFileSync(path.join(corpus, 'configs/nginx__nginx/conf/nginx.conf'), 'utf8');
  // The commented-out `main` example of nginx's own nginx.conf.
  const commented = /log_format\s+main\s+([^;]*);/.exec(nginxConf.replace(/\n\s*#/g, '\n'))![1];
  const mainSrc = [...commented.matchAll(/'([^']*)'/g)].map((x) => x[1]).join('');
  assert.match(mainSrc, /^\$remote_addr - .*"\$http_x_forwarded_for"$/);
  const main = compileLogFormat('main', mainSrc, 'default');
  const m = new Map<string, LogLineParser>([
    ['combined', combinedFormat()],
    ['main', main],
    ['npm_proxy', compileLogFormat('npm_proxy', npm.get('proxy')!, 'default')],
    ['npm_standard', compileLogFormat('npm_standard', npm.get('standard')!, 'default')],
    ['vhost_main', compileLogFormat('vhost_main', `$host ${mainSrc}`, 'default')],
    ['gonx_example', compileLogFormat('gonx_example',
      '$remote_addr [$time_local] "$request" $status $request_length $body_bytes_sent $request_time "$t_size" $read_time $gen_time', 'default')],
  ]);
  for (const [k, v] of [...m]) m.set(`syslog+${k}`, withSyslogPrefix(v));
  return m;
}

interface Row { file: string; kind: string; best: string; matched: number; total: number }

function rows(): Row[] {
  return readFileSync(path.join(corpus, 'LOGS.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => {
    const [file, kind, best, counts] = l.split('\t');
    const [matched, total] = counts.split('/').map(Number);
    return { file, kind, best, matched, total };
  });
}

describe('corpus access logs', { skip: !existsSync(corpus) && 'no ../shared/corpus' }, () => {
  const fmts = existsSync(corpus) ? formats() : new Map();
  const access = existsSync(corpus) ? rows().filter((r) => r.kind === 'access') : [];

  test('LOGS.tsv lists access logs', () => assert.ok(access.length >= 50));

  for (const row of access) {
    test(`${row.file.split('/').slice(-2).join('/')}: ${row.best} >= ${row.matched}`, async () => {
      const parser = fmts.get(row.best);
      assert.ok(parser, `no parser for ${row.best}`);
      let matched = 0;
      let tried = 0;
      const texts: string[] = [];
      for await (const { text } of readLogLines(path.join(corpus, row.file))) {
        if (text.trim() === '' || text.startsWith('#')) continue;
        tried++;
        texts.push(text);
        const r = parser.parse(text);
        if (r.ok && !r.lenient) {
          matched++;
          assert.ok(!r.ambiguous, `ambiguous: ${text}`);
          // Every request line can be taken apart without throwing.
          parseRequestLine(r.fields.request);
          assert.match(r.fields.status ?? '', /^\d{3}$/);
        }
      }
      assert.ok(matched >= row.matched, `${matched} of ${tried} lines parsed, LOGS.tsv says ${row.matched}/${row.total}`);
      // Detection agrees wherever the format is one it knows and no other reads as many lines.
      const known = KNOWN_FORMATS.some((k) => row.best === k.name || row.best === `syslog+${k.name}`);
      const d = detectLogFormat(texts, { maxLines: 10_000 });
      if (known && d && d.candidates.filter((c) => c.matched === d.matched).length === 1) assert.equal(d.name, row.best);
    });
  }
});

describe('mutated corpus lines', { skip: !existsSync(corpus) && 'no ../shared/corpus' }, () => {
  test('never throw and always finish, whatever the bytes', async () => {
    const fc = (await import('fast-check')).default;
    const lines = readFileSync(path.join(corpus, 'logs/tstack__lnav/test/logfile_shop_access_log.0'), 'latin1').split('\n').slice(0, 50);
    const parsers = [...formats().values(), ...KNOWN_FORMATS.map((k) => compileLogFormat(k.name, k.format, k.escape))];
    const mutation = fc.record({
      line: fc.integer({ min: 0, max: lines.length - 1 }),
      edits: fc.array(fc.record({ at: fc.nat(), kind: fc.integer({ min: 0, max: 3 }), byte: fc.integer({ min: 0, max: 255 }) }), { maxLength: 8 }),
    });
    fc.assert(
      fc.property(mutation, ({ line, edits }) => {
        let s = lines[line];
        for (const e of edits) {
          const at = s.length ? e.at % s.length : 0;
          const ch = String.fromCharCode(e.byte);
          s = e.kind === 0 ? s.slice(0, at) + ch + s.slice(at + 1) // flip
            : e.kind === 1 ? s.slice(0, at) // truncate
            : e.kind === 2 ? s.slice(0, at) + s.slice(at + 1) // delete
            : s.slice(0, at) + '"' + s.slice(at); // stray quote
        }
        for (const p of parsers) {
          const r = p.parse(s);
          if (!r.ok) assert.ok(r.at >= 0 && r.at <= s.length);
        }
        detectLogFormat([s]);
      }),
      { numRuns: 300, seed: 11 },
    );
  });
});
