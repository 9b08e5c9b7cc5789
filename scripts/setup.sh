#!/usr/bin/env bash
# Installs what building and testing need, and skips whatever is already there:
#   scripts/setup.sh build   the wasm target, wasm-bindgen-cli (the version Cargo.lock pins), npm packages
#   scripts/setup.sh test    all of that, plus wasm-pack, the pinned nightly and cargo-fuzz, Debian's Chromium and
#                            ChromeDriver, a CJK font, Python test packages
# Only the registries are used: crates.io, npm, PyPI and Debian.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/toolchain.sh
need=${1:-test}

say() { echo "setup: $*" >&2; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi


# wasm-bindgen's CLI must match the library exactly; --locked fails here (a locked dependency is gone).
bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$bindgen_version" ]; then
  say "installing wasm-bindgen-cli $bindgen_version (about 3 minutes)"
  cargo install wasm-bindgen-cli --version "$bindgen_version"
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages"
  npm ci --no-audit --no-fund
fi

[ "$need" = build ] && exit 0

if ! command -v wasm-pack >/dev/null; then
  say "installing wasm-pack (about 2.5 minutes)"
  cargo install wasm-pack --locked
fi

if ! rustup run "$NIGHTLY" rustc --version >/dev/null 2>&1; then
  say "installing $NIGHTLY (for cargo-fuzz only)"
  rustup toolchain install "$NIGHTLY" --profile minimal
fi

if ! cargo "+$NIGHTLY" fuzz --version >/dev/null 2>&1; then
  say "installing cargo-fuzz (about 2 minutes)"
  cargo install cargo-fuzz --version 0.13.2
fi

# A CJK font, so that the page's Chinese screenshots show characters rather than empty boxes.
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ] || ! dpkg -s fonts-wqy-microhei >/dev/null 2>&1; then
  say "installing Debian's chromium, chromium-driver and fonts-wqy-microhei"
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver fonts-wqy-microhei
fi

if ! python3 -c 'import qingcloud, qingcloud_hpc, pytest' 2>/dev/null; then
  say "installing the official SDKs and pytest"
  python3 -m pip install --quiet --disable-pip-version-check -r tests/requirements.txt
fi
