// More differential corpus scenarios (see corpusScenarios.ts for the conventions): the newer bad-bot
// blockers, a Nextcloud vhost, Engintron's realip front, a referer-spam hostnames map, chive's
// catch-all, and WordOps' brute-force rate limits.
// Adaptations beyond corpusAdapter.ts are named in each scenario's comment; they change which
// status a rule answers with (to 444), never which request reaches it.

import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Scenario } from './nginxHarness';
import { BROWSER, get, m, ref, ua } from './breadthRunner';
import { adaptHttpBody, corpusConf, httpBody, inlineIncludes } from './corpusAdapter';

const repoRoot = resolve(import.meta.dirname, '../..');
const configs = resolve(repoRoot, '../shared/corpus/configs');
const read = (rel: string) => readFileSync(join(configs, rel), 'latin1');
const xff = (ip: string, more: Record<string, string> = {}) => ({ headers: { 'User-Agent': BROWSER, 'X-Forwarded-For': ip, ...more } });

export function moreScenarios(): Scenario[] {
  const out: Scenario[] = [];
  const add = (name: string, body: string, extraHttp: string, requests: Scenario['requests'], tlsPorts?: number[]) =>
    out.push({ name, conf: corpusConf(adaptHttpBody(body, { tlsPorts }), extraHttp), requests });

  // Nextcloud's fpm vhost (nextcloud/docker example) protected by the 2023 Ultimate Bad Bot
  // Blocker (globalblacklist.conf + blockbots.conf + ddos.conf in the server, as its README says);
  // the dotfile/occ `return 404` made 444.
  {
    const U = join(configs, 'mitchellkrogza__nginx-ultimate-bad-bot-blocker');
    const opts = { root: U };
    const nc = httpBody(read('nextcloud__docker/.examples/docker-compose/insecure/postgres/fpm/web/nginx.conf'))
      .replace(/include mime\.types;/, '')
      .replace(/location ~ \^\/\(\?:\\\.\|autotest\|occ\|issue\|indie\|db_\|console\)(\s*)\{ return 404; \}/, (s) => s.replace('404', '444'))
      .replace(/listen 80;/, (s) => `${s} server_name cloud.test;\n${inlineIncludes(join(U, 'bots.d/blockbots.conf'), opts)}\n${inlineIncludes(join(U, 'bots.d/ddos.conf'), opts)}`);
    const body = inlineIncludes(join(U, 'conf.d/botblocker-nginx-settings.conf'), opts) + inlineIncludes(join(U, 'conf.d/globalblacklist.conf'), opts) + nc;
    if (!body.includes('return 444; }')) throw new Error('nextcloud dotfile rule not found');
    add('Nextcloud vhost + Ultimate Bad Bot Blocker 2023: UA/referer/word maps, geo, dotfile 444', body, '', [
      get('/', 'cloud.test'),
      get('/', 'cloud.test', ua('DavClnt')),
      get('/index.php/apps/files', 'cloud.test'),
      get('/remote.php/dav/files/x', 'cloud.test'),
      m('PROPFIND', '/remote.php/dav/', 'cloud.test'),
      get('/.htaccess', 'cloud.test'),
      get('/.user.ini', 'other.test'),
      get('/occ', 'cloud.test'),
      get('/console.php', 'cloud.test'),
      get('/db_structure.xml', null),
      get('/build/x', 'cloud.test'),
      get('/.well-known/carddav', 'cloud.test'),
      get('/.well-known/acme-challenge/x', 'cloud.test', ua('80legs')),
      get('/core/img/a.svg?v=1', 'cloud.test'),
      get('/a.woff2', 'cloud.test', ua('AhrefsBot')),
      get('/', 'cloud.test', ua('Mozilla/5.0 (compatible; AhrefsBot/7.0)')),
      get('/', 'cloud.test', ua('Mozilla/5.0 (compatible; Googlebot/2.1)')),
      get('/', 'cloud.test', ua('x22Mozilla')),
      get('/remote/x', 'cloud.test', ua('80legs')),
      get('/', 'cloud.test', ref('http://000free.us/')),
      get('/', 'cloud.test', ref('http://www.007angels.com/x')),
      get('/', 'cloud.test', ref('http://x.test/?mb_ereg_replace')),
      get('/', 'cloud.test', ref('http://good.test/')),
      get('/', null, ua('80legs')),
      get('/.git/config', 'cloud.test', ua('80legs')),
      m('POST', '/index.php/login', 'cloud.test', ref('http://000free.us/')),
      get('/', 'cloud.test', ua('-')),
      get('/', 'cloud.test', ua('"80legs"')),
      get('/', 'cloud.test', ua('x\\x2280legs')),
      get('/', 'Cloud.Test.', ua('80legs')),
      get('/%2Ehtaccess', 'cloud.test'),
      get('/index.php/../.user.ini', 'cloud.test'),
      get('/', 'cloud.test.:80', ua('80legs')),
      get('/', 'CLOUD.TEST:8080', ua('Mozilla/5.0 80legs')),
      get('/', 'cloud.test', ua('Mozilla/5.0 (compatible; 80legs) \u00c4\u00e9')),
      get('/', 'cloud.test', ua('80legs\tx')),
      get('/', 'cloud.test', ua('Mozilla \\ "x" 80legs')),
      get('/', 'cloud.test', ref('http://a b/000free.us')),
      get('/', 'cloud.test', ref('http://000FREE.US:8080/x')),
      get('/?a="b"&c=%00', 'cloud.test', ua('80legs')),
      m('OPTIONS', '*', 'cloud.test', ua('80legs')),
    ]);
  }

  // Engintron (cPanel) whole nginx.conf as shipped with the Ultimate Bad Bot Blocker: realip from
  // 127.0.0.1 and Cloudflare through X-Forwarded-For (recursive), the default vhost with its
  // $host `if` chain, blockbots.conf and ddos.conf; its `geo $validate_client` sees the real IP.
  {
    const root = join(configs, 'mitchellkrogza__nginx-ultimate-bad-bot-blocker/_sample_config_files/Engintron_for_cPanel_WHM_Configuration_Example/etc/nginx');
    // Its blockbots.conf includes the two http-level files again (invalid in a server): skipped there.
    const sites = { '/etc/nginx/conf.d/globalblacklist.conf': [], '/etc/nginx/conf.d/botblocker-nginx-settings.conf': [] };
    const text = inlineIncludes(join(root, 'nginx.conf'), { root, sites }).replace(/include \/etc\/nginx\/mime\.types;/, '');
    add('Engintron + Ultimate Bad Bot Blocker: realip X-Forwarded-For recursive, geo on the real address, $host if chain', httpBody(text), '', [
      get('/', 'localhost'),
      get('/', 'localhost', ua('80legs')),
      get('/', 'webmail.example.com', ua('AhrefsBot')),
      get('/x.css', 'cpanel.example.com', ua('80legs')),
      get('/', 'localhost', xff('99.90.32.102')),
      get('/', 'localhost', xff('99.90.32.102, 10.0.0.1')),
      get('/', 'localhost', xff('1.2.3.4, 99.90.32.102')),
      get('/', 'localhost', xff('99.90.32.102, 103.21.244.1')),
      get('/', 'localhost', { ...xff('99.90.32.102'), from: '127.0.0.2' }),
      get('/', 'localhost', { ...xff('102.165.53.68'), from: '127.0.0.1' }),
      get('/', 'localhost', xff('8.8.8.8', { 'User-Agent': '80legs' })),
      get('/', 'localhost', xff('8.8.8.8', { Referer: 'http://000free.us/' })),
      get('/?nocache=1', 'localhost', ua('AhrefsBot')),
      get('/nginx_status', 'localhost', ua('80legs')),
      get('/whm-server-status', 'localhost', xff('102.165.53.68')),
      get('/.htaccess', 'localhost', ua('Googlebot')),
      get('/robots.txt', null, ua('80legs')),
      get('/', 'secure.test', { port: 1, headers: { 'User-Agent': '80legs' } }),
      get('/', 'secure.test', { port: 1, ...xff('99.90.32.102') }),
      get('/', 'localhost', xff('garbage, 99.90.32.102')),
      get('/', 'localhost', xff('99.90.32.102 ,  127.0.0.1')),
      get('/', 'localhost', xff('')),
      get('/', 'localhost', xff('::ffff:99.90.32.102')),
      get('/', 'localhost', xff('99.90.32.102, 2606:4700::1')),
      get('/', 'localhost', { ...xff('99.90.32.102'), from: '127.0.0.9', port: 1 }),
    ]);
  }

  // mariusv/nginx-badbot-blocker VERSION_2: blacklist.conf (maps, geo $validate_client, bot zones
  // keyed by a map) with bots.d/blockbots.conf and ddos.conf in a vhost; the flood/addr zones its
  // comments tell the user to define are defined.
  {
    const M = join(configs, 'mariusv__nginx-badbot-blocker/VERSION_2');
    const opts = { root: M, map: { '/etc/nginx/bots.d/': join(M, 'bots.d') + '/' } };
    const body =
      inlineIncludes(join(M, 'conf.d/blacklist.conf'), opts) +
      `\nserver { listen 80; server_name shop.test www.shop.test;\n${inlineIncludes(join(M, 'bots.d/blockbots.conf'), opts)}\n${inlineIncludes(join(M, 'bots.d/ddos.conf'), opts)}\n  location / { return 200; }\n  location ~ /\\.(?!well-known) { deny all; }\n}\n`;
    add('mariusv badbot-blocker VERSION_2: blockbots + ddos in a vhost', body, 'limit_req_zone $binary_remote_addr zone=flood:1m rate=90r/s; limit_conn_zone $binary_remote_addr zone=addr:1m;', [
      get('/', 'shop.test'),
      get('/', 'shop.test', ua('80legs')),
      get('/', 'www.shop.test', ua('Mozilla/5.0 (compatible; MJ12bot/v1.4.8)')),
      get('/', 'shop.test', ua('Googlebot')),
      get('/', 'shop.test', ref('http://000free.us/')),
      get('/', 'shop.test', ref('http://x.test/?viagra')),
      get('/.env', 'shop.test', ua('80legs')),
      get('/.env', 'shop.test'),
      get('/', 'other.test', ua('80legs')),
      get('/', null, ref('http://000free.us/')),
      m('HEAD', '/', 'shop.test', ua('masscan')),
    ]);
  }

  // Stevie-Ray referrer-spam-blocker: a capture map feeding a `hostnames` map (as its header says:
  // map_hash_bucket_size 128, `if ($bad_referer) { return 444; }` in each server), two vhosts.
  add(
    'Stevie-Ray referral-spam: regex capture map into a hostnames map, 444 per server',
    read('Stevie-Ray__referrer-spam-blocker/referral-spam.conf') +
      `\nserver { listen 80 default_server; server_name blog.test; if ($bad_referer) { return 444; } location / { return 200; } }\n` +
      `server { listen 80; server_name ~^(?<sub>[a-z]+)\\.shop\\.test$ ~^(?<sub>[a-z]+)-(?<n>\\d+)\\.shop\\.test$; if ($bad_referer) { return 444; } if ($sub = evil) { return 444; }\n` +
      `  location / { return 200 $sub; } location ~ ^/(?<sub>x)/ { if ($sub = evil) { return 444; } if ($n) { return 444; } return 200; } }\n`,
    'map_hash_bucket_size 128;',
    [
      get('/', 'blog.test'),
      get('/', 'blog.test', ref('http://0-0.fr/')),
      get('/', 'blog.test', ref('https://www.0-0.fr/page')),
      get('/', 'blog.test', ref('0-0.fr')),
      get('/', 'blog.test', ref('http://0-0.fr:8080/')),
      get('/', 'blog.test', ref('http://0-0.fr./')),
      get('/', 'blog.test', ref('http://ZVUKER.NET/x')),
      get('/', 'blog.test', ref('http://notzvuker.net/')),
      get('/', 'blog.test', ref('http://a.b.zyzzcentral.ru/')),
      get('/', 'blog.test', ref('ftp://0-0.fr/')),
      get('/', 'eu.shop.test', ref('http://00go.com/')),
      get('/', 'EU.shop.test', ref('http://00go.com/')),
      get('/', 'x.y.shop.test', ref('http://00go.com/')),
      get('/', 'x.shop.test', ref('http://good.test/')),
      get('/', null, ref('http://00go.com/')),
      get('/', 'blog.test', ref('HTTP://0-0.FR/')),
      get('/', 'blog.test', ref('http://user@0-0.fr/')),
      get('/', 'blog.test', ref('//0-0.fr/x')),
      get('/', 'blog.test', ref('http://0-0.fr')),
      get('/', 'blog.test', ref('http://x.0-0.fr.evil.test/')),
      get('/', 'blog.test', ref('https://1-88.vip?x')),
      get('/', 'BLOG.TEST', ref('http://.0-0.fr/')),
      get('/', 'evil.shop.test'),
      get('/', 'EVIL.shop.test.'),
      get('/', 'evil-1.shop.test'),
      get('/x/', 'evil.shop.test'),
      get('/x/', 'good-2.shop.test'),
      get('/x/', 'good.shop.test'),
      get('/', 'evil.shop.test:80'),
      get('http://evil.shop.test/', 'good.shop.test'),
    ],
  );

  // chive (certbot roundtrip data): whole nginx.conf (realip from 0.0.0.0/32), the 000-default
  // catch-all 444 and the chive vhosts (a www redirect server, nested regex locations).
  {
    const root = join(configs, 'certbot__certbot/certbot-compatibility-test/nginx/nginx-roundtrip-testdata/chive/chive-nginx-master');
    const text = inlineIncludes(join(root, 'nginx.conf'), {
      root,
      sites: { '/etc/nginx/sites-enabled/*': [join(root, 'sites-available/000-default'), join(root, 'sites-available/chive.example.com.conf')] },
    })
      .replace(/include \/etc\/nginx\/mime\.types;/, '')
      .replace(/auth_basic_user_file[^;]*;/g, '');
    add('chive: catch-all 444 beside a www redirect server and a site, realip from 0.0.0.0/32', httpBody(text), '', [
      get('/', 'chive.example.com'),
      get('/', 'www.chive.example.com'),
      get('/', 'CHIVE.example.com'),
      get('/', 'chive.example.com.'),
      get('/', 'example.com'),
      get('/', null),
      get('/', '127.0.0.1', xff('1.2.3.4')),
      get('/index.php', 'evil.test', xff('1.2.3.4')),
      get('http://chive.example.com/', 'evil.test'),
      get('http://evil.test/', 'chive.example.com'),
      m('POST', '/x', 'unknown.test'),
      get('/', 'chive.example.com:80'),
      get('/', 'chive.example.com:8080'),
      get('/', '[::1]'),
      get('/', '[::1]:80'),
      get('/', 'chive.example.com:abc'),
      get('/', 'www.chive.example.com..'),
      get('/', 'chive..example.com'),
      get('/', 'chive.example.com/x'),
      get('/', 'Www.Chive.Example.Com'),
      { path: '/', host: 'chive.example.com', protocol: 'HTTP/1.0', headers: { 'User-Agent': BROWSER } },
      { path: '/', host: null, protocol: 'HTTP/1.0', headers: { 'User-Agent': BROWSER } },
    ]);
  }

  // WordOps (VirtuBox): wpcommon-php73.conf's brute-force limits in a WordPress vhost, with the
  // zone the module `ipscrub` keyed replaced by $binary_remote_addr, zone `two` (defined by WordOps
  // elsewhere) defined, and limit_req_status 403 made 444; a catch-all default server with 444.
  {
    const wp = read('VirtuBox__ubuntu-nginx-web-server/etc/nginx/common/wpcommon-php73.conf').replace(/include fastcgi_params;/g, '');
    const body =
      `limit_req_status 444;\nlimit_req_zone $binary_remote_addr zone=one:10m rate=1r/s;\nlimit_req_zone $binary_remote_addr zone=two:10m rate=1r/s;\nmap $http_accept $webp_suffix { default ""; "~*webp" ".webp"; }\n` +
      `upstream php73 { server 127.0.0.1:9; }\n` +
      `server { listen 80 default_server; server_name _; return 444; }\n` +
      `server { listen 80; server_name wp.test www.wp.test; root PREFIX/html; index index.php;\n${wp}\n  location / { try_files $uri $uri/ /index.php$is_args$args; }\n  location ~ \\.php$ { try_files $uri =404; fastcgi_pass php73; }\n}\n`;
    const burst = (path: string, host: string, from: string, n: number) => Array.from({ length: n }, () => get(path, host, { from }));
    add('WordOps wpcommon: limit_req zone=one/two burst=1 nodelay with limit_req_status 444, catch-all 444', body, '', [
      ...burst('/wp-login.php', 'wp.test', '127.0.0.11', 4),
      ...burst('/xmlrpc.php', 'www.wp.test', '127.0.0.12', 3),
      ...burst('/wp-cron.php', 'wp.test', '127.0.0.12', 2),
      get('/wp-login.php', 'wp.test', { from: '127.0.0.13' }),
      get('/wp-login.php', 'other.test', { from: '127.0.0.11' }),
      m('POST', '/wp-login.php', 'wp.test', { from: '127.0.0.11', body: 'log=a&pwd=b' }),
      get('/wp-config.txt', 'wp.test'),
      get('/wp-content/uploads/x.php', 'wp.test'),
      get('/', null),
    ]);
  }
  // TYPO3 6.2 (certbot roundtrip data) beside H5BP's test default servers (unknown hosts: 301 on
  // PORT, 444 on the TLS port): `if ($http_host != ...)` redirect, `if (!-e $request_filename)`
  // rewrite ... last, the static-file-cache `if`s with error_page 405 = @nocache; its dotfile
  // `deny all` made 444.
  {
    const typo = read('certbot__certbot/certbot-compatibility-test/nginx/nginx-roundtrip-testdata/typo3-6.2/sites-available/www.example.com.vhost')
      .replace(/include \/etc\/nginx\/fastcgi_params;/, '')
      .replace(/(location ~ \/\\\. \{\s*)deny all;(\s*)access_log off;/, '$1return 444;$2');
    if (!/location ~ \/\\\. \{\s*return 444;/.test(typo)) throw new Error('typo3 dotfile rule not found');
    const h5bp = read('h5bp__server-configs-nginx/test/vhosts/default.conf').replace(/include h5bp\/[^;]*;/g, '');
    add('TYPO3 6.2 vhost + H5BP test defaults: $http_host redirect, !-e rewrite last, error_page 405 = @nocache, dotfile 444', h5bp + typo, '', [
      get('/', 'www.example.com'),
      get('/.git/config', 'www.example.com'),
      get('/.git/config', 'example.com'),
      get('/.git/config', 'WWW.example.com'),
      get('/.git/config', 'www.example.com:80'),
      get('/.htaccess', 'www.example.com', { port: 1 }),
      get('/.git/config.1.css', 'www.example.com'),
      get('/a/.b.7.js', 'www.example.com'),
      get('/x.css', 'www.example.com'),
      get('/.x.css', 'www.example.com'),
      get('/fileadmin/.x', 'www.example.com'),
      get('/typo3conf/.ht', 'www.example.com'),
      get('/%2Egit/config', 'www.example.com'),
      get('/a/../.env', 'www.example.com'),
      get('//.env', 'www.example.com'),
      get('/.env?x=1', 'www.example.com'),
      m('POST', '/.env', 'www.example.com'),
      get('/page?x=1', 'www.example.com'),
      get('/', 'unknown.test', { port: 1 }),
      get('/', null, { port: 1 }),
      get('/', null),
      get('/.env', null),
      get('http://www.example.com/.env', 'evil.test'),
    ]);
  }

  // ownCloud (certbot roundtrip data) protected by the Ultimate Bad Bot Blocker's dummy list
  // (`\b` regex keys, escaped spaces) with blockbots.conf first in the server: server-level
  // rewrites ... last, error_page 403 = /core/templates/403.php, `if ($http_host != ...)`; its
  // dotfile `deny all` made 444 (and logged: its `access_log off` there dropped).
  {
    const U = join(configs, 'mitchellkrogza__nginx-ultimate-bad-bot-blocker');
    const opts = { root: U };
    const oc = read('certbot__certbot/certbot-compatibility-test/nginx/nginx-roundtrip-testdata/owncloud/sites-available/www.example.com.vhost')
      .replace(/include fastcgi_params;/, '')
      .replace(/(location ~ \/\\\. \{\s*)deny all;(\s*)access_log off;/, '$1return 444;$2')
      .replace(/server_name www\.example\.com example\.com;/, (s) => `${s}\n${inlineIncludes(join(U, 'bots.d/blockbots.conf'), opts)}\n${inlineIncludes(join(U, 'bots.d/ddos.conf'), opts)}`);
    if (!/location ~ \/\\\. \{\s*return 444;/.test(oc)) throw new Error('owncloud dotfile rule not found');
    const body = inlineIncludes(join(U, 'conf.d/botblocker-nginx-settings.conf'), opts) + inlineIncludes(join(U, 'dev-tools/globalblacklist-dummy.conf'), opts) + oc;
    add('ownCloud vhost + Ultimate Bad Bot Blocker dummy list: rewrites last, error_page 403 = uri, dotfile 444', body, '', [
      get('/', 'www.example.com'),
      get('/', 'www.example.com', ua('80legs')),
      get('/', 'www.example.com', ua('Jakarta Commons')),
      get('/', 'www.example.com', ua('Mozilla/5.0 Googlebot/2.1')),
      get('/', 'example.com', ua('80legs')),
      get('/', 'www.example.com', ua('-')),
      get('/', 'www.example.com', ua('"Mozilla/5.0')),
      get('/', 'www.example.com', ua('\\x22Mozilla')),
      get('/', 'www.example.com', ref('-')),
      get('/', 'www.example.com', ref('http://000free.us/')),
      get('/.htaccess', 'www.example.com'),
      get('/.htaccess', 'example.com'),
      get('/data/x', 'www.example.com'),
      get('/remote/.x', 'www.example.com'),
      get('/apps/x/.y.css', 'www.example.com'),
      get('/apps/.x/y.php', 'www.example.com'),
      get('/.well-known/host-meta', 'www.example.com'),
      get('/caldav/.x', 'www.example.com'),
      get('/core/doc/.a/', 'www.example.com'),
      get('/.git', 'www.example.com', ua('80legs')),
      get('/', null, ua('80legs')),
      get('/.env', null),
    ]);
  }
  return out;
}
