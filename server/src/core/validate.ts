// The validation pass over one parsed file: what nginx's ngx_conf_handler would reject
// (unknown directive, not allowed here, missing/unexpected block, argument count, duplicates),
// judged against the reference. It never resolves includes: each file is checked on its own,
// in the context it is included from (or an unknown one).
//
// Severity policy: an error only where nginx 1.22 would certainly refuse the configuration.
// An unknown directive is a warning (Debian's nginx-full loads third-party modules the reference
// does not document), and nothing about context is said where the context is unknown.

import type { Diagnostic, Severity } from './diagnostic';
import type { Directive, ParsedFile, Range } from './syntax';
import { countAllowed, describeCounts, minOf } from './argSyntax';
import { compareVersions, directivesAllowedIn, knownDirectiveNames, lookupDirective, lookupVariable, resolvePlace, UNKNOWN_CONTEXT, type DirectiveInfo } from './reference';
import {
  CHANGEABLE_CORE_VARIABLES,
  isLuaDirective,
  REFERENCE_GAPS,
  looksLikeTemplate,
  RAW_CONTENT_BLOCKS,
  SINGLETON_MAIN_BLOCKS,
  thirdPartyModuleOf,
  definedVariable,
} from './structure';

export interface ValidateOptions {
  /** Third-party directive names to accept without a warning (setting nginx-lens.extraDirectives). */
  extraDirectives?: readonly string[];
  /** Also report the parser's syntax errors (codes `syntax-*`). Default false: callers usually do. */
  includeSyntaxErrors?: boolean;
  /** The nginx version configs are checked for (e.g. "1.22.1"); decides "Plus-only before X" notes. */
  nginxVersion?: string;
  /** The target is NGINX Plus: commercial directives are fine. */
  nginxPlus?: boolean;
}

/** Diagnostic codes this pass produces. */
export type ValidationCode =
  | 'unknown-directive'
  | 'third-party-directive'
  | 'nginx-plus-only'
  | 'template-placeholder'
  | 'not-allowed-here'
  | 'missing-block'
  | 'unexpected-block'
  | 'invalid-arg-count'
  | 'duplicate-directive'
  | 'invalid-if-condition'
  | 'duplicate-variable'
  | 'empty-upstream';

export function validateFile(file: ParsedFile, contextPath: readonly string[] | null, opts: ValidateOptions = {}): Diagnostic[] {
  return new Validator(file, opts).run(contextPath ?? [UNKNOWN_CONTEXT]);
}

/** The parser's errors as diagnostics (codes `syntax-<parser code>`). */
export function syntaxErrorDiagnostics(file: ParsedFile): Diagnostic[] {
  return file.errors.map((e) => {
    const d: Diagnostic = { severity: 'error', code: `syntax-${e.code}`, message: e.message, file: file.path, range: e.range };
    if (e.related) d.related = [{ file: file.path, range: e.related.range, message: e.related.message }];
    return d;
  });
}

function span(a: Range, b: Range): Range {
  return { start: a.start, end: b.end };
}

/** Name through last argument: what a directive-level diagnostic underlines. */
function headRange(d: Directive): Range {
  return d.args.length ? span(d.nameRange, d.args[d.args.length - 1].range) : d.nameRange;
}

/**
 * Whether nginx rejects a second occurrence in the same block. Directives stored with
 * ngx_conf_set_{flag,enum,num,size,off,msec,sec,bufs}_slot return "is duplicate"
 * (src/core/ngx_conf_file.c). The reference does not name handlers, so this is inferred from
 * the syntax shapes those slots parse: `on | off`, a choice of keywords, one size/time/number,
 * or `number size`. Checked against nginx 1.22.1's command tables: every directive of these
 * shapes there uses such a slot (or a handler with the same check), bar the few listed in
 * REFERENCE_GAPS.duplicatesAccepted.
 */
