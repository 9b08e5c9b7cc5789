#!/usr/bin/env bash
# Every test of the project, in one run: what `npm test` and CI run. Installs what it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*" >&2; }

step "setup"
bash scripts/setup.sh test

step "build the package"
bash scripts/build.sh

step "size budget: wasm + glue within 137 KiB gzipped (issue 13 asks 90 KiB, aim 75 KiB)"
node scripts/size-budget.mjs

step "format and lints"
cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy --target wasm32-unknown-unknown -p qingcloud-useradd --lib --tests -- -D warnings

step "Rust tests (crate and sandbox)"
cargo build -p qingcloud-sandbox --bins
cargo test --workspace

step "wasm tests in headless Chromium: a page and a Web Worker, fetching from a local sandbox"
node scripts/with-sandbox.mjs --allow-origin '*' -- \
  wasm-pack test --headless --chrome --chromedriver /usr/bin/chromedriver -- --test web --test worker

step "the official Python SDKs against the sandbox"
python3 -m pytest -q tests/sandbox

step "fuzzing: each cargo-fuzz target for 30 s"
bash scripts/fuzz.sh 30

step "the package's JS API, the SDK oracle, the types, faults, load, the page's modules, the page"
node --test --test-concurrency=1 tests/js/ tests/support/ tests/www/ tests/page/
