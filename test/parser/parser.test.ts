import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '../../server/src/core/parser';
import { nodeAt, walk } from '../../server/src/core/tree';
import type { Directive } from '../../server/src/core/syntax';

const names = (ds: Directive[]) => ds.map((d) => d.name);
const args = (d: Directive) => d.args.map((a) => a.value);

test('directives, blocks, args and exact ranges', () => {
  const f = parse('http {\n  server {\n    listen 80;\n    return 444;\n  }\n}\n', 'a.conf');
  assert.deepEqual(f.errors, []);
  assert.deepEqual(names(f.directives), ['http']);
  const server = f.directives[0].block!.children[0];
  assert.equal(server.name, 'server');
  const ret = server.block!.children[1];
  assert.deepEqual(args(ret), ['444']);
  assert.deepEqual(ret.nameRange.start, { line: 3, character: 4, offset: 37 });
  assert.deepEqual(ret.args[0].range.start, { line: 3, character: 11, offset: 44 });
  assert.equal(ret.semicolon!.start.character, 14);
  assert.equal(server.block!.close!.start.line, 4);
  assert.equal(server.range.end.line, 4);
});

test('quoted strings with escapes, as nginx unescapes them', () => {
  const f = parse(String.raw`set $a "x\"y\\z\n"; set $b 'it\'s'; set $c a\;b; set $d "\d+"; set $e "~*(?:\b)Bot\\\(?:\b)\t\r\x";`, 'a.conf');
  assert.deepEqual(f.errors, []);
  assert.deepEqual(f.directives.map((d) => d.args[1].value), ['x"y\\z\n', "it's", 'a\\;b', '\\d+', '~*(?:\\b)Bot\\\\(?:\\b)\t\r\\x']);
  assert.equal(f.directives[0].args[1].quote, '"');
  assert.equal(f.directives[0].args[1].raw, String.raw`"x\"y\\z\n"`);
});

test('multi-line quoted log_format keeps later directives intact', () => {
  const f = parse("log_format main '$remote_addr - $remote_user '\n   '\"$request\" $status';\naccess_log x main;\n", 'a.conf');
  assert.deepEqual(f.errors, []);
  assert.deepEqual(names(f.directives), ['log_format', 'access_log']);
  assert.equal(f.directives[0].args.length, 3);
});

test('# is a comment only at the start of a token', () => {
  const f = parse('set $a a#b; # real comment\nlocation /x#y { }\n', 'a.conf');
  assert.deepEqual(f.errors, []);
  assert.equal(f.directives[0].args[1].value, 'a#b');
  assert.equal(f.comments.length, 1);
  assert.equal(f.comments[0].text, '# real comment');
  assert.equal(f.directives[1].args[0].value, '/x#y');
});

test('${VAR} placeholders stay one word; } inside a word is literal', () => {
  const f = parse('listen ${HTTP_PORT}; set $a x}y;', 'a.conf');
  assert.deepEqual(f.errors, []);
  assert.equal(f.directives[0].args[0].value, '${HTTP_PORT}');
  assert.equal(f.directives[1].args[1].value, 'x}y');
});

test('unquoted {3} splits the word like nginx does; quoted regex keeps it', () => {
  const bad = parse('location ~ ^/a{3}$ { }', 'a.conf');
  // nginx: the word ends at '{', a block opens, and "3}$" becomes a directive inside it
  assert.equal(bad.directives[0].args[1].value, '^/a');
  assert.equal(bad.directives[0].block!.children[0]?.name, '3}$');
  const good = parse('location ~ "^/a{3}$" { }', 'a.conf');
  assert.deepEqual(good.errors, []);
  assert.equal(good.directives[0].args[1].value, '^/a{3}$');
});

test('if conditions: ) after a quoted string is its own token', () => {
  const f = parse('if ($http_x = "b") { return 444; }', 'a.conf');
  assert.deepEqual(f.errors, []);
  assert.deepEqual(args(f.directives[0]), ['($http_x', '=', 'b', ')']);
  const g = parse('if ($host !~* ^(a|b)\\.com$) { return 444; }', 'a.conf');
  assert.deepEqual(g.errors, []);
  assert.deepEqual(args(g.directives[0]), ['($host', '!~*', '^(a|b)\\.com$)']);
});

test('text right after a closing quote is an error (nginx: unexpected)', () => {
  const f = parse('set $a "x"y;', 'a.conf');
  assert.equal(f.errors.length, 1);
  assert.equal(f.errors[0].message, 'unexpected "y"');
});

test('map with quoted keys', () => {
  const f = parse('map $http_user_agent $bad {\n  default 0;\n  "~*evil bot" 1;\n  \'~(a|b){2}\' 1;\n}\n', 'a.conf');
  assert.deepEqual(f.errors, []);
  const entries = f.directives[0].block!.children;
  assert.deepEqual(names(entries), ['default', '~*evil bot', '~(a|b){2}']);
  assert.equal(entries[1].nameQuote, '"');
});