function hasSlotShape(d: DirectiveInfo): boolean {
  if (d.syntax.length !== 1 || d.isBlock) return false;
  const s = d.syntax[0];
  if (s === '`on` | `off`') return true;
  if (/^`[^`]+`( \| `[^`]+`)+$/.test(s)) return true;
  if (/^\*`(size|time|number|timeout|rate|length|interval|level)`\*$/.test(s)) return true;
  return s === '*`number`* *`size`*';
}

function rejectsDuplicate(d: DirectiveInfo): boolean {
  if (REFERENCE_GAPS.duplicatesAccepted.some((g) => g.family === d.family && g.names.includes(d.name))) return false;
  return hasSlotShape(d);
}

class Validator {
  private readonly out: Diagnostic[] = [];
  private readonly extra: ReadonlySet<string>;
  private suggestions = 0;

  constructor(
    private readonly file: ParsedFile,
    private readonly opts: ValidateOptions,
  ) {
    this.extra = new Set(opts.extraDirectives ?? []);
  }

  private report(severity: Severity, code: ValidationCode, message: string, range: Range, related?: Diagnostic['related']): void {
    const d: Diagnostic = { severity, code, message, file: this.file.path, range };
    if (related?.length) d.related = related;
    this.out.push(d);
  }

  run(rootPath: readonly string[]): Diagnostic[] {
    if (this.opts.includeSyntaxErrors) this.out.push(...syntaxErrorDiagnostics(this.file));
    // A file included inside map/geo/types... holds entries, not directives.
    if (resolvePlace(rootPath)?.opaque) return this.out;
    // Iterative over blocks: a file may nest thousands deep.
    const stack: { list: Directive[]; path: readonly string[] }[] = [{ list: this.file.directives, path: rootPath }];
    while (stack.length) {
      const { list, path } = stack.pop()!;
      const firstSeen = new Map<string, Directive>();
      for (const d of list) {
        const childPath = this.directive(d, path, firstSeen);
        if (childPath && d.block && d.block.children.length) stack.push({ list: d.block.children, path: childPath });
      }
    }
    this.out.sort((a, b) => a.range.start.offset - b.range.start.offset);
    return this.out;
  }

  /** Checks one directive; returns the context path for its block's contents, or null to skip them. */
  private directive(d: Directive, path: readonly string[], firstSeen: Map<string, Directive>): readonly string[] | null {
    const name = d.name;
    if (this.template(d)) return null;
    if (this.extra.has(name)) return null;

    const look = lookupDirective(name, path);
    if (!look.known) {
      this.unknown(d, path);
      return null;
    }
    if (look.isAllowed === false) {
      this.report('error', 'not-allowed-here', `"${name}" directive is not allowed here (allowed in: ${look.allowedContexts.join(', ')})`, d.nameRange);
      // Contents of a misplaced block: judge them where the block could have stood.
      return d.block && !RAW_CONTENT_BLOCKS.has(name) ? [UNKNOWN_CONTEXT, name] : null;
    }
    if (look.foreign) {
      this.report('warning', 'unknown-directive', `unknown directive "${name}" here: the nginx reference only documents it in ${look.allowedContexts.join(', ')}`, d.nameRange);
      return null;
    }

    // Entries nginx would pick from: the allowed ones, or every candidate when the context is unknown.
    const entries = look.isAllowed ? look.allowed : look.entries;
    this.commercial(d, entries);
    const blockOk = this.blockness(d, entries);
    if (blockOk) this.argCount(d, entries);
    if (blockOk && name === 'if' && entries.every((e) => e.family === 'http')) this.ifCondition(d);
    this.duplicate(d, entries, path, firstSeen);
    if (look.isAllowed && entries.every((e) => e.family === 'http')) this.redefinedVariable(d);
    if (look.isAllowed && name === 'upstream') this.emptyUpstream(d, [...path, name]);

    if (!d.block || d.block.raw || RAW_CONTENT_BLOCKS.has(name) || isLuaDirective(name)) return null;
    return [...path, name];
  }

