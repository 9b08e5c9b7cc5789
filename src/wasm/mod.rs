//! The WebAssembly layer: the exported JavaScript API ([`exports`]), how values cross the boundary
//! ([`convert`]), sending with `fetch` through gloo-net ([`http`]), running bulk adds ([`bulk`]),
//! and looking at callers' values with their exceptions caught ([`guard`], which the serde model
//! reads through too). Everything it decides is in the pure modules; imports only go down this
//! list.

pub mod exports;

mod bulk;
mod convert;
pub(crate) mod guard;
mod http;
