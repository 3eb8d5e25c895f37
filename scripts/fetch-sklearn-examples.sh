#!/usr/bin/env bash
# Extracts scikit-learn's example scripts from Debian's python-sklearn-doc into .cache/sklearn-examples
# (prints the examples folder). Used by the accuracy tests and the benchmarks; never committed.
set -euo pipefail
cd "$(dirname "$0")/.."
dest="$PWD/.cache/sklearn-examples"
if [ -d "$dest/examples" ] && [ "$(find "$dest/examples" -name '*.py' | wc -l)" -gt 200 ]; then
  echo "$dest/examples"
  exit 0
fi
work=$(mktemp -d)
(cd "$work" && apt-get download python-sklearn-doc >/dev/null 2>&1) || {
  apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null
  (cd "$work" && apt-get download python-sklearn-doc >/dev/null)
}
dpkg -x "$work"/python-sklearn-doc_*.deb "$work/x"
rm -rf "$dest" && mkdir -p "$dest"
cp -r "$work/x/usr/share/doc/python-sklearn-doc/examples" "$dest/examples"
# Debian may compress long files; the examples must be plain .py.
find "$dest/examples" -name '*.py.gz' -exec gunzip -f {} +
rm -rf "$work"
echo "$dest/examples"
