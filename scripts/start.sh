#!/usr/bin/env bash
# The main job: build the package and the sandbox, then serve the console page against the
# sandbox's demo account on http://127.0.0.1:${PORT:-8080}. Extra arguments go to the sandbox
# (for instance --upstream-iaas https://api.qingcloud.com to reach the real cloud).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
cargo build --release -p qingcloud-sandbox --bins
cat >&2 <<'INFO'

Demo account (the sandbox's built-in one):
  access key id      SANDBOXACCESSKEYID01
  secret access key  sandbox-secret-access-key
  zone               pek3
  ClickHouse cluster cl-sandbox1
  EHPC cluster       ehpc-sandbox1
Open the URL below in a browser; stop with Ctrl-C.

INFO
exec target/release/qingcloud-sandbox --port "${PORT:-8080}" --www www --pkg pkg/web "$@"
