// Trace a whole access log against a configuration: every line with a chosen status (444 by
// default) attributed to the rule(s) that produced it. Streams the file; routing answers are
// cached per distinct request, so a large log costs mostly its line parsing.

import { posix } from 'node:path';
import { compileLogFormat, combinedFormat, type LogFormat } from './logs/format';
import { readLogBatches, readStreamBatches } from './logs/reader';
import { knownFormats } from './logs/detect';
import { bytesToText } from './regex/bytes';
import { Attributor, allAccessLogs, logPathVars, logTargetOf, type Attribution } from './http/attribute';
import type { AccessLogDef, HttpModel, RuleRef } from './http/model';
import { factsBuilder, MAX_READINGS, pinnedVariables, type FactsBuilder, type RequestFacts } from './http/request';
import type { FileProbe } from './http/route';

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
  /**
   * Every format the configuration writes this file in, when there are several: a line is read
   * in each that reads it, and only that format's access_logs can have written that reading.
   */
  writers?: LogFormat[];
  /** The formats the access_logs naming this file write it in; undefined when none names it. */
  own?: LogFormat[];
}

/**
 * The log_format nginx writes this file with: from the access_log directives naming it, else
 * detected (always, for lines without a file: `logFile` undefined).
 */
export function formatForLog(model: HttpModel, logFile: string | undefined, sample: readonly string[] = []): FormatChoice {
  const names = logFile ? logTargetOf(model, logFile).names : undefined;
  const candidates: { name: string; def?: AccessLogDef }[] = [];
  if (names) {
    for (const d of allAccessLogs(model)) if (!d.off && names(d)) candidates.push({ name: d.format, def: d });
  }
  const compiled: { f: LogFormat; how: string }[] = [];
  const seen = new Set<string>();
  for (const c of candidates) {
    if (seen.has(c.name)) continue;
    seen.add(c.name);
    const f = compileNamed(model, c.name);
    if (f) compiled.push({ f, how: `log_format ${c.name} (access_log ${c.def?.resolvedPath ?? c.def?.path?.raw})` });
  }
  // The configuration's formats first (a tie keeps the first), then common ones it does not
  // define: a log copied from another server is read, and its lines then match no rule.
  const detectPool = () => {
    const pool = [
      ...[...model.logFormats.keys()].map((n) => ({ f: compileNamed(model, n)!, how: `detected: log_format ${n}` })).filter((x) => x.f),
      { f: combinedFormat(), how: 'detected: combined' },
    ];
    for (const k of knownFormats())
      if (!pool.some((p) => p.f.name === k.name || p.f.source === k.source)) pool.push({ f: k, how: `detected: ${k.name} (a common format this configuration does not define)` });
    return pool;
  };
  // Without an access_log naming the file (a copy under another name, standard input), any
  // access_log may have written it: each in its own format.
  let writers = compiled.length > 1 ? compiled.map((c) => c.f) : undefined;
  if (!compiled.length) {
    const all = [...new Set(allAccessLogs(model).filter((d) => !d.off).map((d) => d.format))].map((n) => compileNamed(model, n)).filter((f) => f !== undefined);
    if (all.length > 1) writers = all;
  }
  if (compiled.length === 1) {
    const alternatives = detectPool().map((p) => p.f).filter((f) => f.name !== compiled[0].f.name);
    return { format: compiled[0].f, how: compiled[0].how, alternatives, own: [compiled[0].f] };
  }
  // Several formats write to the file, or none names it: the one that reads the sample best.
  const pool = compiled.length ? compiled : detectPool();
  let best = pool[0];
  let bestScore = -1;
  for (const p of pool) {
    let score = 0;
    const k = p.f.linesPerRecord;
    if (k === 1) for (const line of sample) if (p.f.match(line)) score++;
    // A record of k lines read counts for its k lines.
    else for (let i = 0; i + k <= sample.length; i++) if (p.f.match(sample.slice(i, i + k).join('\n'))) (score += k), (i += k - 1);
    if (score > bestScore) (best = p), (bestScore = score);
    // A tie keeps the first: once every sample line is read, no later format can win. Scoring
    // the rest cost ~80 ms on bench/trace.mjs (a cold matcher failing on each of 200 lines).
    if (bestScore === sample.length) break;
  }
  return { format: best.f, how: best.how, alternatives: pool.map((p) => p.f).filter((f) => f !== best.f), writers, own: compiled.length ? compiled.map((c) => c.f) : undefined };
}

