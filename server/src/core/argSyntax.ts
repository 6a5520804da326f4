// Argument-count rules derived from the reference's syntax lines.
//
// The reference writes syntax in nginx.org's notation (Markdown flavour):
// `literal`, *`placeholder`*, [optional], a | b alternatives, `x ...` repetition,
// `{...}` for a block. Pieces written without a space between them form one
// argument (`*`address`*[:*`port`*]`), so a space is what separates arguments,
// as it is for nginx's tokenizer. We compute the set of argument counts each
// line allows; several lines are a union.
//
// nginx itself checks counts with NGX_CONF_TAKE*/1MORE/2MORE flags, which the
// reference does not carry. A derived rule is only marked `exact` (safe to
// enforce) when nothing in the line makes the count uncertain: free text with
// quotes or parentheses (`(condition)`, `'sub { ... }'`) or a placeholder that
// stands for a list of words (`[parameters]`).

/** A set of argument counts: the listed values plus every count >= `from`. */
export interface CountSet {
  values: number[];
  from?: number;
}

export interface ArgRule extends CountSet {
  /** Whether the rule may be enforced: every syntax line parsed without doubt. */
  exact: boolean;
  /** Whether some syntax line ends in `{...}`. */
  block: boolean;
}

type Tok =
  | { t: 'piece'; kind: 'literal' | 'placeholder' | 'text'; text: string }
  | { t: 'ws' | '[' | ']' | '|' | '...' | 'block' };

