//! The JS API in a dedicated Web Worker, which has `fetch` but no `window`.
#![cfg(target_arch = "wasm32")]

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_dedicated_worker);

include!("browser/shared.rs");
