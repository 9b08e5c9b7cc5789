# The nightly toolchain, pinned so that fuzzing does not change under us. It is for cargo-fuzz
# only: the package builds and tests on stable. Sourced by setup.sh and fuzz.sh.
NIGHTLY=nightly-2026-05-19
