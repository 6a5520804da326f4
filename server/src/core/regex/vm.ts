// A backtracking matcher for the parsed PCRE2 subset, with PCRE2's priority
// order (so the same match and captures as pcre2_match()), an explicit
// backtrack stack (no JS recursion, so long subjects cannot overflow the call
// stack) and a step budget: a pattern that would backtrack for too long
// returns "timeout" instead of hanging the caller.
import type { ByteSet, Node } from './ast';
import { setIsEmpty, setUnion, emptySet } from './ast';
import { WORD } from './parse';

const enum Op {
  Char, // set
  CharRep, // set, min, max, mode: a single-byte item repeated
  Split, // a (preferred), b
  Jmp, // a
  Save, // slot
  Assert, // kind
  Match,
  Fail,
  AtomicStart,
  AtomicEnd,
  LookStart, // behind, negate, onMatch, onFail; cond uses the same
  LookEnd,
  Back, // n: move back n bytes (lookbehind branch start)
  RepInit, // reg
  RepLoop, // reg, min, max, mode, body, exit
  RepNext, // reg
  Backref, // groups, caseless
  CondGroup, // groups, yes (next), no
  Keep,
}

interface Instr {
  op: Op;
  set?: ByteSet;
  min?: number;
  max?: number;
  mode?: number; // 0 greedy, 1 lazy, 2 possessive
  a?: number;
  b?: number;
  slot?: number;
  kind?: string;
  reg?: number;
  groups?: number[];
  caseless?: boolean;
  negate?: boolean;
  onMatch?: number;
  onFail?: number;
  n?: number;
}

export interface Program {
  code: Instr[];
  groupCount: number;
  regCount: number;
  /** Only position 0 can start a match. */
  anchored: boolean;
  /** Bytes a match can start with, or null when the pattern can match empty / starts with an assertion we do not look through. */
  firstSet: ByteSet | null;
}

const MODE = { greedy: 0, lazy: 1, possessive: 2 } as const;
const NO_SET = new Uint8Array(256);
const NO_GROUPS: number[] = [];