/** A format's text and escaping: formats alike under two names read lines alike. */
function textOf(f: LogFormat): string {
  return `${f.escape}\u0000${f.source}`;
}

/** Formats by text (textOf): the first of each text, with every name it goes by. */
function byText(formats: readonly LogFormat[]): Map<string, { f: LogFormat; names: string[] }> {
  const groups = new Map<string, { f: LogFormat; names: string[] }>();
  for (const f of formats) {
    const g = groups.get(textOf(f));
    if (g) g.names.push(f.name);
    else groups.set(textOf(f), { f, names: [f.name] });
  }
  return groups;
}

/** A log_format of the configuration (or nginx's predefined combined) by name, compiled. */
export function compileNamed(model: HttpModel, name: string): LogFormat | undefined {
  if (name === 'combined') return combinedFormat();
  const def = model.logFormats.get(name);
  if (!def) return undefined;
  const key = `${name}\0${def.escape}\0${def.format}`;
  if (compiledFormats.has(key)) return compiledFormats.get(key);
  let f: LogFormat | undefined;
  try {
    f = compileLogFormat(name, def.format, def.escape);
  } catch {
    f = undefined;
  }
  if (compiledFormats.size >= 64) compiledFormats.clear();
  compiledFormats.set(key, f);
  return f;
}

/**
 * Formats compiled once per text, across models and log files: every analyzer of a log and every
 * edit of the config used to compile its format again, and the generated matcher then started
 * cold (interpreted) in each, which the first lens request of a large log paid for its first
 * thousands of lines.
 */
const compiledFormats = new Map<string, LogFormat | undefined>();

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
  // auth_basic refuses a request without a user name; client_max_body_size compares the length.
  'remote_user',
  'content_length',
  'http_content_length',
  // Where an upstream's X-Accel-Redirect went: `$uri` and `$args` at log time; without the
  // request line, what the args were (route.ts argsFromLog).
  'uri',
  'args',
  'query_string',
  // A 444 that sent bytes was no close: an upstream's (or a page's) status line (attribute.ts).
  'body_bytes_sent',
  'bytes_sent',
]);

interface FormatReader {
  f: LogFormat;
  statusOcc: number;
  requestOcc: number;
  needed: string[];
  neededAt: number[];
  /** `needed`, then the path variables the format does not log. */
  names: string[];
  /** The path variables' values, at their place in `names`. */
  values: (string | undefined)[];
  build: FactsBuilder;
}

/** A line with a traced status, as routing needs it. */
export interface TracedLine {
  status: number;
  facts: RequestFacts;
  /** Where `$request` is in the line (latin1 offsets), when the format logs it. */
  request?: { start: number; end: number };
  /**
   * The line reads two ways (a field held the separator) and another reading gives this status,
   * not a traced one: the line may not be a traced one at all (see attributeLine).
   */
  otherStatus?: number;
  /** The log_format names this reading is in, when several formats write the file (FormatChoice.writers). */
  formats?: readonly string[];
  /** The same line read in the file's other formats that read it (then `formats` is set on each). */
  alsoAs?: TracedLine[];
  /** Read in a format none of the file's access_logs writes (FormatChoice.own): never certain. */
  foreign?: string;
}

/**
 * The attribution of a traced line, or undefined when it is not one after all: a line whose
 * readings disagree on `$status` is a traced one only if its traced reading is possible, and
 * then never certainly (its other reading may be the true one).
 */
