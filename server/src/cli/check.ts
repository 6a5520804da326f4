// `nginx-lens check`: diagnostics for a configuration and everything it includes.

import { resolve } from 'node:path';
import type { Diagnostic, Severity } from '../core/diagnostic';
import { checkFile, NAMED_CONTEXTS } from '../core/check';
import { ParseCache } from '../core/configGraph';
import type { PathMapping } from '../core/includes';
import { NodeFileSystem } from '../node/fileSystem';
import { displayPath } from './displayPath';

export interface JsonDiagnostic {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: Severity;
  code: string;
  message: string;
}

const USAGE = `Usage: nginx-lens check [--json] [--context CONTEXT] [--map FROM=TO] <file>...
  --json           print a JSON array of {file, line, column, endLine, endColumn, severity, code, message} (1-based)
  --context NAME   check the file(s) as a fragment in this context: ${Object.keys(NAMED_CONTEXTS).join(' | ')}
  --map FROM=TO    read absolute include paths under FROM (e.g. /etc/nginx) from TO instead (repeatable;
                   default: detected when the config sits in a copy of /etc/nginx)
Exit status: 0 no errors, 1 errors found, 2 usage error.
`;

export function toJson(d: Diagnostic, cwd: string): JsonDiagnostic {
  return {
    file: displayPath(d.file, cwd),
    line: d.range.start.line + 1,
    column: d.range.start.character + 1,
    endLine: d.range.end.line + 1,
    endColumn: d.range.end.character + 1,
    severity: d.severity,
    code: d.code,
    message: d.message,
  };
}

function usage(message: string): number {
  process.stderr.write(`nginx-lens check: ${message}\n${USAGE}`);
  return 2;
}

export function runCheck(args: string[]): number {
  let json = false;
  let context: string[] | undefined;
  const mappings: PathMapping[] = [];
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const eq = a.indexOf('=');
    const [flag, inline] = a.startsWith('--') && eq > 0 ? [a.slice(0, eq), a.slice(eq + 1)] : [a, undefined];
    const value = (): string | undefined => inline ?? args[++i];
    if (flag === '--json') json = true;
    else if (flag === '-h' || flag === '--help') {
      process.stdout.write(USAGE);
      return 0;
    } else if (flag === '--context') {
      const name = value();
      if (!name || !(name in NAMED_CONTEXTS)) return usage(`--context needs one of: ${Object.keys(NAMED_CONTEXTS).join(', ')}`);
      context = NAMED_CONTEXTS[name];
    } else if (flag === '--map') {
      const m = value();
      const at = m?.indexOf('=') ?? -1;
      if (!m || at <= 0 || !m.startsWith('/')) return usage('--map needs FROM=TO with an absolute FROM');
      mappings.push({ from: m.slice(0, at), to: resolve(m.slice(at + 1)) });
    } else if (a === '--') files.push(...args.slice(i + 1)), (i = args.length);
    else if (a.startsWith('-') && a !== '-') return usage(`unknown option ${a}`);
    else files.push(a);
  }
  if (!files.length) return usage('no configuration file given');

  const cwd = process.cwd();
  const fs = new NodeFileSystem();
  const cache = new ParseCache();
  const all: Diagnostic[] = [];
  let fileCount = 0;
  const summaries: string[] = [];
  for (const f of files) {
    const path = resolve(f);
    const st = fs.stat(path);
    if (!st || st.kind !== 'file') {
      process.stderr.write(`nginx-lens check: ${f}: ${st ? 'not a regular file' : 'no such file'}\n`);
      return 2;
    }
    const r = checkFile(path, fs, { context, graph: { cache, pathMappings: mappings.length ? mappings : undefined } });
    all.push(...r.diagnostics);
    fileCount += r.graph.files.size;
    const ctx = r.contexts === undefined ? 'unknown context' : r.contexts.map((c) => (c.length ? c.join(' > ') : 'main')).join(', ');
    summaries.push(`${displayPath(path, cwd)}: ${r.source === 'main' ? 'main config' : `${ctx} (${r.source})`}`);
  }
  const errors = all.filter((d) => d.severity === 'error').length;
  if (json) {
    process.stdout.write(JSON.stringify(all.map((d) => toJson(d, cwd)), null, 2) + '\n');
  } else {
    let text = '';
    for (const d of all) {
      const j = toJson(d, cwd);
      text += `${j.file}:${j.line}:${j.column}: ${j.severity}: ${j.message} [${j.code}]\n`;
    }
    process.stdout.write(text);
    const warnings = all.filter((d) => d.severity === 'warning').length;
    const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
    process.stderr.write(`${summaries.join('\n')}\n${plural(errors, 'error')}, ${plural(warnings, 'warning')}, ${plural(all.length - errors - warnings, 'note')} in ${plural(fileCount, 'file')}\n`);
  }
  return errors ? 1 : 0;
}
