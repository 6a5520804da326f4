// "The log lacks $x" (Attribution.missing) names only what would tell the candidate drops apart:
// a question every candidate answered alike is not worth logging.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Attributor, facts, http, modelOf } from './support';

test('a port every candidate assumed alike is not what the log lacks; the Host that splits them is', () => {
  // Two servers, one log each: a line of b.log was on port 81, whatever the port fork says.
  const conf = http(`
server { listen 80; access_log /var/log/a.log;
  location /x { if ($http_user_agent ~ bot) { return 444; } return 444; }
}
server { listen 81; access_log /var/log/b.log;
  location /x { if ($http_user_agent ~ bot) { return 444; } return 444; }
}
server { listen 81; server_name other.test; access_log /var/log/b.log; return 444; }`);
  const m = modelOf(conf);
  const req = facts({ request: 'GET /x HTTP/1.1', remoteAddr: '192.0.2.1' });
  const a = new Attributor(m, { logFile: '/var/log/a.log' }).attribute(req, 444);
  assert.equal(a.verdict, 'ambiguous');
  assert.deepEqual(a.missing, ['$http_user_agent'], a.why);
  // On port 81 the unlogged Host also chooses between two servers.
  const b = new Attributor(m, { logFile: '/var/log/b.log' }).attribute(req, 444);
  assert.equal(b.verdict, 'ambiguous');
  assert.deepEqual([...b.missing].sort(), ['$host', '$http_user_agent'], b.why);
});
