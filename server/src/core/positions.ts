// Offset <-> (line, character) conversion shared by the parser and every feature.
// Lines break at "\r\n", "\n" and a lone "\r", as LSP and VS Code count them.

import type { Position, Range } from './syntax';

export function computeLineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) starts.push(i + 1);
    else if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    }
  }
  return starts;
}

export function positionAt(lineStarts: number[], offset: number): Position {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo, character: offset - lineStarts[lo], offset };
}

/** Offset of an LSP-style (line, character), clamped into the text. */
export function offsetAt(lineStarts: number[], textLength: number, line: number, character: number): number {
  if (line < 0) return 0;
  if (line >= lineStarts.length) return textLength;
  const lineEnd = line + 1 < lineStarts.length ? lineStarts[line + 1] : textLength;
  return Math.min(lineStarts[line] + Math.max(0, character), lineEnd);
}

export function containsOffset(range: Range, offset: number): boolean {
  return range.start.offset <= offset && offset <= range.end.offset;
}