function tokenize(s: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === ' ' || c === '\t' || c === '\n') {
      while (i < s.length && /\s/.test(s[i])) i++;
      out.push({ t: 'ws' });
      continue;
    }
    if (c === '*' && s[i + 1] === '`') {
      const end = s.indexOf('`*', i + 2);
      if (end !== -1) {
        out.push({ t: 'piece', kind: 'placeholder', text: s.slice(i + 2, end) });
        i = end + 2;
        continue;
      }
    }
    if (c === '`') {
      const end = s.indexOf('`', i + 1);
      if (end !== -1) {
        const text = s.slice(i + 1, end);
        out.push(text === '{...}' ? { t: 'block' } : { t: 'piece', kind: 'literal', text });
        i = end + 1;
        continue;
      }
    }
    if (s.startsWith('...', i)) {
      out.push({ t: '...' });
      i += 3;
      continue;
    }
    if (c === '[' || c === ']' || c === '|') {
      out.push({ t: c });
      i++;
      continue;
    }
    let j = i;
    while (j < s.length && !/[\s[\]|`*]/.test(s[j]) && !s.startsWith('...', j)) j++;
    if (j === i) j = i + 1;
    out.push({ t: 'piece', kind: 'text', text: s.slice(i, j) });
    i = j;
  }
  return out;
}

const MAX_VALUES = 16;

function norm(c: CountSet): CountSet {
  let values = [...new Set(c.values)].sort((a, b) => a - b);
  let from = c.from;
  if (from !== undefined) values = values.filter((v) => v < from!);
  // Fold a run of values ending just below `from` into it.
  while (from !== undefined && values.length && values[values.length - 1] === from - 1) from = values.pop()!;
  if (values.length > MAX_VALUES) {
    from = Math.min(values[0], from ?? Infinity);
    values = [];
  }
  return from === undefined ? { values } : { values, from };
}

function union(a: CountSet, b: CountSet): CountSet {
  const from = a.from === undefined ? b.from : b.from === undefined ? a.from : Math.min(a.from, b.from);
  return norm({ values: [...a.values, ...b.values], from });
}

function sum(a: CountSet, b: CountSet): CountSet {
  const values: number[] = [];
  for (const x of a.values) for (const y of b.values) values.push(x + y);
  let from: number | undefined;
  const minA = minOf(a);
  const minB = minOf(b);
  if (a.from !== undefined) from = a.from + minB;
  if (b.from !== undefined) from = Math.min(from ?? Infinity, b.from + minA);
  return norm({ values, from });
}

export function minOf(c: CountSet): number {
  return Math.min(c.values.length ? c.values[0] : Infinity, c.from ?? Infinity);
}

export function countAllowed(c: CountSet, n: number): boolean {
  return c.values.includes(n) || (c.from !== undefined && n >= c.from);
}

/** "1 or 2", "at least 2", "none" — for messages. */
export function describeCounts(c: CountSet): string {
  const parts = c.values.map(String);
  if (c.from !== undefined) parts.push(`${c.from} or more`);
  if (parts.length === 0) return 'none';
  if (parts.length === 1) return parts[0] === '0' ? 'no arguments' : parts[0];
  return parts.slice(0, -1).join(', ') + ' or ' + parts[parts.length - 1];
}

const ZERO: CountSet = { values: [0] };
const ONE: CountSet = { values: [1] };

/** Placeholders that the docs use for a list of several words, not one argument. */
const LIST_PLACEHOLDERS = /^(parameters|params|options|flags)$/;

class LineParser {
  private i = 0;
  doubtful = false;
  block = false;
  constructor(private readonly toks: Tok[]) {}

  private peek(): Tok | undefined {
    return this.toks[this.i];
  }

  parse(): CountSet {
    const c = this.alt();
    if (this.i < this.toks.length) this.doubtful = true; // stray ']'
    return c;
  }

  private alt(): CountSet {
    let c = this.concat();
    while (this.peek()?.t === '|') {
      this.i++;
      c = union(c, this.concat());
    }
    return c;
  }

  /** Whitespace-separated units, each a run of glued atoms. */
  private concat(): CountSet {
    let total: CountSet = ZERO;
    for (;;) {
      while (this.peek()?.t === 'ws') this.i++;
      const tok = this.peek();
      if (!tok || tok.t === '|' || tok.t === ']') return total;
      if (tok.t === '...') {
        // A repetition mark on its own applies to the unit before it, which is already summed:
        // "x ..." means "x" once or more, so the count becomes unbounded from here.
        this.i++;
        total = norm({ values: [], from: minOf(total) });
        continue;
      }
      total = sum(total, this.unit());
    }
  }

  /** Atoms written without whitespace between them: one argument (or nothing when all are optional). */
  private unit(): CountSet {
    const atoms: CountSet[] = [];
    for (;;) {
      const tok = this.peek();
      if (!tok || tok.t === 'ws' || tok.t === '|' || tok.t === ']') break;
      if (tok.t === '...') {
        this.i++;
        const last = atoms.pop() ?? ZERO;
        atoms.push(norm({ values: [], from: minOf(last) }));
        continue;
      }
      atoms.push(this.atom());
    }
    if (atoms.length === 1) return atoms[0];
    if (atoms.length === 0) return ZERO;
    // Several glued atoms make one word if any of them is mandatory. An optional group with
    // spaces inside glued to something is not expected in the notation: treat it as doubtful.
    if (atoms.some((a) => minOf(a) > 1 || a.from !== undefined)) this.doubtful = true;
    return atoms.some((a) => minOf(a) > 0) ? ONE : { values: [0, 1] };
  }

  private atom(): CountSet {
    const tok = this.toks[this.i++];
    if (tok.t === '[') {
      const inner = this.alt();
      if (this.peek()?.t === ']') this.i++;
      else this.doubtful = true;
      return union(ZERO, inner);
    }
    if (tok.t === 'block') {
      this.block = true;
      return ZERO;
    }
    if (tok.t === 'piece') {
      if (tok.kind === 'text' && /['"(){}]/.test(tok.text)) this.doubtful = true;
      if (tok.kind === 'placeholder' && LIST_PLACEHOLDERS.test(tok.text)) this.doubtful = true;
      // js_import's *`export_name from module.js`*: one placeholder written as several words.
      const words = tok.text.trim().split(/\s+/).length;
      return words > 1 ? { values: [words] } : ONE;
    }
    // ']' or '|' cannot start an atom here (callers stop on them).
    this.doubtful = true;
    return ZERO;
  }
}

export function parseSyntaxLine(line: string): { counts: CountSet; exact: boolean; block: boolean } {
  const p = new LineParser(tokenize(line.trim()));
  const counts = p.parse();
  return { counts, exact: !p.doubtful, block: p.block };
}

/** The argument rule for a directive from all of its syntax lines (one module's entry). */
export function argRuleOf(syntax: readonly string[]): ArgRule {
  if (syntax.length === 0) return { values: [], from: 0, exact: false, block: false };
  let counts: CountSet | undefined;
  let exact = true;
  let block = false;
  for (const line of syntax) {
    const r = parseSyntaxLine(line);
    counts = counts ? union(counts, r.counts) : r.counts;
    exact &&= r.exact;
    block ||= r.block;
  }
  // A long run of optional parameters ([backlog=n] [rcvbuf=size] ...) is how the docs describe
  // directives nginx declares NGX_CONF_1MORE and parses itself; only trust small upper bounds.
  if (counts!.from === undefined && counts!.values.length && counts!.values[counts!.values.length - 1] >= 4) {
    counts = { values: [], from: counts!.values[0] };
  }
  return { ...counts!, exact, block };
}

/** Widens a rule by extra accepted counts. */
export function widen(rule: ArgRule, extra: { values?: readonly number[]; from?: number }): ArgRule {
  const c = union(rule, { values: [...(extra.values ?? [])], from: extra.from });
  return { ...c, exact: rule.exact, block: rule.block };
}