export function attributeLine(attributor: Attributor, t: TracedLine): Attribution | undefined {
  if (t.alsoAs) return attributeReadings(attributor, [t, ...t.alsoAs]);
  let a = attributor.forFormats(t.formats).attribute(t.facts, t.status);
  if (t.foreign !== undefined && a.verdict === 'exact') {
    // Another writer than the configuration's (or the configuration before a change) wrote it.
    a = { ...a, verdict: 'ambiguous', why: `The line is in log_format ${t.foreign}, which no access_log writing this file uses: the configuration changed since, or something else wrote it. ${a.why}` };
  }
  if (t.otherStatus === undefined) return a;
  if (a.verdict === 'unmatched') return undefined;
  const why = `The line reads two ways (a logged value holds the format's separator): with status ${t.status}, as traced here, or with status ${t.otherStatus}. ${a.why}`;
  return { ...a, verdict: 'ambiguous', why };
}

/**
 * A line that several of its file's formats read: each reading is routed among the access_logs
 * of its format; those no history could have written drop out, the others are all possible.
 */
function attributeReadings(attributor: Attributor, readings: readonly TracedLine[]): Attribution | undefined {
  const found: { t: TracedLine; a: Attribution }[] = [];
  let unmatched: Attribution | undefined;
  for (const t of readings) {
    const a = attributeLine(attributor, { ...t, alsoAs: undefined });
    if (!a) continue;
    if (a.verdict === 'unmatched') unmatched ??= a;
    else found.push({ t, a });
  }
  if (found.length <= 1) return found[0]?.a ?? unmatched;
  const rules: RuleRef[] = [];
  const keys = new Set<string>();
  for (const { a } of found) for (const r of a.rules) if (!keys.has(ruleKey(r))) keys.add(ruleKey(r)), rules.push(r);
  const exact = found.every(({ a }) => a.verdict === 'exact') && rules.length === 1;
  const why = found.map(({ t, a }) => `read as log_format ${t.formats?.join('/') ?? '?'}: ${a.why}`).join(' | ');
  return {
    verdict: exact ? 'exact' : 'ambiguous',
    rules,
    why: `The line reads in ${found.length} of the formats written to this file. ${why}`,
    missing: [...new Set(found.flatMap(({ a }) => a.missing))],
    outcomes: found.flatMap(({ a }) => a.outcomes),
  };
}

/**
 * attributeLine, where a fault of ours in one line's routing (a bug, a file system answer we did
 * not expect) answers that line "cannot tell" instead of ending the trace of the whole log.
 */
export function attributeSafely(attributor: Attributor, t: TracedLine): Attribution | undefined {
  try {
    return attributeLine(attributor, t);
  } catch (err) {
    const why = `this line could not be traced (${err instanceof Error ? err.message : String(err)}): any rule may have produced it`;
    return { verdict: 'ambiguous', rules: [], why, missing: [], outcomes: [] };
  }
}

/**
 * Reads log lines (latin1 byte strings) in a chosen format, falling back to its alternatives for
 * a line it does not read. Only the values routing can use are unescaped: a timestamp or a byte
 * count never decides. Shared by `traceLog` and the editor's log lenses.
 */
export class TracedLineReader {
  private readonly readers = new Map<LogFormat, FormatReader>();
  private readonly alternatives: readonly LogFormat[];
  /** The file's formats (FormatChoice.writers), those of one text together: undefined for one. */
  private readonly writers: readonly { f: LogFormat; names: string[] }[] | undefined;
  /** FormatChoice.own, by text. */
  private readonly own: ReadonlyMap<string, { names: string[] }> | undefined;

  constructor(
    readonly model: HttpModel,
    readonly choice: FormatChoice,
    readonly statuses: ReadonlySet<number>,
    /** Variables the log file's name gives every line (http/attribute.ts logPathVars). */
    readonly pathVars: Readonly<Record<string, string>> = {},
  ) {
    this.alternatives = choice.alternatives ?? [];
    if (choice.own) this.own = byText(choice.own);
    if (choice.writers) {
      const groups = byText(choice.writers);
      if (groups.size > 1) this.writers = [...groups.values()];
    }
  }

