// Helpers to run the real nginx (/usr/sbin/nginx, Debian 1.22) in tests.
//
// Every instance lives in its own temporary prefix: config, pid file, error
// log, access logs and temp paths all inside it, listening on 127.0.0.1 high
// ports only, stopped by pid. Nothing is written outside the prefix.
//
//   const ngx = await startNginx({ conf: `
//     log_format t '$remote_addr "$request"';
//     server { listen 127.0.0.1:{{port}}; access_log {{logs}}/t.log t; return 204; }` });
//   try {
//     const res = await sendRaw(ngx.port, 'GET / HTTP/1.0\r\n\r\n', { localAddress: '127.0.0.7' });
//     const lines = await ngx.waitForLines('t.log', 1);
//   } finally {
//     await ngx.stop();
//   }
//
// Placeholders in `conf`: {{port}} (= {{port0}}), {{port1}}, ... (free ports,
// as many as `ports`), {{prefix}}, {{logs}} (the logs directory).

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { createServer, Socket, type Server } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const NGINX = '/usr/sbin/nginx';

/** True when the real nginx binary is installed (tests that need it should fail loudly otherwise). */
export function hasNginx(): boolean {
  return existsSync(NGINX);
}

export interface StartOptions {
  /**
   * The body of `http { }`, or a whole config (recognised by a top-level
   * `http {` or `events {`). A whole config must itself keep pid, logs and
   * temp paths inside the prefix (use {{prefix}}).
   */
  conf: string;
  /** How many free ports to reserve for the placeholders (default 1). */
  ports?: number;
  /** Dynamic module paths to load, e.g. /usr/lib/nginx/modules/ngx_http_echo_module.so. */
  modules?: string[];
  /** Extra directives for the main context (http-body configs only). */
  main?: string;
}

export interface RunningNginx {
  /** The first port. */
  port: number;
  ports: number[];
  prefix: string;
  /** Directory for access logs ({{logs}}). */
  logs: string;
  /** The config file nginx runs. */
  confFile: string;
  /** Lines of a file in the logs directory (latin1: one char per byte), without the final empty one. */
  readLog(name: string): string[];
  /** Waits until a log in the logs directory has at least `count` lines (nginx writes after responding). */
  waitForLines(name: string, count: number, timeoutMs?: number): Promise<string[]>;
  /** The error log's text. */
  errorLog(): string;
  /** Graceful stop (SIGQUIT), waits for the master to exit, removes the prefix unless `keep`. */
  stop(options?: { keep?: boolean }): Promise<void>;
}

/** A port that was free a moment ago on 127.0.0.1. */
/**
 * Reserves `n` distinct free ports. Every probe socket stays open until all are chosen: closing
 * each at once let the kernel hand the same port out twice, so two scenarios' servers shared
 * one port and requests reached the wrong one.
 */
export async function freePorts(n: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < n; i++) {
      servers.push(
        await new Promise<Server>((resolve, reject) => {
          const srv = createServer();
          srv.once('error', reject);
          srv.listen(0, '127.0.0.1', () => resolve(srv));
        }),
      );
    }
    return servers.map((srv) => {
      const addr = srv.address();
      return typeof addr === 'object' && addr ? addr.port : 0;
    });
  } finally {
    await Promise.all(servers.map((srv) => new Promise<void>((resolve) => srv.close(() => resolve()))));
  }
}

function isFullConfig(conf: string): boolean {
  return /^\s*(?:http|events)\s*\{/m.test(conf);
}

/** Paths nginx would otherwise put under /var/lib/nginx. */
function tempPaths(prefix: string): string {
  return ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((k) => `${k}_temp_path ${join(prefix, 'tmp', k)};`)
    .join('\n');
}

function wrapConfig(body: string, prefix: string, options: StartOptions): string {
  const modules = (options.modules ?? []).map((m) => `load_module ${m};`).join('\n');
  return `${modules}
daemon on;
master_process on;
worker_processes 1;
pid ${join(prefix, 'nginx.pid')};
lock_file ${join(prefix, 'nginx.lock')};
error_log ${join(prefix, 'error.log')} info;
${options.main ?? ''}
events { worker_connections 256; }
http {
  access_log off;
  ${tempPaths(prefix)}
${body}
}
`;
}

function fill(conf: string, prefix: string, logs: string, ports: number[]): string {
  return conf
    .replace(/\{\{port(\d*)\}\}/g, (_, n: string) => {
      const i = n === '' ? 0 : Number(n);
      if (i >= ports.length) throw new Error(`config uses {{port${n}}} but only ${ports.length} port(s) reserved`);
      return String(ports[i]);
    })
    .replace(/\{\{prefix\}\}/g, prefix)
    .replace(/\{\{logs\}\}/g, logs);
}

/** Whether this machine can listen on the IPv6 loopback (some containers have no IPv6 at all). */
export function canListenOnIpv6Loopback(): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ host: '::1', port: 0 }, () => srv.close(() => resolve(true)));
  });
}

