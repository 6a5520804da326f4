// User-defined variables: where `set`, `map`, `geo`, `split_clients`, `perl_set`, `js_set` and
// friends define them, for hover, completion and go-to-definition.

import type { Arg, Directive, ParsedFile } from '../core/syntax';
import { walk } from '../core/tree';

export interface VariableDefinition {
  /** Without '$'. */
  name: string;
  /** The directive that defines it (`set $x ...`, `map $a $x {...}`). */
  directive: Directive;
  /** The argument naming the variable. */
  arg: Arg;
}

/** Which argument names the defined variable, per defining directive (from each module's syntax). */
function definedArg(d: Directive): Arg | undefined {
  switch (d.name) {
    case 'set': // set $variable value;
    case 'perl_set': // perl_set $variable module::function|'sub { ... }';
    case 'js_set': // js_set $variable module.function;
    case 'auth_request_set': // auth_request_set $variable value;
      return d.args[0];
    case 'map': // map string $variable { ... }
    case 'split_clients': // split_clients string $variable { ... }
      return d.block ? d.args[1] : undefined;
    case 'geo': // geo [$address] $variable { ... }
      return d.block ? d.args[d.args.length - 1] : undefined;
    default:
      return undefined;
  }
}

const cache = new WeakMap<ParsedFile, VariableDefinition[]>();

export function variableDefinitionsIn(file: ParsedFile): VariableDefinition[] {
  let defs = cache.get(file);
  if (defs) return defs;
  defs = [];
  const out = defs;
  walk(file.directives, (d) => {
    const a = definedArg(d);
    if (a && a.value.startsWith('$') && a.value.length > 1) {
      out.push({ name: a.value.slice(1).replace(/^\{(.*)\}$/, '$1'), directive: d, arg: a });
    }
    // Block contents of map/geo/split_clients are entries, not directives.
    if (d.name === 'map' || d.name === 'geo' || d.name === 'split_clients' || d.name === 'types') return 'skip';
  });
  cache.set(file, defs);
  return defs;
}

export function variableDefinitions(files: readonly ParsedFile[]): Map<string, VariableDefinition[]> {
  const out = new Map<string, VariableDefinition[]>();
  for (const f of files) {
    for (const def of variableDefinitionsIn(f)) {
      const list = out.get(def.name);
      if (list) list.push(def);
      else out.set(def.name, [def]);
    }
  }
  return out;
}

/** The variable reference (`$name` or `${name}`) covering `offset` inside an argument, if any. */
export function variableAt(arg: Arg, offset: number): { name: string; start: number; end: number } | undefined {
  const raw = arg.raw;
  const base = arg.range.start.offset;
  const rel = offset - base;
  // Only a window around the cursor: an argument may be megabytes long, a variable name is not.
  const from = Math.max(0, rel - 256);
  const window = raw.slice(from, rel + 256);
  const re = /\$(?:\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/g;
  for (let m = re.exec(window); m; m = re.exec(window)) {
    const start = from + m.index;
    const end = start + m[0].length;
    if (rel >= start && rel <= end) return { name: m[1] ?? m[2], start: base + start, end: base + end };
    if (start > rel) break;
  }
  return undefined;
}
