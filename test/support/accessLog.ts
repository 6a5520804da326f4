// Reproducible synthetic access logs for tests and benchmarks: plausible
// values (IPv4/IPv6 clients, bots, scanners, escapes, ~10% 444s) written
// through the real format renderer, from a seeded generator.

import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { compileLogFormat, COMBINED_FORMAT, type LogFormat, renderLogLine } from '../../server/src/core/logs/format';

/** mulberry32: small, fast, seeded. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const UAS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/118.0.0.0 Safari/537.36',
  'Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1',
  'curl/7.88.1',
  'python-requests/2.31.0',
  'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
  'Go-http-client/1.1',
  'Mozilla/5.0 zgrab/0.x',
  'Mozilla/5.0 "quoted" \\ back',
];
const PATHS = ['/', '/index.php', '/wp-login.php', '/api/v1/items', '/static/app.js', '/.env', '/images/logo.png', '/search', '/admin/', '/xmlrpc.php'];
const HOSTS = ['example.com', 'www.example.com', 'shop.example.org', 'api.example.net', '192.0.2.10', '_'];
const METHODS = ['GET', 'GET', 'GET', 'GET', 'POST', 'HEAD', 'PUT', 'OPTIONS'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export const COMBINED_HOST_FORMAT = COMBINED_FORMAT + ' "$host"';

export interface SyntheticOptions {
  seed?: number;
  /** Append `"$host"` (the bench's "combined plus host" format). */
  host?: boolean;
}

export function syntheticFormat(options: SyntheticOptions = {}): LogFormat {
  return options.host
    ? compileLogFormat('combined_host', COMBINED_HOST_FORMAT, 'default')
    : compileLogFormat('combined', COMBINED_FORMAT, 'default');
}

/** A generator of the variable values of successive requests. */
export function syntheticValues(options: SyntheticOptions = {}): () => Record<string, string | undefined> {
  const rnd = prng(options.seed ?? 1);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)];
  let t = Date.UTC(2024, 2, 1, 0, 0, 0);
  const two = (n: number) => String(n).padStart(2, '0');
  return () => {
    t += Math.floor(rnd() * 200);
    const d = new Date(t);
    const time = `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
    const r = rnd();
    const addr = r < 0.1
      ? `2001:db8::${Math.floor(rnd() * 65536).toString(16)}`
      : `${Math.floor(rnd() * 223) + 1}.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}`;
    const path = pick(PATHS) + (rnd() < 0.3 ? `?id=${Math.floor(rnd() * 100000)}&q=a%20b` : '');
    const request = rnd() < 0.01 ? '\x16\x03\x01\x00\xa5\x01' : `${pick(METHODS)} ${path} HTTP/1.${rnd() < 0.8 ? 1 : 0}`;
    const s = rnd();
    const status = s < 0.1 ? '444' : s < 0.75 ? '200' : s < 0.85 ? '404' : s < 0.92 ? '301' : s < 0.97 ? '304' : '500';
    return {
      remote_addr: addr,
      remote_user: rnd() < 0.02 ? 'admin' : undefined,
      time_local: time,
      request,
      status,
      body_bytes_sent: status === '444' ? '0' : String(Math.floor(rnd() * 50000)),
      http_referer: rnd() < 0.6 ? undefined : `https://${pick(HOSTS)}/page?x=${Math.floor(rnd() * 100)}`,
      http_user_agent: rnd() < 0.03 ? undefined : pick(UAS),
      host: pick(HOSTS),
    };
  };
}

/** `count` lines as a string (for small logs). */
export function syntheticLines(count: number, options: SyntheticOptions = {}): string[] {
  const fmt = syntheticFormat(options);
  const next = syntheticValues(options);
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(renderLogLine(fmt, next()));
  return out;
}

/** Writes `count` lines to `file` without building the log in memory; returns its size in bytes. */
export async function writeSyntheticLog(file: string, count: number, options: SyntheticOptions = {}): Promise<number> {
  const fmt = syntheticFormat(options);
  const next = syntheticValues(options);
  const out = createWriteStream(file);
  let bytes = 0;
  let buf = '';
  for (let i = 0; i < count; i++) {
    buf += renderLogLine(fmt, next()) + '\n';
    if (buf.length > 1 << 20) {
      bytes += buf.length;
      if (!out.write(buf, 'latin1')) await once(out, 'drain');
      buf = '';
    }
  }
  bytes += buf.length;
  out.end(buf, 'latin1');
  await once(out, 'finish');
  return bytes;
}