  private readerOf(f: LogFormat): FormatReader {
    let r = this.readers.get(f);
    if (!r) {
      const m = this.model;
      const needed = f.variables.filter((v) => ROUTING_FACTS.has(v) || m.referencedVars.has(v) || v.startsWith('cookie_') || v.startsWith('arg_'));
      const names = [...needed];
      const values: (string | undefined)[] = needed.map(() => undefined);
      this.addPathVars(names, values);
      const build = factsBuilder(names, f.escape !== 'default');
      r = { f, statusOcc: f.indexOf('status'), requestOcc: f.indexOf('request'), needed, neededAt: needed.map((v) => f.indexOf(v)), names, values, build };
      this.readers.set(f, r);
    }
    return r;
  }

  /** The log file's path variables that `names` lacks, appended with their values. */
  private addPathVars(names: string[], values: (string | undefined)[]): void {
    for (const [name, v] of Object.entries(this.pathVars)) {
      if (names.includes(name)) continue;
      names.push(name);
      values.push(v);
    }
  }

  /**
   * Builders for the variable lists of lines that split two ways, by list: a few lists recur
   * (a user agent holding the separator leaves the same fields in doubt), and each builder is
   * generated code, too costly to make per line.
   */
  private readonly pinnedBuilders = new Map<string, FactsBuilder>();

  private builderOf(logged: readonly string[], absentIsEmpty: boolean): FactsBuilder {
    const key = `${absentIsEmpty ? 1 : 0}\u0000${logged.join('\u0000')}`;
    let b = this.pinnedBuilders.get(key);
    if (!b) {
      if (this.pinnedBuilders.size >= 64) this.pinnedBuilders.clear();
      this.pinnedBuilders.set(key, (b = factsBuilder(logged, absentIsEmpty)));
    }
    return b;
  }

  /** The reader and spans of the first format that reads the line. */
  private match(line: string): { r: FormatReader; spans: Int32Array } | undefined {
    let spans = this.choice.format.match(line);
    if (spans) return { r: this.readerOf(this.choice.format), spans };
    for (const f of this.alternatives) {
      spans = f.match(line);
      if (spans) return { r: this.readerOf(f), spans };
    }
    return undefined;
  }

  /** The line's status when it is a traced one (fast match only), else undefined. */
  statusOf(line: string): number | undefined {
    if (this.writers) {
      let read = false;
      for (const w of this.writers) {
        const spans = w.f.match(line);
        if (!spans) continue;
        read = true;
        const st = this.statusIn(line, { r: this.readerOf(w.f), spans });
        if (st !== undefined) return st;
      }
      if (read) return undefined;
    }
    const m = this.match(line);
    return m && this.statusIn(line, m);
  }

  private statusIn(line: string, m: { r: FormatReader; spans: Int32Array }): number | undefined {
    if (m.r.statusOcc < 0) return undefined;
    const { f, statusOcc } = m.r;
    const st = Number(f.value(line, m.spans, statusOcc));
    if (this.statuses.has(st)) return st;
    // Another reading of a line that reads two ways may give a traced status (as `read` finds).
    if (!f.mayBeAmbiguous) return undefined;
    for (const sp of f.allReadings(line, MAX_READINGS) ?? []) {
      const other = Number(f.value(line, sp, statusOcc));
      if (this.statuses.has(other)) return other;
    }
    return undefined;
  }

  /** `match`, also telling whether the line reads two ways in that format. */
  private matchReadings(line: string): { r: FormatReader; spans: Int32Array; twoWays: boolean } | undefined {
    let m = this.choice.format.matchReadings(line);
    if (m) return { r: this.readerOf(this.choice.format), spans: m.spans, twoWays: m.twoWays };
    for (const f of this.alternatives) {
      m = f.matchReadings(line);
      if (m) return { r: this.readerOf(f), spans: m.spans, twoWays: m.twoWays };
    }
    return undefined;
  }

