// Asks real PCRE2 (pcre2test, Debian package pcre2-utils, the same libpcre2-8
// that nginx links) how it compiles and matches a list of patterns, the way
// nginx calls it: no UTF, optional PCRE2_CASELESS, match from offset 0.
//
// Usage: node scripts/regex-oracle.mjs cases.json > results.json
//   cases.json: [{ "p": pattern, "ci": bool, "s": [subject, ...] }, ...]
//   patterns and subjects are byte strings (each code unit one byte).
// Output: [{ p, ci, err?: {code, offset, message}, r: [null | string[] | {error}] }]
//   r[i] is null for no match, or captures as pcre2test prints them
//   ("<unset>" for unset groups, bytes outside 0x20..0x7e as \xhh).
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

export function runOracle(cases) {
  const lines = [];
  for (const c of cases) {
    const hex = Buffer.from(c.p, 'latin1').toString('hex');
    lines.push(`/${hex}/${c.ci ? "i," : ""}hex,allcaptures`);
    for (const s of c.s) {
      lines.push(s === '' ? '\\' : [...s].map((ch) => `\\x{${ch.charCodeAt(0).toString(16)}}`).join(''));
    }
    lines.push('');
  }
  const dir = mkdtempSync(join(tmpdir(), 'pcre2-oracle-'));
  try {
    const inFile = join(dir, 'in.txt');
    const outFile = join(dir, 'out.txt');
    writeFileSync(inFile, lines.join('\n') + '\n', 'latin1');
    const r = spawnSync('pcre2test', ['-q', inFile, outFile], { encoding: 'latin1' });
    if (r.error) throw r.error;
    const out = readFileSync(outFile, 'latin1').split('\n');
    return parse(out, cases);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function parse(out, cases) {
  const results = [];
  let i = 0;
  const next = () => out[i++];
  for (const c of cases) {
    // Pattern echo.
    while (i < out.length && !out[i].startsWith('/')) i++;
    next();
    const res = { p: c.p, ci: !!c.ci, r: [] };
    if (out[i]?.startsWith('Failed: error')) {
      const m = /^Failed: error (\d+) at offset (\d+): (.*)$/.exec(next());
      res.err = { code: Number(m[1]), offset: Number(m[2]), message: m[3] };
    }
    for (let k = 0; k < c.s.length; k++) {
      next(); // subject echo
      if (res.err) continue;
      const line = out[i];
      if (line === 'No match') {
        next();
        res.r.push(null);
      } else if (/^Error|^Failed/.test(line)) {
        next();
        res.r.push({ error: line });
      } else {
        const caps = [];
        while (i < out.length && /^ *\d+: /.test(out[i])) {
          const m = /^ *(\d+): (.*)$/.exec(next());
          caps[Number(m[1])] = m[2];
        }
        res.r.push(caps);
      }
    }
    results.push(res);
  }
  return results;
}

/** pcre2test's way of printing captured bytes, so our results can be compared with its output. */
export function pcre2testPrint(s) {
  if (s === undefined) return '<unset>';
  let o = '';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    o += c >= 0x20 && c < 0x7f ? ch : `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return o;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const cases = JSON.parse(readFileSync(process.argv[2], 'utf8'));
  process.stdout.write(JSON.stringify(runOracle(cases), null, 0) + '\n');
}