  /**
   * Template text left in a config ({{ }}, {% %}, envsubst ${VAR}). nginx reads such braces as
   * blocks, so the rest of the directive is noise: name it once and check nothing else there.
   */
  private template(d: Directive): boolean {
    const tokens = [{ raw: d.name, quoted: d.nameQuote !== null, range: d.nameRange }, ...d.args.map((a) => ({ raw: a.raw, quoted: a.quote !== null, range: a.range }))];
    let hit = tokens.find((t, i) => !t.quoted && (looksLikeTemplate(t.raw) || (i === 0 && /^\$\{/.test(t.raw))))?.raw;
    // `x {{ var }}`: the first '{' became this directive's block.
    if (!hit && d.block && this.file.text.startsWith('{{', d.block.open.start.offset)) {
      const from = d.block.open.start.offset;
      const end = this.file.text.indexOf('}}', from);
      hit = this.file.text.slice(from, end === -1 || end - from > 80 ? from + 2 : end + 2);
    }
    if (hit) {
      this.report(
        'warning',
        'template-placeholder',
        `"${hit}" looks like a template placeholder: nginx reads "{" and "}" here as block braces, so this file only loads once the template is rendered`,
        d.block && !d.semicolon ? span(d.nameRange, d.block.open) : headRange(d),
      );
      return true;
    }
    // An envsubst-style ${UPPER_CASE} argument is legal nginx syntax (a variable), but is almost
    // always a placeholder meant to be substituted before nginx reads the file.
    const env = d.args.find((a) => a.quote === null && /^\$\{[A-Z][A-Z0-9_]*\}$/.test(a.raw));
    if (env) {
      this.out.push({
        severity: 'information',
        code: 'template-placeholder',
        message: `${env.raw} looks like an envsubst placeholder; nginx itself would read it as the variable $${env.raw.slice(2, -1)}`,
        file: this.file.path,
        range: env.range,
      });
    }
    return false;
  }

  private unknown(d: Directive, path: readonly string[]): void {
    const name = d.name;
    const place = resolvePlace(path);
    // Lua directives come from an HTTP/stream module: at main or events level nginx knows the
    // name but refuses it there.
    if (isLuaDirective(name) && place && !place.opaque && !place.unknown && place.family === 'core') {
      this.report('error', 'not-allowed-here', `"${name}" directive is not allowed here (a lua-nginx-module directive belongs inside http)`, d.nameRange);
      return;
    }
    const module = thirdPartyModuleOf(name);
    if (module) {
      this.report(
        'information',
        'third-party-directive',
        `"${name}" is not in the nginx reference; it looks like a directive of the third-party ${module} module (loaded by Debian's nginx-full). Add it to nginx-lens.extraDirectives if your nginx has that module.`,
        d.nameRange,
      );
      return;
    }
    // Suggestions cost a scan of the reference: a list of map entries read as directives must not
    // make that quadratic, so only the first few unknown names of a file get one.
    const guess = this.suggestions++ < MAX_SUGGESTIONS ? closestName(name, path) : undefined;
    const d2: Diagnostic = {
      severity: 'warning',
      code: 'unknown-directive',
      message: guess
        ? `unknown directive "${name}": did you mean "${guess}"?`
        : `unknown directive "${name}" (not in the nginx reference; if a third-party module provides it, add it to nginx-lens.extraDirectives)`,
      file: this.file.path,
      // nginx names the line where the directive ends (its ';' or '{'): cover the arguments too.
      range: headRange(d),
    };
    if (guess && d.nameQuote === null) {
      d2.fixes = [{ title: `Change to "${guess}"`, edits: [{ file: this.file.path, range: d.nameRange, newText: guess }] }];
    }
    this.out.push(d2);
  }

  /** Plus-only directives: open-source nginx does not have them and says "unknown directive". */
  private commercial(d: Directive, entries: DirectiveInfo[]): void {
    if (this.opts.nginxPlus || !entries.length || !entries.every((e) => e.commercial)) return;
    const version = this.opts.nginxVersion;
    const until = entries.map((e) => e.commercial!.until);
    if (until.every((u) => u === undefined)) {
      this.report('warning', 'nginx-plus-only', `"${d.name}" is only available in NGINX Plus (commercial subscription); open-source nginx reports it as an unknown directive`, headRange(d));
      return;
    }
    if (!version || until.some((u) => u === undefined || compareVersions(version, u) >= 0)) return;
    this.report('warning', 'nginx-plus-only', `"${d.name}" is in open-source nginx only since ${until[0]} (NGINX Plus before); nginx ${version} reports it as an unknown directive`, headRange(d));
  }

  /** nginx: `directive "x" has no opening "{"` / `directive "x" is not terminated by ";"`. */
  private blockness(d: Directive, entries: DirectiveInfo[]): boolean {
    if (!entries.length) return true;
    if (d.block && entries.every((e) => !e.isBlock)) {
      this.report('error', 'unexpected-block', `directive "${d.name}" is not terminated by ";" (it takes no "{" block)`, span(d.nameRange, d.block.open));
      return false;
    }
    if (!d.block && entries.every((e) => e.isBlock)) {
      // Only when the directive really ended: if the parser stopped at a '}' or end of file, it reported that.
      if (d.semicolon) {
        this.report('error', 'missing-block', `directive "${d.name}" has no opening "{"`, span(d.nameRange, d.semicolon));
        return false;
      }
    }
    return true;
  }

  /** nginx: `invalid number of arguments in "x" directive`, where every reading of the syntax agrees. */
  private argCount(d: Directive, entries: DirectiveInfo[]): void {
    if (!entries.length || !entries.every((e) => e.args.exact)) return;
    const n = d.args.length;
    if (entries.some((e) => countAllowed(e.args, n))) return;
    // Unknown context: every candidate entry must reject the count before we say so.
    const expected = entries.map((e) => describeCounts(e.args));
    const uniq = [...new Set(expected)];
    const tooFew = entries.every((e) => n < minOf(e.args));
    this.report(
      'error',
      'invalid-arg-count',
      `invalid number of arguments in "${d.name}" directive: ${n} given, ${uniq.join(' / ')} expected${tooFew ? '' : ' (a value with spaces needs quotes)'}`,
      headRange(d),
    );
  }

  /** The condition forms ngx_http_rewrite_if_condition accepts (src/http/modules/ngx_http_rewrite_module.c). */
  private ifCondition(d: Directive): void {
    const v = d.args.map((a) => a.value);
    if (v.length === 0) return; // the argument count check reports it
    const bad = (msg: string, range: Range) => this.report('error', 'invalid-if-condition', msg, range);
    if (!v[0].startsWith('(')) return bad(`invalid condition "${v[0]}": an if condition is written in parentheses`, d.args[0].range);
    let cur = 0;
    if (v[0] === '(') cur = 1;
    else v[0] = v[0].slice(1);
    let last = v.length - 1;
    if (!v[last].endsWith(')')) return bad(`invalid condition "${v[last]}": missing ")"`, d.args[last].range);
    if (v[last] === ')') last--;
    else v[last] = v[last].slice(0, -1);
    if (cur > last) return bad('invalid condition: empty', headRange(d));
    const p = v[cur];
    const at = d.args[cur].range;
    if (p.length > 1 && p[0] === '$') {
      if (cur !== last && cur + 2 !== last) return bad(`invalid condition "${p}": expected $variable, or $variable with one operator and one value`, at);
      if (cur === last) return;
      const op = v[cur + 1];
      if (['=', '!=', '~', '~*', '!~', '!~*'].includes(op)) return;
      return bad(`unexpected "${op}" in condition`, d.args[cur + 1].range);
    }
    if ((p.length === 2 && p[0] === '-') || (p.length === 3 && p[0] === '!' && p[1] === '-')) {
      if (cur + 1 !== last) return bad(`invalid condition "${p}": a file test takes one operand`, at);
      if (/^!?-[fdex]$/.test(p)) return;
    }
    return bad(`invalid condition "${p}": expected a $variable or a file test (-f, -d, -e, -x)`, at);
  }

  /** `set $host ...`, `map ... $https`: nginx refuses to redefine a read-only built-in variable. */
  private redefinedVariable(d: Directive): void {
    const v = definedVariable(d);
    if (!v) return;
    const { name, arg } = v;
    if (!name || CHANGEABLE_CORE_VARIABLES.has(name)) return;
    const builtin = lookupVariable(name, 'http').find((v) => !v.prefix && v.module === 'ngx_http_core_module');
    if (!builtin) return;
    this.report('error', 'duplicate-variable', `the duplicate "${name}" variable: $${name} is a built-in variable of ngx_http_core_module and cannot be redefined`, arg.range);
  }

  /** ngx_http_upstream / ngx_stream_upstream (src/{http,stream}/ngx_*_upstream.c): `no servers are inside upstream`. */
  private emptyUpstream(d: Directive, inner: readonly string[]): void {
    const block = d.block;
    if (!block || !block.close) return;
    const kids = block.children;
    // An include may bring the servers; Plus fills a zone'd upstream at run time (from a `state`
    // file or the API); an unknown directive fails nginx before this check anyway.
    if (kids.some((k) => k.name === 'server' || k.name === 'include' || looksLikeTemplate(k.name))) return;
    if (kids.some((k) => this.extra.has(k.name) || lookupDirective(k.name, inner).allowed.some((e) => e.commercial) || !lookupDirective(k.name, inner).known)) return;
    if (this.opts.nginxPlus && kids.some((k) => k.name === 'zone')) return;
    this.report('error', 'empty-upstream', `no servers are inside upstream "${d.args[0]?.value ?? ''}"`, headRange(d), [
      { file: this.file.path, range: block.close, message: 'nginx reports it at the end of the block' },
    ]);
  }

  private duplicate(d: Directive, entries: DirectiveInfo[], path: readonly string[], firstSeen: Map<string, Directive>): void {
    const atMain = path.length === 0;
    const singleton = atMain && SINGLETON_MAIN_BLOCKS.has(d.name);
    if (!singleton && !(entries.length && entries.every(rejectsDuplicate))) return;
    const first = firstSeen.get(d.name);
    if (!first) {
      firstSeen.set(d.name, d);
      return;
    }
    this.report('error', 'duplicate-directive', `"${d.name}" directive is duplicate`, d.nameRange, [
      { file: this.file.path, range: first.nameRange, message: `first "${d.name}" here` },
    ]);
  }
}

const MAX_SUGGESTIONS = 50;

/** Damerau-Levenshtein distance, giving up past `max`. */
function distance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2] + 1);
      cur.push(v);
      best = Math.min(best, v);
    }
    if (best > max) return max + 1;
    prev2 = prev;
    prev = cur;
  }
  return prev[b.length];
}

const allowedNamesCache = new Map<string, string[]>();
function allowedNames(path: readonly string[]): string[] {
  const key = path.join('\u0001');
  let names = allowedNamesCache.get(key);
  if (!names) {
    if (allowedNamesCache.size > 1000) allowedNamesCache.clear();
    allowedNamesCache.set(key, (names = directivesAllowedIn(path).map((d) => d.name)));
  }
  return names;
}

/** A known directive one or two edits away (a typo such as proxy_passs), preferring ones allowed here. */
function closestName(name: string, path: readonly string[]): string | undefined {
  if (name.length < 4 || name.length > 64 || !/^[a-z0-9_]+$/i.test(name)) return undefined;
  const max = name.length < 8 ? 1 : 2;
  const lower = name.toLowerCase();
  let best: { name: string; dist: number } | undefined;
  const consider = (candidates: Iterable<string>) => {
    for (const c of candidates) {
      const dd = distance(lower, c, max);
      if (dd <= max && (!best || dd < best.dist)) best = { name: c, dist: dd };
    }
  };
  consider(allowedNames(path));
  if (!best) consider(knownDirectiveNames());
  return best?.name;
}