  /** The traced line, undefined for another status, 'unreadable' when no format reads it. */
  read(line: string): TracedLine | undefined | 'unreadable' {
    if (this.writers) {
      // Each of the file's formats that reads the line gives a reading (attributeReadings).
      let read = false;
      let other: number | undefined;
      const found: TracedLine[] = [];
      for (const w of this.writers) {
        const m = w.f.matchReadings(line);
        if (!m) continue;
        read = true;
        const r = this.readerOf(w.f);
        const t = this.readMatch(line, { r, ...m });
        if (t) found.push({ ...t, formats: w.names });
        else if (r.statusOcc >= 0) other ??= Number(w.f.value(line, m.spans, r.statusOcc));
      }
      // A writer that reads another status: the line may not be a traced one (as attributeLine says).
      if (other !== undefined) for (const t of found) t.otherStatus ??= other;
      if (found.length > 1) return { ...found[0], alsoAs: found.slice(1) };
      if (read) return found[0];
    }
    const m = this.matchReadings(line);
    if (!m) return 'unreadable';
    const t = this.readMatch(line, m);
    if (t && this.own) {
      const names = this.own.get(textOf(m.r.f))?.names;
      if (!names) t.foreign = m.r.f.name;
      // Read in one of the file's several formats (one the user chose): only its access_logs wrote it.
      else if (this.own.size > 1) t.formats = names;
    }
    return t;
  }

  private readMatch(line: string, m: { r: FormatReader; spans: Int32Array; twoWays: boolean }): TracedLine | undefined {
    const { r } = m;
    let { spans, twoWays } = m;
    const f = r.f;
    if (r.statusOcc < 0) return undefined;
    const statusIn = (sp: Int32Array) => Number(f.value(line, sp, r.statusOcc));
    let status = statusIn(spans);
    let otherStatus: number | undefined;
    // The readings the facts come from (pinnedVariables), when listed.
    let readings: Int32Array[] | undefined;
    if (twoWays) {
      // The first reading's status is not the line's when the readings disagree on it.
      readings = f.allReadings(line, MAX_READINGS);
      const traced = readings?.filter((sp) => this.statuses.has(statusIn(sp))) ?? [];
      const other = readings?.find((sp) => !this.statuses.has(statusIn(sp)));
      if (readings && !traced.length) return undefined;
      if (other && traced.length) {
        // If the line is a traced one, it is one of the traced readings: only they count.
        otherStatus = statusIn(other);
        readings = traced;
        spans = traced[0];
        status = statusIn(spans);
        if (traced.length === 1) twoWays = false;
      }
    }
    if (!this.statuses.has(status)) return undefined;
    const values = r.values.slice();
    for (let v = 0; v < r.needed.length; v++) values[v] = f.value(line, spans, r.neededAt[v]);
    let facts: RequestFacts;
    if (!twoWays) facts = r.build(values);
    else {
      // The line splits more than one way: only what every reading gives is known (pinnedVariables;
      // the match already knows whether it does, which spares its re-reading for every other line).
      const logged = [...pinnedVariables(f, line, r.needed, readings)];
      const known = logged.map((n) => values[r.needed.indexOf(n)]);
      this.addPathVars(logged, known);
      facts = this.builderOf(logged, f.escape !== 'default')(known);
    }
    const request = r.requestOcc >= 0 ? { start: spans[2 * r.requestOcc], end: spans[2 * r.requestOcc + 1] } : undefined;
    return otherStatus === undefined ? { status, facts, request } : { status, facts, request, otherStatus };
  }
}

