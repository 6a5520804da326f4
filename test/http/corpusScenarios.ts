// The differential corpus suite's scenarios: configs from /work/shared/corpus (all `nginx -t` ok in
// LABELS.tsv), adapted at run time by corpusAdapter.ts (includes inlined, 127.0.0.1 high ports,
// TLS and unloaded modules stripped, upstreams refused, logs in the temp prefix), each with
// requests drawn from its own rules (hosts, paths of each location kind, its maps' user agents
// and referers, methods, arguments, forwarded addresses).
// Where a config drops with 403 and says in its own comments that 444 is the alternative, the
// 403s are turned into 444s; nothing else in the routing is changed.

import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Scenario } from './nginxHarness';
import { BROWSER, get, m, ref, ua } from './breadthRunner';
import { adaptHttpBody, corpusConf, httpBody, inlineIncludes } from './corpusAdapter';

const repoRoot = resolve(import.meta.dirname, '../..');
const configs = resolve(repoRoot, '../shared/corpus/configs');
const read = (rel: string) => readFileSync(join(configs, rel), 'latin1');
const to444 = (t: string) => t.replace(/return\s+403\s*;/g, 'return 444;');
const xff = (ip: string, more: Record<string, string> = {}) => ({ headers: { 'User-Agent': BROWSER, 'X-Forwarded-For': ip, ...more } });

