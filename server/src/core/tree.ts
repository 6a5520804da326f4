// Navigation over the syntax tree: walking with ancestors and finding what is at an offset.
// Iterative, so a pathologically deep file cannot overflow the stack.

import type { Arg, Directive, ParsedFile } from './syntax';
import { containsOffset } from './positions';

/** Visits every directive depth-first in source order; `ancestors` are the enclosing block directives. */
export function walk(
  directives: Directive[],
  visit: (d: Directive, ancestors: readonly Directive[]) => void | 'skip',
  initialAncestors: readonly Directive[] = [],
): void {
  const stack: { list: Directive[]; i: number; ancestors: readonly Directive[] }[] = [
    { list: directives, i: 0, ancestors: initialAncestors },
  ];
  while (stack.length) {
    const top = stack[stack.length - 1];
    if (top.i >= top.list.length) {
      stack.pop();
      continue;
    }
    const d = top.list[top.i++];
    if (visit(d, top.ancestors) === 'skip') continue;
    if (d.block && d.block.children.length) {
      stack.push({ list: d.block.children, i: 0, ancestors: [...top.ancestors, d] });
    }
  }
}

export interface NodeAt {
  directive: Directive;
  ancestors: Directive[];
  /** 'name' when on the directive name, the argument index when on an argument, else 'body'. */
  part: 'name' | number | 'body';
  arg?: Arg;
}

/** The innermost directive whose range contains the offset. */
export function nodeAt(file: ParsedFile, offset: number): NodeAt | undefined {
  let list = file.directives;
  const ancestors: Directive[] = [];
  let found: NodeAt | undefined;
  for (;;) {
    const d = findContaining(list, offset);
    if (!d) return found;
    if (containsOffset(d.nameRange, offset)) return { directive: d, ancestors, part: 'name' };
    const ai = d.args.findIndex((a) => containsOffset(a.range, offset));
    if (ai !== -1) return { directive: d, ancestors, part: ai, arg: d.args[ai] };
    found = { directive: d, ancestors: [...ancestors], part: 'body' };
    if (!d.block) return found;
    ancestors.push(d);
    list = d.block.children;
  }
}

function findContaining(list: Directive[], offset: number): Directive | undefined {
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = list[mid].range;
    if (offset < r.start.offset) hi = mid - 1;
    else if (offset > r.end.offset) lo = mid + 1;
    else return list[mid];
  }
  return undefined;
}

/** Names of the enclosing block directives, outermost first: the context nginx checks directives against. */
export function contextPath(ancestors: readonly Directive[]): string[] {
  return ancestors.map((a) => a.name);
}