test('Lua blocks are raw text: braces in Lua strings and comments do not end them', () => {
  const src = 'content_by_lua_block {\n  local t = { a = "}" } -- }\n  --[[ } ]] ngx.say([[}]])\n}\nreturn 444;\n';
  const f = parse(src, 'a.conf');
  assert.deepEqual(f.errors, []);
  assert.deepEqual(names(f.directives), ['content_by_lua_block', 'return']);
  assert.match(f.directives[0].block!.raw!.text, /ngx\.say/);
  assert.equal(f.directives[0].block!.children.length, 0);
});

test('missing semicolon before } is reported at the } and recovered', () => {
  const f = parse('server {\n  return 444\n}\nserver { listen 81; }\n', 'a.conf');
  assert.equal(f.errors.length, 1);
  assert.equal(f.errors[0].code, 'missing-semicolon');
  assert.equal(f.errors[0].range.start.line, 2);
  assert.deepEqual(names(f.directives), ['server', 'server']);
  assert.deepEqual(args(f.directives[0].block!.children[0]), ['444']);
});

test('unexpected end of file', () => {
  const a = parse('http {\n server {\n', 'a.conf');
  assert.ok(a.errors.some((e) => e.code === 'unexpected-eof' && e.message === 'unexpected end of file, expecting "}"'));
  const b = parse('worker_processes 1', 'a.conf');
  assert.equal(b.errors[0].message, 'unexpected end of file, expecting ";" or "}"');
  assert.deepEqual(names(b.directives), ['worker_processes']);
});

test('stray } and stray ; and { without a name', () => {
  const f = parse('}\n;\n{ listen 80; }\nuser x;', 'a.conf');
  assert.deepEqual(f.errors.map((e) => e.message), ['unexpected "}"', 'unexpected ";"', 'unexpected "{"']);
  assert.deepEqual(names(f.directives), ['listen', 'user']);
});

test('unterminated string recovers at end of its line', () => {
  const f = parse('set $a "abc;\nreturn 444;\n', 'a.conf');
  assert.ok(f.errors.some((e) => e.code === 'unterminated-string' && e.range.start.line === 0));
  assert.ok(f.directives.some((d) => d.name === 'return' || d.args.some((a) => a.value === 'return')));
});

test('binary content gives one clear error and no tree', () => {
  const f = parse('\u0000\u0001ELF\u0000', 'a.bin');
  assert.equal(f.errors.length, 1);
  assert.equal(f.errors[0].code, 'binary-content');
  assert.equal(f.directives.length, 0);
});

test('10,000-deep nesting neither throws nor recurses deeply', () => {
  const depth = 10000;
  const src = 'a {'.repeat(depth) + 'x;' + '}'.repeat(depth);
  const f = parse(src, 'deep.conf');
  assert.ok(f.errors.some((e) => e.code === 'too-deep'));
  let count = 0;
  walk(f.directives, () => {
    count++;
  });
  assert.ok(count > 100 && count < depth);
  assert.equal(f.errors.filter((e) => e.code !== 'too-deep').length, 0);
});

test('a 10 MB single line parses in bounded time', () => {
  const src = 'set $a ' + 'x'.repeat(10 * 1024 * 1024) + ';';
  const t0 = Date.now();
  const f = parse(src, 'big.conf');
  assert.equal(f.directives[0].args[1].value.length, 10 * 1024 * 1024);
  assert.ok(Date.now() - t0 < 5000);
});

test('CRLF and lone CR count as line breaks (LSP convention)', () => {
  const f = parse('user a;\r\nworker_processes 1;\rpid x;', 'a.conf');
  assert.deepEqual(f.directives.map((d) => d.nameRange.start.line), [0, 1, 2]);
});

test('nodeAt finds name, argument and body', () => {
  const src = 'server {\n  location /a {\n    return 444;\n  }\n}\n';
  const f = parse(src, 'a.conf');
  const at = (s: string, delta = 0) => nodeAt(f, src.indexOf(s) + delta)!;
  assert.equal(at('return').directive.name, 'return');
  assert.equal(at('return').part, 'name');
  assert.equal(at('444', 1).part, 0);
  assert.deepEqual(at('444').ancestors.map((a) => a.name), ['server', 'location']);
  assert.equal(at('/a').arg!.value, '/a');
});

test('lossless: every non-space character is covered by a token or comment', () => {
  const src = 'http { # c\n  map $a $b { "k" v; default 0; }\n  server { if ($x ~ "y") { return 444; } }\n}\n';
  const f = parse(src, 'a.conf');
  const covered = new Uint8Array(src.length);
  const mark = (s: number, e: number) => covered.fill(1, s, e);
  f.comments.forEach((c) => mark(c.range.start.offset, c.range.end.offset));
  walk(f.directives, (d) => {
    mark(d.nameRange.start.offset, d.nameRange.end.offset);
    d.args.forEach((a) => mark(a.range.start.offset, a.range.end.offset));
    if (d.semicolon) mark(d.semicolon.start.offset, d.semicolon.end.offset);
    if (d.block) {
      mark(d.block.open.start.offset, d.block.open.end.offset);
      if (d.block.close) mark(d.block.close.start.offset, d.block.close.end.offset);
    }
  });
  for (let i = 0; i < src.length; i++) if (!/\s/.test(src[i])) assert.equal(covered[i], 1, `offset ${i} '${src[i]}' not covered`);
});
