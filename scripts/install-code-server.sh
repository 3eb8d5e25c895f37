#!/usr/bin/env bash
# Installs what the real-editor test tier needs, outside the project's package.json:
#   - Debian packages: chromium (driven by playwright-core), neovim (second LSP client), ripgrep and
#     the headers/toolchain that code-server's native modules (node-pty, kerberos, ...) build with;
#   - code-server 4.100.3 (VS Code 1.100.3, the last release that runs on Node 20) into
#     $PIPELINT_CODE_SERVER_DIR (default /opt/pipelint-code-server).
# Idempotent: does nothing when that code-server version is already there.
# Needs only the Debian and npm registries (see /work/shared/notes/real-editor.md).
# Usage: scripts/install-code-server.sh        (prints the code-server binary path on its last line)
set -euo pipefail

VERSION=4.100.3
PREFIX=${PIPELINT_CODE_SERVER_DIR:-/opt/pipelint-code-server}
BIN="$PREFIX/bin/code-server"
APT_PACKAGES=(chromium neovim ripgrep libkrb5-dev pkg-config libx11-dev libxkbfile-dev libsecret-1-dev g++ make)

log() { printf '[install-code-server] %s\n' "$*" >&2; }
start=$(date +%s)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  log "apt-get install ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

if [ -x "$BIN" ] && XDG_CONFIG_HOME="$PREFIX/.config" "$BIN" --version 2>/dev/null | grep -q "^$VERSION "; then
  log "code-server $VERSION already in $PREFIX ($(($(date +%s) - start)) s)"
  echo "$BIN"
  exit 0
fi

rm -rf "$PREFIX" && mkdir -p "$PREFIX"
# @vscode/ripgrep downloads its binary from the network unless its cache already holds the archive:
# place one made from Debian's rg, in a TMPDIR of our own.
tmp="$PREFIX/.install-tmp"
mkdir -p "$tmp/vscode-ripgrep-cache-1.15.11"
tar czf "$tmp/vscode-ripgrep-cache-1.15.11/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C /usr/bin rg

log "npm install code-server@$VERSION into $PREFIX (takes a few minutes)"
# A plain local install in a folder of its own: with `--global --prefix`, code-server's postinstall
# (`npm install` in lib/vscode) inherits the global flags and reinstalls over its own tree.
# npm_config_yes: node-pty's postinstall runs `npx node-gyp`, which otherwise cancels without a tty.
printf '{"name":"pipelint-code-server","private":true}\n' >"$PREFIX/package.json"
(cd "$PREFIX" && env -u npm_config_prefix -u npm_config_global TMPDIR="$tmp" npm_config_yes=true \
  npm install --unsafe-perm --no-audit --no-fund --no-save --loglevel=error "code-server@$VERSION" >&2)
rm -rf "$tmp"
mkdir -p "$PREFIX/bin" && ln -sf ../node_modules/.bin/code-server "$BIN"

XDG_CONFIG_HOME="$PREFIX/.config" "$BIN" --version >&2
log "done in $(($(date +%s) - start)) s, $(du -sh "$PREFIX" | cut -f1)"
echo "$BIN"
