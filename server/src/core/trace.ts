// Trace a whole access log against a configuration: every line with a chosen status (444 by
// default) attributed to the rule(s) that produced it. Streams the file; routing answers are
// cached per distinct request, so a large log costs mostly its line parsing.

import { posix } from 'node:path';
import { compileLogFormat, combinedFormat, type LogFormat } from './logs/format';
import { readLogBatches } from './logs/reader';
import { Attributor, allAccessLogs, logFilterFor, type Attribution } from './http/attribute';
import type { AccessLogDef, HttpModel, RuleRef } from './http/model';
import { factsFromLog, pinnedVariables } from './http/request';

export interface TraceEntry {
  log: {
    file: string;
    line: number;
    /** The line's `$request` value, in UTF-16 columns of the line decoded as UTF-8 (as an editor shows it); absent when the format does not log it. */
    request?: { start: number; end: number };
  };
  status: number;
  attribution: Attribution;
}

export interface FormatChoice {
  format: LogFormat;
  /** How it was chosen, for the user. */
  how: string;
  /**
   * Other formats a line may be in when `format` does not read it: the other formats written to
   * this file, else every format the configuration defines and combined (a log whose format
   * changed keeps its older lines).
   */
  alternatives?: LogFormat[];
}

/** The log_format nginx writes this file with: from the access_log directives naming it, else detected. */
export function formatForLog(model: HttpModel, logFile: string, sample: readonly string[] = []): FormatChoice {
  const filter = logFilterFor(model, logFile);
  const candidates: { name: string; def?: AccessLogDef }[] = [];
  if (filter) {
    for (const d of allAccessLogs(model)) if (!d.off && d.resolvedPath && filter(d)) candidates.push({ name: d.format, def: d });
  }
  const compiled: { f: LogFormat; how: string }[] = [];
  const seen = new Set<string>();
  for (const c of candidates) {
    if (seen.has(c.name)) continue;
    seen.add(c.name);
    const f = compileNamed(model, c.name);
    if (f) compiled.push({ f, how: `log_format ${c.name} (access_log ${c.def?.resolvedPath})` });
  }
  const detectPool = () => [
    ...[...model.logFormats.keys()].map((n) => ({ f: compileNamed(model, n)!, how: `detected: log_format ${n}` })).filter((x) => x.f),
    { f: combinedFormat(), how: 'detected: combined' },
  ];
  if (compiled.length === 1) {
    const alternatives = detectPool().map((p) => p.f).filter((f) => f.name !== compiled[0].f.name);
    return { format: compiled[0].f, how: compiled[0].how, alternatives };
  }
  // Several formats write to the file, or none names it: the one that reads the sample best.
  const pool = compiled.length ? compiled : detectPool();
  let best = pool[0];
  let bestScore = -1;
  for (const p of pool) {
    let score = 0;
    for (const line of sample) if (p.f.match(line)) score++;
    if (score > bestScore) (best = p), (bestScore = score);
  }
  return { format: best.f, how: best.how, alternatives: pool.map((p) => p.f).filter((f) => f !== best.f) };
}

function compileNamed(model: HttpModel, name: string): LogFormat | undefined {
  if (name === 'combined') return combinedFormat();
  const def = model.logFormats.get(name);
  if (!def) return undefined;
  try {
    return compileLogFormat(name, def.format, def.escape);
  } catch {
    return undefined;
  }
}

/** Logged variables the router reads directly, whatever the configuration mentions. */
const ROUTING_FACTS = new Set([
  'request',
  'request_method',
  'request_uri',
  'server_protocol',
  'host',
  'http_host',
  'server_name',
  'server_port',
  'server_addr',
  'remote_addr',
  'scheme',
  'status',
  'http_referer',
  'http_cookie',
  'http_x_forwarded_for',
  'realip_remote_addr',
  'limit_req_status',
  'limit_conn_status',
]);

interface FormatReader {
  f: LogFormat;
  statusOcc: number;
  requestOcc: number;
  needed: string[];
  neededAt: number[];
}

