// The request line as nginx logs it in `$request`, taken apart the way
// ngx_http_parse_request_line (nginx 1.22) reads it.
//
// `$request` is the raw line the client sent, up to CR/LF, whatever it was:
// `-` when nothing arrived, empty for an empty line, TLS handshakes and other
// binary noise sent to a plain HTTP port, or text nginx refused with 400.
// Such lines still carry what the router needs to say that no location was
// involved, so they are reported as `valid: false` with the reason nginx
// would give, plus whatever parts could be read.

export interface RequestLine {
  /** Method token (only A-Z, `_`, `-` pass nginx's parser). */
  method?: string;
  /**
   * Request target as sent: a path with its query (`/a?b`) or an absolute
   * URI (`http://h/a?b`). Not percent-decoded or normalised.
   */
  target?: string;
  /** Path part of the target, before `?`, still encoded; `/` for `http://host`. */
  path?: string;
  /** Query string after the first `?` ($args); undefined when there is no `?`. */
  args?: string;
  /** Host of an absolute-form target (`GET http://host:port/...`), with its port. */
  host?: string;
  /** `HTTP/1.1` etc.; undefined for an HTTP/0.9 request, which has none. */
  protocol?: string;
  /** `0.9`, `1.0`, `1.1`, `2.0`... */
  version?: string;
  /** Would nginx's request line parser accept it? */
  valid: boolean;
  /** Why not, in nginx's words where it has them. */
  reason?: string;
}

function isMethodChar(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || c === 0x5f || c === 0x2d;
}

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;
const HOST = /^(?:\[[A-Za-z0-9:._~!$&'()*+,;=-]*\]|[A-Za-z0-9.-]*)(?::\d*)?/;
const PROTOCOL = /^HTTP\/([1-9]\d*)\.(\d+)$/;

/**
 * Splits a logged `$request` (already unescaped: a byte string) into its
 * parts. `undefined` (nothing logged) gives `{ valid: false }`.
 */
export function parseRequestLine(request: string | undefined): RequestLine {
  if (request === undefined) return { valid: false, reason: 'no request line was received' };
  if (request.length === 0) return { valid: false, reason: 'empty request line' };

  // Method: up to the first space, nginx's sw_method.
  let i = 0;
  while (i < request.length && isMethodChar(request.charCodeAt(i))) i++;
  if (i === 0 || (i < request.length && request.charCodeAt(i) !== 0x20)) {
    return { valid: false, reason: 'client sent invalid method' };
  }
  const method = request.slice(0, i);
  if (i === request.length) return { method, valid: false, reason: 'client sent invalid request' };
  while (i < request.length && request.charCodeAt(i) === 0x20) i++;

  // Target: up to the next space. 1.22 refuses spaces and control bytes in it.
  let j = i;
  while (j < request.length && request.charCodeAt(j) !== 0x20) j++;
  const target = request.slice(i, j);
  const out: RequestLine = { method, target, valid: true };
  if (target.length === 0) return { method, valid: false, reason: 'client sent invalid request' };

  let pathAndQuery = target;
  if (target.charCodeAt(0) !== 0x2f) {
    const scheme = SCHEME.exec(target);
    if (!scheme) return { ...out, valid: false, reason: 'client sent invalid request' };
    const afterScheme = target.slice(scheme[0].length);
    const host = HOST.exec(afterScheme)![0];
    const rest = afterScheme.slice(host.length);
    if (rest !== '' && rest[0] !== '/' && rest[0] !== '?') {
      return { ...out, host, valid: false, reason: 'client sent invalid request' };
    }
    out.host = host;
    // nginx uses "/" when the absolute URI has no path.
    pathAndQuery = rest === '' ? '/' : rest[0] === '?' ? '/' + rest : rest;
  }
  const q = pathAndQuery.indexOf('?');
  out.path = q < 0 ? pathAndQuery : pathAndQuery.slice(0, q);
  if (q >= 0) out.args = pathAndQuery.slice(q + 1);
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(target)) {
    out.valid = false;
    out.reason = 'client sent invalid request';
  }

  while (j < request.length && request.charCodeAt(j) === 0x20) j++;
  if (j === request.length) {
    // No protocol: an HTTP/0.9 request.
    out.version = '0.9';
    if (out.valid && method !== 'GET') {
      out.valid = false;
      out.reason = 'client sent invalid method in HTTP/0.9 request';
    }
    return out;
  }
  let k = j;
  while (k < request.length && request.charCodeAt(k) !== 0x20) k++;
  const protocol = request.slice(j, k);
  let rest = k;
  while (rest < request.length && request.charCodeAt(rest) === 0x20) rest++;
  const m = PROTOCOL.exec(protocol);
  if (!m || rest !== request.length) {
    // Another space-separated word after the target: nginx 1.22 refuses spaces in the URI.
    return { ...out, valid: false, reason: 'client sent invalid request' };
  }
  out.protocol = protocol;
  out.version = `${Number(m[1])}.${Number(m[2])}`;
  // A major version above 1 is refused by the HTTP/1 parser (505), but
  // HTTP/2 and HTTP/3 requests are logged with a line nginx builds itself
  // ("GET / HTTP/2.0"), so such a line is not by itself a bad request.
  if (Number(m[2]) > 999) {
    out.valid = false;
    out.reason = 'client sent invalid request';
  }
  return out;
}
