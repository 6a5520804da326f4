// Addresses and networks as nginx reads them (ngx_inet_addr, ngx_inet6_addr, ngx_ptocidr): IPv4
// as plain numbers, IPv6 as 128-bit ones, so `geo`, `allow`/`deny` and their cache keys answer
// for IPv6 clients as nginx does instead of "unknown".

export interface Cidr {
  /** IPv4 only: [first, last] as unsigned 32-bit numbers. */
  lo: number;
  hi: number;
  bits: number;
}

/** A dotted quad (four groups of one to three digits, each at most 255) as a number. */
export function ipv4ToNumber(s: string): number | undefined {
  return dottedQuad(s, true);
}

/**
 * ngx_inet_addr as nginx runs it on a variable's value (geo's source): digits and dots, four
 * octets of at most 255 each, an empty octet read as 0 ("1..2.3"). Undefined where nginx's answer
 * is INADDR_NONE (which 255.255.255.255 itself also is).
 */
export function ngxInetAddr(s: string): number | undefined {
  const n = dottedQuad(s, false);
  return n === 0xffffffff ? undefined : n;
}

/**
 * Four dot-separated octets of at most 255 as a number; `strict`: each of one to three digits
 * (addresses in the configuration and the log), else as ngx_inet_addr reads them (any number of
 * digits, an empty octet is 0). By hand, not a regex: a blocklist geo reads ~11,000 of them.
 */
function dottedQuad(s: string, strict: boolean): number | undefined {
  let n = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (++digits > 3 && strict) return undefined;
      octet = octet * 10 + (c - 48);
      if (octet > 255) return undefined;
    } else if (c === 46 && (digits || !strict)) {
      n = n * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else return undefined;
  }
  // More than three dots shift octets out of nginx's 32-bit word: not a value worth modelling.
  return dots === 3 && (digits || !strict) ? n * 256 + octet : undefined;
}

export function parseCidr(s: string): Cidr | undefined {
  if (s === 'all') return { lo: 0, hi: 0xffffffff, bits: 0 };
  const [ip, bitsText] = s.split('/');
  const n = ipv4ToNumber(ip);
  if (n === undefined) return undefined;
  const bits = bitsText === undefined ? 32 : +bitsText;
  if (!(bits >= 0 && bits <= 32)) return undefined;
  const size = 2 ** (32 - bits);
  const lo = Math.floor(n / size) * size;
  return { lo, hi: lo + size - 1, bits };
}

export interface Net6 {
  lo: bigint;
  hi: bigint;
  bits: number;
}

const ALL = (1n << 128n) - 1n;

