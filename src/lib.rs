//! Validate, encode, sign and build add-user requests for QingCloud ClickHouse (`add_users`) and
//! EHPC (`addUser`) clusters, byte for byte as QingCloud's official SDKs do, and send them.
//!
//! The modules without I/O build and test natively; `bindings`, `client` and `bulk_driver` are the
//! thin WebAssembly layer that talks to JavaScript and `fetch`.

// The module is built for size (opt-level "z"); the package build (scripts/build.sh, on its pinned
// nightly) sets `qingcloud_speed`, so that the functions of the build-and-sign path marked
// `optimize(speed)` (reading the arguments, validating, encoding, hashing and signing, making the
// result) are compiled for speed. Stable builds ignore the marks.
#![cfg_attr(qingcloud_speed, feature(optimize_attribute))]

pub mod api;
pub mod arg;
pub mod bulk;
pub mod encoding;
pub mod messages;
pub mod preview;
pub mod request;
pub mod response;
pub mod signing;
pub mod timestamp;
pub mod validation;

#[cfg(target_arch = "wasm32")]
pub mod bindings;
#[cfg(target_arch = "wasm32")]
mod bulk_driver;
#[cfg(target_arch = "wasm32")]
mod client;
#[cfg(target_arch = "wasm32")]
mod js;

/// A free-list allocator of a few hundred bytes instead of dlmalloc's several kilobytes: the module
/// allocates little, briefly, and its size is what users download. (Locked, which is free in
/// single-threaded wasm and needs no `unsafe`.)
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: lol_alloc::LockedAllocator<lol_alloc::FreeListAllocator> =
    lol_alloc::LockedAllocator::new(lol_alloc::FreeListAllocator::new());
