#!/usr/bin/env bash
# Regenerates the fixture's real access log and the truth about it, with real nginx:
#  1. runs a copy of test/e2e/workspace/nginx on 127.0.0.1:<high port> in a temp prefix, sends the
#     requests below, stops nginx by pid and keeps the access log it wrote (workspace/log/access.log);
#  2. runs an instrumented copy where every `return 444;` becomes `return 299 "<file>:<line>"`, sends
#     the same requests and records which rule answered each one (test/e2e/access-log-truth.json).
# Both outputs are committed; the e2e suite checks the editor's attributions against the truth file.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
ws="$here/workspace"
port="${PORT:-18457}"

ua='Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0'
requests=(
  "shop.example.com|/|-A|$ua"
  "www.shop.example.com|/index.html|-A|$ua|-e|https://www.google.com/"
  "shop.example.com|/.git/config|-A|Go-http-client/1.1"
  "unknown.example|/|-A|curl/7.88.1"
  "shop.example.com|/admin/|-A|$ua"
  "shop.example.com|/admin/setup.php|-A|python-requests/2.31.0"
  "shop.example.com|/|-A|sqlmap/1.7.2#stable (https://sqlmap.org)"
  "shop.example.com|/missing.html|-A|$ua"
  "127.0.0.1|/.env|-A|Mozilla/5.0 zgrab/0.x"
  "www.shop.example.com|/.env|-A|Mozilla/5.0 zgrab/0.x"
  "shop.example.com|/|-I|-A|$ua"
  "shop.example.com|/wp-login.php|-A|$ua"
  "shop.example.com|/xmlrpc.php|-X|POST|-A|$ua"
  "www.shop.example.com|/|-A|$ua"
  "203.0.113.7|/|-A|Mozilla/5.0 (compatible; CensysInspect/1.1)"
  "scanner.invalid|/robots.txt|-A|$ua"
)

# run <instrument 0|1> <out dir>: access.log and one "status<TAB>body" line per request in <out dir>.
run() {
  local instrument="$1" out="$2" tmp
  tmp="$(mktemp -d)"
  cp -r "$ws/nginx" "$tmp/conf"
  mkdir -p "$tmp/logs" "$tmp/www/shop/admin"
  echo shop > "$tmp/www/shop/index.html"
  echo admin > "$tmp/www/shop/admin/index.html"
  (cd "$tmp/conf" && find . -type f | sed 's#^\./##') | while read -r rel; do
    local f="$tmp/conf/$rel"
    # Same config moved into the temp prefix: own port, pid, logs and document root; no user switch.
    sed -i -e "s#listen 80#listen 127.0.0.1:$port#" -e "s#/var/log/nginx/#$tmp/logs/#g" \
      -e "s#/var/www/#$tmp/www/#g" -e "s#^pid .*#pid $tmp/nginx.pid;#" -e "s#^user .*##" "$f"
    if [[ "$instrument" == 1 ]]; then
      # Line numbers survive: every substitution above keeps one line per line.
      awk -v rel="$rel" '{ c = index($0, "return 444;"); if (c) { $0 = substr($0, 1, c - 1) "return 299 \"" rel ":" NR ":" c "\";" substr($0, c + 11) } print }' \
        "$f" > "$f.new" && mv "$f.new" "$f"
    fi
  done
  chmod -R a+rX "$tmp"
  /usr/sbin/nginx -t -q -p "$tmp" -c "$tmp/conf/nginx.conf" -e "$tmp/logs/error.log"
  /usr/sbin/nginx -p "$tmp" -c "$tmp/conf/nginx.conf" -e "$tmp/logs/error.log"
  for _ in $(seq 50); do [[ -s "$tmp/nginx.pid" ]] && break; sleep 0.1; done
  : > "$out/answers.tsv"
  local r host path
  for r in "${requests[@]}"; do
    IFS='|' read -r -a a <<< "$r"
    host="${a[0]}" path="${a[1]}"
    local body status
    body="$(curl -s --max-time 5 -o - -w '\t%{http_code}' -H "Host: $host" "${a[@]:2}" "http://127.0.0.1:$port$path" || true)"
    status="${body##*$'\t'}"
    body="${body%$'\t'*}"
    [[ "$status" == 299 ]] || body=""
    printf '%s\t%s\n' "$status" "$body" >> "$out/answers.tsv"
  done
  kill -QUIT "$(cat "$tmp/nginx.pid")"
  for _ in $(seq 50); do [[ -e "$tmp/nginx.pid" ]] || break; sleep 0.1; done
  cp "$tmp/logs/access.log" "$out/access.log"
  rm -rf "$tmp"
}

real="$(mktemp -d)" instrumented="$(mktemp -d)"
trap 'rm -rf "$real" "$instrumented"' EXIT
run 0 "$real"
run 1 "$instrumented"

[[ $(wc -l < "$real/access.log") -eq ${#requests[@]} ]] || { echo "expected one log line per request" >&2; exit 1; }
cp "$real/access.log" "$ws/log/access.log"
# Truth: for each 444 line of the real log, the rule the instrumented nginx answered with.
node - "$real/access.log" "$instrumented/answers.tsv" "$here/access-log-truth.json" <<'JS'
const fs = require('fs');
const [logFile, answersFile, outFile] = process.argv.slice(2);
const log = fs.readFileSync(logFile, 'utf8').trimEnd().split('\n');
const answers = fs.readFileSync(answersFile, 'utf8').trimEnd().split('\n').map((l) => l.split('\t'));
const drops = [];
log.forEach((line, i) => {
  const status = / (\d{3}) \d+ "/.exec(line)[1];
  const [istatus, body] = answers[i];
  if ((status === '444') !== (istatus === '299')) throw new Error(`line ${i + 1}: real ${status}, instrumented ${istatus}`);
  if (status !== '444') return;
  const [file, ruleLine, column] = body.split(':');
  drops.push({ logLine: i + 1, rule: { file: `nginx/${file}`, line: Number(ruleLine), column: Number(column) } });
});
fs.writeFileSync(outFile, JSON.stringify({ log: 'log/access.log', drops }, null, 2) + '\n');
console.log(`${log.length} log lines, ${drops.length} drops attributed by instrumented nginx`);
JS
