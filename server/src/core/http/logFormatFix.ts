// The quick fix that makes future attribution exact: when an answer is ambiguous because the log
// does not record what would decide it (`$host`, `$server_port`, a header), log it. The
// variables are added to the log_format that writes the log; a log written with nginx's built-in
// `combined` (which cannot be changed) gets a new log_format, the combined text plus the
// variables, and its access_log directives are switched to it. Lines already written keep their
// format: the log readers try the file's other formats on a line the current one does not read.

import type { Fix, TextEdit } from '../diagnostic';
import type { Arg, Directive, Position, Range } from '../syntax';
import { COMBINED_FORMAT } from '../logs/format';
import { allAccessLogs, logFilterFor } from './attribute';
import { DEFAULT_ACCESS_LOG, type HttpModel, type RuleRef } from './model';

/** `$host`, `$server_port`: the plain variable names among what an answer lacked (others carry reasons). */
export function loggableVariables(lacking: readonly string[]): string[] {
  const out: string[] = [];
  for (const m of lacking) {
    const v = /^\$([A-Za-z_][A-Za-z0-9_]*)$/.exec(m)?.[1];
    if (v && !out.includes(v)) out.push(v);
  }
  return out;
}

/**
 * The fix that makes a log record what its ambiguous answers lacked (`lacking`: their `missing`
 * lists), leaving out what its format already logs; undefined when there is nothing to add or no
 * way to say where.
 */
export function loggingFix(
  model: HttpModel,
  logFile: string,
  format: { readonly name: string; readonly variables: readonly string[] },
  lacking: readonly string[],
): { fix: Fix; vars: string[] } | undefined {
  const logged = new Set(format.variables);
  const vars = loggableVariables(lacking).filter((v) => !logged.has(v));
  const fix = logVariablesFix(model, logFile, format.name, vars);
  return fix && { fix, vars };
}

/**
 * Edits that make the log `logFile` (written with log_format `formatName`) record `variables`
 * (names without `$`), or undefined when the configuration does not say which directives to change
 * (no access_log names the file and the format is the built-in one).
 */
export function logVariablesFix(model: HttpModel, logFile: string, formatName: string, variables: readonly string[]): Fix | undefined {
  if (!variables.length) return undefined;
  const shown = variables.map((v) => `$${v}`).join(' and ');
  const def = model.logFormats.get(formatName);
  if (def?.d && def.d.args.length >= 2) {
    const edit = appendToFormat(def.d, def.format, variables);
    return {
      title: `Log ${shown} (add to log_format ${formatName}) so that nginx-lens can tell these drops apart`,
      edits: [edit],
    };
  }
  if (formatName !== 'combined' || def) return undefined;
  const http = model.http?.directive;
  const filter = logFilterFor(model, logFile);
  if (!http?.block || !filter) return undefined;
  const writers = allAccessLogs(model).filter((d) => !d.off && d.format === 'combined' && filter(d));
  if (!writers.length) return undefined;
  const name = freshName(`combined_${variables.join('_')}`, (n) => model.logFormats.has(n));
  const children = http.block.children;
  const first = children[0];
  const indent = first ? ' '.repeat(first.range.start.character) : '    ';
  const at = first ? first.range.start : http.block.open.end;
  const formatText = `log_format ${name} '${COMBINED_FORMAT}${formatSuffix(COMBINED_FORMAT, variables, "'")}';`;
  const edits: TextEdit[] = [];
  let addDefault = '';
  for (const w of writers) {
    if (!w.d) {
      // nginx's own default log (no access_log anywhere): the same file, in the new format.
      addDefault = `${indent}access_log ${DEFAULT_ACCESS_LOG} ${name};\n`;
      continue;
    }
    const a = w.d.args;
    const fmt = a[1] && !a[1].value.includes('=') ? a[1] : undefined;
    edits.push(fmt ? { file: w.d.file, range: fmt.range, newText: name } : { file: w.d.file, range: point(a[0].range.end), newText: ` ${name}` });
  }
  const insert = first ? `${formatText}\n${addDefault}${indent}` : `\n${indent}${formatText}\n${addDefault}`;
  edits.unshift({ file: http.file, range: point(at), newText: insert });
  return {
    title: `Log ${shown} (a new log_format ${name}: combined plus ${shown}) so that nginx-lens can tell these drops apart`,
    edits,
  };
}

