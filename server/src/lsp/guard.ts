// Every request handler runs behind this: an exception in one feature is logged and answered with
// an empty result, so one bug cannot take the server (and every other feature) down; a request the
// client cancelled is answered as cancelled instead of spending time on a result nobody reads.

import { LSPErrorCodes, ResponseError, type CancellationToken } from 'vscode-languageserver/node';

export interface Logger {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
}

export function describeError(err: unknown): string {
  if (err instanceof Error) return err.stack ?? `${err.name}: ${err.message}`;
  return String(err);
}

/** Requests slower than this are logged, so slow features show up in the output channel. */
const SLOW_MS = 500;

export function guard<P, R>(
  log: Logger,
  feature: string,
  empty: () => R,
  fn: (params: P, token: CancellationToken) => R | Promise<R>,
): (params: P, token: CancellationToken) => Promise<R | ResponseError<void>> {
  return async (params, token) => {
    if (token?.isCancellationRequested) return cancelled();
    const started = performance.now();
    try {
      const r = await fn(params, token);
      const took = performance.now() - started;
      if (took > SLOW_MS) log.warn(`[${feature}] took ${took.toFixed(0)} ms`);
      if (token?.isCancellationRequested) return cancelled();
      return r;
    } catch (err) {
      if (token?.isCancellationRequested) return cancelled();
      log.error(`[${feature}] failed: ${describeError(err)}`);
      return empty();
    }
  };
}

/** For notifications and background jobs: log, never throw. */
export function guardVoid<P>(log: Logger, what: string, fn: (params: P) => void | Promise<void>): (params: P) => void {
  return (params) => {
    try {
      const r = fn(params);
      if (r && typeof (r as Promise<void>).catch === 'function') {
        (r as Promise<void>).catch((err) => log.error(`[${what}] failed: ${describeError(err)}`));
      }
    } catch (err) {
      log.error(`[${what}] failed: ${describeError(err)}`);
    }
  };
}

function cancelled(): ResponseError<void> {
  return new ResponseError(LSPErrorCodes.RequestCancelled, 'request cancelled');
}
