//! Reading JavaScript values: the arguments callers pass and the answers servers send. The wasm
//! build reads `JsValue`s in place, with no JSON round trip and no JSON parser of its own; native
//! tests, fuzzing and the sandbox read `serde_json::Value`s, which model the same shapes.

/// A JavaScript value as the argument and answer readers see it.
pub trait Arg: Sized {
    /// `undefined` or `null`.
    fn is_nullish(&self) -> bool;
    /// An object that is not an array.
    fn is_record(&self) -> bool;
    /// A property; nullish when absent or when `self` is not an object.
    fn field(&self, key: &'static str) -> Self;
    fn as_text(&self) -> Option<String>;
    /// A string property in one step: `Some("")` when it is absent or null (or `self` is not an
    /// object), `None` when it is something else.
    fn text_field(&self, key: &'static str) -> Option<String>;
    /// A number, or a `Date`'s milliseconds since the epoch.
    fn number(&self) -> Option<f64>;
    /// The items of an array.
    fn items(&self) -> Option<Vec<Self>>;

    /// A whole number that fits an `i64`.
    fn integer(&self) -> Option<i64> {
        self.number()
            .filter(|n| n.fract() == 0.0 && n.abs() < 9.0e15)
            .map(|n| n as i64)
    }
}

// In wasm test builds too, so that the unit tests run the same there.
#[cfg(any(not(target_arch = "wasm32"), test))]
impl Arg for serde_json::Value {
    fn is_nullish(&self) -> bool {
        self.is_null()
    }

    fn is_record(&self) -> bool {
        self.is_object()
    }

    fn field(&self, key: &'static str) -> Self {
        self.as_object()
            .and_then(|object| object.get(key))
            .cloned()
            .unwrap_or_default()
    }

    fn as_text(&self) -> Option<String> {
        self.as_str().map(String::from)
    }

    fn text_field(&self, key: &'static str) -> Option<String> {
        match self.as_object().and_then(|object| object.get(key)) {
            None | Some(serde_json::Value::Null) => Some(String::new()),
            Some(value) => value.as_text(),
        }
    }

    fn number(&self) -> Option<f64> {
        self.as_f64()
    }

    fn items(&self) -> Option<Vec<Self>> {
        self.as_array().cloned()
    }
}

/// Runs `use_key` with a property name as a JavaScript string, made once per name. Turning a Rust
/// string into a JavaScript one costs more than the rest of a property access, and the same few
/// dozen names are read and written on every call. Only `'static` names are cached, keyed by their
/// address, which cannot be reused for another string; a name whose slot is taken is made afresh.
/// The key is lent, not cloned (a clone is one more call into JavaScript), and nothing stays
/// borrowed meanwhile, so a getter that calls back into the module is harmless.
#[cfg(target_arch = "wasm32")]
pub fn with_js_key<R>(name: &'static str, use_key: impl FnOnce(&wasm_bindgen::JsValue) -> R) -> R {
    use std::cell::OnceCell;
    const SLOTS: usize = 128;
    type Slot = OnceCell<(usize, usize, wasm_bindgen::JsValue)>;
    thread_local! {
        static CACHE: [Slot; SLOTS] = const { [const { OnceCell::new() }; SLOTS] };
    }
    let (address, len) = (name.as_ptr() as usize, name.len());
    let make = || wasm_bindgen::JsValue::from_str(name);
    CACHE.with(|cache| {
        let slot = &cache[(address ^ address >> 7) % SLOTS];
        match slot.get_or_init(|| (address, len, make())) {
            (a, l, key) if *a == address && *l == len => use_key(key),
            _ => use_key(&make()),
        }
    })
}

#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen(inline_js = r#"
function get(value, key) {
  try { return typeof value === 'object' && value !== null ? value[key] : undefined; } catch { return undefined; }
}
export function field(value, key) { return get(value, key); }
export function text(value, key) {
  const v = get(value, key);
  return v == null ? '' : typeof v === 'string' ? v : undefined;
}
export function set(target, key, value) { target[key] = value; }
"#)]
extern "C" {
    /// `value[key]`, with a throwing getter or proxy read as absent, and any property of a
    /// non-object as absent. (`Reflect.get` through wasm-bindgen's `catch` is several times slower.)
    #[wasm_bindgen(js_name = field)]
    fn js_field(
        value: &wasm_bindgen::JsValue,
        key: &wasm_bindgen::JsValue,
    ) -> wasm_bindgen::JsValue;
    /// [`Arg::text_field`] in one call, rather than one call for the property and one for its text.
    #[wasm_bindgen(js_name = text)]
    fn js_text(value: &wasm_bindgen::JsValue, key: &wasm_bindgen::JsValue) -> Option<String>;
    /// `target[key] = value`, for the plain objects this crate makes.
    #[wasm_bindgen(js_name = set)]
    pub fn js_set(
        target: &wasm_bindgen::JsValue,
        key: &wasm_bindgen::JsValue,
        value: &wasm_bindgen::JsValue,
    );
    /// `target[key] = value` for a string value, in one call: the same function as [`js_set`],
    /// with the string passed as text rather than made into a `JsValue` first.
    #[wasm_bindgen(js_name = set)]
    pub fn js_set_text(target: &wasm_bindgen::JsValue, key: &wasm_bindgen::JsValue, value: &str);
}

#[cfg(target_arch = "wasm32")]
impl Arg for wasm_bindgen::JsValue {
    fn is_nullish(&self) -> bool {
        self.is_undefined() || self.is_null()
    }

    fn is_record(&self) -> bool {
        self.is_object() && !js_sys::Array::is_array(self)
    }

    fn field(&self, key: &'static str) -> Self {
        with_js_key(key, |key| js_field(self, key))
    }

    fn as_text(&self) -> Option<String> {
        self.as_string()
    }

    fn text_field(&self, key: &'static str) -> Option<String> {
        with_js_key(key, |key| js_text(self, key))
    }

    fn number(&self) -> Option<f64> {
        use wasm_bindgen::JsCast;
        self.as_f64().or_else(|| {
            self.dyn_ref::<js_sys::Date>()
                .map(js_sys::Date::get_time)
                .filter(|ms| ms.is_finite())
        })
    }

    fn items(&self) -> Option<Vec<Self>> {
        use wasm_bindgen::JsCast;
        self.dyn_ref::<js_sys::Array>()
            .map(|array| array.iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    #[test]
    fn reads_fields_of_objects_only() {
        let value = json!({"a": "text", "n": 7, "f": 1.5, "list": ["x", 1], "nothing": null});
        assert_eq!(value.field("a").as_text().as_deref(), Some("text"));
        assert_eq!(value.field("n").integer(), Some(7));
        assert_eq!(value.field("f").integer(), None);
        assert_eq!(value.field("f").number(), Some(1.5));
        assert_eq!(
            value.field("list").items().map(|items| items.len()),
            Some(2)
        );
        assert!(value.field("nothing").is_nullish() && value.field("missing").is_nullish());
        assert!(value.is_record() && !json!([1]).is_record() && !Value::Null.is_record());
        assert!(json!("a").field("length").is_nullish());
    }
}
