// A log_format string split into literal and variable segments, exactly as
// ngx_http_log_compile_format splits it.

import { toByteString } from './escape';

export interface LiteralSegment {
  kind: 'literal';
  /** The text as written in the format. */
  text: string;
  /** `text` as the bytes nginx writes (its UTF-8 encoding, one char per byte). */
  bytes: string;
  /** Offset in the format string. */
  offset: number;
}

export interface VariableSegment {
  kind: 'variable';
  /** Lower-cased name without `$`/braces: nginx variable names are case-insensitive. */
  name: string;
  /** As written, e.g. `$host` or `${host}`. */
  written: string;
  /**
   * One of ngx_http_log_module's own log operations (`$status`, `$time_local`,
   * ...; matched case-sensitively like nginx): never escaped, never `-`.
   */
  logOp: boolean;
  /** Offset in the format string. */
  offset: number;
}

export type FormatSegment = LiteralSegment | VariableSegment;

/** A format nginx itself would reject, with nginx's wording. */
export class LogFormatError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
    this.name = 'LogFormatError';
  }
}

/** The log operations of ngx_http_log_module (ngx_http_log_vars). */
const LOG_OPS = new Set([
  'pipe', 'time_local', 'time_iso8601', 'msec', 'request_time',
  'status', 'bytes_sent', 'body_bytes_sent', 'request_length',
]);

function isNameChar(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x5f;
}

/**
 * Splits a format (the concatenated log_format string arguments, without the
 * name and `escape=`) into segments as ngx_http_log_compile_format does.
 * Throws LogFormatError where nginx would fail to load the config.
 */
export function parseFormatSegments(format: string): FormatSegment[] {
  const out: FormatSegment[] = [];
  let i = 0;
  const n = format.length;
  while (i < n) {
    const start = i;
    if (format.charCodeAt(i) === 0x24 /* $ */) {
      if (++i === n) throw new LogFormatError(`invalid parameter "${format.slice(start)}"`, start);
      let bracket = false;
      if (format.charCodeAt(i) === 0x7b /* { */) {
        bracket = true;
        if (++i === n) throw new LogFormatError(`invalid parameter "${format.slice(start)}"`, start);
      }
      const nameStart = i;
      let nameEnd = i;
      for (; i < n; i++) {
        const c = format.charCodeAt(i);
        if (c === 0x7d /* } */ && bracket) {
          nameEnd = i;
          i++;
          bracket = false;
          break;
        }
        if (!isNameChar(c)) break;
        nameEnd = i + 1;
      }
      if (bracket) {
        throw new LogFormatError(
          `the closing bracket in "${format.slice(nameStart, i)}" variable is missing`, start);
      }
      const written = format.slice(nameStart, nameEnd);
      if (written.length === 0) throw new LogFormatError(`invalid parameter "${format.slice(start)}"`, start);
      out.push({
        kind: 'variable',
        name: written.toLowerCase(),
        written: format.slice(start, i),
        logOp: LOG_OPS.has(written),
        offset: start,
      });
      continue;
    }
    i++;
    while (i < n && format.charCodeAt(i) !== 0x24) i++;
    const text = format.slice(start, i);
    out.push({ kind: 'literal', text, bytes: toByteString(text), offset: start });
  }
  return out;
}
