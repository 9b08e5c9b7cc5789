#!/usr/bin/env bash
# Builds the npm package into pkg/: the web target (pages and workers), the bundler target, and a
# Node entry that loads the web target synchronously. wasm-opt comes from npm's binaryen: Debian's
# is too old and its output fails to load.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh build

# One stable toolchain builds the package: the release profile in Cargo.toml says how.
# Paths in panic locations are cut to the crate's own, which only shortens strings.
RUSTFLAGS="--remap-path-prefix=$HOME/.cargo/registry/src= --remap-path-prefix=$PWD=" \
  cargo build --release --target wasm32-unknown-unknown -p qingcloud-useradd --lib --target-dir target/package
wasm=target/package/wasm32-unknown-unknown/release/qingcloud_useradd.wasm
# Built beside pkg/ and swapped in at the end, so that a test or benchmark running meanwhile never
# sees a half-built package.
next=$(mktemp -d pkg.next.XXXXXX)
trap 'rm -rf "$next"' EXIT
for target in web bundler; do
  wasm-bindgen --target "$target" --out-dir "$next/$target" "$wasm"
  # -O4 rather than -Oz: it costs about 0.14 KB gzipped and builds and signs 2-4% faster (more
  # inlining than that, with -fimfs, is 6 KB larger and no faster). --low-memory-unused: Rust puts
  # the stack, not data, at the bottom of memory.
  node_modules/.bin/wasm-opt -O4 --low-memory-unused --strip-debug --strip-producers \
    --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$next/$target/qingcloud_useradd_bg.wasm" -o "$next/$target/qingcloud_useradd_bg.wasm"
done
node scripts/finish-package.mjs "$next"
rm -rf pkg.old
[ -d pkg ] && mv pkg pkg.old
mv "$next" pkg
rm -rf pkg.old
echo "build: pkg/ is ready" >&2
