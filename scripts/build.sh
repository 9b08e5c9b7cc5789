#!/usr/bin/env bash
# Builds the npm package into pkg/: the web target (pages and workers), the bundler target, and a
# Node entry that loads the web target synchronously. wasm-opt comes from npm's binaryen: Debian's
# is too old and its output fails to load.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh build

cargo build --release --target wasm32-unknown-unknown -p qingcloud-useradd --lib
wasm=target/wasm32-unknown-unknown/release/qingcloud_useradd.wasm
rm -rf pkg
for target in web bundler; do
  wasm-bindgen --target "$target" --out-dir "pkg/$target" "$wasm"
  node_modules/.bin/wasm-opt -Oz --strip-debug --strip-producers \
    --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "pkg/$target/qingcloud_useradd_bg.wasm" -o "pkg/$target/qingcloud_useradd_bg.wasm"
done
node scripts/finish-package.mjs
echo "build: pkg/ is ready" >&2
