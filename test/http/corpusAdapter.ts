// Turns real-world configs from /work/shared/corpus into configs the differential harness can run:
// includes inlined (the harness marks `return 444` in one file only), every server listening on
// 127.0.0.1:PORT (plain) or PORT2 (what was TLS), TLS and modules the harness does not load
// stripped, upstream and fastcgi/proxy targets turned into a refused loopback port, access logs
// moved into the temp prefix. The corpus is only read; the routing stays the corpus' own.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { parse } from '../../server/src/core/parser';
import { walk } from '../../server/src/core/tree';
import type { Directive } from '../../server/src/core/syntax';

/** Where proxied and FastCGI requests go: nothing listens there, so nginx gets "connection refused" (502). */
const REFUSED = '127.0.0.1:9';

interface Edit {
  at: number;
  del: number;
  text: string;
}

function applyEdits(text: string, edits: Edit[]): string {
  // One pass over the text (a big blocklist has thousands of comments to drop: splicing each
  // into a copy of the whole text took seconds).
  edits.sort((a, b) => a.at - b.at || a.del - b.del);
  const out: string[] = [];
  let pos = 0;
  for (const e of edits) {
    if (e.at < pos) continue;
    out.push(text.slice(pos, e.at), e.text);
    pos = e.at + e.del;
  }
  out.push(text.slice(pos));
  return out.join('');
}

