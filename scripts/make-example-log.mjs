// Regenerates examples/logs/access.log with real nginx: runs the example config
// (ports, pid, log and root paths moved into a temp prefix) on 127.0.0.1, sends a
// realistic mix of browsers, scanners and bursts, and keeps the access log nginx
// wrote. Client addresses come through realip from X-Forwarded-For.
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, cpSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import net from 'node:net';
import http from 'node:http';
import { chmodSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
const examples = join(root, 'examples');
const tmp = mkdtempSync(join(tmpdir(), 'nginx-lens-example-'));
cpSync(examples, join(tmp, 'conf'), { recursive: true });
mkdirSync(join(tmp, 'logs'));
mkdirSync(join(tmp, 'www/products'), { recursive: true });
writeFileSync(join(tmp, 'www/index.html'), '<h1>shop</h1>\n');
writeFileSync(join(tmp, 'www/products/index.html'), '<h1>products</h1>\n');
writeFileSync(join(tmp, 'www/app.css'), 'body{}\n');

chmodSync(tmp, 0o755); // workers run as nobody and must read the document root

// The API's backend: answers every request with a small JSON body.
const backend = http.createServer((q, r) => { r.setHeader('content-type', 'application/json'); r.end('{"status":"ok"}\n'); });
await new Promise((r) => backend.listen(0, '127.0.0.1', r));
const port = 20000 + Math.floor(Math.random() * 20000);
const rewrite = (file, edits) => {
  let s = readFileSync(file, 'utf8');
  for (const [a, b] of edits) s = s.split(a).join(b);
  writeFileSync(file, s);
};
rewrite(join(tmp, 'conf/nginx.conf'), [
  ['user www-data;', ''],
  ['pid /run/nginx.pid;', `pid ${tmp}/nginx.pid;`],
  ['/var/log/nginx/', `${tmp}/logs/`],
  ['worker_processes auto;', 'worker_processes 1;'],
]);
for (const f of ['00-default.conf', 'shop.conf', 'api.conf']) {
  rewrite(join(tmp, 'conf/sites-enabled', f), [
    ['listen 80', `listen 127.0.0.1:${port}`],
    ['root /var/www/shop;', `root ${tmp}/www;`],
    ['server 127.0.0.1:9000;', `server 127.0.0.1:${backend.address().port};`],
  ]);
}
execFileSync('nginx', ['-p', tmp, '-c', join(tmp, 'conf/nginx.conf'), '-e', join(tmp, 'logs/error.log')], { stdio: 'inherit' });

function send(raw) {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => s.write(raw));
    s.setTimeout(3000, () => s.destroy());
    s.on('data', () => {});
    s.on('error', () => resolve());
    s.on('close', () => resolve());
  });
}
function req(method, path, { host, ua, ip, referer, proto = 'HTTP/1.1' } = {}) {
  let r = `${method} ${path} ${proto}\r\n`;
  if (host !== undefined) r += `Host: ${host}\r\n`;
  if (ua !== undefined) r += `User-Agent: ${ua}\r\n`;
  if (referer) r += `Referer: ${referer}\r\n`;
  if (ip) r += `X-Forwarded-For: ${ip}\r\n`;
  r += 'Connection: close\r\n\r\n';
  return send(r);
}

const firefox = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const iphone = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
const shop = 'shop.example.com';
const seq = [
  () => req('GET', '/', { host: shop, ua: firefox, ip: '198.51.100.23' }),
  () => req('GET', '/app.css', { host: shop, ua: firefox, ip: '198.51.100.23', referer: 'https://shop.example.com/' }),
  () => req('GET', '/products/', { host: 'www.shop.example.com', ua: iphone, ip: '203.0.113.77' }),
  () => req('GET', '/', { host: '192.0.2.80', ua: 'Mozilla/5.0 zgrab/0.x', ip: '45.155.205.12' }),
  () => req('GET', '/.env', { host: shop, ua: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)', ip: '185.191.171.4' }),
  () => req('GET', '/.git/config', { host: shop, ua: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)', ip: '185.191.171.4' }),
  () => req('POST', '/wp-login.php', { host: shop, ua: 'Mozilla/5.0 (Windows NT 6.1; rv:60.0)', ip: '91.92.240.113' }),
  () => req('GET', '/xmlrpc.php', { host: shop, ua: 'Mozilla/5.0 (Windows NT 6.1; rv:60.0)', ip: '91.92.240.113' }),
  () => req('GET', '/phpmyadmin/index.php', { host: 'www.shop.example.com', ua: 'Mozilla/5.0', ip: '91.92.240.113' }),
  () => req('GET', '/products/', { host: shop, ua: 'Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)', ip: '54.36.148.90' }),
  () => req('GET', '/', { host: shop, ua: 'python-requests/2.31.0', ip: '34.77.162.15' }),
  () => req('GET', '/', { host: shop, ip: '34.77.162.16' }),
  () => req('PROPFIND', '/', { host: shop, ua: firefox, ip: '103.85.24.9' }),
  () => req('DELETE', '/products/1', { host: shop, ua: 'curl/8.5.0', ip: '103.85.24.9' }),
  () => req('GET', '/admin/', { host: shop, ua: firefox, ip: '192.0.2.15' }),
  () => req('GET', '/admin/orders', { host: shop, ua: firefox, ip: '192.0.2.15' }),
  () => req('GET', '/', { ua: 'masscan/1.3', ip: '167.94.138.35', proto: 'HTTP/1.0' }),
  () => req('GET', '/', { host: 'old-shop.example.net', ua: firefox, ip: '198.51.100.99' }),
  () => req('GET', '/v1/status', { host: 'api.example.com', ua: 'okhttp/4.12.0', ip: '198.51.100.50' }),
  () => req('GET', '/', { host: 'SHOP.EXAMPLE.COM', ua: iphone, ip: '203.0.113.78' }),
  () => req('HEAD', '/', { host: shop, ua: 'Mozilla/5.0 (compatible; UptimeRobot/2.0)', ip: '69.162.124.226' }),
];
for (const s of seq) await s();
// A client hammering the API: after the burst of 5, nginx answers 444.
await Promise.all(Array.from({ length: 12 }, () => req('GET', '/v1/orders', { host: 'api.example.com', ua: 'Go-http-client/1.1', ip: '198.51.100.201' })));
for (const s of seq.slice(0, 3)) await s();

const pid = readFileSync(join(tmp, 'nginx.pid'), 'utf8').trim();
process.kill(Number(pid), 'SIGQUIT');
for (let i = 0; i < 50 && existsSync(join(tmp, 'nginx.pid')); i++) await new Promise((r) => setTimeout(r, 100));
backend.close();
writeFileSync(join(examples, 'logs/access.log'), readFileSync(join(tmp, 'logs/access.log')));
console.log(`wrote examples/logs/access.log (${readFileSync(join(tmp, 'logs/access.log'), 'utf8').split('\n').length - 1} lines)`);
