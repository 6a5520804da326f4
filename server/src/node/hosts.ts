// Host names in `listen` as nginx resolves them when it starts: ngx_inet_resolve_host asks
// getaddrinfo (AF_UNSPEC, AI_ADDRCONFIG) and listens on every address, IPv4 ones first. The CLI
// runs where nginx ran, so this machine's /etc/hosts and interfaces stand for nginx's; names
// only DNS knows stay unresolved (the model then keeps them as unknown addresses).

import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { ipv4Text, ipv6ToBigInt, v4Mapped } from '../core/http/ip';

export interface HostsSource {
  /** The text of /etc/hosts; undefined when unreadable. */
  hostsText?: string;
  /** Addresses configured on this machine's interfaces (os.networkInterfaces). */
  interfaceAddrs: readonly { family: 'IPv4' | 'IPv6'; address: string }[];
}

function thisMachine(): HostsSource {
  let hostsText: string | undefined;
  try {
    hostsText = readFileSync('/etc/hosts', 'utf8');
  } catch {
    hostsText = undefined;
  }
  const interfaceAddrs = Object.values(networkInterfaces()).flatMap((l) => (l ?? []).map((a) => ({ family: a.family, address: a.address })));
  return { hostsText, interfaceAddrs };
}

/**
 * A resolver for BuildOptions.resolveHost. AI_ADDRCONFIG as glibc applies it: when the machine has
 * a non-loopback address of one family only, names give addresses of that family only.
 */
export function hostsResolver(source: HostsSource = thisMachine()): (name: string) => string[] | undefined {
  const seen4 = source.interfaceAddrs.some((a) => a.family === 'IPv4' && a.address !== '127.0.0.1');
  const seen6 = source.interfaceAddrs.some((a) => a.family === 'IPv6' && a.address !== '::1');
  // Both families, or one only: glibc then asks for that family alone (AF_INET / AF_INET6).
  const only = seen4 === seen6 ? undefined : seen4 ? 4 : 6;
  const byName = new Map<string, { v4: string[]; v6: string[] }>();
  for (const raw of (source.hostsText ?? '').split('\n')) {
    const fields = raw.replace(/#.*/, '').trim().split(/\s+/);
    if (fields.length < 2) continue;
    const [text, ...names] = fields;
    // glibc's hosts parser reads the address with inet_pton and skips a line it refuses.
    if (!ptonV4(text) && !ptonV6(text)) continue;
    let addr = text;
    let v6 = addr.includes(':');
    // Asked for IPv4 only, it reads ::1 as 127.0.0.1 and an IPv4-mapped address as its IPv4 one.
    if (v6 && only === 4) {
      const n = ipv6ToBigInt(addr)!;
      const mapped = n === 1n ? 0x7f000001 : v4Mapped(n);
      if (mapped === undefined) continue;
      addr = ipv4Text(mapped);
      v6 = false;
    }
    if (!v6 && only === 6) continue;
    for (const n of names) {
      const k = n.toLowerCase();
      let e = byName.get(k);
      if (!e) byName.set(k, (e = { v4: [], v6: [] }));
      const list = v6 ? e.v6 : e.v4;
      if (!list.includes(addr)) list.push(addr);
    }
  }
  return (name) => {
    const e = byName.get(name.toLowerCase());
    const out = e ? [...e.v4, ...e.v6] : [];
    return out.length ? out : undefined;
  };
}

/** inet_pton's IPv4: four decimal parts of at most 255, without leading zeros. */
function ptonV4(s: string): boolean {
  return /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/.test(s);
}

/** inet_pton's IPv6: hex groups, one "::", a strict dotted tail; no brackets, no zone. */
function ptonV6(s: string): boolean {
  if (!s.includes(':') || /[[\]%]/.test(s)) return false;
  const tail = s.slice(s.lastIndexOf(':') + 1);
  if (tail.includes('.') && !ptonV4(tail)) return false;
  return ipv6ToBigInt(s) !== undefined;
}
