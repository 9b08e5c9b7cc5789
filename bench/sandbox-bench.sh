#!/usr/bin/env bash
# Signed GET DescribeJobs requests per second and p50/p99 latency at 1, 16 and 64 concurrent
# clients on loopback, against an in-process sandbox. The last line of output is JSON.
# Extra arguments go to sandbox-bench (e.g. --seconds 5, --url http://127.0.0.1:8080).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p qingcloud-sandbox --bin sandbox-bench >&2
exec cargo run --quiet --release -p qingcloud-sandbox --bin sandbox-bench -- "$@"
