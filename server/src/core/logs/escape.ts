// How ngx_http_log_module writes variable values, and how to undo it.
//
// Log lines are handled as "byte strings": one JS char per byte (0..255), as
// produced by decoding the file as latin1. nginx escapes bytes, not Unicode
// characters, so this is the only representation in which an escaped value
// (`\xC3\xA9`) and the same value logged raw (escape=none) compare equal, and
// it is what PCRE matches against in nginx (no UTF-8 mode for http regexes).
// Use `toDisplayString` to show such a value to a person.

import { textToBytes } from '../regex/bytes';

export type LogEscape = 'default' | 'json' | 'none';

const HEX = '0123456789ABCDEF';
// eslint-disable-next-line no-control-regex
const NEEDS_DEFAULT = /[^\x20\x21\x23-\x5b\x5d-\x7e]/;
// eslint-disable-next-line no-control-regex
const NEEDS_JSON = /[\x00-\x1f"\\]/;

/** True for bytes that escape=default writes as \xHH (ngx_http_log_escape). */
export function needsDefaultEscape(byte: number): boolean {
  return byte < 0x20 || byte === 0x22 || byte === 0x5c || byte >= 0x7f;
}

/**
 * Escapes a byte string the way nginx writes a variable value with the given
 * escape mode. Not-found variables are handled by the caller (`-` for
 * default, nothing for json/none).
 */
export function escapeValue(value: string, escape: LogEscape): string {
  if (escape === 'none') return value;
  if (!(escape === 'default' ? NEEDS_DEFAULT : NEEDS_JSON).test(value)) return value;
  let out = '';
  let from = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i) & 0xff;
    let rep: string | undefined;
    if (escape === 'default') {
      if (needsDefaultEscape(c)) rep = '\\x' + HEX[c >> 4] + HEX[c & 15];
    } else if (c === 0x22 || c === 0x5c) {
      rep = '\\' + String.fromCharCode(c);
    } else if (c < 0x20) {
      // ngx_escape_json: short forms for these five, \u00XX (upper hex) else.
      rep =
        c === 0x0a ? '\\n' : c === 0x0d ? '\\r' : c === 0x09 ? '\\t' : c === 0x08 ? '\\b' : c === 0x0c ? '\\f'
        : '\\u00' + HEX[c >> 4] + HEX[c & 15];
    }
    if (rep !== undefined) {
      out += value.slice(from, i) + rep;
      from = i + 1;
    }
  }
  return from === 0 ? value : out + value.slice(from);
}

function hexVal(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/**
 * Undoes `escapeValue`. Sequences nginx never writes are kept literally, so a
 * line written by something else still yields a usable value.
 */
export function unescapeValue(raw: string, escape: LogEscape): string {
  if (escape === 'none') return raw;
  let i = raw.indexOf('\\');
  if (i < 0) return raw;
  let out = '';
  let from = 0;
  while (i >= 0 && i < raw.length - 1) {
    const n = raw.charCodeAt(i + 1);
    let rep: string | undefined;
    let len = 2;
    if (escape === 'default') {
      if (n === 0x78 /* x */ && i + 3 < raw.length) {
        const h = hexVal(raw.charCodeAt(i + 2));
        const l = hexVal(raw.charCodeAt(i + 3));
        if (h >= 0 && l >= 0) {
          rep = String.fromCharCode((h << 4) | l);
          len = 4;
        }
      }
    } else {
      switch (n) {
        case 0x22: rep = '"'; break;
        case 0x5c: rep = '\\'; break;
        case 0x2f: rep = '/'; break;
        case 0x6e: rep = '\n'; break;
        case 0x72: rep = '\r'; break;
        case 0x74: rep = '\t'; break;
        case 0x62: rep = '\b'; break;
        case 0x66: rep = '\f'; break;
        case 0x75: /* u */ {
          if (i + 5 < raw.length) {
            let v = 0;
            for (let k = 2; k < 6; k++) {
              const d = hexVal(raw.charCodeAt(i + k));
              if (d < 0) { v = -1; break; }
              v = (v << 4) | d;
            }
            // nginx only writes \u00XX; a wider code point (from another
            // writer) becomes its UTF-8 bytes to stay a byte string.
            if (v >= 0) {
              rep = v < 0x100 ? String.fromCharCode(v) : toByteString(String.fromCharCode(v));
              len = 6;
            }
          }
          break;
        }
      }
    }
    if (rep !== undefined) {
      out += raw.slice(from, i) + rep;
      from = i + len;
      i = raw.indexOf('\\', from);
    } else {
      i = raw.indexOf('\\', i + (escape === 'json' && n === 0x5c ? 2 : 1));
    }
  }
  return out + raw.slice(from);
}

// eslint-disable-next-line no-control-regex
const NON_ASCII = /[^\x00-\x7f]/;

/** UTF-16 text (e.g. a document from the editor) to the byte string of its UTF-8 encoding. */
export const toByteString = textToBytes;

/**
 * A byte string to text for display: valid UTF-8 is decoded, anything else
 * keeps one char per byte with bytes that are not printable as \xHH.
 */
export function toDisplayString(bytes: string): string {
  if (!NON_ASCII.test(bytes)) return bytes;
  const buf = Buffer.from(bytes, 'latin1');
  const text = buf.toString('utf8');
  if (!text.includes('\ufffd') || bytes.includes('\xef\xbf\xbd')) return text;
  return escapeValue(bytes, 'default').replace(/\\x5C/g, '\\\\').replace(/\\x22/g, '"');
}
