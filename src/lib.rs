//! Validate, encode, sign and build add-user requests for QingCloud ClickHouse (`add_users`) and
//! EHPC (`addUser`) clusters, byte for byte as QingCloud's official SDKs do, and send them.
//!
//! The modules without I/O build and test natively; `bindings`, `client` and `bulk_driver` are the
//! thin WebAssembly layer that talks to JavaScript and `fetch`.

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
