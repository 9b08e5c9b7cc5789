//! Validate, encode, sign and build add-user requests for QingCloud ClickHouse (`add_users`) and
//! EHPC (`addUser`) clusters, byte for byte as QingCloud's official SDKs do, and send them.
//!
//! Every module but `wasm` is pure and builds and tests natively: the serde model of what callers
//! pass in ([`input`]) and get back ([`output`], [`response`], [`bulk`]), validation, encoding,
//! signing and request building. `wasm` is the thin layer that talks to JavaScript and `fetch`.

pub mod api;
pub mod bulk;
pub mod concurrency;
pub mod de;
pub mod encoding;
pub mod input;
pub mod messages;
pub mod order;
pub mod output;
pub mod preview;
pub mod refusal;
pub mod request;
pub mod response;
pub mod signing;
pub mod timestamp;
pub mod validation;

#[cfg(target_arch = "wasm32")]
pub mod wasm;
