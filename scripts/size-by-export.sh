#!/usr/bin/env bash
# What each group of exports costs in the built module: the package is built again without them
# (their `#[wasm_bindgen]` items compiled out), and its size (wasm + glue of the web target, as
# wasm-bindgen writes it, gzipped by scripts/size-budget.mjs) is compared with the whole package's. For deciding what a
# size budget can hold; about 2 minutes per line.
#
#   bash scripts/size-by-export.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh build >&2
root=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r Cargo.toml Cargo.lock src sandbox "$work"

# The gzipped size of wasm + glue of the package built without the exports named.
size_without() {
  cp "$root/src/wasm/exports.rs" "$work/src/wasm/exports.rs"
  for name in "$@"; do
    sed -i "s/^#\[wasm_bindgen(js_name = $name[,)]/#[cfg(any())]\n&/" "$work/src/wasm/exports.rs"
  done
  (cd "$work" && RUSTFLAGS="--remap-path-prefix=$HOME/.cargo/registry/src= --remap-path-prefix=$work=" \
    cargo build -q --release --target wasm32-unknown-unknown -p qingcloud-useradd --lib \
    --target-dir "$root/target/size-by-export" 2>/dev/null)
  local out; out=$(mktemp -d)
  wasm-bindgen --target web --out-dir "$out/web" "$root/target/size-by-export/wasm32-unknown-unknown/release/qingcloud_useradd.wasm"
  node_modules/.bin/wasm-opt -O4 --low-memory-unused --strip-debug --strip-producers \
    --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$out/web/qingcloud_useradd_bg.wasm" -o "$out/web/qingcloud_useradd_bg.wasm"
  node --input-type=module -e "import { packageSizes } from '$root/scripts/size-budget.mjs';
    console.log(packageSizes('$out').totalGzip)"
  rm -rf "$out"
}

all=$(size_without)
row() { awk -v label="$1" -v bytes="$2" -v all="$all" 'BEGIN { printf "%-62s %8d %6.1f%%\n", label, bytes, 100 * bytes / all }'; }
printf '%-62s %8s %7s\n' 'wasm + glue, gzip -9' bytes share
row 'the whole package' "$all"
cost() { local label=$1; shift; row "$label" $((all - $(size_without "$@"))); }
cost 'bulk: addClickHouseUsers, addEhpcUsers' addClickHouseUsers addEhpcUsers
cost 'EHPC: validateEhpcUser, buildEhpcAddUserRequest, addEhpcUser(s)' validateEhpcUser buildEhpcAddUserRequest addEhpcUser addEhpcUsers
cost 'previewRequest' previewRequest
cost 'waitForJob' waitForJob
cost 'single sends: addClickHouseUser, addEhpcUser' addClickHouseUser addEhpcUser
cost 'validateClickHouseUser, validateEhpcUser' validateClickHouseUser validateEhpcUser
row 'left when only buildClickHouseAddUsersRequest stays' "$(size_without validateClickHouseUser validateEhpcUser \
  encodeServiceParams buildEhpcAddUserRequest buildDescribeJobsRequest previewRequest addClickHouseUser \
  addEhpcUser addClickHouseUsers addEhpcUsers waitForJob)"