export function compileProgram(ast: Node, groupCount: number): Program {
  const code: Instr[] = [];
  let regCount = 0;
  // Every instruction gets the same shape so property access in the run loop stays monomorphic.
  const emit = (i: Instr) =>
    code.push({
      op: i.op,
      set: i.set ?? NO_SET,
      min: i.min ?? 0,
      max: i.max ?? 0,
      mode: i.mode ?? 0,
      a: i.a ?? 0,
      b: i.b ?? 0,
      slot: i.slot ?? 0,
      kind: i.kind ?? '',
      reg: i.reg ?? 0,
      groups: i.groups ?? NO_GROUPS,
      caseless: i.caseless ?? false,
      negate: i.negate ?? false,
      onMatch: i.onMatch ?? 0,
      onFail: i.onFail ?? 0,
      n: i.n ?? 0,
    }) - 1;

  const gen = (n: Node): void => {
    switch (n.type) {
      case 'empty':
        return;
      case 'char':
        emit({ op: Op.Char, set: n.set });
        return;
      case 'seq':
        for (const it of n.items) gen(it);
        return;
      case 'alt': {
        const jumps: number[] = [];
        for (let k = 0; k < n.alts.length; k++) {
          if (k < n.alts.length - 1) {
            const split = emit({ op: Op.Split, a: 0, b: 0 });
            code[split].a = code.length;
            gen(n.alts[k]);
            jumps.push(emit({ op: Op.Jmp, a: 0 }));
            code[split].b = code.length;
          } else gen(n.alts[k]);
        }
        for (const j of jumps) code[j].a = code.length;
        return;
      }
      case 'group':
        emit({ op: Op.Save, slot: 2 * n.index });
        gen(n.body);
        emit({ op: Op.Save, slot: 2 * n.index + 1 });
        return;
      case 'atomic':
        emit({ op: Op.AtomicStart });
        gen(n.body);
        emit({ op: Op.AtomicEnd });
        return;
      case 'repeat': {
        const mode = MODE[n.mode];
        if (n.body.type === 'char') {
          emit({ op: Op.CharRep, set: n.body.set, min: n.min, max: n.max, mode });
          return;
        }
        if (n.mode === 'possessive') {
          gen({ type: 'atomic', body: { ...n, mode: 'greedy' } });
          return;
        }
        if (n.min === 0 && n.max === 1) {
          // X? : no counter needed.
          const split = emit({ op: Op.Split, a: 0, b: 0 });
          const body = code.length;
          gen(n.body);
          const end = code.length;
          code[split].a = mode === 0 ? body : end;
          code[split].b = mode === 0 ? end : body;
          return;
        }
        const reg = regCount;
        regCount += 2; // counter, iteration start
        emit({ op: Op.RepInit, reg });
        const loop = emit({ op: Op.RepLoop, reg, min: n.min, max: n.max, mode, a: 0, b: 0 });
        code[loop].a = code.length;
        gen(n.body);
        emit({ op: Op.RepNext, reg, a: loop });
        code[loop].b = code.length;
        return;
      }
      case 'assert':
        emit({ op: Op.Assert, kind: n.kind });
        return;
      case 'look': {
        const start = emit({ op: Op.LookStart, negate: n.negate, onMatch: 0, onFail: 0 });
        genLookBody(n);
        emit({ op: Op.LookEnd });
        const next = code.length;
        code[start].onMatch = n.negate ? -1 : next;
        code[start].onFail = n.negate ? next : -1;
        return;
      }
      case 'backref':
        emit({ op: Op.Backref, groups: n.groups, caseless: n.caseless });
        return;
      case 'cond': {
        if (n.test.kind === 'group') {
          const c = emit({ op: Op.CondGroup, groups: n.test.groups, b: 0 });
          gen(n.yes);
          const j = emit({ op: Op.Jmp, a: 0 });
          code[c].b = code.length;
          gen(n.no);
          code[j].a = code.length;
          return;
        }
        if (n.test.kind === 'look') {
          const look = n.test.look;
          const start = emit({ op: Op.LookStart, negate: look.negate, onMatch: 0, onFail: 0 });
          genLookBody(look);
          emit({ op: Op.LookEnd });
          const yes = code.length;
          gen(n.yes);
          const j = emit({ op: Op.Jmp, a: 0 });
          const no = code.length;
          gen(n.no);
          code[j].a = code.length;
          code[start].onMatch = look.negate ? no : yes;
          code[start].onFail = look.negate ? yes : no;
          return;
        }
        // (?(R)...) is false outside recursion; (?(DEFINE)...) never runs its body.
        gen(n.test.kind === 'define' ? { type: 'empty' } : n.no);
        return;
      }
      case 'keep':
        emit({ op: Op.Keep });
        return;
      case 'fail':
        emit({ op: Op.Fail });
        return;
      case 'unsupported':
        throw new Error(`unsupported: ${n.what}`);
    }
  };

  const genLookBody = (n: Extract<Node, { type: 'look' }>) => {
    if (!n.behind) {
      gen(n.body);
      return;
    }
    // Each top-level branch has a fixed length: step back by it, then match forwards.
    const alts = n.body.type === 'alt' ? n.body.alts : [n.body];
    const jumps: number[] = [];
    for (let k = 0; k < alts.length; k++) {
      let split = -1;
      if (k < alts.length - 1) split = emit({ op: Op.Split, a: code.length + 1, b: 0 });
      emit({ op: Op.Back, n: fixedLen(alts[k]) });
      gen(alts[k]);
      if (split >= 0) {
        jumps.push(emit({ op: Op.Jmp, a: 0 }));
        code[split].b = code.length;
      }
    }
    for (const j of jumps) code[j].a = code.length;
  };

  gen(ast);
  emit({ op: Op.Match });
  return { code, groupCount, regCount, anchored: isAnchored(ast), firstSet: firstSet(ast) };
}

import { fixedLength as fixedLen } from './parse';

function isAnchored(n: Node): boolean {
  switch (n.type) {
    case 'assert':
      return n.kind === 'start';
    case 'seq':
      for (const it of n.items) {
        if (isAnchored(it)) return true;
        // Zero-width items that cannot move the start let us look further.
        if (it.type === 'look' || (it.type === 'assert' && it.kind !== 'start')) continue;
        return false;
      }
      return false;
    case 'alt':
      return n.alts.every(isAnchored);
    case 'group':
    case 'atomic':
      return isAnchored(n.body);
    default:
      return false;
  }
}

