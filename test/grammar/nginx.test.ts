import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { IGrammar } from 'vscode-textmate';
import { loadGrammar, tokenize, ruleDepths, cpuMillis, MAX_TOKENIZED_LINE, assertScope, assertNoScope, tokenAt, innermost, type Tokenized } from './tokenize';

const fixture = (name: string) => path.join(__dirname, 'fixtures', name);
const read = (name: string) => readFileSync(fixture(name), 'utf8');

/** 0-based index of the first line containing `text`. */
function lineOf(r: Tokenized, text: string): number {
  const i = r.lines.findIndex((l) => l.includes(text));
  assert.ok(i >= 0, `no line contains ${JSON.stringify(text)}`);
  return i;
}

/** The directive name on the line containing `lineText` is scoped as a directive. */
function assertDirective(r: Tokenized, name: string, lineText = name) {
  assertScope(r, name, 'keyword.other.directive.nginx', { line: lineOf(r, lineText) });
}

let nginx: IGrammar;
before(async () => {
  nginx = await loadGrammar('source.nginx');
});

describe('nginx grammar: what the incumbent grammars get wrong', () => {
  let r: Tokenized;
  before(() => {
    r = tokenize(nginx, read('incumbent-failures.conf'));
  });

  it('ends the file back at the root', () => {
    assert.equal(r.depths.at(-1), 1);
    assert.deepEqual(r.openScopes, []);
  });

  it('keeps quoted map keys inside the entry and goes on with directives after the map', () => {
    const line = lineOf(r, '"~*(?:\\b)Googlebot"');
    assertScope(r, '~*', 'keyword.operator.regexp.modifier.nginx', { line });
    assertScope(r, 'Googlebot', 'string.regexp.quoted.map-key.nginx', { line });
    assertScope(r, '0', 'constant.numeric.nginx', { line });
    assertNoScope(r, '0', 'string', { line });
    assertScope(r, 'bad', 'string.regexp', { line: lineOf(r, 'bad\\ bot') });
    assertScope(r, '\\ ', 'constant.character.escape.regexp.nginx', { line: lineOf(r, 'bad\\ bot') });
    assertScope(r, 'some exact agent', 'string.quoted.double.map-key.nginx');
    assertScope(r, 'default', 'keyword.other.default.nginx');
    assertDirective(r, 'gzip');
    assertScope(r, 'on', 'constant.language.boolean.nginx', { line: lineOf(r, 'gzip on') });
  });

  it('keeps a multi-line log_format in one string per line and scopes the next directive', () => {
    const first = lineOf(r, 'log_format main');
    for (const line of [first, first + 1, first + 2]) {
      assertScope(r, "'", 'punctuation.definition.string.begin.nginx', { line });
      assertScope(r, "'", 'punctuation.definition.string.end.nginx', { line, nth: 1 });
    }
    // the double quotes inside the single-quoted format are text, not strings of their own
    assertScope(r, '] "', 'string.quoted.single.nginx', { line: first });
    assertScope(r, '$http_referer', 'variable.other.nginx');
    assertScope(r, '$http_referer', 'string.quoted.single.nginx');
    assertScope(r, ';', 'punctuation.terminator.directive.nginx', { line: first + 2 });
    assertDirective(r, 'access_log');
    assertNoScope(r, 'access_log', 'string');
    assertScope(r, 'main', 'meta.directive.nginx', { line: lineOf(r, 'access_log') });
  });

  it('scopes ${VAR} envsubst placeholders and keeps the directives around them', () => {
    assertScope(r, '${NGINX_PORT}', 'variable.other.placeholder.nginx');
    assertScope(r, '${NGINX_HOST}', 'variable.other.placeholder.nginx');
    assertDirective(r, 'listen');
    assertScope(r, 'server_name', 'keyword.other.directive.nginx');
  });

  it('reads {3} inside a quoted regex as a quantifier, not a block', () => {
    const loc = lineOf(r, 'location ~ "^/[0-9]{3}');
    assertScope(r, '{3}', 'keyword.operator.quantifier.regexp.nginx', { line: loc });
    assertScope(r, '{3}', 'string.regexp', { line: loc });
    assertScope(r, '[0-9]', 'constant.other.character-class.set.regexp.nginx', { line: loc });
    assertScope(r, '{', 'punctuation.section.block.begin.nginx', { line: loc });
    assertDirective(r, 'expires');

    const cond = lineOf(r, 'if ($request_uri');
    assertScope(r, '{3}', 'keyword.operator.quantifier.regexp.nginx', { line: cond });
    assertScope(r, ')', 'punctuation.section.condition.end.nginx', { line: cond, nth: 1 });
    assertScope(r, '403', 'constant.numeric.status.nginx');

    const rewrite = lineOf(r, 'rewrite "^/x{2,4}$"');
    assertScope(r, '{2,4}', 'keyword.operator.quantifier.regexp.nginx', { line: rewrite });
    assertScope(r, 'last', 'keyword.other.flag.rewrite.nginx', { line: rewrite });
  });

  it('scopes return 200 "LB" and the directive after it', () => {
    const line = lineOf(r, 'return 200 "LB"');
    assertScope(r, '200', 'constant.numeric.status.nginx', { line });
    assertNoScope(r, '200', 'constant.numeric.status.drop', { line });
    assertScope(r, 'LB', 'string.quoted.double.nginx', { line });
    assertScope(r, ';', 'punctuation.terminator.directive.nginx', { line });
    assertDirective(r, 'charset');
  });

  it('keeps a } inside a Lua string, comment or long string from closing the Lua block', () => {
    assertScope(r, '"} not the end {"', 'string.quoted.double.lua');
    assertScope(r, '-- nor } this', 'comment.line.double-dash.lua');
    assertScope(r, ' } ', 'string.quoted.other.multiline.lua');
    assertScope(r, 'add_header', 'keyword.other.directive.nginx');
    assertNoScope(r, 'add_header', 'source.lua');
    assertScope(r, 'location', 'keyword.control.directive.block.location.nginx', { line: lineOf(r, 'location /drop') });
  });

  it('gives return 444 its own scope', () => {
    const line = lineOf(r, 'return 444');
    assertScope(r, 'return', 'keyword.other.directive.nginx', { line });
    assertScope(r, '444', 'constant.numeric.status.drop.nginx', { line });
    // the other ways a config answers with 444
    const limits = tokenize(nginx, 'limit_req_status 444;\nlimit_conn_status 444;\nlimit_req_status 503;\n');
    assertScope(limits, '444', 'constant.numeric.status.drop.nginx', { line: 0 });
    assertScope(limits, '444', 'constant.numeric.status.drop.nginx', { line: 1 });
    assertNoScope(limits, '503', 'constant.numeric.status.drop.nginx');
  });
});