export interface TraceOptions {
  /** Which statuses to attribute. Default: 444 only. */
  statuses?: ReadonlySet<number>;
  format?: LogFormat;
  signal?: AbortSignal;
}

/** Streams one log file, calling `onEntry` for every line with a traced status. */
export async function traceLog(
  model: HttpModel,
  logFile: string,
  onEntry: (e: TraceEntry) => void,
  options: TraceOptions = {},
): Promise<{ lines: number; unparsed: number; format: FormatChoice }> {
  const statuses = options.statuses ?? new Set([444]);
  const texts = [...statuses].map(String);
  let format: FormatChoice | undefined = options.format ? { format: options.format, how: 'given' } : undefined;
  const attributor = new Attributor(model, { logFile: posix.resolve(logFile) });
  let lines = 0;
  let unparsed = 0;
  // Per format: where the status and request are, and which values routing can use (only those
  // are unescaped: a timestamp or byte count never decides).
  const readers = new Map<LogFormat, FormatReader>();
  const readerOf = (f: LogFormat): FormatReader => {
    let r = readers.get(f);
    if (!r) {
      const needed = f.variables.filter((v) => ROUTING_FACTS.has(v) || model.referencedVars.has(v) || v.startsWith('cookie_') || v.startsWith('arg_'));
      r = { f, statusOcc: f.indexOf('status'), requestOcc: f.indexOf('request'), needed, neededAt: needed.map((v) => f.indexOf(v)) };
      readers.set(f, r);
    }
    return r;
  };
  // Until the format is known every line is decoded (the first batch is the detection sample);
  // after that a line without the status digits is never decoded: most of a log is not traced.
  const skipLinesWithout = () => (format ? texts : undefined);
  for await (const batch of readLogBatches(logFile, { signal: options.signal, skipLinesWithout })) {
    if (!format) format = formatForLog(model, posix.resolve(logFile), batch.lines.slice(0, 200));
    const primary = readerOf(format.format);
    const alternatives = format.alternatives ?? [];
    for (let i = 0; i < batch.lines.length; i++) {
      const line = batch.lines[i];
      lines++;
      // Cheap pre-filter: the status is written as its digits.
      let has = false;
      for (const t of texts) if (line.includes(t)) has = true;
      if (!has) continue;
      let r = primary;
      let spans = r.f.match(line);
      for (let k = 0; !spans && k < alternatives.length; k++) {
        spans = alternatives[k].match(line);
        if (spans) r = readerOf(alternatives[k]);
      }
      if (!spans) {
        unparsed++;
        continue;
      }
      const f = r.f;
      if (r.statusOcc < 0) continue;
      const st = Number(f.value(line, spans, r.statusOcc));
      if (!statuses.has(st)) continue;
      const values: Record<string, string | undefined> = {};
      for (let v = 0; v < r.needed.length; v++) values[r.needed[v]] = f.value(line, spans, r.neededAt[v]);
      const facts = factsFromLog(pinnedVariables(f, line, r.needed), values, f.escape !== 'default');
      const log: TraceEntry['log'] = { file: logFile, line: batch.firstLine + i };
      if (r.requestOcc >= 0) log.request = { start: editorColumn(line, spans[2 * r.requestOcc]), end: editorColumn(line, spans[2 * r.requestOcc + 1]) };
      onEntry({ log, status: st, attribution: attributor.attribute(facts, st) });
    }
  }
  return { lines, unparsed, format: format ?? { format: combinedFormat(), how: 'empty log' } };
}

// eslint-disable-next-line no-control-regex
const NON_ASCII = /[^\x00-\x7f]/;

/** A byte offset in a latin1-decoded line → the UTF-16 column of the same place once the line is decoded as UTF-8. */
function editorColumn(bytes: string, offset: number): number {
  const before = bytes.slice(0, offset);
  return NON_ASCII.test(before) ? Buffer.from(before, 'latin1').toString('utf8').length : offset;
}

export function ruleKey(r: RuleRef): string {
  return `${r.file}:${r.range.start.line + 1}:${r.range.start.character + 1}`;
}
