#!/usr/bin/env bash
# `npm run bench`: builds the package and the sandbox in release, then runs every
# bench/*.bench.mjs (size, start-up in Node and headless Chromium, build-and-sign throughput in Node
# and headless Chromium beside @noble/hashes, WebCrypto, crypto-js and node:crypto references,
# validation, the sandbox, bulk), prints a Markdown table and writes bench/results.json.
# Benchmarks report figures; they never assert speed.
#   scripts/bench.sh [--quick] [--out FILE] [size|startup|chromium|sign|sandbox ...]
# Run it on a quiet machine: every comparison runs both sides in one process, in alternating
# rounds, and reports the median of per-round ratios, but absolute figures still move with load.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
cargo build --release -p qingcloud-sandbox --bins
exec node bench/run.mjs "$@"
