#!/usr/bin/env bash
# Fuzzes the crate with cargo-fuzz: builds every target once, then runs each for a bounded time.
#   scripts/fuzz.sh [seconds per target, default 30] [target ...]
# Fails on the first crash (a panic, an assertion, a timeout or running out of memory); the input
# that crashed is kept in fuzz/artifacts/<target>/ and the command to replay it is printed.
# Needs the pinned nightly (scripts/toolchain.sh) and cargo-fuzz (`cargo install cargo-fuzz`); the corpus grows in
# fuzz/corpus/<target>/ (not committed) from the seeds in fuzz/seeds/<target>/.
# FUZZ_SANITIZER picks the sanitizer (default none: the crate has no unsafe code, and without
# AddressSanitizer each target runs several times more inputs in the same time).
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
source ../scripts/toolchain.sh

seconds=${1:-30}
shift || true
if ! [[ "$seconds" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: scripts/fuzz.sh [seconds per target] [target ...]" >&2
  exit 2
fi
sanitizer=${FUZZ_SANITIZER:-none}

if ! cargo "+$NIGHTLY" fuzz --version >/dev/null 2>&1; then
  echo "fuzz: needs $NIGHTLY and cargo-fuzz (scripts/setup.sh installs both)" >&2
  exit 2
fi

if [ "$#" -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo "+$NIGHTLY" fuzz list)
fi

echo "fuzz: building ${#targets[@]} targets (sanitizer: $sanitizer)" >&2
cargo "+$NIGHTLY" fuzz build -s "$sanitizer"

mkdir -p logs
failed=()
for target in "${targets[@]}"; do
  mkdir -p "corpus/$target"
  seeds=()
  [ -d "seeds/$target" ] && seeds=("seeds/$target")
  dict=()
  case "$target" in validation | response) dict=("-dict=dict/json.dict") ;; esac
  log="logs/$target.log"
  # -timeout: one input may take at most 5 s; -rss_limit_mb bounds memory. Both count as crashes.
  if cargo "+$NIGHTLY" fuzz run -s "$sanitizer" "$target" "corpus/$target" "${seeds[@]}" -- \
    -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -print_final_stats=1 "${dict[@]}" \
    >"$log" 2>&1; then
    runs=$(awk '/stat::number_of_executed_units/ { print $NF }' "$log")
    cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
    echo "fuzz: $target ${seconds}s: ${runs:-?} inputs, coverage ${cov:-?}, no crash" >&2
  else
    failed+=("$target")
    tail -n 40 "$log" >&2
    echo "fuzz: $target CRASHED (log: fuzz/$log); replay with:" >&2
    echo "  (cd fuzz && cargo "+$NIGHTLY" fuzz run -s $sanitizer $target artifacts/$target/<file>)" >&2
  fi
done

if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz: crashes in: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: ${#targets[@]} targets, ${seconds}s each, no crash" >&2
