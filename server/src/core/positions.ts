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

export function positionAt(lineStarts: readonly number[], offset: number): Position {
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

/**
 * A range of a parsed file as plain numbers: its positions are made when asked. One object
 * instead of a range and two positions: the syntax tree of a 500 KB blocklist holds ~100k ranges,
 * and every object of a young tree is one the GC copies (bench/trace.mjs, bench/config.mjs build
 * the trees of 300 files). Read-only, like every range of the tree; JSON gives its positions.
 */
export class TextRange implements Range {
  constructor(
    readonly startLine: number,
    readonly startCharacter: number,
    readonly startOffset: number,
    readonly endLine: number,
    readonly endCharacter: number,
    readonly endOffset: number,
  ) {}

  static of(start: Position, end: Position): TextRange {
    return new TextRange(start.line, start.character, start.offset, end.line, end.character, end.offset);
  }

  get start(): Position {
    return { line: this.startLine, character: this.startCharacter, offset: this.startOffset };
  }

  get end(): Position {
    return { line: this.endLine, character: this.endCharacter, offset: this.endOffset };
  }

  toJSON(): { start: Position; end: Position } {
    return { start: this.start, end: this.end };
  }
}

/** A range's start offset, without making a Position when it is a TextRange. */
export function startOffsetOf(r: Range): number {
  return r instanceof TextRange ? r.startOffset : r.start.offset;
}

/** A range's end offset, without making a Position when it is a TextRange. */
export function endOffsetOf(r: Range): number {
  return r instanceof TextRange ? r.endOffset : r.end.offset;
}
