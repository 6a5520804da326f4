// Which format is this log in, when no config says so: try the formats
// people actually use on the first lines and keep the one that reads most of
// them. The answer carries its evidence (lines matched out of lines tried,
// per candidate), so the caller can show "detected: combined (200/200)" or
// say that nothing fits.

import { COMBINED_FORMAT, compileLogFormat, type LogEscape, type LogFormat, type LogLineParser } from './format';
import { jsonLineFields, jsonLinesParser } from './jsonLines';
import { withSyslogPrefix } from './syslog';

export interface KnownFormat {
  name: string;
  format: string;
  escape: LogEscape;
  /** Where it comes from. */
  source: string;
}

const MAIN = `${COMBINED_FORMAT} "$http_x_forwarded_for"`;

/** Formats worth trying on a log of unknown origin, most common first. */
export const KNOWN_FORMATS: readonly KnownFormat[] = [
  { name: 'combined', format: COMBINED_FORMAT, escape: 'default', source: 'nginx built-in' },
  { name: 'main', format: MAIN, escape: 'default', source: 'nginx.conf example, official Docker image' },
  {
    name: 'common',
    format: '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent',
    escape: 'default',
    source: 'Common Log Format',
  },
  { name: 'combined_host', format: `${COMBINED_FORMAT} "$host"`, escape: 'default', source: 'combined + "$host"' },
  { name: 'main_host', format: `${MAIN} "$host"`, escape: 'default', source: 'main + "$host"' },
  { name: 'vhost_combined', format: `$host ${COMBINED_FORMAT}`, escape: 'default', source: '"$host " + combined' },
  { name: 'vhost_main', format: `$host ${MAIN}`, escape: 'default', source: '"$host " + main' },
  {
    name: 'vhost_port_combined',
    format: `$host:$server_port ${COMBINED_FORMAT}`,
    escape: 'default',
    source: 'Apache-style vhost_combined',
  },
  {
    name: 'npm_proxy',
    format: '[$time_local] $upstream_cache_status $upstream_status $status - $request_method $scheme $host "$request_uri" [Client $remote_addr] [Length $body_bytes_sent] [Gzip $gzip_ratio] [Sent-to $server] "$http_user_agent" "$http_referer"',
    escape: 'default',
    source: 'Nginx Proxy Manager (conf.d/include/log-proxy.conf)',
  },
  {
    name: 'npm_standard',
    format: '[$time_local] $status - $request_method $scheme $host "$request_uri" [Client $remote_addr] [Length $body_bytes_sent] [Gzip $gzip_ratio] "$http_user_agent" "$http_referer"',
    escape: 'default',
    source: 'Nginx Proxy Manager (conf.d/include/log-proxy.conf)',
  },
  {
    // Any combined line with more fields after it: the usual shape of a
    // customised format. `$trailing` is not an nginx variable; it holds the rest.
    name: 'combined+',
    format: `${COMBINED_FORMAT} $trailing`,
    escape: 'default',
    source: 'combined followed by unknown fields',
  },
];

export interface CandidateCount {
  name: string;
  matched: number;
}

export interface Detection {
  /** Parses lines of the detected format. */
  parser: LogLineParser;
  /** e.g. `combined`, `syslog+main`, `json`. */
  name: string;
  /** Lines (non-blank, not `#` comments) the parser read, of `total` tried. */
  matched: number;
  total: number;
  /** matched / total. */
  confidence: number;
  /** Every candidate that matched at least one line, best first. */
  candidates: CandidateCount[];
}

export interface DetectOptions {
  /** Lines to try (default 200). */
  maxLines?: number;
  /** More candidates, tried before the known ones (e.g. the formats of the loaded config). */
  extra?: readonly LogLineParser[];
}

let knownPlain: LogFormat[] | undefined;
/** KNOWN_FORMATS compiled (once). */
export function knownFormats(): readonly LogFormat[] {
  return (knownPlain ??= KNOWN_FORMATS.map((k) => compileLogFormat(k.name, k.format, k.escape)));
}

let knownParsers: LogLineParser[] | undefined;
function candidates(): LogLineParser[] {
  if (!knownParsers) {
    const plain = knownFormats();
    knownParsers = [...plain, ...plain.map(withSyslogPrefix)];
  }
  return knownParsers;
}

function isJsonish(line: string): boolean {
  const t = line.trimEnd();
  return t.endsWith('}') && t.includes('{"');
}

/**
 * Detects the format of a log from its first lines. Undefined when no line
 * could be tried (empty input) or no candidate read any line.
 */
export function detectLogFormat(lines: Iterable<string>, options: DetectOptions = {}): Detection | undefined {
  const maxLines = options.maxLines ?? 200;
  const sample: string[] = [];
  for (const line of lines) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    sample.push(line);
    if (sample.length >= maxLines) break;
  }
  if (sample.length === 0) return undefined;

  const results: { parser: LogLineParser; matched: number; order: number }[] = [];
  const all = [...(options.extra ?? []), ...candidates()];
  all.forEach((parser, order) => {
    let matched = 0;
    for (const line of sample) {
      // A lenient reading (a space in `$remote_addr`...) is a sign of the wrong format.
      const r = parser.parse(line);
      if (r.ok && !r.lenient) matched++;
    }
    if (matched > 0) results.push({ parser, matched, order });
  });

  // JSON lines: the variables they carry are those of their keys.
  if (sample.some(isJsonish)) {
    const seen = new Set<string>();
    let matched = 0;
    for (const line of sample) {
      const r = jsonLineFields(line);
      if (r && Object.keys(r.raw).length > 0) {
        matched++;
        for (const k of Object.keys(r.raw)) seen.add(k);
      }
    }
    if (matched > 0) results.push({ parser: jsonLinesParser('json', [...seen]), matched, order: all.length });
  }

  if (results.length === 0) return undefined;
  // Most lines read; then the most specific (more variables: `main` over
  // `combined+`); then the list order (extra first, common formats first).
  const specificity = (p: LogLineParser) => (p.name.startsWith('combined+') || p.name.startsWith('syslog+combined+') ? -1 : p.variables.length);
  results.sort((a, b) => b.matched - a.matched || specificity(b.parser) - specificity(a.parser) || a.order - b.order);
  const best = results[0];
  return {
    parser: best.parser,
    name: best.parser.name,
    matched: best.matched,
    total: sample.length,
    confidence: best.matched / sample.length,
    candidates: results.map((r) => ({ name: r.parser.name, matched: r.matched })),
  };
}
