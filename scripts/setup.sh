#!/usr/bin/env bash
# One-stop setup for a fresh Debian machine that has only node and npm.
# Installs what is missing (pnpm 10, nftables, iproute2, iputils-ping, iputils-arping, conntrack), then the
# workspace's dependencies, then builds every package to JavaScript. Skips whatever is present.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup] %s\n' "$*" >&2; }

# pnpm: corepack's download fails its signature check on these machines, so use npm.
if ! command -v pnpm >/dev/null 2>&1 || ! pnpm --version 2>/dev/null | grep -q '^10\.'; then
  log "installing pnpm 10 with npm"
  npm install -g pnpm@10 >/dev/null 2>&1 || npm install -g pnpm@10
fi

# System packages the dataplane, trackers and lab need.
need=()
command -v nft >/dev/null 2>&1 || need+=(nftables)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v ping >/dev/null 2>&1 || need+=(iputils-ping)
command -v conntrack >/dev/null 2>&1 || need+=(conntrack)
# track_method arping runs iputils' arping as a helper (mwan-track's netns-arping test)
command -v arping >/dev/null 2>&1 || need+=(iputils-arping)
# raw-socket is a native addon built by node-gyp at install time
command -v python3 >/dev/null 2>&1 || need+=(python3)
{ command -v make >/dev/null 2>&1 && command -v g++ >/dev/null 2>&1; } || need+=(make g++)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing ${need[*]} with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    log "missing system packages: ${need[*]} (run as root on Debian to install them); tests that need them will fail"
  fi
fi

# Dependencies: only when the lockfile or a manifest changed since the last install.
stamp=node_modules/.mwan-install-stamp
want=$(cat pnpm-lock.yaml package.json pnpm-workspace.yaml packages/*/package.json test/package.json 2>/dev/null | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  log "pnpm install"
  if [ -f pnpm-lock.yaml ]; then
    pnpm install --frozen-lockfile --reporter=silent
  else
    pnpm install --reporter=silent
  fi
  echo "$want" >"$stamp"
fi

log "building (tsc -b)"
pnpm exec tsc -b
