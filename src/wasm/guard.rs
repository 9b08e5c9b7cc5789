//! Looking at a caller's values without letting their code throw through the module. A getter or
//! proxy trap may throw, and an exception that unwinds through wasm frames leaves the module's
//! stack pointer where it was: some thousand of them and every later call traps. So whatever can
//! run a caller's code is called here with its exception caught, and the readers only ever see
//! primitives and copies made by this module.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
extern "C" {
    /// `Object.assign(target, source)`.
    #[wasm_bindgen(catch, js_namespace = Object, js_name = assign)]
    pub fn object_assign(target: &JsValue, source: &JsValue) -> Result<JsValue, JsValue>;
    /// `Array.isArray`, which throws for a revoked proxy.
    #[wasm_bindgen(catch, js_namespace = Array, js_name = isArray)]
    fn is_array(value: &JsValue) -> Result<bool, JsValue>;
    /// `Date.prototype.getTime.call(value)`: the time of a real `Date`, and an exception for
    /// anything else, proxies of dates included, without running any code of the value's.
    #[wasm_bindgen(catch, js_namespace = ["Date", "prototype", "getTime"], js_name = call)]
    fn date_time(value: &JsValue) -> Result<f64, JsValue>;
    /// `AbortSignal.any([signal])`: a signal of the module's own that follows a real
    /// `AbortSignal`, and an exception for anything else.
    #[wasm_bindgen(catch, js_namespace = AbortSignal, js_name = any)]
    fn follow(signals: &js_sys::Array) -> Result<web_sys::AbortSignal, JsValue>;
}

/// What a value is, as far as reading it goes.
pub enum Shape {
    /// A string, number, boolean, `null`, `undefined`, BigInt or symbol: nothing of the
    /// caller's runs when it is read.
    Primitive,
    /// A list, copied.
    List(js_sys::Array),
    /// Any other object, not looked into.
    Object,
    Function,
    /// Looking at it threw.
    Unreadable,
    /// A list of more items than the reader takes.
    TooLong,
}

/// What `value` is; a list is copied, unless it holds more than `max` items.
pub fn shape(value: &JsValue, max: usize) -> Shape {
    if value.is_function() {
        return Shape::Function;
    }
    if !value.is_object() {
        return Shape::Primitive;
    }
    match copy_list(value, max) {
        Ok(copy) => Shape::List(copy),
        Err(ListRefused::NotAList) => Shape::Object,
        Err(ListRefused::TooLong) => Shape::TooLong,
        Err(ListRefused::Unreadable) => Shape::Unreadable,
    }
}

/// A copy of an object's own properties.
pub fn copy_object(value: &JsValue) -> Option<JsValue> {
    object_assign(&js_sys::Object::new(), value).ok()
}

/// Why a list argument is refused.
pub enum ListRefused {
    NotAList,
    /// More than the most it may hold.
    TooLong,
    /// Reading it threw.
    Unreadable,
}

/// A copy of a list's items, so that an index getter or proxy that throws cannot throw through.
/// The length is looked at before anything is copied: a sparse list can claim billions of items.
pub fn copy_list(value: &JsValue, max: usize) -> Result<js_sys::Array, ListRefused> {
    if !is_array(value).map_err(|_| ListRefused::Unreadable)? {
        return Err(ListRefused::NotAList);
    }
    let too_long = |length: f64| length > max as f64;
    let claimed =
        js_sys::Reflect::get(value, &"length".into()).map_err(|_| ListRefused::Unreadable)?;
    if claimed.as_f64().is_some_and(too_long) {
        return Err(ListRefused::TooLong);
    }
    let copy: js_sys::Array = object_assign(&js_sys::Array::new(), value)
        .map_err(|_| ListRefused::Unreadable)?
        .unchecked_into();
    // A proxy may claim one length and hold more.
    if too_long(f64::from(copy.length())) {
        return Err(ListRefused::TooLong);
    }
    Ok(copy)
}

/// The milliseconds of a real `Date`.
pub fn time_of_date(value: &JsValue) -> Option<f64> {
    date_time(value).ok()
}

/// A signal that follows `value` when it is a real `AbortSignal`.
pub fn signal(value: &JsValue) -> Option<web_sys::AbortSignal> {
    if !value.is_object() {
        return None;
    }
    follow(&js_sys::Array::of1(value)).ok()
}

/// The words of an error the module made (an `Error`'s message, or the thrown text).
pub fn message(error: &JsValue) -> String {
    error.dyn_ref::<js_sys::Error>().map_or_else(
        || error.as_string().unwrap_or_default(),
        |e| e.message().into(),
    )
}