describe('nginx grammar: nginx tokenization rules', () => {
  let r: Tokenized;
  before(() => {
    r = tokenize(nginx, read('tokenization.conf'));
  });

  it('ends the file back at the root', () => {
    assert.equal(r.depths.at(-1), 1);
  });

  it('starts a comment with # only where a token starts', () => {
    const line = lineOf(r, 'set $a x#y;');
    assertNoScope(r, 'x#y', 'comment', { line });
    assertScope(r, '#', 'comment.line.number-sign.nginx', { line });
    assertScope(r, '#', 'comment.line.number-sign.nginx', { line: 0 });
  });

  it('keeps } and quotes inside a bare word literal', () => {
    const brace = lineOf(r, 'set $b a}b;');
    assertNoScope(r, 'a}b', 'punctuation', { line: brace });
    assertScope(r, ';', 'punctuation.terminator.directive.nginx', { line: brace });
    assertNoScope(r, 'a"b"c', 'string', { line: lineOf(r, 'a"b"c') });
  });

  it('lets a backslash escape ; inside a word', () => {
    const line = lineOf(r, 'X-Semi');
    assertScope(r, '\\;', 'constant.character.escape.nginx', { line });
    assertScope(r, ';', 'punctuation.terminator.directive.nginx', { line });
    assert.equal(r.tokens.filter((t) => t.line === line && t.scopes.some((s) => s.startsWith('punctuation.terminator'))).length, 1);
  });

  it('continues a word at { only right after $', () => {
    assertScope(r, '${a}', 'variable.other.nginx');
    assertScope(r, 'z', 'meta.directive.nginx', { line: lineOf(r, '${a}z') });
    // an unquoted {3}: nginx ends the word at { and opens a block there; so does the grammar
    const t = tokenize(nginx, 'location ~ ^/a{3}$ { }\n');
    assertScope(t, '^', 'keyword.control.anchor.regexp.nginx');
    assertScope(t, '{', 'punctuation.section.block.begin.nginx');
  });

  it('tells block directives from simple ones', () => {
    for (const name of ['events', 'http', 'upstream', 'limit_except', 'stream']) {
      assertScope(r, name, 'keyword.control.directive.block.nginx');
    }
    assertScope(r, 'types', 'keyword.control.directive.block.types.nginx');
    assertScope(r, 'geo', 'keyword.control.directive.block.geo.nginx');
    assertScope(r, 'split_clients', 'keyword.control.directive.block.split-clients.nginx');
    // `server` inside upstream is a simple directive; with its { (even on the next line) a block
    assertScope(r, 'server', 'keyword.other.directive.nginx', { line: lineOf(r, 'server 127.0.0.1:8080') });
    assertScope(r, 'server', 'keyword.control.directive.block.nginx', { line: r.lines.findIndex((l) => l.trim() === 'server') });
    assertScope(r, 'server', 'keyword.control.directive.block.nginx', { line: lineOf(r, 'server { listen 12345') });
    assertScope(r, 'worker_connections', 'keyword.other.directive.nginx');
  });

  it('scopes the bodies of types, geo and split_clients as entries', () => {
    assertScope(r, 'text/html', 'entity.name.type.mime-type.nginx');
    assertScope(r, '10.0.0.0/8', 'constant.other.network.geo-key.nginx');
    assertScope(r, '50%', 'constant.numeric.percentage.nginx');
    assertScope(r, '*', 'keyword.operator.wildcard.nginx');
    assertNoScope(r, 'html', 'keyword', { line: lineOf(r, 'text/html') });
  });

  it('scopes numbers, sizes, times, on/off and name=value parameters', () => {
    assertScope(r, '1024', 'constant.numeric.nginx');
    assertScope(r, '1h30m', 'constant.numeric.nginx');
    assertScope(r, '10m', 'constant.numeric.nginx', { line: lineOf(r, 'client_max_body_size') });
    assertScope(r, 'on', 'constant.language.boolean.nginx');
    assertScope(r, 'OFF', 'constant.language.boolean.nginx');
    assertScope(r, 'keys_zone', 'variable.parameter.nginx');
    assertScope(r, '60m', 'constant.numeric.nginx');
    assertScope(r, '5', 'constant.numeric.nginx', { line: lineOf(r, 'weight=5') });
  });

  it('scopes include paths', () => {
    assertScope(r, 'include', 'keyword.other.directive.include.nginx');
    assertScope(r, 'mime.types', 'string.unquoted.path.nginx');
    assertScope(r, 'conf.d/*.conf', 'string.quoted.double.path.nginx');
  });

  it('scopes location modifiers and the regex after ~ and ~*', () => {
    const re = lineOf(r, 'location ~* \\.(jpg|png)$');
    assertScope(r, '~*', 'keyword.operator.location-modifier.nginx', { line: re });
    assertScope(r, 'jpg', 'string.regexp', { line: re });
    assertScope(r, '$', 'keyword.control.anchor.regexp.nginx', { line: re });
    assertScope(r, '^~', 'keyword.operator.location-modifier.nginx');
    assertScope(r, '/static/', 'string.unquoted.uri.nginx');
    assertScope(r, '@fallback', 'entity.name.function.named-location.nginx', { line: lineOf(r, 'location @fallback') });
    assertScope(r, '@fallback', 'entity.name.function.named-location.nginx', { line: lineOf(r, 'try_files') });
    const exact = tokenize(nginx, 'location =/exact { }\nlocation = / { }\n');
    assertScope(exact, '=', 'keyword.operator.location-modifier.nginx', { line: 0 });
    assertScope(exact, '/exact', 'string.unquoted.uri.nginx');
    assertScope(exact, '/', 'string.unquoted.uri.nginx', { line: 1 });
  });

  it('scopes if conditions and their operators', () => {
    const f = lineOf(r, 'if (!-f');
    assertScope(r, '(', 'punctuation.section.condition.begin.nginx', { line: f });
    assertScope(r, '!-f', 'keyword.operator.file-test.nginx', { line: f });
    assertScope(r, '$request_filename', 'variable.other.nginx', { line: f });
    assertScope(r, ')', 'punctuation.section.condition.end.nginx', { line: f });
    assertScope(r, '!=', 'keyword.operator.comparison.nginx');
    assertScope(r, 'example.com', 'string.quoted.double.nginx', { line: lineOf(r, '!=') });
    assertScope(r, '!~*', 'keyword.operator.regexp.nginx');
    assertScope(r, 'debug', 'string.regexp', { line: lineOf(r, '!~*') });
    const ops = tokenize(nginx, 'if ($a = b) {}\nif (-d $x) {}\nif (!-e $x) {}\nif (-x $x) {}\nif ($a ~ (x|y)) {}\nif ($a !~ z) {}\nif ($a) {}\n');
    assertScope(ops, '=', 'keyword.operator.comparison.nginx', { line: 0 });
    assertScope(ops, '-d', 'keyword.operator.file-test.nginx');
    assertScope(ops, '!-e', 'keyword.operator.file-test.nginx');
    assertScope(ops, '-x', 'keyword.operator.file-test.nginx');
    assertScope(ops, '~', 'keyword.operator.regexp.nginx', { line: 4 });
    assertScope(ops, 'x', 'string.regexp', { line: 4 });
    assertScope(ops, ')', 'punctuation.section.condition.end.nginx', { line: 4, nth: 1 });
    assertScope(ops, '!~', 'keyword.operator.regexp.nginx');
    assertScope(ops, 'z', 'string.regexp', { line: 5 });
    assertScope(ops, ')', 'punctuation.section.condition.end.nginx', { line: 6 });
    assert.equal(ops.depths.at(-1), 1);
  });

  it('scopes rewrite regexes, captures and flags', () => {
    const line = lineOf(r, 'rewrite ^/(.*)$');
    assertScope(r, '(', 'punctuation.definition.group.regexp.nginx', { line });
    assertScope(r, '*', 'keyword.operator.quantifier.regexp.nginx', { line });
    assertScope(r, '$1', 'variable.other.capture.nginx', { line });
    assertScope(r, 'last', 'keyword.other.flag.rewrite.nginx', { line });
  });

  it('scopes statement punctuation', () => {
    assertScope(r, '{', 'punctuation.section.block.begin.nginx', { line: lineOf(r, 'http {') });
    assertScope(r, '}', 'punctuation.section.block.end.nginx', { line: r.lines.length - 2 });
    const stray = tokenize(nginx, 'gzip on;\n}\n');
    assertScope(stray, '}', 'invalid.illegal.unexpected-brace.nginx');
  });
});

