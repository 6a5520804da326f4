// What nginx can write for a variable in a log line: the shape of each value
// and the escape rules, as checks over a slice of a line.
//
// Checks return VALID, CUT, or the index of the first byte that cannot be in
// the value (so no longer value starting at the same place is valid either).

import type { VariableSegment } from './segments';

/**
 * Value shapes. The log operations have fixed shapes (ngx_http_log_module
 * prints them with ngx_sprintf). `Token` is a variable nginx never fills with
 * a space (addresses, ports, methods, raw URI parts: 1.22 rejects spaces in
 * the request line); `Text` is anything; `Host` is a token without "/"
 * ($host: ngx_http_validate_host refuses a path separator) and `Uri` one that
 * starts with "/" or "?" ($request_uri: nginx keeps the path of an absolute
 * URI, and refuses other forms), so that `$host$request_uri` splits one way only.
 * `Scheme` is "http" or "https" (ngx_http_variable_scheme), so that `$scheme://` ends at its
 * first ":" even when the URI after it holds "://" too.
 * Every shape from `Token` on is text-like.
 */
export enum Shape { Pipe, TimeLocal, TimeIso, Msec, Status, Digits, Token, Text, Host, Uri, Scheme }

export const SHAPE_NAMES = ['pipe', 'time', 'ISO 8601 time', 'seconds.milliseconds', 'status', 'number', 'token', 'text', 'host name', 'request URI', 'scheme'];

/** A shape whose values never hold a space (unless a lenient reading allows it). */
export const isToken = (sh: Shape): boolean => sh === Shape.Token || sh === Shape.Host || sh === Shape.Uri || sh === Shape.Scheme;

const OP_SHAPES: Record<string, Shape> = {
  pipe: Shape.Pipe,
  time_local: Shape.TimeLocal,
  time_iso8601: Shape.TimeIso,
  msec: Shape.Msec,
  request_time: Shape.Msec,
  status: Shape.Status,
  bytes_sent: Shape.Digits,
  body_bytes_sent: Shape.Digits,
  request_length: Shape.Digits,
};

const TOKEN_VARIABLES = new Set([
  'remote_addr', 'remote_port', 'realip_remote_addr', 'realip_remote_port',
  'server_addr', 'server_port', 'proxy_protocol_addr', 'proxy_protocol_port',
  'proxy_protocol_server_addr', 'proxy_protocol_server_port',
  'scheme', 'https', 'request_method', 'server_protocol', 'hostname', 'server_name',
  'is_args', 'status', 'connection', 'connection_requests',
  'pid', 'msec', 'request_id', 'bytes_sent', 'body_bytes_sent', 'request_length', 'request_time',
  'time_local', 'time_iso8601', 'gzip_ratio', 'http2', 'ssl_protocol', 'ssl_cipher',
  'ssl_session_reused', 'pipe', 'nginx_version',
]);

// Not `$args`/`$query_string`: nginx copies a variable into the args of a try_files, rewrite,
// error_page or X-Accel-Redirect target unescaped (`/index.php?q=$uri&$args`, with `$uri`
// decoded), and `set $args` writes anything, so they can hold a raw space.

export function shapeOf(seg: VariableSegment): Shape {
  if (seg.logOp) return OP_SHAPES[seg.name];
  if (seg.name === 'host') return Shape.Host;
  if (seg.name === 'request_uri') return Shape.Uri;
  if (seg.name === 'scheme') return Shape.Scheme;
  // ngx_http_variable_server_port prints the port with %ui: never empty, never "-".
  if (seg.name === 'server_port') return Shape.Digits;
  return TOKEN_VARIABLES.has(seg.name) ? Shape.Token : Shape.Text;
}

/**
 * `r` (a text check of line[s, e)) for a request URI as nginx keeps it: empty, or from the "/" of
 * its path, or from its "?" when an absolute URI has no path ("http://h?a": ngx_http_parse.c
 * sw_host_end), or "-", as escape=default logs an empty one (a request line nginx refused before
 * parsing it: a 414, say, which its error_page may turn into a 444).
 */
