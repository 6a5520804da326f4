// Entry of dist/cli.js (bin `nginx-lens`): dispatches to one module per subcommand.
// Exit codes: 0 fine, 1 the check found errors (or the subcommand failed), 2 usage error.

import { version } from '../../../package.json';
// Subcommands are loaded when chosen: `check` brings the directive reference (@nginx/reference-lib),
// which `trace` never reads; initialising it cost ~40 ms of every trace start.

const USAGE = `nginx-lens ${version}: nginx configuration and access-log analysis

Usage:
  nginx-lens check [--json] [--context CONTEXT] [--map FROM=TO] <nginx.conf|fragment>...
      Diagnostics for the whole include tree (syntax, includes, directives, contexts, arguments).
      A fragment (sites-enabled/*, snippets/*) is checked in the context of the config that
      includes it, else the one its content implies; --context names it explicitly:
      main | events | http | server | location | upstream | map | geo | stream | mail ...
      Exit status 1 when any error is reported.
  nginx-lens trace [options] <access.log>...
      Which configuration rule produced each logged response (see nginx-lens trace --help).
  nginx-lens lsp --stdio
      The language server the VS Code extension uses, for other editors.
  nginx-lens --help | --version
`;

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      (cmd === undefined ? process.stderr : process.stdout).write(USAGE);
      return cmd === undefined ? 2 : 0;
    case '-v':
    case '--version':
    case 'version':
      process.stdout.write(`${version}\n`);
      return 0;
    case 'check':
      return (await import('./check')).runCheck(rest);
    case 'trace':
      return (await import('./trace')).runTrace(rest);
    case 'lsp': {
      // The language server's own entry, which starts it (bundled apart: scripts/build.mjs);
      // vscode-languageserver picks the transport from process.argv (--stdio, --node-ipc, --socket=N).
      await import('../lsp/main');
      return new Promise<number>(() => {
        // the connection keeps the process alive and exits it on the client's `exit`
      });
    }
    default:
      process.stderr.write(`nginx-lens: unknown command "${cmd}"\n\n${USAGE}`);
      return 2;
  }
}

// A reader that stops early (`nginx-lens trace --json … | head`) closes the pipe: the rest of the
// output is not wanted, so stop there, as Unix tools do, instead of dying with a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`nginx-lens: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 70;
  },
);
