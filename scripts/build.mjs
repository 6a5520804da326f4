// Bundles the extension client, the language server and the CLI with esbuild.
import { build } from 'esbuild';
import { chmodSync, existsSync } from 'node:fs';

const production = process.argv.includes('--production');

/**
 * The CLI leaves two large parts to sibling bundles it loads when a command needs them: the
 * language server (`nginx-lens lsp` runs dist/server.js) and NGINX's directive reference (the
 * `check` command and the language server read it; `trace` rarely does). Parsing them with the
 * CLI cost ~40 ms of every `nginx-lens trace` start; the CLI bundle went from 2.9 MB to 0.47 MB.
 */
const siblings = {
  name: 'siblings',
  setup(b) {
    b.onResolve({ filter: /^@nginx\/reference-lib$/ }, () => ({ path: './reference.js', external: true }));
    b.onResolve({ filter: /^\.\.\/lsp\/main$/ }, () => ({ path: './server.js', external: true }));
  },
};

/**
 * The CLI runs as `nginx-lens` (npm links the bin; it runs through this line), and its runs are
 * short: most of a trace's CPU went to V8 warming up. Measured on the 1M-line trace of
 * bench/trace.mjs, 2-core VM, medians of 10 alternated runs:
 * - `--v8-pool-size=0` sizes V8's helper threads (GC, compilation) to the machine instead of
 *   node's fixed 4, which took the CPU from the trace's one busy thread: 1.62 → 1.49 s.
 * - `--max-inlined-bytecode-size-cumulative=150` (V8's default 920) caps how much TurboFan inlines
 *   into one function: optimizing the ~180 hot functions took ~0.9 s of CPU, and a run this short
 *   never paid it back: 1.74 → 1.63 s, user CPU 2.4 → 2.0 s.
 */
const CLI_SHEBANG = '#!/usr/bin/env -S node --v8-pool-size=0 --max-inlined-bytecode-size-cumulative=150';

const entries = [
  { in: 'client/src/extension.ts', out: 'client', external: ['vscode'] },
  { in: 'server/src/lsp/main.ts', out: 'server', external: [] },
  { in: 'server/src/cli/main.ts', out: 'cli', external: [], banner: CLI_SHEBANG, plugins: [siblings] },
  // The CLI's copy of the reference (see `siblings`).
  { in: 'node_modules/@nginx/reference-lib/dist/index.js', out: 'reference', external: [] },
];

await Promise.all(
  entries
    .filter((e) => existsSync(e.in))
    .map((e) =>
      build({
        entryPoints: [e.in],
        outfile: `dist/${e.out}.js`,
        bundle: true,
        platform: 'node',
        target: 'node20',
        format: 'cjs',
        external: e.external,
        plugins: e.plugins ?? [],
        sourcemap: !production,
        minify: production,
        banner: e.banner ? { js: e.banner } : undefined,
        logLevel: 'warning',
      }),
    ),
);
// Runnable as it is, the way npm installs a bin.
if (existsSync('dist/cli.js')) chmodSync('dist/cli.js', 0o755);