export function startsAsUri(line: string, s: number, e: number, r: number): number {
  if (e === s) return r;
  const c = line.charCodeAt(s);
  return c === 0x2f || c === 0x3f || (c === 0x2d && e - s === 1) ? r : s;
}

/**
 * The first place at or after `from` where a request URI may start when nothing separates it
 * from the value before (`$host$request_uri`): a "/", a "?", a "-" (an empty one under
 * escape=default), or, for an empty one, where `after` (the literal after the URI; "" when the
 * URI ends the line) starts. line.length + 1 if nowhere. A value ending anywhere else cannot be
 * followed by a URI: skipping those ends spares a long Host one try per byte.
 */
export function uriMayStart(line: string, from: number, after: string): number {
  // An empty URI, then "-" (the whole URI: after it, the literal).
  let best = after ? line.indexOf(after, from) : from <= line.length ? line.length : -1;
  if (best < 0) best = line.length + 1;
  const dash = after ? line.indexOf(`-${after}`, from) : from < line.length && line.endsWith('-') ? line.length - 1 : -1;
  if (dash >= 0 && dash < best) best = dash;
  for (const c of URI_STARTS) {
    const k = line.indexOf(c, from);
    if (k >= 0 && k < best) best = k;
  }
  return best;
}
const URI_STARTS = ['/', '?'];

/** line[s, e) as `$scheme`: "http" or "https"; CUT for a start of one. */
export function checkScheme(line: string, s: number, e: number): number {
  for (let k = 0; k < e - s; k++) if (k >= 5 || line.charCodeAt(s + k) !== HTTPS.charCodeAt(k)) return s + k;
  return e - s === 4 || e - s === 5 ? VALID : CUT;
}
const HTTPS = 'https';

/** Whether byte `c` can be in a `$scheme` value. */
export const inScheme = (c: number): boolean => c === 0x68 || c === 0x74 || c === 0x70 || c === 0x73;

/** `r` (a text check of line[s, e)) further refusing a "/": the first byte that cannot be in a host name. */
export function withoutSlash(line: string, s: number, e: number, r: number): number {
  const k = line.indexOf('/', s);
  if (k < 0 || k >= e) return r;
  return r >= 0 && r < k ? r : k;
}

export function fixedLength(shape: Shape): number {
  return shape === Shape.Pipe ? 1 : shape === Shape.TimeLocal ? 26 : shape === Shape.TimeIso ? 25 : 0;
}

// Result codes of a value check over line[s, e); otherwise the index of the
// first byte that cannot be in the value (so no longer value is valid either).
export const VALID = -1;
/** Invalid only because the value is cut short (an escape, a number): a longer value may be valid. */
export const CUT = -2;

export function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
export function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}
function d2(l: string, i: number): boolean {
  return isDigit(l.charCodeAt(i)) && isDigit(l.charCodeAt(i + 1));
}

/** "28/Sep/1970:12:00:00 +0600" */
export function checkTimeLocal(l: string, s: number): number {
  const m0 = l.charCodeAt(s + 3);
  const m1 = l.charCodeAt(s + 4);
  const m2 = l.charCodeAt(s + 5);
  const z = l.charCodeAt(s + 21);
  return d2(l, s) && l.charCodeAt(s + 2) === 0x2f && m0 >= 0x41 && m0 <= 0x5a && m1 >= 0x61 && m1 <= 0x7a
    && m2 >= 0x61 && m2 <= 0x7a && l.charCodeAt(s + 6) === 0x2f && d2(l, s + 7) && d2(l, s + 9)
    && l.charCodeAt(s + 11) === 0x3a && d2(l, s + 12) && l.charCodeAt(s + 14) === 0x3a && d2(l, s + 15)
    && l.charCodeAt(s + 17) === 0x3a && d2(l, s + 18) && l.charCodeAt(s + 20) === 0x20
    && (z === 0x2b || z === 0x2d) && d2(l, s + 22) && d2(l, s + 24)
    ? VALID : s;
}

