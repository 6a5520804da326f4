// nginx text in Markdown hovers: shown as written, never as markup or links.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { codeSpan, escapeMarkdown, linkTarget } from '../../server/src/service/markdown';

/** What a CommonMark renderer shows for backslash escapes: the escaped punctuation itself. */
const shown = (md: string) => md.replace(/\\([!-/:-@[-`{-~])/g, '$1');

const samples = [
  'location ~ \\.php$',
  'location ~* ^/(wp-admin|wp-login\\.php)',
  'Host "www.shop.example" is its exact server_name',
  'server *.shop_x.example (sites-enabled/a_b.conf:3)',
  'if ($http_user_agent ~* "(bot|crawl)") held',
  'rewrite ^/old/(.*)$ https://example.com/$1 permanent',
  'user agent <script>&amp;`x`[link](y)|a|~~no~~',
  'mail admin@example.com',
  '- not a list',
  '# not a heading',
  '> not a quote',
  '12. not an item',
];

test('escapeMarkdown: the text shows as written', () => {
  for (const s of samples) assert.equal(shown(escapeMarkdown(s)), s, s);
});

test('escapeMarkdown: no markup character and no autolink is left unescaped', () => {
  for (const s of samples) {
    const md = escapeMarkdown(s);
    const bare = md.replace(/\\[!-/:-@[-`{-~]/g, '');
    assert.doesNotMatch(bare, /[\\`*_[\]<>|~&@]/, md);
    assert.doesNotMatch(md, /www\.|[a-z]:\/\//i, md);
    assert.doesNotMatch(md, /^([-+=#>]|\d+[.)])/, md);
  }
  assert.equal(escapeMarkdown('location ~ \\.php$'), 'location \\~ \\\\.php$');
});

test('codeSpan: any backticks inside, ends kept', () => {
  assert.equal(codeSpan('return 444'), '`return 444`');
  assert.equal(codeSpan('a`b'), '``a`b``');
  assert.equal(codeSpan('`x`'), '`` `x` ``');
  assert.equal(codeSpan('set $a\n  1'), '`set $a   1`');
});

test('linkTarget: parentheses and spaces cannot end the destination', () => {
  assert.equal(linkTarget('file:///etc/nginx/sites (old)/a.conf'), 'file:///etc/nginx/sites%20%28old%29/a.conf');
});