/**
 * The other way to make drops exact, for what no variable records (a header that overflowed, a
 * file test, a limit): a marker. `set $nginx_lens_rule "shop.conf:14";` goes in front of each
 * `return 444` among `rules`, on its line (no line of the config moves), and the log records the
 * variable; the router then keeps only the drop whose marker the line shows (a drop without one
 * logs it empty). Undefined when no rule is a `return` or the log's format cannot be extended.
 */
export function markerFix(model: HttpModel, logFile: string, formatName: string, rules: readonly RuleRef[]): Fix | undefined {
  const returns = new Map<string, RuleRef>();
  for (const r of rules) if (r.directive.name === 'return') returns.set(`${r.directive.file}\0${r.directive.range.start.offset}`, r);
  if (!returns.size) return undefined;
  const name = freshName('nginx_lens_rule', (n) => model.referencedVars.has(n) || model.declaredVars.has(n));
  const logIt = logVariablesFix(model, logFile, formatName, [name]);
  if (!logIt) return undefined;
  const values = new Set<string>();
  const edits: TextEdit[] = [];
  for (const r of returns.values()) {
    const d = r.directive;
    // The file's name and the line: what the admin reads in the log. Only characters that need
    // no escaping in a quoted nginx string (a `$` would start a variable).
    const base = (d.file.split('/').pop() ?? '').replace(/[^A-Za-z0-9._-]/g, '_');
    let value = `${base}:${d.range.start.line + 1}`;
    if (values.has(value)) value += `:${d.range.start.character + 1}`;
    values.add(value);
    edits.push({ file: d.file, range: point(d.range.start), newText: `set $${name} "${value}"; ` });
  }
  const n = returns.size;
  return {
    title: `Mark ${n === 1 ? 'this drop' : `these ${n} drops`} (set $${name} before each return 444) and log the marker, so that nginx-lens can tell them apart`,
    edits: [...edits, ...logIt.edits],
  };
}

/** `base`, or `base_2`, `base_3`...: the first name not `taken` (a log_format's, a variable's). */
function freshName(base: string, taken: (name: string) => boolean): string {
  let name = base;
  for (let i = 2; taken(name); i++) name = `${base}_${i}`;
  return name;
}

const point = (p: Position): Range => ({ start: p, end: p });

/**
 * What to append to a format: ` "$host" $server_port` after a text format, `,"host":"$host"`
 * inside a JSON object's closing brace. `quote` is the quote of the string it goes into.
 */
function formatSuffix(format: string, variables: readonly string[], quote: string): string {
  const dq = quote === '"' ? '\\"' : '"';
  if (isJsonObject(format)) return variables.map((v) => `,${dq}${v}${dq}:${dq}$${v}${dq}`).join('');
  return variables.map((v) => (NUMERIC.has(v) ? ` $${v}` : ` ${dq}$${v}${dq}`)).join('');
}

/** Values that never hold a space or a quote: logged bare, as nginx's own formats do. */
const NUMERIC = new Set(['server_port', 'status', 'request_length', 'body_bytes_sent', 'bytes_sent', 'request_time', 'connection', 'pid', 'msec']);

const isJsonObject = (format: string) => format.trimStart().startsWith('{') && format.trimEnd().endsWith('}');

function appendToFormat(d: Directive, format: string, variables: readonly string[]): TextEdit {
  const last = d.args[d.args.length - 1];
  if (isJsonObject(format)) {
    // Inside the string, before the object's closing brace.
    const i = last.raw.lastIndexOf('}');
    if (i >= 0) return { file: d.file, range: point(positionIn(last, i)), newText: formatSuffix(format, variables, last.quote ?? '') };
  }
  // A new string argument: log_format joins them, whatever quotes the others use.
  return { file: d.file, range: point(last.range.end), newText: ` '${formatSuffix(format, variables, "'")}'` };
}

/** The position of character `i` of an argument's source text. */
function positionIn(arg: Arg, i: number): Position {
  let { line, character } = arg.range.start;
  for (let k = 0; k < i; k++) {
    if (arg.raw.charCodeAt(k) === 10) line++, (character = 0);
    else character++;
  }
  return { line, character, offset: arg.range.start.offset + i };
}