/** An IPv6 address ("2001:db8::1", "::ffff:192.0.2.1", "[::1]") as a number; undefined if it is not one. */
export function ipv6ToBigInt(text: string): bigint | undefined {
  let s = text;
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  if (!s.includes(':') || s.length > 45) return undefined;
  // A dotted IPv4 tail stands for the last two groups.
  const lastColon = s.lastIndexOf(':');
  if (s.indexOf('.', lastColon) !== -1) {
    const v4 = ipv4ToNumber(s.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    s = `${s.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string): number[] | undefined => {
    if (h === '') return [];
    const out: number[] = [];
    for (const g of h.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = groups(halves[0]);
  const rest = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !rest) return undefined;
  const all = [...head, ...rest];
  let words: number[];
  if (halves.length === 2) {
    const gap = 8 - all.length;
    if (gap < 1) return undefined;
    words = [...head, ...new Array<number>(gap).fill(0), ...rest];
  } else {
    if (all.length !== 8) return undefined;
    words = all;
  }
  let n = 0n;
  for (const w of words) n = (n << 16n) | BigInt(w);
  return n;
}

/**
 * ngx_inet6_addr on a request's value (geo's source, an X-Forwarded-For entry): its own grammar,
 * not inet_pton's. One leading ":" is skipped, a group has one to four hex digits, one "::", and
 * a dotted IPv4 tail read by ngx_inet_addr (which refuses 255.255.255.255). Undefined where nginx
 * declines the value.
 */
export function ngxInet6Addr(t: string): bigint | undefined {
  if (!t.length) return undefined;
  const bytes: number[] = [];
  let zero = -1;
  let digitAt = -1;
  let nibbles = 0;
  let word = 0;
  let n = 8;
  let i = t.charCodeAt(0) === 0x3a ? 1 : 0;
  for (; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c === 0x3a) {
      if (nibbles) {
        digitAt = i + 1;
        bytes.push(word >> 8, word & 0xff);
        if (--n) {
          nibbles = 0;
          word = 0;
          continue;
        }
      } else if (zero < 0) {
        digitAt = i + 1;
        zero = bytes.length;
        continue;
      }
      return undefined;
    }
    if (c === 0x2e && nibbles) {
      if (n < 2 || digitAt < 0) return undefined;
      const v4 = ngxInetAddr(t.slice(digitAt));
      if (v4 === undefined) return undefined;
      bytes.push(v4 >>> 24, (v4 >>> 16) & 0xff);
      n--;
      word = v4 & 0xffff;
      break;
    }
    if (++nibbles > 4) return undefined;
    const h = c >= 0x30 && c <= 0x39 ? c - 0x30 : (c | 0x20) >= 0x61 && (c | 0x20) <= 0x66 ? (c | 0x20) - 0x61 + 10 : -1;
    if (h < 0) return undefined;
    word = word * 16 + h;
  }
  if (nibbles === 0 && zero < 0) return undefined;
  bytes.push(word >> 8, word & 0xff);
  if (--n) {
    if (zero < 0) return undefined;
    bytes.splice(zero, 0, ...new Array<number>(2 * n).fill(0));
  } else if (zero >= 0) return undefined;
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

/** `addr[/bits]` for IPv6, as allow/deny/geo take it; the host bits are cleared like ngx_ptocidr. */
export function parseCidr6(text: string): Net6 | undefined {
  const slash = text.indexOf('/');
  const n = ipv6ToBigInt(slash === -1 ? text : text.slice(0, slash));
  if (n === undefined) return undefined;
  const bitsText = slash === -1 ? '128' : text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bitsText)) return undefined;
  const bits = Number(bitsText);
  if (bits > 128) return undefined;
  const hostMask = bits === 128 ? 0n : (1n << BigInt(128 - bits)) - 1n;
  const lo = n & (ALL ^ hostMask);
  return { lo, hi: lo | hostMask, bits };
}

/** The IPv4 address inside an IPv4-mapped IPv6 address (::ffff:a.b.c.d), which nginx checks as IPv4. */
export function v4Mapped(n: bigint): number | undefined {
  return n >> 32n === 0xffffn ? Number(n & 0xffffffffn) : undefined;
}

export const inNet6 = (n: bigint, net: Net6): boolean => n >= net.lo && n <= net.hi;

/**
 * ngx_parse_addr_port: an address, else `addr:port` (the first ':') or `[v6]:port` with a port of
 * 1-65535. The address part as text, or undefined where nginx declines.
 */
export function parseAddrPort(s: string): string | undefined {
  const isAddr = (a: string) => ngxInetAddr(a) !== undefined || ngxInet6Addr(a) !== undefined;
  if (isAddr(s)) return s;
  let addr: string;
  let port: string;
  if (s.startsWith('[')) {
    const close = s.indexOf(']');
    if (close === -1 || close === s.length - 1 || s[close + 1] !== ':') return undefined;
    addr = s.slice(1, close);
    port = s.slice(close + 2);
  } else {
    const colon = s.indexOf(':');
    if (colon === -1) return undefined;
    addr = s.slice(0, colon);
    port = s.slice(colon + 1);
  }
  if (!/^\d+$/.test(port) || +port < 1 || +port > 65535) return undefined;
  return isAddr(addr) ? addr : undefined;
}

/**
 * ngx_http_get_forwarded_addr on a logged X-Forwarded-For: from `start` (the address so far),
 * while it is `trusted`, the entries from the last one (separated by spaces or commas); an entry
 * that is no address ends the walk with the last good one. Without `recursive`, one entry.
 * Undefined when the answer depends on how the value was split into header lines, which the log
 * does not keep (nginx joins them with ", "; an empty line declines there, an empty entry in one
 * line is skipped).
 */
export function forwardedAddr(xff: string, start: string, trusted: (addr: string) => boolean, recursive: boolean): string | undefined {
  if (!trusted(start)) return start;
  if (xff.split(', ').some((e) => /^[ ,]*$/.test(e))) return undefined;
  const entries = xff.split(/[ ,]+/);
  let addr = start;
  for (let i = entries.length - 1; i >= 0; i--) {
    if (!entries[i]) continue;
    const a = parseAddrPort(entries[i]);
    if (a === undefined) return addr;
    addr = a;
    if (!recursive || !trusted(addr)) return addr;
  }
  return addr;
}

/** Whether an address (IPv4 or IPv6 text) is in one of the networks of its family (ngx_cidr_match). */
export function addrInNets(addr: string, v4: readonly Cidr[], v6: readonly Net6[]): boolean {
  const n = ipv4ToNumber(addr);
  if (n !== undefined) return v4.some((c) => n >= c.lo && n <= c.hi);
  const n6 = addr.includes(':') ? ipv6ToBigInt(addr) : undefined;
  return n6 !== undefined && v6.some((c) => inNet6(n6, c));
}

/** Whether two address texts name the same address (IPv6 has many spellings). */
export function sameAddress(a: string, b: string): boolean {
  if (a === b) return true;
  const x = ipv6ToBigInt(a);
  return x !== undefined && x === ipv6ToBigInt(b) && a.includes(':') === b.includes(':');
}

/**
 * IPv6 text as ngx_inet6_ntop prints it ($server_addr, the listen address in messages): lower-case
 * hex words, the first longest run of two or more zero words as "::", and an IPv4-mapped or
 * -compatible address with its last 32 bits dotted.
 */
export function ipv6Text(n: bigint): string {
  const w: number[] = [];
  for (let i = 7; i >= 0; i--) w.push(Number((n >> BigInt(16 * i)) & 0xffffn));
  let zero = -1;
  let max = 1;
  let run = 0;
  let last = -1;
  for (let i = 0; i < 8; i++) {
    if (w[i]) {
      if (max < run) (zero = last), (max = run);
      run = 0;
      continue;
    }
    if (run++ === 0) last = i;
  }
  if (max < run) (zero = last), (max = run);
  let words = 8;
  let out = '';
  if (zero === 0) {
    const lo = w[7] & 0xff;
    const hi = w[7] >> 8;
    if ((max === 5 && w[5] === 0xffff) || max === 6 || (max === 7 && hi !== 0 && lo !== 1)) words = 6;
    out += ':';
  }
  for (let i = 0; i < words; i++) {
    if (i === zero) {
      out += ':';
      i += max - 1;
      continue;
    }
    out += w[i].toString(16);
    if (i < 7) out += ':';
  }
  if (words === 6) out += ipv4Text(w[6] * 0x10000 + w[7]);
  return out;
}

/**
 * A listen address as nginx compares it (ngx_cmp_sockaddr on what ngx_parse_url made of the
 * text): `*` for the IPv4 wildcard, `a.b.c.d`, `[v6]` printed as ngx_inet6_ntop does (`[::]`
 * for its wildcard). IPv6 bracketed as `listen` writes it or bare as `$server_addr` and
 * getaddrinfo give it. Undefined for a host name, which nginx resolves.
 */
export function listenAddrKey(host: string): string | undefined {
  if (host === '*') return '*';
  if (host.includes(':')) {
    const n = ipv6ToBigInt(host);
    return n === undefined ? host : `[${ipv6Text(n)}]`;
  }
  // ngx_parse_inet_url reads the host with ngx_inet_addr (leading zeros, empty octets).
  const v4 = dottedQuad(host, false);
  if (v4 === undefined) return undefined;
  return v4 === 0 ? '*' : ipv4Text(v4);
}

/** An IPv4 address (a 32-bit number) as a dotted quad. */
export function ipv4Text(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 0xff}.${(n >>> 8) & 0xff}.${n & 0xff}`;
}
