// Host names in `listen` as nginx resolves them when it starts: ngx_inet_resolve_host asks
// getaddrinfo (AF_UNSPEC, AI_ADDRCONFIG) and listens on every address, IPv4 ones first. The CLI
// runs where nginx ran, so this machine's /etc/hosts and interfaces stand for nginx's; names
// only DNS knows stay unresolved (the model then keeps them as unknown addresses).

import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';

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
  const byName = new Map<string, { v4: string[]; v6: string[] }>();
  for (const raw of (source.hostsText ?? '').split('\n')) {
    const fields = raw.replace(/#.*/, '').trim().split(/\s+/);
    if (fields.length < 2) continue;
    const [addr, ...names] = fields;
    const v6 = addr.includes(':');
    for (const n of names) {
      const k = n.toLowerCase();
      let e = byName.get(k);
      if (!e) byName.set(k, (e = { v4: [], v6: [] }));
      const list = v6 ? e.v6 : e.v4;
      if (!list.includes(addr)) list.push(addr);
    }
  }
  const seen4 = source.interfaceAddrs.some((a) => a.family === 'IPv4' && a.address !== '127.0.0.1');
  const seen6 = source.interfaceAddrs.some((a) => a.family === 'IPv6' && a.address !== '::1');
  const families = seen4 === seen6 ? { v4: true, v6: true } : { v4: seen4, v6: seen6 };
  return (name) => {
    const e = byName.get(name.toLowerCase());
    if (!e) return undefined;
    const out = [...(families.v4 ? e.v4 : []), ...(families.v6 ? e.v6 : [])];
    return out.length ? out : undefined;
  };
}
