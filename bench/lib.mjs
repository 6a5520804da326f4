// Shared by the bench scripts: the big hosting config assembled from the corpus, timing of
// child processes with their peak RSS, percentiles, and the RESULTS.md log.
import { spawnSync } from 'node:child_process';
import { accessSync, appendFileSync, constants, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { binEnv } from '../test/support/binEnv';

export const root = resolve(new URL('..', import.meta.url).pathname);
export const work = join(root, 'bench/work');
export const corpus = resolve(root, '../shared/corpus');
export const NGINX = '/usr/sbin/nginx';

/** dist/ must exist: `npm run bench` builds it; a script run alone builds it when missing. */
export function ensureDist() {
  if (runnable(join(root, 'dist/cli.js')) && existsSync(join(root, 'dist/server.js'))) return;
  const r = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('build failed');
}

/** The CLI as users run it: the bin npm links, through its own `#!` line (scripts/build.mjs). */
export const CLI = join(root, 'dist/cli.js');

/** `timed` for the CLI run as its bin (test/support/binEnv.ts). */
export function timedCli(args, options = {}) {
  return timed(CLI, args, { ...options, env: binEnv(options.env) });
}

function runnable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export const ms = (ns) => Number(ns) / 1e6;
export function percentile(values, p) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}
export const fmt = (x, d = 1) => (x === undefined || Number.isNaN(x) ? 'n/a' : x.toFixed(d));

/**
 * Runs a command under /usr/bin/time: wall and CPU (user+sys) seconds and peak RSS (MB) as the
 * kernel accounted them. CPU time is the fairer number when other work shares the machine.
 * stdout goes to `stdoutFile` (or is discarded).
 */
export function timed(cmd, args, { cwd = root, stdoutFile, env } = {}) {
  const tf = join(work, `.time-${process.pid}`);
  const out = stdoutFile ? `>${JSON.stringify(stdoutFile)}` : '>/dev/null';
  const line = ['/usr/bin/time', '-f', '%e %U %S %M', '-o', tf, cmd, ...args].map((a) => `'${String(a).replace(/'/g, "'\\''")}'`).join(' ');
  const t0 = process.hrtime.bigint();
  const r = spawnSync('sh', ['-c', `${line} ${out}`], { cwd, encoding: 'utf8', env: env ?? process.env, maxBuffer: 64 << 20 });
  const wall = ms(process.hrtime.bigint() - t0) / 1000;
  const [, user, sys, kb] = readFileSync(tf, 'utf8').trim().split('\n').pop().split(' ');
  rmSync(tf, { force: true });
  return { wall, cpu: Number(user) + Number(sys), rssMB: Number(kb) / 1024, status: r.status, stderr: r.stderr };
}

/**
 * How fast this machine is right now, for comparing runs across days: node's own start-up (median
 * of 5) and a fixed JS loop pinned to each CPU. On this VM the two CPUs have differed by 1.3x in
 * such a loop (1.8x on allocation-heavy code), and which one is slow changes within minutes.
 */
export function calibration() {
  const wall = (cmd, args) => {
    const t = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    return { ms: ms(process.hrtime.bigint() - t), out: r.stdout.trim(), ok: r.status === 0 };
  };
  const startup = Array.from({ length: 5 }, () => wall(process.execPath, ['-e', '0']).ms).sort((a, b) => a - b)[2];
  const loop = 'const t = process.hrtime.bigint(); let s = 0; for (let i = 0; i < 1e8; i++) s += i % 7; console.log(Number(process.hrtime.bigint() - t) / 1e6)';
  const perCpu = cpus().map((_, i) => {
    const r = wall('taskset', ['-c', String(i), process.execPath, '-e', loop]);
    return r.ok ? `cpu${i} ${fmt(Number(r.out), 0)} ms` : `cpu${i} n/a`;
  });
  return `node start-up ${fmt(startup, 0)} ms (median of 5); 1e8-iteration JS loop: ${perCpu.join(', ')}`;
}

export function machine() {
  const free = spawnSync('free', ['-h'], { encoding: 'utf8' }).stdout.trim();
  const nproc = spawnSync('nproc', [], { encoding: 'utf8' }).stdout.trim();
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    nproc,
    cpu: cpus()[0]?.model ?? '?',
    mem: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    free,
    node: process.version,
    load: loadavg().map((x) => x.toFixed(1)).join(' '),
    commit: spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).stdout.trim(),
  };
}