export function scenarios(): Scenario[] {
  const out: Scenario[] = [];
  const add = (name: string, body: string, extraHttp: string, requests: Scenario['requests'], tlsPorts?: number[]) =>
    out.push({ name, conf: corpusConf(adaptHttpBody(body, { tlsPorts }), extraHttp), requests });

  // perusio/drupal-with-nginx: whole nginx.conf, 000-default catch-all 444 and example.com (http +
  // https) with bad_bot / bad_referer 444s; blacklist.conf defines $bad_referer twice (map, then geo).
  {
    const root = join(configs, 'perusio__drupal-with-nginx');
    const text = inlineIncludes(join(root, 'nginx.conf'), {
      root,
      sites: { '/etc/nginx/sites-enabled/*': [join(root, 'sites-available/000-default'), join(root, 'sites-available/example.com.conf')] },
    });
    const hosts = ['example.com', 'www.example.com', 'EXAMPLE.com', 'other.test', null];
    add('perusio drupal-with-nginx: catch-all, bad_bot map, map+geo $bad_referer, realip from 0.0.0.0/32', httpBody(text), '', [
      ...hosts.map((h) => get('/', h)),
      ...hosts.map((h) => get('/node/1', h, { port: 1 })),
      get('/', 'example.com', ua('libwww-perl/6.0')),
      get('/', 'example.com', ua('Lynx/2.8 libwww-FM/2.14')),
      get('/', 'example.com', ua('Mozilla/5.0 HTTrack')),
      get('/', 'example.com', ua('lynx')),
      get('/', 'example.com', ref('http://casino.test/')),
      get('/', 'example.com', { ...ref('http://porn.test/'), from: '127.0.0.1' }),
      get('/', 'example.com', { ...ref('http://www.example.com/'), from: '127.0.0.5' }),
      get('/', 'example.com', { ...ua('libwww-perl'), port: 1 }),
      m('DELETE', '/', 'example.com', ua('libwww')),
      m('PUT', '/', 'example.com'),
      get('/nginx_status', 'example.com', { from: '127.0.0.1' }),
      get('/nginx_status', 'example.com', { from: '127.0.0.6' }),
      get('/', 'example.com', xff('10.1.1.1', { 'User-Agent': 'htmlparser' })),
      get('/index.php?q=admin', 'example.com', ua('libwww')),
      get('/.well-known/x', 'example.com', ua('HTTrack')),
      get('/', 'www.example.com', ua('libwww-perl')),
      get('http://example.com/x', 'nope.test', ua('libwww')),
    ]);
  }

  // mariusv/nginx-badbot-blocker: blacklist.conf maps with its own usage lines (444 for bots and
  // snoopers as it says; the referer checks it offers as "403 or 444" made 444).
  {
    const usage = read('mariusv__nginx-badbot-blocker/blacklist.conf')
      .split('\n')
      .filter((l) => /^###\s+if \(\$/.test(l))
      .map((l) => l.replace(/^###\s+/, ''))
      .join('\n    ');
    add(
      'mariusv nginx-badbot-blocker: big case-insensitive alternations, map overridden by geo',
      read('mariusv__nginx-badbot-blocker/blacklist.conf') + `\nserver { listen 80 default_server; server_name blog.test;\n    ${to444(usage)}\n    location / { return 200; }\n}\n`,
      'map_hash_bucket_size 256;',
      [
        get('/', 'blog.test', ua('Mozilla/5.0 (compatible; MJ12bot/v1.4.8)')),
        get('/', 'blog.test', ua('Lynx/2.8.9 libwww-FM')),
        get('/', 'blog.test', ua('libwww-perl/6.0')),
        get('/', 'blog.test', ua('AIBOT/1.0')),
        get('/', 'blog.test', ua('xAIBOT/1.0')),
        get('/', 'blog.test', ua('python-requests/2.31')),
        get('/', 'blog.test', ua('Wget/1.21')),
        get('/', 'blog.test', ref('http://www.4free-stuff.test/')),
        get('/', 'blog.test', ref('https://www.4free-stuff.test/')),
        get('/', 'blog.test', ref('http://casino.test/')),
        get('/', 'blog.test', ref('http://bestpriceninja.com/x')),
        get('/', 'blog.test', ref('http://foxydeal.com/')),
        get('/', 'blog.test', { ...ref('http://xxx.test/'), from: '127.0.0.1' }),
        get('/', 'blog.test', { ...ua('SemrushBot'), from: '127.0.0.3' }),
        get('/', 'other.test', ua('Baiduspider')),
        get('/', null, ua('ZmEu')),
      ],
    );
  }

  // mitchellkrogza/TEST-NGXUBB-REPO: the 2017 bad-bot blocker whole (6000 lines of maps, geo,
  // limit zones keyed by a map) on its own test vhost, with blockbots.conf and ddos.conf included.
  {
    const root = join(configs, 'mitchellkrogza__TEST-NGXUBB-REPO');
    const opts = { root };
    const vhost = read('mitchellkrogza__TEST-NGXUBB-REPO/travisCI/default.vhost').replace(
      /charset UTF-8;/,
      (s) => `${s}\n${inlineIncludes(join(root, 'bots.d/blockbots.conf'), opts)}\n${inlineIncludes(join(root, 'bots.d/ddos.conf'), opts)}`,
    );
    const body = inlineIncludes(join(root, 'conf.d/botblocker-nginx-settings.conf'), opts) + inlineIncludes(join(root, 'conf.d/globalblacklist.conf'), opts) + vhost;
    add('TEST-NGXUBB bad-bot blocker 2017: UA/referer maps with hostnames, geo, zones keyed by a map', body, '', [
      get('/', 'localhost', ua('80legs')),
      get('/', 'localhost', ua('Mozilla/5.0 (compatible; Googlebot/2.1)')),
      get('/', 'localhost', ua('Mozilla/5.0 (compatible; AhrefsBot/6.1)')),
      get('/', 'localhost', ua('Mozilla/5.0 (compatible; MJ12bot/v1.4.8)')),
      get('/', 'localhost', ua('masscan/1.0')),
      get('/', 'localhost', ua('')),
      get('/', 'localhost', ref('http://zx6.ru/')),
      get('/', 'localhost', ref('http://www.zvetki.ru/page')),
      get('/', 'localhost', ref('http://good.test/')),
      get('/', 'localhost', ref('http://x.test/?q=viagra')),
      get('/', 'localhost', ref('zx6.ru')),
      get('/', 'anything.test', ua('Nikto')),
      get('/', null, ua('sqlmap/1.0')),
      get('/', 'localhost', { from: '127.0.0.1' }),
    ]);
  }

  // phpBB sample (certbot roundtrip data): a whole http{} with a `listen 80 default` catch-all 444,
  // servers without listen, named locations, nested regexes.
  {
    const text = read('certbot__certbot/certbot-compatibility-test/nginx/nginx-roundtrip-testdata/phpbb/nginx.sample.conf').replace(/include fastcgi_params;/g, '');
    add('phpBB sample: catch-all `listen 80 default` 444, servers without listen', httpBody(text), '', [
      get('/', 'myforums.com'),
      get('/', 'www.myforums.com'),
      get('/viewtopic.php?t=1', 'www.myforums.com'),
      get('/', 'bogus'),
      get('/', 'unknown.test'),
      get('/', '127.0.0.1'),
      get('/', null),
      get('/install/x.php', 'WWW.MYFORUMS.COM'),
      get('http://www.myforums.com/', 'evil.test'),
      get('http://evil.test/', 'www.myforums.com'),
      m('POST', '/', 'forums.test'),
    ]);
  }

  // Piwik sample (certbot roundtrip data): methods and invalid referers for assets dropped.
  add(
    'Piwik sample: method filter and valid_referers 444 in a regex location',
    read('certbot__certbot/certbot-compatibility-test/nginx/nginx-roundtrip-testdata/piwik/nginx.conf'),
    'limit_conn_zone $binary_remote_addr zone=arbeit:1m;',
    [
      get('/', 'stats.example.com'),
      m('PUT', '/', 'stats.example.com'),
      m('OPTIONS', '/piwik.php', 'stats.example.com'),
      m('DELETE', '/', 'www.stats.example.com'),
      m('PROPFIND', '/x', 'other.test'),
      get('/piwik.js', 'stats.example.com'),
      get('/piwik.js', 'stats.example.com', ref('http://evil.test/')),
      get('/logo.PNG', 'stats.example.com', ref('http://www.mysite.com/')),
      get('/logo.png', 'stats.example.com', ref('http://mysite.com/')),
      get('/a/b.css', 'stats.example.com', ref('http://othersite.com/p')),
      get('/a/b.css', 'stats.example.com', ref('garbage')),
      get('/a/b.css?x=1', 'other.test', ref('http://evil.test/')),
      get('/favicon.ico', 'stats.example.com', ref('http://evil.test/')),
      get('/x.php.jpg', 'stats.example.com', ref('http://evil.test/')),
      m('PATCH', '/a.gif', 'stats.example.com', ref('http://evil.test/')),
    ],
  );

  // CodeIgniter sample: a nested exact /index.php inside /, every other .php dropped.
  add(
    'CodeIgniter sample: nested = location vs regex 444',
    read('certbot__certbot/certbot-compatibility-test/nginx/nginx-roundtrip-testdata/codeigniter/nginx-alt.conf').replace(/include\s+fastcgi_params;/, ''),
    '',
    [
      get('/index.php'),
      get('/index.php/welcome'),
      get('/admin.php'),
      get('/app/config.PHP'),
      get('/app/config.php?x=1'),
      get('/index.phpx'),
      get('/a.php/b'),
      get('/%69ndex.php'),
      get('/x/../admin.php'),
      get('//index.php'),
      get('/', 'other.test'),
    ],
  );

  // jwbjnwolf/nginx-bad-bot-blocker deny.d/deny.conf, in a proxied server as it says to use it.
  {
    const deny = read('jwbjnwolf__nginx-bad-bot-blocker/deny.d/deny.conf').replace(/include snippets\/proxy_headers\.conf;/, '');
    add(
      'jwbjnwolf deny.conf: lookahead regex locations, named captures in if, methods, SQL-ish paths',
      `server { listen 80 default_server; server_name social.test;\n${deny}\n  location / { proxy_pass http://backend:8080; }\n}\n`,
      '',
      [
        get('/'),
        get('/', 'social.test', { headers: { 'User-Agent': '' } }),
        get('/', 'social.test', { headers: { 'User-Agent': '-bot' } }),
        { path: '/', host: 'social.test' },
        get('/.env'),
        get('/.well-known/webfinger'),
        get('/.git'),
        get('/.git.'),
        get('/.git/config'),
        get('/.gitignore'),
        get('/uploads/shell.php'),
        get('/files/x.PHP'),
        get('/cgi-bin/test.cgi'),
        get('/cgi-bin/test.cgi$'),
        get('/a.sh'),
        get('/xmlrpc.php'),
        get('/wp-login.php?x=http:'),
        get('/Globals'),
        get('/a.sql'),
        get('/db.mysql'),
        get('/Entries'),
        get('/x.tpl.php'),
        get("/a'union"),
        get('/x%22drop'),
        get('/wp-content/uploads/2024/a.html'),
        get('/wp-content/plugins/x/readme.txt'),
        get('/wp-config.php'),
        get('/readme.html'),
        get('/license.txt'),
        get('/nginx.conf'),
        get('/x.conf'),
        get('/api/v1/instance/peers'),
        get('/api/v1/instance/peers', 'social.test', ref('https://social.test/about')),
        get('/api/v1/instance/peers', 'social.test', ref('https://www.social.test/about')),
        get('/api/v1/instance/peers', 'social.test', ref('https://evil.test/')),
        get('/api/v1/instance/blocks', 'SOCIAL.test', ref('https://social.test/')),
        m('PROPFIND', '/'),
        m('PROPFIND', '/.well-known/acme-challenge/x'),
        get('/.well-known/acme-challenge/token'),
      ],
    );
  }

  // Nginx Proxy Manager: whole nginx.conf (realip from private ranges via X-Real-IP, `standard`
  // log format with $host and $request_uri) with its fallback servers; block-exploits.conf drops
  // made 444.
  {
    const root = join(configs, 'NginxProxyManager__nginx-proxy-manager/docker/rootfs/etc/nginx');
    const text = inlineIncludes(join(root, 'nginx.conf'), { root, sites: { '/etc/nginx/conf.d/*.conf': [join(root, 'conf.d/default.conf')] } });
    const ri = (ip: string, more: Record<string, string> = {}) => ({ headers: { 'User-Agent': BROWSER, 'X-Real-IP': ip, ...more } });
    add('Nginx Proxy Manager: fallback servers, block-exploits 444s on $query_string, realip X-Real-IP', to444(httpBody(text)), '', [
      get('/'),
      get('/', 'proxy.test'),
      get('/?id=1+union+select+(1)'),
      get('/?a=http://evil'),
      get('/?a=../../etc'),
      get('/?page=/etc/passwd'),
      get('/?x=<script>'),
      get('/?x=%3Cscript%3E'),
      get('/?GLOBALS[x]=1'),
      get('/?q=cheap+viagra+now'),
      get('/?q=viagras'),
      get('/?x=base64_decode(abc)'),
      get('/', 'localhost', ua('libwww-perl/6')),
      get('/', 'localhost', ua('Mozilla Indy Library')),
      get('/', 'localhost', ri('10.0.0.5', { 'User-Agent': 'GetRight' })),
      get('/app.js?x=union+all+select'),
      get('/.well-known/acme-challenge/abc?x=concat(1)'),
      get('/.well-known/acme-challenge/'),
      get('/', 'localhost', { port: 1 }),
      get('/anything?x=1', 'example.org', { port: 1 }),
      get('/', null, { port: 1 }),
    ]);
  }

  // H5BP: whole nginx.conf, the no-ssl default server (444 for unknown hosts) and the no-ssl
  // example.com template.
  {
    const root = join(configs, 'h5bp__server-configs-nginx');
    const text = inlineIncludes(join(root, 'nginx.conf'), { root }).replace(/include custom\.d\/\*\.conf;/, '');
    const site = inlineIncludes(join(root, 'conf.d/templates/no-ssl.example.com.conf'), { root });
    add('H5BP server configs: default server 444 for unknown hosts, example.com template', httpBody(text) + site, '', [
      get('/', 'example.com'),
      get('/', 'www.example.com'),
      get('/', 'Example.COM.'),
      get('/', 'example.com:80'),
      get('/', 'sub.example.com'),
      get('/', 'example.org'),
      get('/', '127.0.0.1'),
      get('/', null),
      get('/.git/config', 'example.com'),
      get('/.git/config', 'evil.test'),
      get('/x.bak', 'unknown'),
      get('http://example.com/', 'unknown'),
      get('http://unknown/', 'example.com'),
      m('POST', '/', ''),
    ]);
  }

  // pothi/wordpress-nginx: whole nginx.conf with the catch-all (its commented `return 444`
  // enabled) and the WordPress example.com site; its 403 drops made 444.
  {
    const root = join(configs, 'pothi__wordpress-nginx');
    const catchall = read('pothi__wordpress-nginx/sites-available/catchall.conf').replace('# return 444;', 'return 444;');
    const text = inlineIncludes(join(root, 'nginx.conf'), { root, sites: { '/etc/nginx/sites-enabled/*.conf': [join(root, 'sites-available/example.com.conf')] } });
    add('pothi wordpress-nginx: catch-all 444, WordPress restrictions, wp-super-cache error_page 418', to444(httpBody(text).replace(/include \/etc\/nginx\/mime\.types;/, '') + catchall), '', [
      get('/', 'example.com'),
      get('/', 'www.example.com'),
      get('/', 'other.test'),
      get('/', null),
      get('/ping', 'other.test', { from: '127.0.0.1' }),
      get('/?author=1', 'example.com'),
      get('/?author=', 'example.com'),
      get('/page/?author=2', 'www.example.com'),
      get('/wp-json/wp/v2/users', 'example.com'),
      get('/wp-json/wp/v2/users/', 'example.com'),
      get('/', 'example.com', ua('Amazon CloudFront')),
      get('/blog/', 'example.com', ua('Amazon CloudFront')),
      get('/?s=x', 'example.com', ua('Amazon CloudFront')),
      m('POST', '/', 'example.com', ua('Amazon CloudFront')),
      get('/', 'example.com', { headers: { 'User-Agent': BROWSER, 'X-Pull': 'KeyCDN' } }),
      get('/style.css', 'example.com', ua('Amazon CloudFront')),
      get('/wp-login.php?author=3', 'example.com'),
      get('/.htaccess?author=3', 'example.com'),
    ]);
  }

  // trimstray/nginx-admins-handbook: a default server whose `location /` returns 444, next to a site.
  add(
    'nginx-admins-handbook defaults: server_name _ "" default_server, location / 444',
    read('trimstray__nginx-admins-handbook/lib/nginx/master/_server/defaults/servers.conf') +
      `\nserver { listen 80; server_name handbook.test; location / { return 200; } }\n`,
    `log_format main-level-0 '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$host"';`,
    [
      get('/', 'handbook.test'),
      get('/', 'default_server'),
      get('/x', 'other.test'),
      get('/', null),
      get('/', ''),
      get('/a?b=c', '_'),
      get('http://handbook.test/', 'x.test'),
    ],
  );
  return out;
}