/** Refuses configs that would listen anywhere but loopback, 127.0.0.0/8 or [::1] (or a unix socket). */
/**
 * Whether every interface of this network namespace is a loopback one (`unshare -n`): there a
 * wildcard or host-name listen reaches nothing beyond this machine's tests.
 */
export function isolatedNetwork(): boolean {
  return Object.values(networkInterfaces()).every((list) => (list ?? []).every((a) => a.internal));
}

function assertLoopbackOnly(conf: string): void {
  if (isolatedNetwork()) return;
  for (const m of conf.matchAll(/(?:^|[;{}\s])listen\s+([^;\s]+)/g)) {
    const addr = m[1];
    if (!/^(?:127\.\d+\.\d+\.\d+(?::\d+)?|\[::1\](?::\d+)?|unix:.+)$/.test(addr)) {
      throw new Error(`test nginx may only listen on 127.x.x.x or [::1]: "listen ${addr}"`);
    }
  }
}

function makePrefix(): { prefix: string; logs: string } {
  const prefix = mkdtempSync(join(tmpdir(), 'nginx-lens-'));
  // Workers run as `nobody` when the master is root: let them in.
  chmodSync(prefix, 0o755);
  const logs = join(prefix, 'logs');
  mkdirSync(logs);
  mkdirSync(join(prefix, 'tmp'));
  chmodSync(logs, 0o755);
  return { prefix, logs };
}

/** Starts nginx with `conf`; rejects with nginx's own message if it fails to start. */
export async function startNginx(options: StartOptions): Promise<RunningNginx> {
  let lastError: Error | undefined;
  // A reserved port can be taken by someone else before nginx binds it: retry.
  for (let attempt = 0; attempt < 3; attempt++) {
    const ports = await freePorts(options.ports ?? 1);
    const { prefix, logs } = makePrefix();
    const text = isFullConfig(options.conf)
      ? fill(options.conf, prefix, logs, ports)
      : wrapConfig(fill(options.conf, prefix, logs, ports), prefix, options);
    assertLoopbackOnly(text);
    const confFile = join(prefix, 'nginx.conf');
    writeFileSync(confFile, text);
    const r = spawnSync(NGINX, ['-p', prefix + '/', '-c', confFile], { encoding: 'utf8', timeout: 15_000 });
    const pidFile = join(prefix, 'nginx.pid');
    if (r.status === 0 && (await waitFor(() => existsSync(pidFile), 5_000))) {
      return running(prefix, logs, confFile, ports, pidFile);
    }
    const err = `${r.stderr ?? ''}${existsSync(join(prefix, 'error.log')) ? readFileSync(join(prefix, 'error.log'), 'utf8') : ''}`;
    rmSync(prefix, { recursive: true, force: true });
    lastError = new Error(`nginx did not start (exit ${r.status}):\n${err}\n--- config ---\n${text}`);
    if (!/Address already in use/.test(err)) break;
  }
  throw lastError;
}

async function waitFor(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (cond()) return true;
    await sleep(20);
  }
  return cond();
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// Masters still running when the test process exits (a test that threw
// before stop()): terminate them so that no daemon outlives its test.
const live = new Set<number>();
process.on('exit', () => {
  for (const pid of live) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
});

