// How the CLI names a file in its output.

import { isAbsolute, relative } from 'node:path';

/** Paths inside the working directory are shown relative to it, others absolute. */
export function displayPath(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}