describe('nginx grammar: Lua blocks', () => {
  const conf = read('lua-blocks.conf');

  for (const withLua of [false, true]) {
    it(withLua ? 'with a Lua grammar installed' : 'without a Lua grammar', async () => {
      const grammar = withLua ? await loadGrammar('source.nginx', { extra: { 'source.lua': fixture('lua-stand-in.tmLanguage.json') } }) : nginx;
      const r = tokenize(grammar, conf);
      assert.equal(r.depths.at(-1), 1, 'every block closes');
      assertScope(r, 'init_by_lua_block', 'keyword.control.directive.block.lua.nginx');
      assertScope(r, 'access_by_lua_block', 'keyword.control.directive.block.lua.nginx');
      assertScope(r, 'rewrite_by_lua_block', 'keyword.control.directive.block.lua.nginx');
      assertScope(r, '$res', 'variable.other.nginx');
      // only at the start of a statement is *_by_lua_block a directive
      assertNoScope(r, 'content_by_lua_block', 'keyword', { line: lineOf(r, 'server_name content_by_lua_block') });
      assertScope(r, '"}"', 'string.quoted.double.lua');
      assertScope(r, "'}'", 'string.quoted.single.lua');
      assertScope(r, ' a block comment } with', 'comment.block.lua');
      assertScope(r, ' ]] } ', 'string.quoted.other.multiline.lua');
      assertScope(r, '"{"', 'string.quoted.double.lua');
      assertScope(r, 'return', 'keyword.other.directive.nginx', { line: lineOf(r, 'return 444') });
      assertScope(r, '444', 'constant.numeric.status.drop.nginx');
      if (withLua) {
        assertScope(r, 'then', 'keyword.control.stand-in.lua');
        assertScope(r, 'function', 'meta.function.lua');
      } else {
        assert.equal(r.tokens.some((t) => t.scopes.some((s) => s.includes('stand-in'))), false);
        assert.equal(innermost(r, '"}"'), 'string.quoted.double.lua');
      }
    });
  }
});