/** Appends one section to bench/RESULTS.md (older runs stay below their own headings). */
export function record(title, rows, notes = []) {
  const m = machine();
  const file = join(root, 'bench/RESULTS.md');
  if (!existsSync(file)) {
    writeFileSync(file, '# Benchmark results\n\nAppended by `npm run bench` (bench/*.mjs); newest at the bottom. Targets in brackets.\n');
  }
  const free = m.free.split('\n').slice(0, 2).map((l) => `    ${l}`).join('\n');
  const body = [
    '',
    `## ${title} — ${m.date}`,
    '',
    `Machine: nproc ${m.nproc}, ${m.cpu}, node ${m.node}, load average ${m.load} at the end, commit ${m.commit}`,
    '',
    `Speed now: ${calibration()}`,
    '',
    free,
    '',
    '| measure | value |',
    '| --- | --- |',
    ...rows.map(([k, v]) => `| ${k} | ${v} |`),
    ...(notes.length ? ['', ...notes.map((n) => `- ${n}`)] : []),
    '',
  ].join('\n');
  appendFileSync(file, body);
  for (const [k, v] of rows) console.log(`${k.padEnd(58)} ${v}`);
  for (const n of notes) console.log(`  note: ${n}`);
}

export const mark = (ok) => (ok ? 'met' : 'MISSED');

export const COMBINED_HOST = `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$host"`;
export const SITES = 300;

/**
 * The big hosting config: nginx.conf with the ultimate bad-bot blocker's globalblacklist.conf and
 * botblocker-nginx-settings.conf at http level, its bots.d/ beside them, SITES server files each
 * including bots.d/blockbots.conf and bots.d/ddos.conf (the blocker's documented vhost setup),
 * and a default server that drops unknown hosts with 444. The blocker's files are copied byte for
 * byte except its absolute /etc/nginx/ include paths, pointed at this tree so nginx -t reads the
 * same files. Rebuilt only when missing. Returns paths and the names the log generator needs.
 */
const TREE_VERSION = '2';

export function bigConfig() {
  const dir = join(work, 'hosting');
  const conf = join(dir, 'nginx.conf');
  const bb = join(corpus, 'configs/mitchellkrogza__nginx-ultimate-bad-bot-blocker');
  if (!existsSync(bb)) throw new Error(`corpus not found at ${corpus}`);
  const hosts = Array.from({ length: SITES }, (_, i) => `site${String(i).padStart(3, '0')}.example.com`);
  // The tree's version: a tree from an older bench is rebuilt (2: the sites listen on [::]:80 too,
  // as the log's IPv6 clients need; nginx never logs an IPv6 client of an IPv4-only socket).
  const marker = join(dir, '.complete');
  if (!existsSync(marker) || readFileSync(marker, 'utf8') !== TREE_VERSION) {
    rmSync(dir, { recursive: true, force: true });
    for (const d of ['conf.d', 'bots.d', 'sites-enabled', 'logs']) mkdirSync(join(dir, d), { recursive: true });
    const copy = (from, to) => writeFileSync(to, readFileSync(from, 'latin1').replaceAll('/etc/nginx/', `${dir}/`), 'latin1');
    for (const f of ['globalblacklist.conf', 'botblocker-nginx-settings.conf']) copy(join(bb, 'conf.d', f), join(dir, 'conf.d', f));
    for (const f of readdirSync(join(bb, 'bots.d'))) copy(join(bb, 'bots.d', f), join(dir, 'bots.d', f));
    writeFileSync(
      conf,
      `worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log;
events { worker_connections 64; }
http {
    log_format main '${COMBINED_HOST}';
    access_log ${dir}/logs/access.log main;
    client_body_temp_path ${dir}/tmp/body;
    proxy_temp_path ${dir}/tmp/proxy;
    fastcgi_temp_path ${dir}/tmp/fastcgi;
    uwsgi_temp_path ${dir}/tmp/uwsgi;
    scgi_temp_path ${dir}/tmp/scgi;
    include conf.d/botblocker-nginx-settings.conf;
    include conf.d/globalblacklist.conf;
    include sites-enabled/*.conf;
}
`,
    );
    writeFileSync(
      join(dir, 'sites-enabled', '000-default.conf'),
      `server {
    listen 80 default_server;
    listen [::]:80 default_server;
    server_name _;
    return 444;
}
`,
    );
    hosts.forEach((h, i) => {
      writeFileSync(
        join(dir, 'sites-enabled', `${h}.conf`),
        `server {
    listen 80;
    listen [::]:80;
    server_name ${h} www.${h};
    root /var/www/site${i}/public;
    index index.php index.html;
    include bots.d/blockbots.conf;
    include bots.d/ddos.conf;
    location / {
        try_files $uri $uri/ /index.php?$args;
    }
    location = /xmlrpc.php { return 444; }
    location ~ /\\.(?!well-known) { return 444; }
    location ~ \\.php$ {
        fastcgi_pass unix:/run/php/site${i}.sock;
    }
}
`,
      );
    });
    mkdirSync(join(dir, 'tmp'), { recursive: true });
    writeFileSync(marker, TREE_VERSION);
  }
  let files = 0;
  let lines = 0;
  (function walk(d) {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'logs' && e.name !== 'tmp') walk(p);
      } else if (e.name.endsWith('.conf')) {
        files++;
        lines += readFileSync(p, 'latin1').split('\n').length - 1;
      }
    }
  })(dir);
  return { dir, conf, hosts, files, lines, site: (i) => join(dir, 'sites-enabled', `${hosts[i]}.conf`) };
}

export function fileSize(p) {
  return statSync(p).size;
}