/** The set of bytes every match starts with; null when unknown or the pattern can match empty. */
function firstSet(n: Node): ByteSet | null {
  const r = first(n);
  return r && !r.nullable && !setIsEmpty(r.set) ? r.set : null;
}

function first(n: Node): { set: ByteSet; nullable: boolean } | null {
  switch (n.type) {
    case 'empty':
    case 'keep':
      return { set: emptySet(), nullable: true };
    case 'char':
      return { set: n.set, nullable: false };
    case 'seq': {
      let acc = emptySet();
      for (const it of n.items) {
        if (it.type === 'assert' || it.type === 'look') continue;
        const f = first(it);
        if (!f) return null;
        acc = setUnion(acc, f.set);
        if (!f.nullable) return { set: acc, nullable: false };
      }
      return { set: acc, nullable: true };
    }
    case 'alt': {
      let acc = emptySet();
      let nullable = false;
      for (const a of n.alts) {
        const f = first(a);
        if (!f) return null;
        acc = setUnion(acc, f.set);
        nullable ||= f.nullable;
      }
      return { set: acc, nullable };
    }
    case 'group':
    case 'atomic':
      return first(n.body);
    case 'repeat': {
      const f = first(n.body);
      if (!f) return null;
      return { set: f.set, nullable: f.nullable || n.min === 0 };
    }
    case 'assert':
    case 'look':
      return { set: emptySet(), nullable: true };
    case 'fail':
      return { set: emptySet(), nullable: false };
    default:
      return null;
  }
}

export type VmResult = { kind: 'match'; caps: Int32Array } | { kind: 'nomatch' } | { kind: 'timeout' };

// Backtrack stack entry tags.
const T_BRANCH = 0;
const T_CAP = 1;
const T_REG = 2;
const T_ATOMIC = 3;
const T_LOOK = 4;
const T_GREEDY = 5;
const T_LAZY = 6;

const isWord = (s: string, i: number) => i >= 0 && i < s.length && WORD[s.charCodeAt(i)] === 1;

/**
 * Runs the program over byte string `s`, trying start positions 0..n as
 * pcre2_match() does, within `budget` steps in total.
 */
