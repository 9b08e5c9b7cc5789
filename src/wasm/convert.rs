//! Values across the boundary: arguments read into the serde model with `serde-wasm-bindgen`,
//! results made into plain objects the same way, and errors made into `QingCloudError`s.

use super::guard;
use crate::api::{self, WrongShape};
use crate::input::ValidateOptions;
use crate::messages::Lang;
use crate::output::ErrorFields;
use crate::refusal::{Arg, Refusal};
use crate::response::ApiError;
use crate::validation::Issue;
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// An argument's own properties, copied once so that reading them can run no code of the
/// caller's, and read into as many serde types as the call has for it.
pub struct Own(Option<JsValue>);

impl Own {
    /// `undefined` and `null` are an empty argument; anything but a plain object (or a class
    /// instance) is refused.
    pub fn of(value: &JsValue, what: Arg) -> Result<Own, WrongShape> {
        // `typeof` says "object" for objects, class instances and lists, never for `null` or a
        // function: an argument, the common case, is told in two calls into JavaScript.
        if !value.is_object() {
            return if value.is_undefined() || value.is_null() {
                Ok(Own(None))
            } else {
                Err(WrongShape(Refusal::NotAnObject(what)))
            };
        }
        // `instanceof`, whose exceptions wasm-bindgen catches, rather than `Array.isArray`, which
        // throws for a revoked proxy (and would cost a caught call on every argument).
        if value.is_instance_of::<js_sys::Array>() {
            return Err(WrongShape(Refusal::NotAnObject(what)));
        }
        guard::copy_object(value)
            .map(|own| Own(Some(own)))
            .ok_or(WrongShape(Refusal::Unreadable(what)))
    }

    /// The options argument, copied; anything but an object is an `invalid_options` error.
    pub fn of_options(value: &JsValue) -> Result<Own, JsValue> {
        Own::of(value, Arg::Options).map_err(|shape| invalid_options(&shape.0, Lang::En))
    }

    /// The fields of the options that `T` declares. A wrong one is an `invalid_options` error,
    /// in the language the options ask for when their `lang` can be read on its own.
    pub fn options<T: DeserializeOwned + Default>(&self) -> Result<T, JsValue> {
        self.read(Arg::Options).map_err(|shape| {
            let lang = self
                .read::<ValidateOptions>(Arg::Options)
                .map_or(Lang::En, |options| options.lang);
            invalid_options(&shape.0, lang)
        })
    }

    /// The fields `T` declares; a field of the wrong type is named.
    pub fn read<T: DeserializeOwned + Default>(&self, what: Arg) -> Result<T, WrongShape> {
        let Some(own) = &self.0 else {
            return Ok(T::default());
        };
        let read = |object: JsValue| T::deserialize(serde_wasm_bindgen::Deserializer::from(object));
        read(own.clone()).map_err(|error| {
            let field = wrong_field(own, &|alone| read(alone).is_err());
            // The reader's words, without the `Error: ` its JavaScript error prints first.
            let reader = guard::message(&JsValue::from(error));
            api::wrong_field(field.as_deref(), what, reader)
        })
    }
}

/// Reads an argument of one serde type (see [`Own`]).
pub fn read<T: DeserializeOwned + Default>(value: &JsValue, what: Arg) -> Result<T, WrongShape> {
    Own::of(value, what)?.read(what)
}

/// Past this many properties, the wrong one is not looked for (and the error names none): each
/// look reads the argument again, and what an argument declares is a few dozen fields at most.
const MOST_PROPERTIES_SEARCHED: u32 = 256;

/// The first property that `refused` refuses on its own: every field may be left out, so the
/// field that is wrong is the one that fails alone.
fn wrong_field(own: &JsValue, refused: &dyn Fn(JsValue) -> bool) -> Option<String> {
    let entries = js_sys::Object::entries(own.unchecked_ref());
    if entries.length() > MOST_PROPERTIES_SEARCHED {
        return None;
    }
    entries.iter().find_map(|entry| {
        let alone = js_sys::Object::from_entries(&js_sys::Array::of1(&entry)).ok()?;
        refused(alone.into())
            .then(|| js_sys::Array::from(&entry).get(0).as_string())
            .flatten()
    })
}

/// [`read`], with a wrong shape as an `invalid_input` error in the caller's language.
pub fn read_input<T: DeserializeOwned + Default>(
    value: &JsValue,
    what: Arg,
    lang: Lang,
) -> Result<T, JsValue> {
    read(value, what).map_err(|shape| error(&shape.into_error(lang)))
}

/// The options argument, read into `T` (see [`Own::options`]).
pub fn read_options<T: DeserializeOwned + Default>(value: &JsValue) -> Result<T, JsValue> {
    Own::of_options(value)?.options()
}

/// An `invalid_options` error saying what is refused, in `lang`.
pub fn invalid_options(refusal: &Refusal, lang: Lang) -> JsValue {
    error(&ApiError::invalid_options(refusal, lang))
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
    let _ = guard::object_assign(&js, &to_js(&ErrorFields::new(error, issues)));
    js
}

pub fn error(error: &ApiError) -> JsValue {
    error_with(error, &[])
}

/// `value` as `T` when it is one (a callback, called only with its exceptions caught).
pub fn hook<T: JsCast>(hook: &crate::input::Hook) -> Option<T> {
    hook.0.clone().dyn_into().ok()
}

/// A signal that follows the caller's, when it is a real `AbortSignal`: a proxy that passes
/// for one could throw from any of its getters.
pub fn signal(hook: &crate::input::Hook) -> Option<web_sys::AbortSignal> {
    guard::signal(&hook.0)
}
