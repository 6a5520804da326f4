import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { IGrammar, IRawTheme } from 'vscode-textmate';
import { loadGrammar, tokenize, ruleDepths, cpuMillis, colours, MAX_TOKENIZED_LINE, assertScope, assertNoScope, type Tokenized } from './tokenize';

const fixture = (name: string) => path.join(__dirname, 'fixtures', name);
const L = 'nginx-access-log';

let grammar: IGrammar;
let r: Tokenized;
before(async () => {
  grammar = await loadGrammar('text.log.nginx-access');
  r = tokenize(grammar, readFileSync(fixture('access.log'), 'utf8'));
});

/** 0-based line of the fixture containing `text`. */
function lineOf(text: string): number {
  const i = r.lines.findIndex((l) => l.includes(text));
  assert.ok(i >= 0, `no line contains ${JSON.stringify(text)}`);
  return i;
}

describe('access-log grammar', () => {
  it('returns to the root at the end of every line, whatever the line holds', () => {
    r.depths.forEach((depth, i) => assert.equal(depth, 1, `line ${i + 1}: ${r.lines[i]}`));
  });

  it('scopes the fields of a combined line', () => {
    const line = lineOf('GET /index.html');
    assertScope(r, '203.0.113.7', `variable.other.remote-addr.ipv4.${L}`, { line });
    assertScope(r, '-', `constant.language.empty.${L}`, { line });
    assertScope(r, '[', `punctuation.definition.time.begin.${L}`, { line });
    assertScope(r, '24/Jan/2022:16:22:14 +0000', `constant.other.time-local.${L}`, { line });
    assertScope(r, 'GET', `keyword.other.method.${L}`, { line });
    assertScope(r, '/index.html', `string.unquoted.uri.${L}`, { line });
    assertScope(r, 'HTTP/1.1', `constant.other.protocol.${L}`, { line });
    assertScope(r, 'GET', `string.quoted.double.request.${L}`, { line });
    assertScope(r, '200', `constant.numeric.status.success.${L}`, { line });
    assertScope(r, '552', `constant.numeric.bytes.${L}`, { line });
    assertScope(r, '"-"', `meta.referer.${L}`, { line });
    assertScope(r, '"Mozilla/5.0 (X11; Linux x86_64)"', `meta.user-agent.${L}`, { line });
    assertScope(r, '"Mozilla/5.0 (X11; Linux x86_64)"', `string.quoted.double.${L}`, { line });
  });

  it('scopes the user, a referer and the extra quoted fields of the main format', () => {
    assertScope(r, 'alice', `variable.other.remote-user.${L}`);
    assertScope(r, '"https://example.com/"', `meta.referer.${L}`);
    assertScope(r, '"10.0.0.1, 10.0.0.2"', `string.quoted.double.${L}`);
    assertNoScope(r, '"10.0.0.1, 10.0.0.2"', `meta.user-agent.${L}`);
  });

  it('colours statuses by class and sets 444 apart', () => {
    const cases: [string, string, string][] = [
      ['GET /ws', '101', 'informational'],
      ['GET /index.html', '200', 'success'],
      ['POST /login', '302', 'redirect'],
      ['HEAD /', '301', 'redirect'],
      ['GET /missing', '404', 'client-error'],
      ['\\x16\\x03', '400', 'client-error'],
      ['GET /api', '502', 'server-error'],
      ['after-garbage', '503', 'server-error'],
      ['GET /.env', '444', 'drop'],
    ];
    for (const [where, code, cls] of cases) {
      assertScope(r, code, `constant.numeric.status.${cls}.${L}`, { line: lineOf(where) });
    }
    assertNoScope(r, '444', `constant.numeric.status.client-error.${L}`, { line: lineOf('GET /.env') });
  });

  it('gives each status class its own colour in a stock theme (Dark+ / Dark Modern selectors)', async () => {
    const theme = JSON.parse(readFileSync(fixture('dark-plus-subset.theme.json'), 'utf8')) as IRawTheme;
    const colourOf = async (status: string) => {
      const line = `192.0.2.1 - - [24/Jan/2022:16:22:14 +0000] "GET / HTTP/1.1" ${status} 0 "-" "-"`;
      const token = (await colours('text.log.nginx-access', theme, line)).find((t) => t.text === status);
      assert.ok(token, `no token ${status}`);
      return token.colour;
    };
    const byClass = { s200: await colourOf('200'), s301: await colourOf('301'), s404: await colourOf('404'), s500: await colourOf('500'), s444: await colourOf('444') };
    assert.equal(new Set(Object.values(byClass)).size, 5, `colours: ${JSON.stringify(byClass)}`);
  });

  it('reads a leading $host, IPv6 addresses and a TLS handshake as the request', () => {
    assertScope(r, 'shop.example.com', `entity.name.host.${L}`);
    assertScope(r, '192.0.2.1', `variable.other.remote-addr.ipv4.${L}`);
    assertScope(r, '2001:db8::1', `variable.other.remote-addr.ipv6.${L}`);
    const tls = lineOf('\\x16\\x03');
    assertScope(r, '\\x16', `constant.character.escape.hex.${L}`, { line: tls });
    assertScope(r, '157', `constant.numeric.bytes.${L}`, { line: tls });
  });

  it('reads syslog-wrapped lines', () => {
    const line = lineOf('nginx[2869]');
    assertScope(r, 'Sep 15 16:13:46', `constant.other.time.${L}`, { line });
    assertScope(r, '192.0.2.4', `variable.other.remote-addr.ipv4.${L}`, { line });
    assertScope(r, '444', `constant.numeric.status.drop.${L}`, { line });
  });

  it("reads Nginx Proxy Manager's proxy and standard formats", () => {
    const standard = lineOf('/.git/config');
    assertScope(r, '444', `constant.numeric.status.drop.${L}`, { line: standard });
    assertScope(r, 'GET', `keyword.other.method.${L}`, { line: standard });
    assertScope(r, '192.0.2.5', `entity.name.host.${L}`, { line: standard });
    assertScope(r, '/.git/config', `string.unquoted.uri.${L}`, { line: standard });
    assertScope(r, '192.0.2.6', `variable.other.remote-addr.ipv4.${L}`, { line: standard });
    assertScope(r, 'Client', `entity.name.tag.field.${L}`, { line: standard });
    const proxy = lineOf('[Sent-to app]');
    assertScope(r, '404', `constant.numeric.status.client-error.${L}`, { line: proxy });
    assertScope(r, '404', `constant.numeric.status.client-error.${L}`, { line: proxy, nth: 1 });
    assertScope(r, 'app.local', `entity.name.host.${L}`, { line: proxy });
  });

  it('reads escape=json lines', () => {
    const line = lineOf('{"time"');
    assertScope(r, '"status"', `support.type.property-name.json.${L}`, { line });
    assertScope(r, '444', `constant.numeric.status.drop.${L}`, { line });
    assertScope(r, 'GET', `keyword.other.method.${L}`, { line });
    assertScope(r, '/admin', `string.unquoted.uri.${L}`, { line });
    assertScope(r, '\\"', `constant.character.escape.${L}`, { line });
    assertScope(r, '0', `constant.numeric.${L}`, { line });
  });

  it('reads error-log lines mixed in', () => {
    const line = lineOf('[error]');
    assertScope(r, 'error', `keyword.other.level.error.${L}`, { line });
    assertScope(r, '*46', `constant.numeric.connection.${L}`, { line });
    assertScope(r, '/x', `string.unquoted.uri.${L}`, { line });
    assertScope(r, '192.0.2.9', `variable.other.remote-addr.ipv4.${L}`, { line });
  });

  it('keeps truncated and foreign lines to themselves', () => {
    assertScope(r, '"Mozilla/5.0 (unterminated', `string.quoted.double.unterminated.${L}`);
    const next = lineOf('after-garbage');
    assertScope(r, '192.0.2.11', `variable.other.remote-addr.ipv4.${L}`, { line: next });
    assertScope(r, 'GET', `keyword.other.method.${L}`, { line: next });
  });

  it('tokenizes adversarial lines as long as VS Code tokenizes in bounded time', () => {
    const fill = (unit: string) => unit.repeat(Math.floor(MAX_TOKENIZED_LINE / unit.length));
    const lines = [
      `192.0.2.1 - - [24/Jan/2022:16:22:14 +0000] "GET /${fill('a')} HTTP/1.1" 200 1 "-" "-"`,
      fill('a '), // many words, no [time]
      fill('1.2.3.4 '),
      fill(':'),
      fill('" '),
      `{${fill('"k":"v",')}}`,
      `[24/Jan/2022:16:22:14 +0000] 444 - GET https ${fill('h')} "/" [Client 1.2.3.4]`,
      Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)).toString('latin1'),
    ];
    // A catastrophic regex would take minutes; all of these together take about two seconds.
    let depths: number[] = [];
    const cpu = cpuMillis(() => (depths = ruleDepths(grammar, lines.join('\n'))));
    assert.ok(depths.every((d) => d === 1));
    assert.ok(cpu < 10_000, `took ${cpu} ms of CPU`);
  });
});