describe('nginx grammar: what stays open and what never hangs', () => {
  it('leaves an unterminated string open to the end of the file, as nginx reads it', () => {
    const r = tokenize(nginx, 'server {\n  return 200 "oops;\n}\n');
    assert.ok(r.openScopes.some((s) => s.startsWith('string.quoted.double')), `open: ${r.openScopes}`);
  });

  it('recovers from a missing ; before }', () => {
    const r = tokenize(nginx, 'location / { return 444 }\ngzip on;\n');
    assertScope(r, '}', 'punctuation.section.block.end.nginx');
    assertScope(r, 'gzip', 'keyword.other.directive.nginx');
    assert.equal(r.depths.at(-1), 1);
  });

  it('handles 10,000 nested blocks', () => {
    const n = 10_000;
    const depths = ruleDepths(nginx, 'a {\n'.repeat(n) + '}\n'.repeat(n));
    assert.equal(Math.max(...depths), n + 1);
    assert.equal(depths.at(-1), 1);
  });

  it('tokenizes adversarial lines as long as VS Code tokenizes in bounded time', () => {
    const fill = (unit: string) => unit.repeat(Math.floor(MAX_TOKENIZED_LINE / unit.length));
    const lines = [
      `map $a $b { ${fill('"~*x{3}" 1; ')} }`,
      `server_name ${fill('a"b ')};`, // quotes mid-word: never strings
      `if ($a ~ ${fill('(x')}) { }`, // the lazy if-regex must not backtrack badly
      `add_header X ${fill('"a" ')}`, // the block lookahead over many strings and no {
      `location ~ ${fill('\\')}`,
      `set $x ${fill('${')}`,
      fill('#'),
      Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)).toString('latin1'),
    ];
    // A catastrophic regex would take minutes; all of these together take about a second.
    const cpu = cpuMillis(() => lines.forEach((line) => ruleDepths(nginx, line + '\n')));
    assert.ok(cpu < 10_000, `took ${cpu} ms of CPU`);
    const r = tokenize(nginx, lines[0] + '\ngzip on;\n');
    assertScope(r, 'gzip', 'keyword.other.directive.nginx');
  });

  it('tokenizes a directive name only at the start of a statement', () => {
    const r = tokenize(nginx, 'server_name location if map;\n');
    assertScope(r, 'server_name', 'keyword.other.directive.nginx');
    for (const word of ['location', 'if', 'map']) assertNoScope(r, word, 'keyword', { line: 0 });
    assert.equal(tokenAt(r, ';').scopes.at(-1), 'punctuation.terminator.directive.nginx');
  });
});
