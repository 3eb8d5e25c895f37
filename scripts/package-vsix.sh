#!/usr/bin/env bash
# Builds the universal .vsix: a production esbuild (minified, no source maps) in a staging copy of the
# sources, so that a `node esbuild.mjs --watch` in the work tree is neither disturbed nor packaged,
# then `vsce package --no-dependencies` (everything runs from dist/; .vscodeignore keeps it lean).
# Checks the package holds the bundles and the .wasm files and stays under 8 MB.
# Usage: scripts/package-vsix.sh [OUT.vsix]      (default out/pipelint-<version>.vsix; prints its path)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
version=$(node -p "require('./package.json').version")
out=${1:-$root/out/pipelint-$version.vsix}
case "$out" in /*) ;; *) out="$root/$out" ;; esac
max_bytes=$((8 * 1024 * 1024))
log() { printf '[package-vsix] %s\n' "$*" >&2; }
start=$(date +%s)

stage=$(mktemp -d "${TMPDIR:-/tmp}/pipelint-vsix.XXXXXX")
trap 'rm -rf "$stage"' EXIT
# Everything but build output, dependencies and VCS data: the build and .vscodeignore decide the rest.
for f in $(ls -A); do
  case "$f" in .git | node_modules | dist | out | .test-artifacts | .vscode-test | .cache) continue ;; esac
  cp -r "$f" "$stage/"
done
ln -s "$root/node_modules" "$stage/node_modules"

log "production build"
(cd "$stage" && node esbuild.mjs --production)

# --no-rewrite-relative-links: the repository URL is a placeholder, so relative README links cannot be made absolute.
vsce_args=(--no-dependencies --allow-missing-repository --skip-license --no-rewrite-relative-links)
[ -e "$stage/README.md" ] || log "warning: no README.md, the Marketplace page will be empty"
log "files:"
(cd "$stage" && npx --no-install vsce ls "${vsce_args[@]:0:1}") | sed 's/^/  /' >&2
mkdir -p "$(dirname "$out")"
(cd "$stage" && npx --no-install vsce package "${vsce_args[@]}" -o "$out" >&2)

listing=$(cd "$stage" && npx --no-install vsce ls "${vsce_args[@]:0:1}")
# Every bundle and .wasm the build made must ship (a lazily loaded chunk missing from the allow-list
# would only fail at run time); the command line's own bundles (cli.js and cli-main.js, render.js for
# `pipelint diagram`) do not.
built=$(cd "$stage" && find dist -type f \( -name '*.js' -o -name '*.wasm' \) ! -path dist/cli.js ! -path dist/cli-main.js ! -path dist/render.js | sort)
for need in package.json dist/extension.js dist/server.js $built; do
  grep -qx "$need" <<<"$listing" || { log "error: $need is missing from the package (allow it in .vscodeignore)"; exit 1; }
done
size=$(stat -c %s "$out")
log "$(basename "$out"): $((size / 1024)) KiB in $(($(date +%s) - start)) s"
if ((size > max_bytes)); then log "error: larger than 8 MB"; exit 1; fi
echo "$out"
