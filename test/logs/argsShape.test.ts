// `$args` and `$query_string` are text, not tokens: a config writes variables into the args of a
// try_files, rewrite or error_page target unescaped (`try_files $uri /index.php?q=$uri&$args`,
// with `$uri` decoded), and `set $args` writes anything, so a raw space can be logged in them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileLogFormat } from '../../server/src/core/logs/format';
import { pinnedVariables } from '../../server/src/core/http/request';

for (const fastPath of [true, false]) {
  test(`a space in $args splits the line more than one way (${fastPath ? 'generated matcher' : 'general search'})`, () => {
    const f = compileLogFormat('t', '$status $args $uri', 'default', { fastPath });
    // nginx wrote args "q=/a /x&" and uri "/index.php"; "q=/a" and "/x& /index.php" read as well.
    const l = '444 q=/a /x& /index.php';
    const p = f.parse(l);
    assert.ok(p.ok && p.ambiguous, 'ambiguous');
    // Only the status is the same in every reading.
    assert.deepEqual(pinnedVariables(f, l, ['status', 'args', 'uri']), ['status']);
    // Without a space in either, one reading.
    const q = f.parse('444 q=/a /index.php');
    assert.ok(q.ok && !q.ambiguous);
  });
}

test('a space in $query_string before a quoted field is read strictly (was: not read at all)', () => {
  const f = compileLogFormat('t', '$status $query_string "$http_user_agent"', 'default');
  const p = f.parse('444 q=/a /x& "Mozilla/5.0"');
  assert.ok(p.ok && !p.ambiguous);
  assert.equal(p.fields.query_string, 'q=/a /x&');
});

test('a number glued to another variable is not trusted when a line has too many readings ($server_port$uri$is_args)', () => {
  const f = compileLogFormat('t', '$remote_addr $status $server_port$uri$is_args', 'default');
  const l = '127.0.0.1 444 38123/a/x';
  assert.ok(f.allReadings(l, 16) === undefined, 'more readings than listed');
  // $status is between literals: kept; the port could end at any of its digits: not.
  assert.deepEqual(pinnedVariables(f, l, ['remote_addr', 'status', 'server_port']), ['status']);
});
