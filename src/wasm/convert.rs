//! Values across the boundary: arguments read into the serde model with `serde-wasm-bindgen`,
//! results made into plain objects the same way, and errors made into `QingCloudError`s.

use crate::api::{self, WrongShape};
use crate::messages::Lang;
use crate::output::ErrorFields;
use crate::response::ApiError;
use crate::validation::Issue;
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
extern "C" {
    /// `Object.assign(target, source)`, its exceptions caught: a getter or proxy that throws is a
    /// refused argument, not an exception through the module.
    #[wasm_bindgen(catch, js_namespace = Object, js_name = assign)]
    fn object_assign(target: &JsValue, source: &JsValue) -> Result<JsValue, JsValue>;
}

/// Reads an argument: `undefined` and `null` are the default, anything but a plain object (or a
/// class instance) is refused, and a field of the wrong type is named. The argument's own
/// properties are copied first, so that reading them can run no code of the caller's.
pub fn read<T: DeserializeOwned + Default>(value: &JsValue, what: &str) -> Result<T, WrongShape> {
    let Some(own) = own_properties(value, what)? else {
        return Ok(T::default());
    };
    let read = |object: JsValue| T::deserialize(serde_wasm_bindgen::Deserializer::from(object));
    read(own.clone()).map_err(|error| {
        api::wrong_field(
            wrong_field(&own, &|alone| read(alone).is_err()).as_deref(),
            what,
            &error,
        )
    })
}

/// A copy of an argument's own properties, `None` for `undefined` or `null`.
fn own_properties(value: &JsValue, what: &str) -> Result<Option<JsValue>, WrongShape> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    if !value.is_object() || js_sys::Array::is_array(value) || value.is_function() {
        return Err(WrongShape(format!("{what} must be an object")));
    }
    object_assign(&js_sys::Object::new(), value)
        .map(Some)
        .map_err(|_| WrongShape(format!("{what} could not be read: a property threw")))
}

/// The first property that `refused` refuses on its own: every field may be left out, so the
/// field that is wrong is the one that fails alone.
fn wrong_field(own: &JsValue, refused: &dyn Fn(JsValue) -> bool) -> Option<String> {
    js_sys::Object::entries(own.unchecked_ref())
        .iter()
        .find_map(|entry| {
            let alone = js_sys::Object::from_entries(&js_sys::Array::of1(&entry)).ok()?;
            refused(alone.into())
                .then(|| js_sys::Array::from(&entry).get(0).as_string())
                .flatten()
        })
}

/// A copy of an array's items, or `None` when reading them throws.
pub fn copy_array(value: &JsValue) -> Option<js_sys::Array> {
    object_assign(&js_sys::Array::new(), value)
        .ok()
        .map(JsCast::unchecked_into)
}

/// [`read`], with a wrong shape as an `invalid_input` error in the caller's language.
pub fn read_input<T: DeserializeOwned + Default>(
    value: &JsValue,
    what: &str,
    lang: Lang,
) -> Result<T, JsValue> {
    read(value, what).map_err(|shape| error(&shape.into_error(lang)))
}

/// [`read`], with a wrong shape as an `invalid_options` error.
pub fn read_options<T: DeserializeOwned + Default>(
    value: &JsValue,
    what: &str,
) -> Result<T, JsValue> {
    read(value, what).map_err(|shape| error(&ApiError::invalid_options(&shape.0, Lang::En)))
}

/// A plain JavaScript object (or array, string, number) made of `value`.
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> JsValue {
    // Serialising the crate's own output types cannot fail: they hold only strings, numbers,
    // booleans, lists and string maps.
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or(JsValue::UNDEFINED)
}

/// An `Error` named `QingCloudError` with `code`, and `retCode`, `status` and `errors` when known.
pub fn error_with(error: &ApiError, issues: &[Issue]) -> JsValue {
    let js = js_sys::Error::new(&error.message);
    js.set_name("QingCloudError");
    let js: JsValue = js.into();
    // Assigning plain data to a fresh Error cannot throw.
    let _ = object_assign(&js, &to_js(&ErrorFields::new(error, issues)));
    js
}

pub fn error(error: &ApiError) -> JsValue {
    error_with(error, &[])
}

/// `value` as `T` when it is one (an `AbortSignal`, a callback).
pub fn hook<T: JsCast>(hook: &crate::input::Hook) -> Option<T> {
    hook.0.clone().dyn_into().ok()
}
