// Benchmark (not a timed test): reading and parsing a 1,000,000-line access
// log (combined plus "$host", ~10% 444s, ~170 MB) with the log layer alone:
// read only, read + match (+ status), read + full parse, and read + match with
// a full parse of the 444 lines only (what `trace` does). Prints wall and CPU
// time, lines/s and MB/s, and `grep -c ' 444 '` on the same file as a yardstick.
//
//   npx tsx bench/logs.bench.ts [lines]

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSyntheticLog, syntheticFormat } from '../test/support/accessLog';
import { readLogBatches } from '../server/src/core/logs/reader';

const LINES = Number(process.argv[2] ?? 1_000_000);

async function measure(name: string, file: string, body: (line: string) => void): Promise<void> {
  const mb = statSync(file).size / 1e6;
  let best = { wall: Infinity, cpu: Infinity, lines: 0 };
  for (let run = 0; run < 3; run++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    let lines = 0;
    for await (const batch of readLogBatches(file)) {
      for (const line of batch.lines) body(line);
      lines += batch.lines.length;
    }
    const wall = performance.now() - t0;
    const c = process.cpuUsage(c0);
    const cpu = (c.user + c.system) / 1000;
    if (wall < best.wall) best = { wall, cpu, lines };
  }
  const s = best.wall / 1000;
  console.log(
    `${name.padEnd(28)} wall ${best.wall.toFixed(0).padStart(5)} ms  cpu ${best.cpu.toFixed(0).padStart(5)} ms  ` +
      `${(best.lines / s / 1e6).toFixed(2)} M lines/s  ${(mb / s).toFixed(0)} MB/s`,
  );
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lens-logs-bench-'));
  try {
    const file = join(dir, 'access.log');
    const bytes = await writeSyntheticLog(file, LINES, { host: true, seed: 7 });
    console.log(`${LINES} lines, ${(bytes / 1e6).toFixed(0)} MB (combined + "$host"); best of 3 runs`);
    const fmt = syntheticFormat({ host: true });
    const st = fmt.indexOf('status');
    let n444 = 0;
    let bad = 0;

    await measure('read', file, () => {});
    await measure('read + match + status', file, (line) => {
      const sp = fmt.match(line);
      if (!sp) bad++;
      else if (line.startsWith('444', sp[2 * st]) && sp[2 * st + 1] - sp[2 * st] === 3) n444++;
    });
    await measure('read + match, parse 444s', file, (line) => {
      const sp = fmt.match(line);
      if (sp && line.startsWith('444', sp[2 * st]) && sp[2 * st + 1] - sp[2 * st] === 3 && !fmt.parse(line).ok) bad++;
    });
    await measure('read + parse every line', file, (line) => {
      if (!fmt.parse(line).ok) bad++;
    });
    console.log(`444 lines: ${n444 / 3}, unparsed: ${bad}`);

    const t0 = performance.now();
    const grep = spawnSync('grep', ['-c', ' 444 ', file], { encoding: 'utf8' });
    console.log(`grep -c ' 444 ': ${(performance.now() - t0).toFixed(0)} ms (${grep.stdout.trim()} lines)`);
    console.log(`rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB; load average ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
