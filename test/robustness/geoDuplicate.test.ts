// A repeated geo network takes the last value (nginx warns "duplicate network" and replaces it):
// what real nginx answers, and what the router says. The bad-bot blocker relies on it: its
// whitelist-ips.conf, included after the blacklist, re-lists addresses with 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryFileSystem } from '../../server/src/core/fileSystem';
import { loadConfigGraph } from '../../server/src/core/configGraph';
import { buildModelFromGraph } from '../../server/src/core/http/model';
import { Attributor } from '../../server/src/core/http/attribute';
import { factsFromLog } from '../../server/src/core/http/request';
import { hasNginx, sendRaw, startNginx } from '../support/realNginx';

const BODY = `
    geo $blocked {
        default 0;
        127.0.0.0/24 1;
        127.0.0.7 1;
        127.0.0.7 0;
    }
    server {
        listen 127.0.0.1:{{port}};
        access_log {{logs}}/a.log;
        if ($blocked) { return 444; }
        return 204;
    }`;

test('geo: a repeated network keeps its last value, in nginx and in the router', async () => {
  assert.ok(hasNginx(), 'real nginx (/usr/sbin/nginx) is required');
  const ngx = await startNginx({ conf: BODY });
  try {
    await sendRaw(ngx.port, 'GET / HTTP/1.0\r\n\r\n', { localAddress: '127.0.0.7' });
    await sendRaw(ngx.port, 'GET / HTTP/1.0\r\n\r\n', { localAddress: '127.0.0.8' });
    const lines = await ngx.waitForLines('a.log', 2);
    const status = (ip: string) => lines.find((l) => l.startsWith(ip + ' '))?.split('" ')[1]?.split(' ')[0];
    assert.equal(status('127.0.0.7'), '204', 'nginx: the later "127.0.0.7 0" wins');
    assert.equal(status('127.0.0.8'), '444');
  } finally {
    await ngx.stop();
  }
  const conf = `events {}\nhttp {\n${BODY.replaceAll('{{port}}', '8080').replaceAll('{{logs}}', '/tmp')}\n}\n`;
  const model = buildModelFromGraph(loadConfigGraph('/w/nginx.conf', new MemoryFileSystem({ '/w/nginx.conf': conf })));
  const at = new Attributor(model);
  const drop = (ip: string) => at.attribute(factsFromLog(['remote_addr', 'request'], { remote_addr: ip, request: 'GET / HTTP/1.0' }), 444).verdict;
  assert.equal(drop('127.0.0.7'), 'unmatched', 'the router: 127.0.0.7 is not blocked, so no rule logs 444 for it');
  assert.equal(drop('127.0.0.8'), 'exact');
});
