// ngx_http_secure_link_module's pieces that need no request: the merged configuration, the
// base64url hash and expiry parsing, MD5, and the request time a log line gives.

import { createHash } from 'node:crypto';
import type { Scope } from './model';

export interface SecureLinkConf {
  /** `secure_link` (the "hash,expires" value), `secure_link_md5` (the string hashed). */
  variable?: string;
  md5?: string;
  /** `secure_link_secret` (the older form, exclusive with the two above). */
  secret?: string;
}

/**
 * ngx_http_secure_link_merge_conf, outermost level first: a level with `secure_link_secret` uses
 * only that; otherwise `secure_link` and `secure_link_md5` are inherited each on its own, and the
 * secret only when neither is set.
 */
export function secureLinkConf(scope: Scope | undefined): SecureLinkConf {
  if (!scope) return {};
  const parent = secureLinkConf(scope.parent);
  const own = (name: string) => {
    const l = scope.byName.get(name);
    return l && l.length ? l[l.length - 1].args[0]?.value : undefined;
  };
  const secret = own('secure_link_secret');
  if (secret !== undefined) return { secret };
  const variable = own('secure_link') ?? parent.variable;
  const md5 = own('secure_link_md5') ?? parent.md5;
  if (variable === undefined && md5 === undefined) return { secret: parent.secret };
  return { variable, md5 };
}

const URL_ALPHABET = /^[A-Za-z0-9_-]*$/;

/**
 * ngx_decode_base64url as secure_link uses it: at most 24 characters, decoding stops at the first
 * '=', every character before it in the url alphabet, and the result must be 16 bytes.
 */
export function secureLinkHash(text: string): Buffer | undefined {
  if (text.length > 24) return undefined;
  const eq = text.indexOf('=');
  const body = eq === -1 ? text : text.slice(0, eq);
  if (!URL_ALPHABET.test(body) || body.length % 4 === 1) return undefined;
  // Node decodes leftover bits as nginx does (dropped); the length check rules out the rest.
  const bytes = Buffer.from(body, 'base64url');
  return bytes.length === 16 ? bytes : undefined;
}

const MAX_TIME_T = (1n << 63n) - 1n;

/** ngx_atotm: decimal digits only, not empty, within time_t; undefined for NGX_ERROR. */
export function atotm(text: string): bigint | undefined {
  if (!text || !/^[0-9]+$/.test(text)) return undefined;
  const v = BigInt(text);
  return v > MAX_TIME_T ? undefined : v;
}

export function md5(latin1: string): Buffer {
  return createHash('md5').update(Buffer.from(latin1, 'latin1')).digest();
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * The second a line was logged, from `$msec`, `$time_iso8601` or `$time_local` (the time nginx
 * finished the request; the module compared with an earlier or equal one). Undefined if none.
 */
export function loggedSecond(vars: Record<string, string | null>): number | undefined {
  const msec = vars.msec;
  if (msec && /^\d+(?:\.\d+)?$/.test(msec)) return Math.floor(Number(msec));
  const iso = vars.time_iso8601;
  if (iso) {
    const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})([+-])(\d{2}):(\d{2})$/.exec(iso);
    if (m) return zoned(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], m[7], +m[8], +m[9]);
  }
  const local = vars.time_local;
  if (local) {
    const m = /^(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/.exec(local);
    const mon = m ? MONTHS.indexOf(m[2]) : -1;
    if (m && mon !== -1) return zoned(+m[3], mon, +m[1], +m[4], +m[5], +m[6], m[7], +m[8], +m[9]);
  }
  return undefined;
}

function zoned(y: number, mon: number, d: number, h: number, mi: number, s: number, sign: string, oh: number, om: number): number {
  const off = (oh * 60 + om) * 60 * (sign === '-' ? -1 : 1);
  return Date.UTC(y, mon, d, h, mi, s) / 1000 - off;
}
