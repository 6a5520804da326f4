// nginx hands PCRE2 raw bytes without PCRE2_UTF, so every pattern and subject
// is a sequence of 8-bit code units. Inside this module both are "byte
// strings": JS strings whose code units are all 0..255, one per byte.

const NON_ASCII = /[^\x00-\x7f]/;

/** Text (as decoded from UTF-8) to the bytes nginx would see. ASCII is returned as is. */
export function textToBytes(text: string): string {
  if (!NON_ASCII.test(text)) return text;
  return Buffer.from(text, 'utf8').toString('latin1');
}

/** Bytes back to text; invalid UTF-8 (e.g. a capture that split a character) becomes U+FFFD. */
export function bytesToText(bytes: string): string {
  if (!NON_ASCII.test(bytes)) return bytes;
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

/** True when every code unit is a byte (0..255). */
export function isByteString(s: string): boolean {
  return !/[^\x00-\xff]/.test(s);
}

/** nginx's ngx_strlow / ngx_tolower: only A-Z change; bytes above 0x7f are left as they are. */
export function lowerAscii(s: string): string {
  return /[A-Z]/.test(s) ? s.replace(/[A-Z]+/g, (c) => c.toLowerCase()) : s;
}
