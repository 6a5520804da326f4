// The file system as nginx's workers see it, for the router's file questions (`if (-f ...)`,
// try_files): what the CLI passes when it traces a log on the machine that wrote it. The language
// server passes it only for paths it may read (lsp/project.ts Projects.fileProbe), and the router
// asks only where the document root exists: a workspace that mirrors a server's configuration
// without its files still forks.

import { statSync } from 'node:fs';
import type { FileFound, FileProbe } from '../core/http/route';

/**
 * Errors that mean "no such file" whoever asks (nginx treats every failure so, but EACCES and the
 * like depend on the user: those answer "cannot tell").
 */
const MISSING = new Set(['ENOENT', 'ENOTDIR', 'ENAMETOOLONG']);

/** A probe that remembers what it found (a log asks about the same few paths many times). */
export function nodeFileProbe(): FileProbe {
  const seen = new Map<string, FileFound | null | undefined>();
  return (path) => {
    if (seen.has(path)) return seen.get(path);
    const found = probe(path);
    if (seen.size >= 10_000) seen.clear();
    seen.set(path, found);
    return found;
  };
}

function probe(bytes: string): FileFound | null | undefined {
  if (!bytes.startsWith('/') || bytes.includes('\0')) return undefined;
  // The router's paths are bytes (a URI's %C3%A9 is two of them): stat those bytes, not their UTF-8.
  const raw = (p: string) => Buffer.from(p, 'latin1');
  // We may see what the workers (another user) cannot: a directory above the path that not
  // everyone may search makes the answer depend on who asks. One above that is a file
  // (`/index.php/a/b`) or has a name too long makes it "no such file", as ENOENT does (statSync
  // throws those even with throwIfNoEntry off).
  let missing = false;
  for (let d = bytes.slice(0, bytes.lastIndexOf('/')) || '/'; ; d = d.slice(0, d.lastIndexOf('/')) || '/') {
    let s: import('node:fs').Stats | undefined;
    try {
      s = statSync(raw(d), { throwIfNoEntry: false });
    } catch (err) {
      if (!MISSING.has((err as NodeJS.ErrnoException).code ?? '')) return undefined;
      missing = true;
    }
    if (s && s.isDirectory() && (s.mode & 0o001) === 0) return undefined;
    if (d === '/') break;
  }
  if (missing) return null;
  try {
    const s = statSync(raw(bytes));
    return { kind: s.isDirectory() ? 'dir' : s.isFile() ? 'file' : 'other', exec: (s.mode & 0o100) !== 0 };
  } catch (err) {
    return MISSING.has((err as NodeJS.ErrnoException).code ?? '') ? null : undefined;
  }
}
