// Loading 444 fixtures: an http{} body (or a stream{} body after `# context: stream`) checked as a
// whole configuration, with line numbers kept as written.

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { MemoryFileSystem } from '../../server/src/core/fileSystem';
import { loadConfigGraph, type ConfigGraph } from '../../server/src/core/configGraph';

export const fixturesDir = path.resolve(import.meta.dirname, 'fixtures');

export interface Fixture {
  code: string;
  name: string;
  file: string;
  body: string;
  positive: boolean;
  stream: boolean;
  /** 1-based lines marked `## hit`. */
  hits: number[];
}

export function fixtures(): Fixture[] {
  const out: Fixture[] = [];
  for (const code of readdirSync(fixturesDir).sort()) {
    for (const name of readdirSync(path.join(fixturesDir, code)).sort()) {
      if (!name.endsWith('.conf')) continue;
      const file = path.join(fixturesDir, code, name);
      const body = readFileSync(file, 'utf8');
      const hits: number[] = [];
      body.split('\n').forEach((l, i) => l.includes('## hit') && hits.push(i + 1));
      out.push({ code, name, file, body, positive: !name.endsWith('_fp.conf'), stream: /^# context: stream/m.test(body), hits });
    }
  }
  return out;
}

/** The fixture wrapped on its first line, so line numbers stay those of the file. */
export function wrapFixture(f: Fixture, fill: (s: string) => string = (s) => s.replace(/\{\{(cert|key)\}\}/g, '/etc/ssl/$1.pem')): string {
  return `${f.stream ? 'stream' : 'events {} http'} { ${fill(f.body)}\n}\n`;
}

export function graphOf(text: string, file = '/etc/nginx/nginx.conf', extra: Record<string, string> = {}): ConfigGraph {
  const fs = new MemoryFileSystem({ [file]: text, ...extra });
  return loadConfigGraph(file, fs);
}
