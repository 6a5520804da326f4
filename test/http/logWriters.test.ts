// Which access_log (and so which log_format) can have written a line: nginx writes each line with
// the format of the access_log entry naming the file (ngx_http_log_handler), and where no
// access_log is in effect, to NGX_HTTP_LOG_PATH in `combined`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { MemoryFileSystem } from '../../server/src/core/fileSystem';
import { loadConfigGraph } from '../../server/src/core/configGraph';
import { buildModelFromGraph } from '../../server/src/core/http/model';
import { traceLog, type TraceEntry } from '../../server/src/core/trace';

const MAIN = `'$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for"'`;
const WITHHOST = `'$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$host"'`;
const line = (path: string, ua: string, last?: string) =>
  `192.0.2.1 - - [27/Nov/2026:10:00:00 +0000] "GET ${path} HTTP/1.1" 444 0 "-" "${ua}"${last === undefined ? '' : ` "${last}"`}`;

/** Traces `lines` as the file `writtenTo` (undefined: standard input of unknown origin). */
async function trace(conf: string, lines: string[], writtenTo: string | undefined): Promise<TraceEntry[]> {
  const model = buildModelFromGraph(loadConfigGraph('/etc/nginx/nginx.conf', new MemoryFileSystem({ '/etc/nginx/nginx.conf': conf })));
  const got: TraceEntry[] = [];
  const stream = Readable.from([Buffer.from(lines.join('\n') + '\n')]);
  await traceLog(model, '-', (e) => got.push(e), { stream, writtenTo });
  return got;
}
const at = (conf: string, needle: string) => conf.split('\n').findIndex((l) => l.includes(needle)) + 1;
const lines = (e: TraceEntry) => e.attribution.rules.map((r) => r.range.start.line + 1).sort((a, b) => a - b);

test('no access_log in effect: nginx writes /var/log/nginx/access.log (Debian\'s NGX_HTTP_LOG_PATH) in combined', async () => {
  const conf = `events {}
http {
  log_format main ${MAIN};
  server { listen 80 default_server; server_name b.test; location /x { return 444; } location / { return 200; } }
  server { listen 80; server_name a.test; access_log /var/log/nginx/access.log main; if ($http_user_agent ~ bot) { return 444; } location / { return 200; } }
}
`;
  const got = await trace(conf, [line('/x', 'bot'), line('/y', 'bot', '-')], '/var/log/nginx/access.log');
  // Before: the default log was under the prefix, so b.test's combined line was routed among a.test's logs alone.
  assert.equal(got[0].attribution.verdict, 'exact', got[0].attribution.why);
  assert.deepEqual(lines(got[0]), [at(conf, 'server_name b.test')]);
  assert.deepEqual(lines(got[1]), [at(conf, 'server_name a.test')]);
});

test('a log of unknown origin (standard input, a renamed copy) may be any access_log\'s, each in its own format', async () => {
  const conf = `events {}
http {
  log_format withhost ${WITHHOST};
  log_format main ${MAIN};
  access_log /var/log/nginx/a.log withhost;
  server { listen 80 default_server; server_name b.test; location /a { return 444; } location / { return 200; } }
  server { listen 80; server_name a.test; access_log /var/log/nginx/a.log main; if ($http_user_agent ~ bot) { return 444; } location / { return 200; } }
}
`;
  for (const writtenTo of [undefined, '/tmp/copy.txt']) {
    const [e] = await trace(conf, [line('/a', 'bot', '-')], writtenTo);
    // As withhost: Host "-" went to b.test's /a; as main: a.test's bot rule. Before, only the first.
    assert.equal(e.attribution.verdict, 'ambiguous', String(writtenTo));
    assert.deepEqual(lines(e), [at(conf, 'server_name b.test'), at(conf, 'server_name a.test')]);
  }
});

test('a line in a format none of its file\'s access_logs writes is never certain', async () => {
  const conf = `events {}
http {
  log_format main ${MAIN};
  access_log /var/log/nginx/access.log main;
  server { listen 80; server_name a.test; location /x { return 444; } location / { return 200; } }
}
`;
  const [old, now] = await trace(conf, [line('/x', 'bot'), line('/x', 'bot', '-')], '/var/log/nginx/access.log');
  assert.equal(now.attribution.verdict, 'exact');
  assert.equal(old.attribution.verdict, 'ambiguous');
  assert.deepEqual(lines(old), [at(conf, 'location /x')]);
  assert.match(old.attribution.why, /log_format combined, which no access_log writing this file uses/);
});

test('a line another writer format reads with another status may not be a 444 one', async () => {
  const conf = `events {}
http {
  log_format fa '$status $body_bytes_sent "$request"';
  log_format fb '$body_bytes_sent $status "$request"';
  server { listen 80 default_server; server_name a.test; access_log /var/log/nginx/s.log fa; location / { return 444; } }
  server { listen 80; server_name b.test; access_log /var/log/nginx/s.log fb; location / { return 200; } }
}
`;
  // fb wrote a 200 of 444 bytes; read as fa it is a 444 that sent 200 bytes, which no rule
  // here gives (a.test closes): not a traced line. Were it possible, it would not be certain.
  assert.deepEqual(await trace(conf, ['444 200 "GET /f HTTP/1.1"'], '/var/log/nginx/s.log'), []);
  const [e] = await trace(conf.replace('location / { return 444; }', 'location / { error_page 404 =444 /nf.html; }'), ['444 200 "GET /f HTTP/1.1"'], '/var/log/nginx/s.log');
  assert.equal(e.attribution.verdict, 'ambiguous', e.attribution.why);
  assert.match(e.attribution.why, /or with status 200/);
});

test('an access_log path with variables writes a file only when its pattern can name it', async () => {
  const conf = `events {}
http {
  log_format main ${MAIN};
  access_log /var/log/nginx/access.log main;
  server { listen 80 default_server; server_name b.test; location / { return 444; } }
  server { listen 80; server_name a.test; access_log /var/log/nginx/vh-$host.log main; location / { return 444; } }
}
`;
  const [e] = await trace(conf, [line('/', 'curl', '-')], '/var/log/nginx/access.log');
  assert.equal(e.attribution.verdict, 'exact', e.attribution.why);
  assert.deepEqual(lines(e), [at(conf, 'server_name b.test')]);
});
