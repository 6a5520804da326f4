// ngx_http_browser_module ($modern_browser, $ancient_browser, $msie) and the User-Agent flags
// ngx_http_process_user_agent sets, as nginx 1.22 computes them from the first User-Agent header.
//
// Versions are nginx's 64-bit unsigned sums (X.Y.Z.W → X*10^6 + Y*10^4 + Z*10^2 + W, a fifth part
// and later scaled by 0), overflow included: kept as BigInt masked to 64 bits.

import type { Directive } from '../syntax';
import type { Scope } from './model';

/** ngx_http_modern_browser_masks, in slot order (the order modern browsers are checked in). */
const MASKS = [
  { browser: 'opera', skip: 0, add: 6, name: 'Opera' },
  { browser: 'msie', skip: 25, add: 5, name: 'MSIE ' },
  { browser: 'gecko', skip: 13, add: 3, name: 'rv:' },
  { browser: 'safari', skip: 13, add: 7, name: 'Safari/' },
  { browser: 'konqueror', skip: 25, add: 10, name: 'Konqueror/' },
] as const;

const U64 = (1n << 64n) - 1n;
/** The version nginx gives Opera when modern_browser lists browsers but not Opera ("unreachable"). */
const OPERA_UNREACHABLE = 4001000000n;

export interface BrowserConf {
  /** Modern browsers sorted by slot (glibc's qsort is a stable merge sort here), or none. */
  modern?: { slot: number; version: bigint }[];
  unlisted: boolean;
  ancient?: string[];
  netscape4: boolean;
  modernValue: string;
  ancientValue: string;
}

/** A version as the module parses it; undefined for a character nginx rejects in the config. */
export function parseBrowserVersion(s: string): bigint | undefined {
  let version = 0n;
  let ver = 0n;
  let scale = 1000000n;
  for (const c of s) {
    if (c >= '0' && c <= '9') ver = (ver * 10n + BigInt(c.charCodeAt(0) - 48)) & U64;
    else if (c === '.') {
      version = (version + ver * scale) & U64;
      ver = 0n;
      scale /= 100n;
    } else return undefined;
  }
  return (version + ver * scale) & U64;
}

/**
 * The merged configuration at `scope` (ngx_http_browser_merge_conf): the modern list and its
 * `unlisted` flag come together from the nearest level with any modern_browser (a level with
 * only `unlisted` keeps no list), the ancient list and `netscape4` likewise, each value from the
 * nearest level that sets it (last one there), "1" by default.
 */
export function browserConf(scope: Scope | undefined): BrowserConf {
  const nearest = (name: string): Directive[] => {
    for (let s = scope; s; s = s.parent) {
      const l = s.byName.get(name);
      if (l && l.length) return l;
    }
    return [];
  };
  const conf: BrowserConf = { unlisted: false, netscape4: false, modernValue: '1', ancientValue: '1' };
  const modern: { slot: number; version: bigint }[] = [];
  for (const d of nearest('modern_browser')) {
    const a = d.args.map((x) => x.value);
    if (a.length === 1) {
      if (a[0] === 'unlisted') conf.unlisted = true;
      continue;
    }
    const slot = MASKS.findIndex((m) => m.browser === a[0]?.toLowerCase());
    const version = parseBrowserVersion(a[1] ?? '');
    // nginx refuses the config otherwise; such an entry never routes anything.
    if (slot !== -1 && version !== undefined) modern.push({ slot, version });
  }
  if (modern.length) {
    if (!modern.some((b) => b.slot === 0)) modern.push({ slot: 0, version: OPERA_UNREACHABLE });
    conf.modern = modern.map((b, i) => ({ ...b, i })).sort((x, y) => x.slot - y.slot || x.i - y.i).map(({ slot, version }) => ({ slot, version }));
  }
  for (const d of nearest('ancient_browser'))
    for (const a of d.args) {
      if (a.value === 'netscape4') conf.netscape4 = true;
      else (conf.ancient ??= []).push(a.value);
    }
  const value = (name: string) => {
    const l = nearest(name);
    return l.length ? l[l.length - 1].args[0]?.value : undefined;
  };
  conf.modernValue = value('modern_browser_value') ?? '1';
  conf.ancientValue = value('ancient_browser_value') ?? '1';
  return conf;
}

/** ngx_strstr: a C string search, where an empty needle never matches. */
const strstr = (hay: string, from: number, needle: string): number => (needle ? hay.indexOf(needle, from) : -1);

/** ngx_http_browser: modern or ancient for a User-Agent (null: the request had none). */
export function browserClass(conf: BrowserConf, ua: string | null): 'modern' | 'ancient' {
  if (ua === null) return conf.unlisted ? 'modern' : 'ancient';
  const last = ua.length;
  if (conf.modern) {
    for (const b of conf.modern) {
      const mask = MASKS[b.slot];
      if (mask.skip >= last) continue;
      let at = strstr(ua, mask.skip, mask.name);
      if (at === -1) continue;
      at += mask.add;
      if (at >= last) continue;
      let version = 0n;
      let ver = 0n;
      let scale = 1000000n;
      while (at < last) {
        const c = ua[at++];
        if (c >= '0' && c <= '9') {
          ver = (ver * 10n + BigInt(c.charCodeAt(0) - 48)) & U64;
          continue;
        }
        if (c === '.') {
          version = (version + ver * scale) & U64;
          if (version > b.version) return 'modern';
          ver = 0n;
          scale /= 100n;
          continue;
        }
        break;
      }
      version = (version + ver * scale) & U64;
      return version >= b.version ? 'modern' : 'ancient';
    }
    if (!conf.unlisted) return 'ancient';
  }
  if (conf.netscape4 && last > 13 && ua.startsWith('Mozilla/') && ua[8] > '0' && ua[8] < '5') return 'ancient';
  for (const a of conf.ancient ?? []) if (last >= a.length && strstr(ua, 0, a) !== -1) return 'ancient';
  return conf.unlisted ? 'modern' : 'ancient';
}

/** `$modern_browser` / `$ancient_browser` for a User-Agent (null: none). */
export function browserVariable(conf: BrowserConf, name: 'modern_browser' | 'ancient_browser', ua: string | null): string {
  const c = browserClass(conf, ua);
  if (name === 'modern_browser') return c === 'modern' ? conf.modernValue : '';
  return c === 'ancient' ? conf.ancientValue : '';
}

/**
 * r->headers_in.msie (`$msie`): "MSIE " with at least three bytes after it, unless the agent
 * also says "Opera" anywhere.
 */
export function isMsie(ua: string | null): boolean {
  if (ua === null) return false;
  const at = ua.indexOf('MSIE ');
  return at !== -1 && at + 7 < ua.length && !ua.includes('Opera');
}