export function runProgram(prog: Program, s: string, budget: number): VmResult {
  const { code, anchored, firstSet } = prog;
  const n = s.length;
  const caps = new Int32Array(2 * (prog.groupCount + 1));
  const regs = new Int32Array(prog.regCount);
  // Stack of 4-int entries: tag, a, b, c.
  let stack = new Int32Array(1024);
  let sp = 0;
  let steps = 0;

  const push = (t: number, a: number, b: number, c: number) => {
    if (sp + 4 > stack.length) {
      const bigger = new Int32Array(stack.length * 2);
      bigger.set(stack);
      stack = bigger;
    }
    stack[sp] = t;
    stack[sp + 1] = a;
    stack[sp + 2] = b;
    stack[sp + 3] = c;
    sp += 4;
  };

  /** Removes entries above the innermost marker except restore records, and the marker; returns the marker's b field (saved pos). */
  const cut = (): number => {
    let m = sp - 4;
    while (m >= 0 && stack[m] !== T_ATOMIC && stack[m] !== T_LOOK) m -= 4;
    const saved = stack[m + 2];
    let w = m;
    for (let r = m + 4; r < sp; r += 4) {
      const t = stack[r];
      if (t === T_CAP || t === T_REG) {
        stack[w] = t;
        stack[w + 1] = stack[r + 1];
        stack[w + 2] = stack[r + 2];
        stack[w + 3] = stack[r + 3];
        w += 4;
      }
    }
    sp = w;
    return saved;
  };

  /** Pops to (and including) the innermost marker, undoing captures; returns the marker's index. */
  const unwind = (): number => {
    for (;;) {
      sp -= 4;
      const t = stack[sp];
      if (t === T_CAP) caps[stack[sp + 1]] = stack[sp + 2];
      else if (t === T_REG) regs[stack[sp + 1]] = stack[sp + 2];
      else if (t === T_ATOMIC || t === T_LOOK) return sp;
    }
  };

  const lastStart = anchored ? 0 : n;
  for (let start = 0; start <= lastStart; start++) {
    if (firstSet !== null) {
      while (start < n && firstSet[s.charCodeAt(start)] !== 1) start++;
      if (start >= n) break;
    }
    caps.fill(-1);
    caps[0] = start;
    sp = 0;
    let pc = 0;
    let pos = start;
    run: for (;;) {
      if (++steps > budget) return { kind: 'timeout' };
      const ins = code[pc];
      let ok = true;
      switch (ins.op) {
        case Op.Char:
          if (pos < n && ins.set![s.charCodeAt(pos)] === 1) {
            pos++;
            pc++;
          } else ok = false;
          break;
        case Op.CharRep: {
          const set = ins.set!;
          const min = ins.min!;
          const max = ins.max!;
          const begin = pos;
          if (ins.mode === 1) {
            // Lazy: take min, remember how to take more.
            let p = pos;
            while (p - begin < min && p < n && set[s.charCodeAt(p)] === 1) p++;
            if (p - begin < min) {
              ok = false;
              break;
            }
            steps += p - begin;
            const limit = max === Infinity ? n : Math.min(n, begin + max);
            if (p < limit) push(T_LAZY, pc, p, limit);
            pos = p;
            pc++;
            break;
          }
          const limit = max === Infinity ? n : Math.min(n, pos + max);
          let p = pos;
          while (p < limit && set[s.charCodeAt(p)] === 1) p++;
          steps += p - begin;
          if (p - begin < min) {
            ok = false;
            break;
          }
          if (ins.mode === 0 && p > begin + min) push(T_GREEDY, pc + 1, begin + min, p - 1);
          pos = p;
          pc++;
          break;
        }
        case Op.Split:
          push(T_BRANCH, ins.b!, pos, 0);
          pc = ins.a!;
          break;
        case Op.Jmp:
          pc = ins.a!;
          break;
        case Op.Save:
          push(T_CAP, ins.slot!, caps[ins.slot!], 0);
          caps[ins.slot!] = pos;
          pc++;
          break;
        case Op.Keep:
          push(T_CAP, 0, caps[0], 0);
          caps[0] = pos;
          pc++;
          break;
        case Op.Assert:
          ok = assertAt(ins.kind!, s, pos);
          if (ok) pc++;
          break;
        case Op.Match:
          caps[1] = pos;
          return { kind: 'match', caps };
        case Op.Fail:
          ok = false;
          break;
        case Op.AtomicStart:
          push(T_ATOMIC, 0, pos, 0);
          pc++;
          break;
        case Op.AtomicEnd:
          cut();
          pc++;
          break;
        case Op.LookStart:
          push(T_LOOK, pc, pos, 0);
          pc++;
          break;
        case Op.LookEnd: {
          // Find the marker to learn which look this is.
          let m = sp - 4;
          while (stack[m] !== T_ATOMIC && stack[m] !== T_LOOK) m -= 4;
          const look = code[stack[m + 1]];
          const saved = stack[m + 2];
          if (look.negate) {
            unwind();
          } else cut();
          pos = saved;
          if (look.onMatch! < 0) ok = false;
          else pc = look.onMatch!;
          break;
        }
        case Op.Back:
          if (pos - ins.n! < 0) ok = false;
          else {
            pos -= ins.n!;
            pc++;
          }
          break;
        case Op.RepInit: {
          const r = ins.reg!;
          push(T_REG, r, regs[r], 0);
          push(T_REG, r + 1, regs[r + 1], 0);
          regs[r] = 0;
          regs[r + 1] = -1;
          pc++;
          break;
        }
        case Op.RepLoop: {
          const r = ins.reg!;
          const count = regs[r];
          if (count < ins.min!) {
            push(T_REG, r + 1, regs[r + 1], 0);
            regs[r + 1] = pos;
            pc = ins.a!;
            break;
          }
          // An iteration that matched nothing ends the loop (PCRE2 does not loop on empty).
          if (count >= ins.max! || (count > 0 && regs[r + 1] === pos)) {
            pc = ins.b!;
            break;
          }
          if (ins.mode === 0) {
            push(T_BRANCH, ins.b!, pos, 0);
            push(T_REG, r + 1, regs[r + 1], 0);
            regs[r + 1] = pos;
            pc = ins.a!;
          } else {
            // Lazy: exit first; on backtrack, come back here to enter the body.
            push(T_BRANCH, -pc - 2, pos, 0);
            pc = ins.b!;
          }
          break;
        }
        case Op.RepNext: {
          const r = ins.reg!;
          push(T_REG, r, regs[r], 0);
          regs[r]++;
          pc = ins.a!;
          break;
        }
        case Op.Backref: {
          let g = -1;
          for (const k of ins.groups!) {
            if (caps[2 * k + 1] >= 0) {
              g = k;
              break;
            }
          }
          if (g < 0) {
            ok = false;
            break;
          }
          const from = caps[2 * g];
          const len = caps[2 * g + 1] - from;
          if (pos + len > n) {
            ok = false;
            break;
          }
          steps += len;
          for (let k = 0; k < len; k++) {
            let x = s.charCodeAt(from + k);
            let y = s.charCodeAt(pos + k);
            if (x !== y && ins.caseless) {
              if (x >= 0x41 && x <= 0x5a) x += 32;
              if (y >= 0x41 && y <= 0x5a) y += 32;
            }
            if (x !== y) {
              ok = false;
              break;
            }
          }
          if (ok) {
            pos += len;
            pc++;
          }
          break;
        }
        case Op.CondGroup: {
          let set = false;
          for (const k of ins.groups!) if (caps[2 * k + 1] >= 0) set = true;
          pc = set ? pc + 1 : ins.b!;
          break;
        }
      }
      if (ok) continue;
      // Backtrack.
      for (;;) {
        if (sp === 0) break run;
        sp -= 4;
        const t = stack[sp];
        if (t === T_BRANCH) {
          const target = stack[sp + 1];
          pos = stack[sp + 2];
          if (target >= 0) pc = target;
          else {
            // Lazy repeat re-entry: enter the body now.
            const loopPc = -target - 2;
            const li = code[loopPc];
            push(T_REG, li.reg! + 1, regs[li.reg! + 1], 0);
            regs[li.reg! + 1] = pos;
            pc = li.a!;
          }
          continue run;
        }
        if (t === T_CAP) {
          caps[stack[sp + 1]] = stack[sp + 2];
          continue;
        }
        if (t === T_REG) {
          regs[stack[sp + 1]] = stack[sp + 2];
          continue;
        }
        if (t === T_GREEDY) {
          const next = stack[sp + 1];
          const lo = stack[sp + 2];
          const hi = stack[sp + 3];
          pos = hi;
          if (hi > lo) {
            stack[sp + 3] = hi - 1;
            sp += 4;
          }
          pc = next;
          if (++steps > budget) return { kind: 'timeout' };
          continue run;
        }
        if (t === T_LAZY) {
          const repPc = stack[sp + 1];
          const p = stack[sp + 2];
          const limit = stack[sp + 3];
          const set = code[repPc].set!;
          if (set[s.charCodeAt(p)] !== 1) continue;
          pos = p + 1;
          if (pos < limit) {
            stack[sp + 2] = pos;
            sp += 4;
          }
          pc = repPc + 1;
          if (++steps > budget) return { kind: 'timeout' };
          continue run;
        }
        if (t === T_ATOMIC) continue;
        if (t === T_LOOK) {
          // The lookaround body failed.
          const look = code[stack[sp + 1]];
          if (look.onFail! >= 0) {
            pos = stack[sp + 2];
            pc = look.onFail!;
            continue run;
          }
          continue;
        }
      }
    }
  }
  return { kind: 'nomatch' };
}

function assertAt(kind: string, s: string, pos: number): boolean {
  const n = s.length;
  switch (kind) {
    case 'start':
      return pos === 0;
    case 'end':
      return pos === n || (pos === n - 1 && s.charCodeAt(pos) === 0x0a);
    case 'eos':
      return pos === n;
    case 'mstart':
      return pos === 0 || (s.charCodeAt(pos - 1) === 0x0a && pos < n);
    case 'mend':
      return pos === n || s.charCodeAt(pos) === 0x0a;
    case 'word':
      return isWord(s, pos - 1) !== isWord(s, pos);
    case 'nonword':
      return isWord(s, pos - 1) === isWord(s, pos);
  }
  return false;
}
