# The nightly toolchain, pinned so that package sizes and fuzzing do not change under us. It builds
# the package's wasm (-Z build-std) and runs cargo-fuzz; the crate itself builds and tests on stable.
# Sourced by setup.sh, build.sh and fuzz.sh.
NIGHTLY=nightly-2026-05-19