/** nginx's include glob (sorted, `*` and `?` within one path component). */
function glob(pattern: string): string[] {
  if (!/[*?[]/.test(pattern)) return existsSync(pattern) && statSync(pattern).isFile() ? [pattern] : [];
  const dir = dirname(pattern);
  const re = new RegExp('^' + basename(pattern).replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => re.test(n) && !n.startsWith('.'))
    .sort()
    .map((n) => join(dir, n))
    .filter((p) => statSync(p).isFile());
}

export interface InlineOptions {
  /** The directory nginx's prefix/conf dir stands for (relative includes, and `/etc/nginx/`). */
  root: string;
  /** Extra absolute-path prefixes mapped to corpus directories (e.g. '/etc/nginx/sites-enabled/' → sites-available). */
  map?: Record<string, string>;
  /** An include argument, exactly as written, → the corpus files it stands for (the enabled sites). */
  sites?: Record<string, string[]>;
}

/** The file's text with every `include` replaced by the included files' text (recursively). */
export function inlineIncludes(file: string, opts: InlineOptions, depth = 0): string {
  const text = readFileSync(file, 'latin1');
  if (depth > 8) return text;
  const edits: Edit[] = [];
  walk(parse(text, file).directives, (d) => {
    if (d.name !== 'include' || d.args.length !== 1) return;
    let p = d.args[0].value;
    const chosen = opts.sites?.[p];
    for (const [from, to] of Object.entries({ ...opts.map, '/etc/nginx/': opts.root + '/' })) if (p.startsWith(from)) p = to + p.slice(from.length);
    if (!isAbsolute(p)) p = join(opts.root, p);
    const parts = (chosen ?? glob(p)).map((f) => `# <${f.slice(f.indexOf('configs/'))}>\n` + inlineIncludes(f, opts, depth + 1) + '\n');
    edits.push({ at: d.range.start.offset, del: d.range.end.offset - d.range.start.offset, text: parts.join('') || `# (include ${d.args[0].value}: not in the corpus)` });
  });
  return applyEdits(text, edits);
}

/** The inside of the `http { }` block of a whole nginx.conf. */
export function httpBody(text: string): string {
  const http = parse(text, 'x').directives.find((d) => d.name === 'http');
  if (!http?.block?.close) throw new Error('no http block');
  return text.slice(http.block.open.end.offset, http.block.close.start.offset);
}

/** Directives nothing here can run (TLS, modules the harness does not load, files outside the prefix). */
const DROP =
  /^(include|ssl|ssl_.*|http2|error_log|user|pid|worker_.*|load_module|resolver|resolver_timeout|aio|pagespeed|brotli.*|more_.*|upload_progress.*|track_uploads|report_uploads|.*_cache_path|.*_temp_path|proxy_cache|proxy_cache_.*|fastcgi_cache|fastcgi_cache_.*|open_file_cache.*|auth_basic_user_file|geoip.*|lua_.*|js_.*)$/;

function portOf(arg: string): number {
  const m = /:(\d+)$/.exec(arg) ?? /^(\d+)$/.exec(arg);
  return m ? +m[1] : 80;
}

/**
 * Adapts an http-block body: listens, drops, upstream/pass targets, access_log paths. `tls`
 * ports (default 443) and servers with `ssl on` listen on PORT2, all others on PORT.
 */
export function adaptHttpBody(text: string, opts: { tlsPorts?: number[] } = {}): string {
  const tlsPorts = opts.tlsPorts ?? [443];
  const parsed = parse(text, 'corpus');
  const edits: Edit[] = [];
  const del = (d: Directive) => edits.push({ at: d.range.start.offset, del: d.range.end.offset - d.range.start.offset, text: '' });
  // Comments go (the harness refuses any `listen` word that is not loopback, even in a comment).
  for (const c of parsed.comments) edits.push({ at: c.range.start.offset, del: c.range.end.offset - c.range.start.offset, text: '' });
  const upstreams = new Set<string>();
  walk(parsed.directives, (d) => {
    if (d.name === 'upstream' && d.args[0]) upstreams.add(d.args[0].value);
  });
  walk(parsed.directives, (d, anc) => {
    const parent = anc[anc.length - 1];
    if (d.name === 'server' && d.block && parent?.name !== 'upstream') {
      const listens = d.block.children.filter((c) => c.name === 'listen');
      const tlsServer = d.block.children.some((c) => c.name === 'ssl' && c.args[0]?.value === 'on');
      const targets = new Map<string, { def: boolean }>();
      for (const l of listens) {
        const a = l.args[0]?.value ?? '80';
        const tls = tlsServer || l.args.some((x) => x.value === 'ssl') || tlsPorts.includes(portOf(a));
        const key = tls ? 'PORT2' : 'PORT';
        const t = targets.get(key) ?? { def: false };
        t.def ||= l.args.some((x) => x.value === 'default_server' || x.value === 'default');
        targets.set(key, t);
      }
      if (!listens.length) targets.set('PORT', { def: false });
      const text = [...targets].map(([k, t]) => `listen 127.0.0.1:${k}${t.def ? ' default_server' : ''};`).join(' ');
      if (listens.length) {
        edits.push({ at: listens[0].range.start.offset, del: listens[0].range.end.offset - listens[0].range.start.offset, text });
        for (const l of listens.slice(1)) del(l);
      } else edits.push({ at: d.block.open.end.offset, del: 0, text: ' ' + text });
      return;
    }
    if (d.name === 'server' && parent?.name === 'upstream') {
      edits.push({ at: d.range.start.offset, del: d.range.end.offset - d.range.start.offset, text: `server ${REFUSED};` });
      return;
    }
    if (/^(zone|sticky|keepalive|least_conn|ip_hash|hash)$/.test(d.name) && parent?.name === 'upstream') return void del(d);
    if (d.name === 'listen') return; // handled with its server
    if (DROP.test(d.name)) return void del(d);
    if (/^(fastcgi|uwsgi|scgi|grpc|memcached)_pass$/.test(d.name) && d.args[0]) {
      const a = d.args[0];
      if (!upstreams.has(a.value)) edits.push({ at: a.range.start.offset, del: a.range.end.offset - a.range.start.offset, text: REFUSED });
      return;
    }
    if (d.name === 'proxy_pass' && d.args[0]) {
      const a = d.args[0];
      const m = /^(https?:\/\/)([^/]+)(.*)$/.exec(a.value);
      const host = m?.[2] ?? '';
      const keep = m && !a.value.includes('$') && upstreams.has(host);
      if (!keep) edits.push({ at: a.range.start.offset, del: a.range.end.offset - a.range.start.offset, text: m && !a.value.includes('$') ? `http://${REFUSED}${m[3]}` : `http://${REFUSED}` });
      return;
    }
    if (d.name === 'access_log' && d.args[0] && d.args[0].value !== 'off') {
      const a = d.args[0];
      const name = 'c-' + basename(a.value).replace(/[^A-Za-z0-9_.-]/g, '_').replace(/\.log$/, '') + '.log';
      const rest = d.args
        .slice(1)
        .filter((x) => !/^(buffer|flush|gzip)\b/.test(x.value))
        .map((x) => x.raw)
        .join(' ');
      edits.push({ at: d.range.start.offset, del: d.range.end.offset - d.range.start.offset, text: `access_log PREFIX/logs/${name}${rest ? ' ' + rest : ''};` });
    }
  });
  return applyEdits(text, edits);
}

/**
 * The whole config the harness runs: temp paths, three extra logs of every request (combined,
 * combined+$host, JSON with $host/$server_port), the site's own definitions, the adapted body.
 */
export function corpusConf(body: string, extraHttp = ''): string {
  return `events {}
http {
  client_body_temp_path PREFIX/tmp_body; proxy_temp_path PREFIX/tmp_proxy; fastcgi_temp_path PREFIX/tmp_fcgi;
  uwsgi_temp_path PREFIX/tmp_uwsgi; scgi_temp_path PREFIX/tmp_scgi;
  log_format lens_withhost '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$host"';
  log_format lens_json escape=json '{"ip":"$remote_addr","host":"$host","req":"$request","status":$status,"ua":"$http_user_agent","ref":"$http_referer","port":"$server_port","xff":"$http_x_forwarded_for"}';
  access_log PREFIX/logs/lens-combined.log;
  access_log PREFIX/logs/lens-withhost.log lens_withhost;
  access_log PREFIX/logs/lens-json.log lens_json;
${extraHttp}
${body}
}
`;
}
