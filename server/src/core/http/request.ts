// What a log line tells about the request nginx handled. Every field may be unknown: a
// `combined` line has no Host, no port, no server address. The router forks on what is missing.

import type { LogFormat } from '../logs/format';
import { Shape, shapeOf } from '../logs/shapes';

/** nginx variables whose logged value constrains routing directly. */
export interface RequestFacts {
  /** `$request` as logged; parsed by the router (method, target, protocol). */
  request?: string;
  method?: string;
  /** Raw request target (`$request_uri`). */
  target?: string;
  protocol?: string;
  /** `$host` as logged: the validated Host, or the server's name when the request had none. */
  host?: string;
  /** `$http_host` as logged; null when logged as absent. */
  httpHost?: string | null;
  /** `$server_name` as logged. */
  serverName?: string;
  serverPort?: number;
  serverAddr?: string;
  remoteAddr?: string;
  scheme?: string;
  status?: number;
  /**
   * Every other logged variable by nginx name (no `$`): `http_user_agent`, `arg_id`, ...
   * null: logged as absent (`-`): empty, not sent, or (rarely) the literal "-".
   */
  vars: Record<string, string | null>;
}

/** Variables that feed RequestFacts' own fields rather than `vars`. */
const OWN = new Set(['request', 'host', 'http_host', 'server_name', 'server_port', 'server_addr', 'remote_addr', 'scheme', 'status']);

/**
 * Facts from the values a log format parser produced (`undefined` = logged as absent).
 * `logged` lists every variable the format records, so a variable missing from it is unknown.
 * `absentIsEmpty`: the format is escape=json or none, which logs a missing value as nothing and
 * a value "-" as "-", so absent means empty (or not sent) and never the literal dash.
 */
export function factsFromLog(logged: readonly string[], values: Record<string, string | undefined>, absentIsEmpty = false): RequestFacts {
  const facts: RequestFacts = { vars: {} };
  for (const name of logged) {
    const v = values[name];
    switch (name) {
      case 'request':
        if (v !== undefined) facts.request = v;
        break;
      case 'request_method':
        if (v !== undefined) facts.method = v;
        break;
      case 'request_uri':
        if (v !== undefined) facts.target = v;
        break;
      case 'server_protocol':
        if (v !== undefined) facts.protocol = v;
        break;
      case 'host':
        // `$host` is never empty for a request nginx routed; '-' can only be a literal.
        facts.host = v ?? (absentIsEmpty ? '' : '-');
        break;
      case 'http_host':
        facts.httpHost = v ?? null;
        break;
      case 'server_name':
        facts.serverName = v ?? '';
        break;
      case 'server_port':
        if (v !== undefined && /^\d+$/.test(v)) facts.serverPort = +v;
        break;
      case 'server_addr':
        if (v !== undefined) facts.serverAddr = v;
        break;
      case 'remote_addr':
        if (v !== undefined) facts.remoteAddr = v;
        break;
      case 'scheme':
        if (v !== undefined) facts.scheme = v;
        break;
      case 'status':
        if (v !== undefined && /^\d+$/.test(v)) facts.status = +v;
        break;
    }
    if (!OWN.has(name)) facts.vars[name] = v ?? (absentIsEmpty ? '' : null);
    else if (name === 'http_host') facts.vars[name] = v ?? null;
  }
  return facts;
}

/** More readings than this: too many to compare (the fixed shapes are kept). */
const MAX_READINGS = 16;

/**
 * The variables of `names` a line really pins down. A line that splits more than one way (a
 * user agent holding the format's `|` separator, a Host with the ":" of `$host:$server_port`)
 * gives one reading among several: a value is kept when every reading gives it (the request
 * line when only the user agent is in doubt), otherwise left unknown rather than trusted. When
 * the readings are too many to list, only the fixed shapes are kept (status, times, byte counts
 * cannot hold a separator and read the same in every split).
 */
export function pinnedVariables(format: LogFormat, line: string, names: readonly string[]): readonly string[] {
  if (!format.mayBeAmbiguous) return names;
  const readings = format.allReadings(line, MAX_READINGS);
  if (readings) {
    if (readings.length < 2) return names;
    return names.filter((n) => {
      const k = format.indexOf(n);
      if (k < 0) return false;
      const v = format.value(line, readings[0], k);
      return readings.every((sp) => format.value(line, sp, k) === v);
    });
  }
  const r = format.parse(line);
  if (!r.ok || !r.ambiguous) return names;
  return names.filter((n) => {
    const k = format.indexOf(n);
    if (k < 0) return false;
    const shape = shapeOf(format.occurrences[k]);
    return shape < Shape.Token;
  });
}