/** "1970-09-28T12:00:00+06:00" */
export function checkTimeIso(l: string, s: number): number {
  const z = l.charCodeAt(s + 19);
  return d2(l, s) && d2(l, s + 2) && l.charCodeAt(s + 4) === 0x2d && d2(l, s + 5) && l.charCodeAt(s + 7) === 0x2d
    && d2(l, s + 8) && l.charCodeAt(s + 10) === 0x54 && d2(l, s + 11) && l.charCodeAt(s + 13) === 0x3a
    && d2(l, s + 14) && l.charCodeAt(s + 16) === 0x3a && d2(l, s + 17) && (z === 0x2b || z === 0x2d)
    && d2(l, s + 20) && l.charCodeAt(s + 22) === 0x3a && d2(l, s + 23)
    ? VALID : s;
}

export function checkDigits(line: string, s: number, e: number, min: number): number {
  for (let i = s; i < e; i++) if (!isDigit(line.charCodeAt(i))) return i;
  return e - s >= min ? VALID : CUT;
}

export function checkMsec(line: string, s: number, e: number): number {
  // %T.%03M: digits, a dot, exactly three digits.
  let i = s;
  while (i < e && isDigit(line.charCodeAt(i))) i++;
  if (i === e) return CUT;
  if (i === s || line.charCodeAt(i) !== 0x2e) return i;
  for (let k = 1; k <= 3; k++) {
    if (i + k >= e) return CUT;
    if (!isDigit(line.charCodeAt(i + k))) return i + k;
  }
  return i + 4 === e ? VALID : i + 4;
}

/** The byte at `e` is preceded by an odd run of backslashes (after `s`): escaped in JSON. */
export function escapedAt(line: string, s: number, e: number): boolean {
  let k = e - 1;
  while (k >= s && line.charCodeAt(k) === 0x5c) k--;
  return ((e - 1 - k) & 1) === 1;
}

const JSON_SHORT = new Set([0x22, 0x5c, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74]);

// The escape rules, checked with native searches only (a per-byte loop costs
// more than the rest of the parse). Bytes nginx would have escaped but that
// appear raw are accepted: they never change where a value ends. `bs` is the
// line's first backslash (-1: none), so that lines without escapes skip the
// JSON escape checks.

export function checkTextDefault(line: string, s: number, e: number, noSpace: boolean): number {
  if (noSpace) {
    const k = line.indexOf(' ', s);
    if (k >= 0 && k < e) return k;
  }
  // A backslash should only start \xHH, but logs written by older nginx
  // versions or by hand have raw ones: accept them (they are kept as they are).
  const q = line.indexOf('"', s);
  return q >= 0 && q < e ? q : VALID;
}

export function checkTextJson(line: string, s: number, e: number, noSpace: boolean, bs: number): number {
  if (noSpace) {
    const k = line.indexOf(' ', s);
    if (k >= 0 && k < e) return k;
  }
  let q = line.indexOf('"', s);
  if (bs < 0 || bs >= e) return q >= 0 && q < e ? q : VALID;
  // A quote must be escaped; `\` starts one of ngx_escape_json's escapes.
  let b = line.indexOf('\\', s);
  for (;;) {
    if (q >= 0 && q < e && (b < 0 || q < b)) return q;
    if (b < 0 || b >= e) return VALID;
    if (b + 1 >= e) return CUT;
    const n = line.charCodeAt(b + 1);
    let next = b + 2;
    if (n === 0x75) {
      for (let k = 2; k < 6; k++) {
        if (b + k >= e) return CUT;
        if (!isHex(line.charCodeAt(b + k))) return b;
      }
      next = b + 6;
    } else if (!JSON_SHORT.has(n)) {
      return b;
    }
    if (q >= 0 && q < next) q = line.indexOf('"', next);
    b = line.indexOf('\\', next);
  }
}

export function checkTextNone(line: string, s: number, e: number, noSpace: boolean): number {
  if (!noSpace) return VALID;
  const k = line.indexOf(' ', s);
  return k >= 0 && k < e ? k : VALID;
}
