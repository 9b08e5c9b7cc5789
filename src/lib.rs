//! Validate, encode, sign and build add-user requests for QingCloud ClickHouse (`add_users`) and
//! EHPC (`addUser`) clusters, byte for byte as QingCloud's official SDKs do.

pub mod api;
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
pub mod bulk;
#[cfg(target_arch = "wasm32")]
mod bulk_driver;
#[cfg(target_arch = "wasm32")]
mod client;
