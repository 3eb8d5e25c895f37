#!/usr/bin/env bash
# Installs what `npm run test:system` needs beyond Node, on Debian 12 (run as root, or with sudo):
# real scikit-learn for /usr/bin/python3, scikit-learn's example scripts, chromium, neovim and code-server.
# Idempotent. Network: Debian's archive and the npm registry only.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
# python3-pytest: imbalanced-learn's estimator list (imblearn.utils.testing), read by the knowledge generator, imports it.
APT=(python3-sklearn python3-pandas python3-imblearn python3-pytest chromium neovim)
missing=()
for p in "${APT[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
  $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}"
fi
# code-server (VS Code in the browser) for the real-editor tests, outside the project's node_modules.
bash scripts/install-code-server.sh >/dev/null
# scikit-learn's own 285 example scripts, for the accuracy checks and benchmarks (never committed).
bash scripts/fetch-sklearn-examples.sh >/dev/null
