// What nginx does to the request line and the Host header before any routing:
// ngx_http_parse_request_line (method, target, protocol), ngx_http_parse_complex_uri
// (percent-decoding, `//` merging, `.`/`..` segments) and ngx_http_validate_host.
// Strings are byte strings (one char per byte), as nginx sees them.

import { lowerAscii } from '../regex';

export interface RequestLine {
  method: string;
  /** The request target exactly as sent (`$request_uri` for an origin-form target). */
  target: string;
  protocol: string;
  /** Host from an absolute-form target (`GET http://h/x HTTP/1.1`). */
  host?: string;
}

const ABSOLUTE_FORM = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)(.*)$/;

/** Splits `$request`. Returns undefined when nginx could not have parsed it (it answers 400). */
export function parseRequestLine(line: string): RequestLine | undefined {
  // ngx_http_parse_request_line skips runs of spaces between the parts and after them, and
  // `$request` keeps them ("GET  /a HTTP/1.1", "GET /d   " for HTTP/0.9): seen with nginx 1.22.
  // The minor version may have up to three digits ("HTTP/1.10", "HTTP/1.01" are HTTP/1.x).
  // "HTTP/2.0" is how nginx logs an HTTP/2 request (sent over HTTP/1 it is unsupportedVersion's 505).
  const m = /^([A-Z_-]+) +(\S+)(?: +(HTTP\/(?:1\.\d{1,3}|2\.0)))? *$/.exec(line);
  if (!m) return undefined;
  const target = m[2];
  let host: string | undefined;
  const abs = ABSOLUTE_FORM.exec(target);
  if (abs) {
    host = abs[1];
    const rest = abs[2];
    return { method: m[1], target: rest === '' ? '/' : rest, protocol: m[3] ?? 'HTTP/0.9', host };
  }
  if (!target.startsWith('/')) return undefined;
  return { method: m[1], target, protocol: m[3] ?? 'HTTP/0.9' };
}

/**
 * A request line nginx answers 505 rather than 400: a valid method and target, then an HTTP
 * major version above 1 (`HTTP/2.0`, `HTTP/2`, `HTTP/10.0`), refused at its digits whatever
 * follows. `HTTP/0.9` written out is a 400 (the first major digit must be 1-9).
 */
export function unsupportedVersion(line: string): boolean {
  const m = /^[A-Z_-]+ +(\S+) +HTTP\/(?:[2-9]|1\d)/.exec(line);
  return !!m && (m[1].startsWith('/') || ABSOLUTE_FORM.test(m[1]));
}

export type UriResult = { ok: true; uri: string; args: string | undefined } | { ok: false };

/**
 * ngx_http_parse_complex_uri: the decoded, normalized `$uri` and the raw `$args`
 * (undefined when the target has no `?`). `{ok: false}` is nginx's 400.
 */
export function normalizeUri(target: string, mergeSlashes: boolean): UriResult {
  let args: string | undefined;
  let end = target.length;
  const q = target.indexOf('?');
  // Only a literal '?' starts the args; a '#' cuts the path (nginx ignores the fragment).
  const hash = target.indexOf('#');
  if (q !== -1 && (hash === -1 || q < hash)) {
    args = target.slice(q + 1);
    const h2 = args.indexOf('#');
    if (h2 !== -1) args = args.slice(0, h2);
    end = q;
  } else if (hash !== -1) end = hash;
  const src = target.slice(0, end);
  // An absolute-form request line without a path (`GET http://h?x=1`): `$request_uri` is `?x=1`
  // and the URI `/` (ngx_http_process_request_uri, r->empty_path_in_uri).
  if (src === '') return { ok: true, uri: '/', args };
  const enum S {
    Usual,
    Slash,
    Dot,
    DotDot,
  }
  let state = S.Usual;
  let u: string[] = [];
  let i = 0;
  const n = src.length;
  // Steps back over a `..` segment: drop it and the segment before it, keeping the '/'.
  const dotDot = (): boolean => {
    // u ends with "/.." here; remove "/..", then back to the previous '/'.
    let k = u.length - 4;
    for (;;) {
      if (k < 0) return false;
      if (u[k] === '/') {
        u.length = k + 1;
        return true;
      }
      k--;
    }
  };
  while (i <= n) {
    let ch: string;
    let decoded = false;
    if (i === n) break;
    ch = src[i++];
    if (ch === '%') {
      const h1 = src[i];
      const h2 = src[i + 1];
      if (h1 === undefined || h2 === undefined || !/[0-9a-fA-F]/.test(h1) || !/[0-9a-fA-F]/.test(h2)) return { ok: false };
      i += 2;
      const code = parseInt(h1 + h2, 16);
      if (code === 0) return { ok: false };
      ch = String.fromCharCode(code);
      // '%' '#' and '?' decoded are plain characters; anything else is re-read as if literal.
      if (ch === '%' || ch === '#' || ch === '?') {
        u.push(ch);
        state = S.Usual;
        continue;
      }
      decoded = true;
    }
    void decoded;
    switch (state) {
      case S.Usual:
        if (ch === '/') state = S.Slash;
        u.push(ch);
        break;
      case S.Slash:
        if (ch === '/') {
          if (!mergeSlashes) u.push(ch);
        } else if (ch === '.') {
          state = S.Dot;
          u.push(ch);
        } else {
          state = S.Usual;
          u.push(ch);
        }
        break;
      case S.Dot:
        if (ch === '/') {
          state = S.Slash;
          u.pop();
        } else if (ch === '.') {
          state = S.DotDot;
          u.push(ch);
        } else {
          state = S.Usual;
          u.push(ch);
        }
        break;
      case S.DotDot:
        if (ch === '/') {
          if (!dotDot()) return { ok: false };
          state = S.Slash;
        } else {
          state = S.Usual;
          u.push(ch);
        }
        break;
    }
  }
  if (state === S.Dot) u.pop();
  else if (state === S.DotDot) {
    if (!dotDot()) return { ok: false };
  }
  return { ok: true, uri: u.join(''), args };
}

/** ngx_http_validate_host: the lower-cased host without port and trailing dot, or undefined (400). */
export function validateHost(raw: string): string | undefined {
  let dotPos = -2;
  let hostLen = raw.length;
  let state = 0; // 0 usual, 1 literal, 2 rest
  for (let i = 0; i < raw.length; i++) {
    const ch = raw.charCodeAt(i);
    if (ch === 0x2e) {
      if (dotPos === i - 1) return undefined;
      dotPos = i;
    } else if (ch === 0x3a) {
      if (state === 0) {
        hostLen = i;
        state = 2;
      }
    } else if (ch === 0x5b) {
      if (i === 0) state = 1;
    } else if (ch === 0x5d) {
      if (state === 1) {
        hostLen = i + 1;
        state = 2;
      }
    } else if (ch === 0x2f || ch <= 0x20 || ch === 0x7f) return undefined;
  }
  if (dotPos === hostLen - 1) hostLen--;
  if (hostLen <= 0) return undefined;
  return lowerAscii(raw.slice(0, hostLen));
}

/** Whether a protocol demands a Host header: HTTP/1.1 and later (r->http_version >= NGX_HTTP_VERSION_11). */
export function requiresHost(protocol: string): boolean {
  const m = /^HTTP\/(\d+)\.(\d+)$/.exec(protocol);
  return !!m && +m[1] * 1000 + +m[2] >= 1001;
}
