// Real nginx (Debian 12, nginx 1.22.1 + libpcre2-8 10.42) decides which regexes
// compile: `nginx -t` on a tiny config per pattern, compared with compileRegex,
// including nginx's exact error text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { compileRegex } from '../../server/src/core/regex/index';

const NGINX = '/usr/sbin/nginx';

const PATTERNS: [string, boolean][] = [
  ['^/api/(?<version>v\\d+)/', false],
  ['\\.(?:php|phtml)$', true],
  ['(?i)googlebot|(?-i)BingBot', false],
  ['^/(?P<name>[^/]+)/(?P=name)$', false],
  ['a*+b', false],
  ['(?>a+)b', false],
  ['\\Afoo\\z', false],
  ['[[:alpha:]]+\\h\\v\\R', false],
  ['\\Q.php\\E$', false],
  ['(?<=/)admin', false],
  ['(?x) ^ / a # comment', false],
  ['^(www\\.)?example\\.(com|org)$', true],
  ['a{2}+', false],
  ['x{,3}', false],
  ['(a)(?(1)b|c)', false],
  ['(a|b(?1))', false],
  ['\\p{Lu}', false],
  // Rejected by PCRE2:
  ['*abc', false],
  ['a**', false],
  ['a{2}{3}', false],
  ['(abc', false],
  ['abc)', false],
  ['[abc', false],
  ['[z-a]', false],
  ['[\\d-z]', false],
  ['\\y', false],
  ['(?<=a+)b', false],
  ['(?<1x>a)', false],
  ['(?z)', false],
  ['\\x{100}', false],
  ['[[:word]]x[:alpha:]', false],
  ['(?P<n>a)(?P<n>b)', false],
  ['\\k<missing>', false],
  ['\\2(a)', false],
  ['a{3,2}', false],
  ['\\c', false],
  ['\\L', false],
  ['(*FOO)', false],
];

function nginxVerdict(dir: string, pattern: string, caseless: boolean): { ok: boolean; out: string } {
  const conf = join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    `pid ${dir}/nginx.pid;\nerror_log ${dir}/error.log;\nevents {}\nhttp {\n  access_log off;\n` +
      `  client_body_temp_path ${dir}/cb; proxy_temp_path ${dir}/p; fastcgi_temp_path ${dir}/f; uwsgi_temp_path ${dir}/u; scgi_temp_path ${dir}/s;\n` +
      `  server {\n    listen 127.0.0.1:18999;\n    location ${caseless ? '~*' : '~'} "${pattern}" { return 204; }\n  }\n}\n`,
  );
  const r = spawnSync(NGINX, ['-t', '-q', '-p', dir, '-c', conf, '-e', join(dir, 'error.log')], { encoding: 'utf8' });
  return { ok: r.status === 0, out: (r.stderr ?? '') + (r.stdout ?? '') };
}

test('nginx -t accepts exactly the regexes compileRegex accepts, with the same error text', (t) => {
  if (!existsSync(NGINX)) {
    const why = `${NGINX} is not installed (apt-get install nginx-full): real-nginx comparison not run`;
    if (process.env.CI === 'true') assert.fail(why);
    t.skip(why);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'nginx-regex-'));
  try {
    let accepted = 0;
    let rejected = 0;
    for (const [p, ci] of PATTERNS) {
      const real = nginxVerdict(dir, p, ci);
      const ours = compileRegex(p, { caseless: ci });
      assert.equal(ours.kind === 'regex', real.ok, `${p}: nginx ${real.ok ? 'accepts' : 'rejects'}\n${real.out}`);
      if (ours.kind === 'error') {
        rejected++;
        assert.ok(real.out.includes(`${ours.message} in ${dir}/nginx.conf`), `${p}:\nnginx: ${real.out}\nours:  ${ours.message}`);
      } else accepted++;
    }
    assert.ok(accepted >= 15 && rejected >= 15);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
