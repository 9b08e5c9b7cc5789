//! The WebAssembly layer: the exported JavaScript API ([`exports`]), how values cross the boundary
//! ([`convert`]), sending with `fetch` through gloo-net ([`http`]) and running bulk adds
//! ([`bulk`]). Everything it decides is in the pure modules; imports only go down this list.

pub mod exports;

mod bulk;
mod convert;
mod http;
