#!/usr/bin/env bash
# Installs an offline real VS Code for the editor test tier: the npm package code-server@4.100.3 bundles
# VS Code 1.100.3 (server + web workbench) and runs on Node 20. It goes into .vscode-test/ (git-ignored),
# never into the extension's own dependencies. Idempotent: a finished install is kept.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/.vscode-test/code-server"
version=4.100.3
server_main="$dest/node_modules/code-server/lib/vscode/out/server-main.js"

if [[ -f "$server_main" && -f "$dest/.installed-$version" ]]; then
  echo "code-server $version already installed in $dest"
  exit 0
fi

# System packages: kerberos headers for code-server's native module, Debian's ripgrep (stands in for the
# binary @vscode/ripgrep would download), chromium (the browser that connects to the workbench).
need=()
[[ -f /usr/include/krb5.h || -f /usr/include/gssapi/gssapi.h ]] || need+=(libkrb5-dev)
command -v rg >/dev/null || need+=(ripgrep)
command -v chromium >/dev/null || need+=(chromium)
if ((${#need[@]})); then
  if [[ $(id -u) -eq 0 ]]; then
    apt-get install -y --no-install-recommends "${need[@]}" >/dev/null || { apt-get update >/dev/null && apt-get install -y --no-install-recommends "${need[@]}" >/dev/null; }
  else
    echo "missing system packages: ${need[*]} (apt-get install them as root)" >&2
    exit 1
  fi
fi

# @vscode/ripgrep's postinstall downloads rg unless its cache already holds the asset: pre-fill the cache
# with a tarball of Debian's rg, so nothing is downloaded but npm packages.
tmp="${TMPDIR:-/tmp}"
cache="$tmp/vscode-ripgrep-cache-1.15.11"
asset="$cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
if [[ ! -s "$asset" ]]; then
  mkdir -p "$cache"
  stage="$(mktemp -d)"
  cp "$(command -v rg)" "$stage/rg"
  tar -czf "$asset" -C "$stage" rg
  rm -rf "$stage"
fi

mkdir -p "$dest"
cd "$dest"
[[ -f package.json ]] || echo '{"name":"editor-under-test","private":true}' > package.json
# As root npm drops privileges for install scripts unless told otherwise; code-server's postinstall needs them.
export npm_config_unsafe_perm=true npm_config_yes=true npm_config_fund=false npm_config_audit=false
# Most of the install is node-gyp compiling VS Code's native modules: use every core.
export JOBS=max
start=$(date +%s)
npm install --no-save --no-package-lock --loglevel=error "code-server@$version" >"$dest/install.log" 2>&1 || {
  tail -40 "$dest/install.log" >&2
  echo "code-server install failed (full log: $dest/install.log)" >&2
  exit 1
}
[[ -f "$server_main" ]] || { echo "server-main.js missing after install" >&2; exit 1; }
touch "$dest/.installed-$version"
echo "code-server $version installed in $(( $(date +%s) - start ))s: $server_main"
