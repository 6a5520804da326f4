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

/** RequestFacts' own fields by the variable that feeds them, as an expression of its value's expression `x`. */
const OWN_FIELD: Readonly<Record<string, { field: string; expr: (x: string, absentIsEmpty: boolean) => string }>> = {
  request: { field: 'request', expr: (x) => x },
  request_method: { field: 'method', expr: (x) => x },
  request_uri: { field: 'target', expr: (x) => x },
  server_protocol: { field: 'protocol', expr: (x) => x },
  // `$host` is never empty for a request nginx routed; '-' can only be a literal.
  host: { field: 'host', expr: (x, e) => `${x} ?? ${e ? "''" : "'-'"}` },
  http_host: { field: 'httpHost', expr: (x) => `${x} ?? null` },
  server_name: { field: 'serverName', expr: (x) => `${x} ?? ''` },
  server_port: { field: 'serverPort', expr: (x) => `number(${x})` },
  server_addr: { field: 'serverAddr', expr: (x) => x },
  remote_addr: { field: 'remoteAddr', expr: (x) => x },
  scheme: { field: 'scheme', expr: (x) => x },
  status: { field: 'status', expr: (x) => `number(${x})` },
};

/** Variables that feed RequestFacts' own fields only (`http_host` is also kept in `vars`). */
const OWN_ONLY = new Set(['request', 'host', 'server_name', 'server_port', 'server_addr', 'remote_addr', 'scheme', 'status']);

/** A logged number (status, port): digits only, else unknown. Read by hand: once per traced line. */
function number(x: string | undefined): number | undefined {
  if (x === undefined || x.length === 0) return undefined;
  for (let i = 0; i < x.length; i++) {
    const c = x.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  return +x;
}

/**
 * Facts from one line's values, `values[i]` being the value of `logged[i]` (`undefined` = logged
 * as absent; a variable logged twice takes its last value).
 */
export type FactsBuilder = (values: readonly (string | undefined)[]) => RequestFacts;

/**
 * `logged` lists every variable the format records, so a variable missing from it is unknown.
 * `absentIsEmpty`: the format is escape=json or none, which logs a missing value as nothing and
 * a value "-" as "-", so absent means empty (or not sent) and never the literal dash.
 *
 * Generated once per list of logged variables, as one object literal: a traced log reads the same
 * list on every line. Deciding per name what it feeds, then growing `vars` one computed key at a
 * time, cost more than reading the line; copying a template of `vars` and storing into it by name
 * still cost a third more than this (bench/trace.mjs). The source holds only the field names
 * above, array indexes, and variable names that are plain words, JSON-quoted: anything else
 * (nginx's own names are [A-Za-z0-9_]) is left out, unknown to the router.
 */
export function factsBuilder(logged: readonly string[], absentIsEmpty = false): FactsBuilder {
  const last = new Map<string, number>();
  logged.forEach((n, i) => last.set(n, i));
  const own: string[] = [];
  const vars: string[] = [];
  for (const [n, i] of last) {
    const o = Object.hasOwn(OWN_FIELD, n) ? OWN_FIELD[n] : undefined;
    if (o) own.push(`${o.field}: ${o.expr(`v[${i}]`, absentIsEmpty)}`);
    // `__proto__` as a literal's key would set its prototype.
    if (OWN_ONLY.has(n) || !/^\w+$/.test(n) || n === '__proto__') continue;
    vars.push(`${JSON.stringify(n)}: v[${i}] ?? ${n === 'http_host' || !absentIsEmpty ? 'null' : "''"}`);
  }
  const source = `return (v) => ({ ${[...own, `vars: { ${vars.join(', ')} }`].join(', ')} });`;
  return new Function('number', source)(number) as FactsBuilder;
}

/** Facts from the values a log format parser produced, by name (see factsBuilder). */
export function factsFromLog(logged: readonly string[], values: Record<string, string | undefined>, absentIsEmpty = false): RequestFacts {
  return factsBuilder(logged, absentIsEmpty)(logged.map((n) => values[n]));
}

/** More readings than this: too many to compare (the fixed shapes are kept). */
export const MAX_READINGS = 16;

/**
 * The variables of `names` a line really pins down. A line that splits more than one way (a
 * user agent holding the format's `|` separator, a Host with the ":" of `$host:$server_port`)
 * gives one reading among several: a value is kept when every reading gives it (the request
 * line when only the user agent is in doubt), otherwise left unknown rather than trusted. When
 * the readings are too many to list, only the fixed shapes are kept (status, times, byte counts
 * cannot hold a separator, though a neighbour that holds one may shift them: see
 * TracedLineReader.read). `among`: only these readings (the ones a caller already chose).
 */
export function pinnedVariables(format: LogFormat, line: string, names: readonly string[], among?: readonly Int32Array[]): readonly string[] {
  if (!format.mayBeAmbiguous) return names;
  const readings = among ?? format.allReadings(line, MAX_READINGS);
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
    const occ = format.occurrences[k];
    if (shapeOf(occ) >= Shape.Token) return false;
    // Glued to another variable (`$server_port$uri`), a number can end anywhere among its digits.
    const i = format.segments.indexOf(occ);
    const glued = (j: number) => j >= 0 && j < format.segments.length && format.segments[j].kind === 'variable';
    return !glued(i - 1) && !glued(i + 1);
  });
}
