// Entry point of dist/server.js. The transport comes from the command line, as
// vscode-languageserver reads it: `--stdio`, `--node-ipc` (what the extension uses) or `--socket=N`.
import { startServer } from './server';

startServer();
