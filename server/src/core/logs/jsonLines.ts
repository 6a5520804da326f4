// Logs with one JSON object per line whose log_format we do not have.
// (With the config's own `log_format ... escape=json '{...}'`, compile that
// instead: it knows exactly which key holds which variable.)
//
// Keys are mapped to nginx variables: a key that is an nginx variable name
// is that variable; otherwise common names used by log shippers and
// hand-written formats (`status_code`, `user_agent`, `client_ip`, ECS
// `http.response.status_code`, ...). Nested objects are flattened with dots.

import type { LogLineParser, LogParseResult } from './format';
import { toByteString } from './escape';

/**
 * JSON.parse keeps the line's bytes as chars (the line is a byte string) but
 * turns a \u escape above \u00FF into one UTF-16 char: make that its UTF-8 bytes.
 */
function widenToBytes(s: string): string {
  // eslint-disable-next-line no-control-regex
  return /[^\x00-\xff]/.test(s) ? s.replace(/[^\x00-\xff]+/g, (m) => toByteString(m)) : s;
}

/** nginx variable names that JSON formats use as keys verbatim. */
const NGINX_NAMES = new Set([
  'remote_addr', 'remote_user', 'remote_port', 'time_local', 'time_iso8601', 'msec', 'request', 'request_method',
  'request_uri', 'uri', 'document_uri', 'args', 'query_string', 'status', 'body_bytes_sent', 'bytes_sent',
  'request_length', 'request_time', 'http_referer', 'http_user_agent', 'http_x_forwarded_for', 'host', 'http_host',
  'server_name', 'server_addr', 'server_port', 'scheme', 'server_protocol', 'hostname', 'upstream_addr',
  'upstream_status', 'upstream_response_time', 'request_id', 'ssl_protocol', 'ssl_cipher', 'connection',
  'connection_requests', 'pipe', 'gzip_ratio', 'realip_remote_addr', 'http_cookie', 'content_type', 'content_length',
]);

const ALIASES: Record<string, string> = {
  ip: 'remote_addr', client: 'remote_addr', client_ip: 'remote_addr', clientip: 'remote_addr', remote_ip: 'remote_addr',
  remoteip: 'remote_addr', 'client.ip': 'remote_addr', 'source.ip': 'remote_addr', 'source.address': 'remote_addr',
  user: 'remote_user', 'user.name': 'remote_user',
  method: 'request_method', verb: 'request_method', 'http.request.method': 'request_method',
  url: 'request_uri', path: 'uri', 'url.original': 'request_uri', 'url.path': 'uri', query: 'args',
  'url.query': 'args', request_line: 'request',
  status_code: 'status', code: 'status', response: 'status', response_code: 'status',
  'http.response.status_code': 'status',
  bytes: 'body_bytes_sent', size: 'body_bytes_sent', body_bytes: 'body_bytes_sent',
  'http.response.body.bytes': 'body_bytes_sent',
  referer: 'http_referer', referrer: 'http_referer', 'http.request.referrer': 'http_referer',
  agent: 'http_user_agent', user_agent: 'http_user_agent', useragent: 'http_user_agent', ua: 'http_user_agent',
  'user_agent.original': 'http_user_agent',
  vhost: 'host', domain: 'host', 'url.domain': 'host', virtual_host: 'host',
  xff: 'http_x_forwarded_for', x_forwarded_for: 'http_x_forwarded_for', forwarded_for: 'http_x_forwarded_for',
  duration: 'request_time', response_time: 'request_time', elapsed: 'request_time',
  port: 'server_port', protocol: 'server_protocol', http_version: 'server_protocol',
};

/** The nginx variable a JSON key most likely holds, or undefined. */
export function variableForJsonKey(key: string): string | undefined {
  const k = key.toLowerCase();
  if (NGINX_NAMES.has(k)) return k;
  if (ALIASES[k]) return ALIASES[k];
  if (k === 'time' || k === 'timestamp' || k === '@timestamp' || k === 'date' || k === 'datetime') return 'time';
  // `$http_*` / `$sent_http_*` / `$upstream_*` / `$cookie_*` keys are variables too.
  if (/^(?:http|sent_http|upstream|cookie|arg)_[a-z0-9_]+$/.test(k)) return k;
  return undefined;
}

function flatten(obj: Record<string, unknown>, prefix: string, out: Map<string, unknown>, depth: number): void {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && depth < 8) {
      flatten(v as Record<string, unknown>, key, out, depth + 1);
    } else {
      out.set(key, v);
    }
  }
}

/** The fields nginx variables a JSON line gives, before any check. */
export function jsonLineFields(line: string): { fields: Record<string, string | undefined>; raw: Record<string, string> } | undefined {
  const start = line.indexOf('{');
  if (start < 0 || line.trimEnd().slice(-1) !== '}') return undefined;
  let obj: unknown;
  try {
    obj = JSON.parse(line.slice(start));
  } catch {
    return undefined;
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return undefined;
  const flat = new Map<string, unknown>();
  flatten(obj as Record<string, unknown>, '', flat, 0);
  const fields: Record<string, string | undefined> = {};
  const raw: Record<string, string> = {};
  for (const [key, v] of flat) {
    let name = variableForJsonKey(key);
    if (!name) continue;
    const s = v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
    if (name === 'time') name = /^\d{4}-\d\d-\d\dT/.test(s) ? 'time_iso8601' : 'time_local';
    if (name in raw) continue;
    raw[name] = s;
    // JSON.parse turns \u escapes into UTF-16; values stay byte strings.
    fields[name] = s === '' || s === '-' ? undefined : widenToBytes(s);
  }
  return { fields, raw };
}

/** A parser for JSON-object lines (with an optional prefix such as a syslog header before the `{`). */
export function jsonLinesParser(name = 'json', variables: readonly string[] = []): LogLineParser & { readonly kind: 'json' } {
  return {
    kind: 'json',
    name,
    variables,
    parse(line: string): LogParseResult {
      const r = jsonLineFields(line);
      if (!r) return { ok: false, reason: 'not a JSON object', at: 0 };
      if (Object.keys(r.raw).length === 0) return { ok: false, reason: 'no key maps to an nginx variable', at: 0 };
      return { ok: true, fields: r.fields, raw: r.raw };
    },
  };
}