function running(prefix: string, logs: string, confFile: string, ports: number[], pidFile: string): RunningNginx {
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  live.add(pid);
  const readLog = (name: string): string[] => {
    const file = join(logs, name);
    if (!existsSync(file)) return [];
    const lines = readFileSync(file, 'latin1').split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    return lines;
  };
  let stopped = false;
  return {
    port: ports[0],
    ports,
    prefix,
    logs,
    confFile,
    readLog,
    async waitForLines(name, count, timeoutMs = 5_000) {
      await waitFor(() => readLog(name).length >= count, timeoutMs);
      const lines = readLog(name);
      if (lines.length < count) throw new Error(`${name}: expected ${count} lines, nginx wrote ${lines.length}`);
      return lines;
    },
    errorLog() {
      const f = join(prefix, 'error.log');
      return existsSync(f) ? readFileSync(f, 'utf8') : '';
    },
    async stop(options = {}) {
      if (!stopped) {
        stopped = true;
        if (alive(pid)) {
          process.kill(pid, 'SIGQUIT');
          if (!(await waitFor(() => !alive(pid), 10_000))) {
            process.kill(pid, 'SIGTERM');
            await waitFor(() => !alive(pid), 5_000);
          }
        }
        live.delete(pid);
      }
      if (!options.keep) rmSync(prefix, { recursive: true, force: true });
    },
  };
}

export interface SendOptions {
  /** Source address, any of 127.0.0.0/8 (default 127.0.0.1). */
  localAddress?: string;
  host?: string;
  /** Give up waiting for the server to close after this long (default 5 s). */
  timeoutMs?: number;
  /** Half-close after sending (default false: wait for nginx to close). */
  end?: boolean;
}

export interface RawResponse {
  /** Everything the server sent. */
  data: Buffer;
  /** Status code of the first response, if any came. */
  status?: number;
  /** The connection was closed with nothing sent (e.g. `return 444`). */
  empty: boolean;
}

/**
 * Sends bytes as they are on a new connection and collects the reply until
 * nginx closes it (send `Connection: close` or HTTP/1.0 so that it does).
 */
export function sendRaw(port: number, bytes: string | Buffer, options: SendOptions = {}): Promise<RawResponse> {
  const payload = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const sock = new Socket();
    let settled = false;
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      if (err) return reject(err);
      const data = Buffer.concat(chunks);
      const m = /^HTTP\/\d\.\d (\d{3})/.exec(data.subarray(0, 32).toString('latin1'));
      resolve({ data, status: m ? Number(m[1]) : undefined, empty: data.length === 0 });
    };
    const timer = setTimeout(() => finish(), options.timeoutMs ?? 5_000);
    sock.on('data', (c: Buffer) => chunks.push(c));
    sock.on('end', () => finish());
    sock.on('close', () => finish());
    sock.on('error', (err: NodeJS.ErrnoException) => {
      // A reset after nginx answered (or dropped with 444) is still an answer.
      if (err.code === 'ECONNRESET' || err.code === 'EPIPE') finish();
      else finish(err);
    });
    sock.connect({ port, host: options.host ?? '127.0.0.1', localAddress: options.localAddress ?? '127.0.0.1' }, () => {
      sock.write(payload);
      if (options.end) sock.end();
    });
  });
}

/** A plain HTTP/1.1 request with `Connection: close`, for `sendRaw`. */
export function httpRequest(method: string, target: string, headers: Record<string, string> = {}, protocol = 'HTTP/1.1'): string {
  const lines = [`${method} ${target} ${protocol}`];
  const h = { Host: 'localhost', Connection: 'close', ...headers };
  for (const [k, v] of Object.entries(h)) lines.push(`${k}: ${v}`);
  return lines.join('\r\n') + '\r\n\r\n';
}

/**
 * `nginx -t` on a config (http{} body or whole, same placeholders as
 * startNginx; ports are reserved but not bound). Returns nginx's verdict and
 * its stderr.
 */
export async function nginxTest(conf: string, options: Omit<StartOptions, 'conf'> = {}): Promise<{ ok: boolean; stderr: string }> {
  const ports = await freePorts(options.ports ?? 1);
  const { prefix, logs } = makePrefix();
  try {
    const text = isFullConfig(conf) ? fill(conf, prefix, logs, ports) : wrapConfig(fill(conf, prefix, logs, ports), prefix, { ...options, conf });
    const confFile = join(prefix, 'nginx.conf');
    writeFileSync(confFile, text);
    const r = spawnSync(NGINX, ['-t', '-p', prefix + '/', '-c', confFile], { encoding: 'utf8', timeout: 15_000 });
    return { ok: r.status === 0, stderr: r.stderr ?? '' };
  } finally {
    rmSync(prefix, { recursive: true, force: true });
  }
}