export interface TraceOptions {
  /** Which statuses to attribute. Default: 444 only. */
  statuses?: ReadonlySet<number>;
  format?: LogFormat;
  signal?: AbortSignal;
  /** Whether entries carry `log.request` (editor columns of `$request`). Default true. */
  requestRange?: boolean;
  /** The file system for nginx's file questions (`if (-f ...)`, try_files); without it they fork. */
  files?: FileProbe;
  /**
   * The log's bytes from a stream instead of the file (standard input); `logFile` is then only its
   * name for entries. Unless `writtenTo` says which file nginx wrote the lines to, every access_log
   * may have, and the format is detected.
   */
  stream?: AsyncIterable<Buffer>;
  /** For a stream: the path nginx wrote its lines to (an access_log's, e.g. /dev/stdout in a container). */
  writtenTo?: string;
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
  // Where the lines were written, as nginx names files: for a stream, only what the caller says.
  const written = options.stream ? options.writtenTo && posix.resolve(options.writtenTo) : posix.resolve(logFile);
  const attributor = new Attributor(model, { logFile: written, files: options.files });
  let lines = 0;
  let unparsed = 0;
  let reader: TracedLineReader | undefined;
  const wantRequest = options.requestRange !== false;
  // Until the format is known every line is decoded (the first batch is the detection sample);
  // after that a line without the status digits is never decoded: most of a log is not traced.
  // A format whose text holds line breaks writes each request on several lines: those are read
  // whole (no line is skipped), as records of that many lines.
  const perRecord = () => format?.format.linesPerRecord ?? 1;
  const skipLinesWithout = () => (format && perRecord() === 1 ? texts : undefined);
  const readOptions = { signal: options.signal, skipLinesWithout, dropSkipped: true };
  const batches = options.stream ? readStreamBatches(options.stream, logFile, readOptions) : readLogBatches(logFile, readOptions);
  const trace = (line: string, lineNo: number) => {
    // Cheap pre-filter: the status is written as its digits.
    let has = false;
    for (const t of texts) if (line.includes(t)) has = true;
    if (!has) return;
    const t = reader!.read(line);
    if (t === 'unreadable') unparsed++;
    if (t === undefined || t === 'unreadable') return;
    const attribution = attributeSafely(attributor, t);
    if (!attribution) return;
    const log: TraceEntry['log'] = { file: logFile, line: lineNo };
    // The request's place is given when it is on the record's first line.
    if (t.request && wantRequest && line.lastIndexOf('\n', t.request.end - 1) === -1) log.request = { start: editorColumn(line, t.request.start), end: editorColumn(line, t.request.end) };
    onEntry({ log, status: t.status, attribution });
  };
  const record = new RecordJoiner();
  for await (const batch of batches) {
    if (!format) format = formatForLog(model, written, batch.lines.slice(0, 200));
    reader ??= new TracedLineReader(model, format, statuses, logPathVars(model, written));
    lines = batch.nextLine - 1;
    const k = perRecord();
    for (let i = 0; i < batch.lines.length; i++) {
      if (k === 1) trace(batch.lines[i], batch.numbers![i]);
      else {
        const r = record.push(batch.lines[i], batch.numbers![i], k, format.format);
        if (r) trace(r.text, r.line);
      }
    }
  }
  return { lines, unparsed, format: format ?? { format: combinedFormat(), how: 'empty log' } };
}

/**
 * Consecutive lines joined into the records of a format that spans `k` lines. The first record
 * starts at the first line; when `k` lines do not read as one record (a line lost, a record cut
 * at rotation), the oldest is dropped and the next one tried as a start.
 */
export class RecordJoiner {
  private texts: string[] = [];
  private numbers: number[] = [];

  push(line: string, lineNo: number, k: number, format: LogFormat): { text: string; line: number } | undefined {
    this.texts.push(line);
    this.numbers.push(lineNo);
    // Lines must follow one another: a gap (a skipped or unread line) starts over.
    if (this.numbers.length > 1 && this.numbers[this.numbers.length - 2] !== lineNo - 1) (this.texts = [line]), (this.numbers = [lineNo]);
    if (this.texts.length < k) return undefined;
    const text = this.texts.join('\n');
    if (!format.match(text)) {
      this.texts.shift();
      this.numbers.shift();
      return undefined;
    }
    const first = this.numbers[0];
    this.texts = [];
    this.numbers = [];
    return { text, line: first };
  }
}

/** A byte offset in a latin1-decoded line → the UTF-16 column of the same place once the line is decoded as UTF-8. */
function editorColumn(bytes: string, offset: number): number {
  const before = bytes.slice(0, offset);
  return bytesToText(before).length;
}

export function ruleKey(r: RuleRef): string {
  return `${r.file}:${r.range.start.line + 1}:${r.range.start.character + 1}`;
}
