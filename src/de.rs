//! Reading untrusted values (arguments and server answers) field by field, without ever looking
//! into a value of the wrong type: `serde-wasm-bindgen` describes a refused value by printing it,
//! which for a list nested 100,000 deep overflows the stack and for a huge one costs its size. So
//! every field is read through `deserialize_any` by a visitor that takes what it expects and
//! refuses the rest by its kind alone.

use serde::de::{self, Deserializer, Error as _, SeqAccess, Unexpected, Visitor};
use std::fmt;

/// What a field may be; `None` stands for `null` and `undefined`.
#[derive(Clone, Copy, PartialEq)]
enum Want {
    Text,
    Number,
    /// A string, with anything else passed over as nothing.
    TextOrNothing,
    NumberOrText,
}

struct Scalar(Want);

/// A scalar a field may hold.
enum Value {
    Text(String),
    Number(f64),
    Nothing,
}

impl<'de> Visitor<'de> for Scalar {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(match self.0 {
            Want::Text | Want::TextOrNothing => "a string",
            Want::Number => "a number",
            Want::NumberOrText => "a number or a string",
        })
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Value, E> {
        self.visit_string(text.to_string())
    }

    fn visit_string<E: de::Error>(self, text: String) -> Result<Value, E> {
        match self.0 {
            Want::Text | Want::TextOrNothing | Want::NumberOrText => Ok(Value::Text(text)),
            Want::Number => Err(E::invalid_type(Unexpected::Other("a string"), &self)),
        }
    }

    fn visit_f64<E: de::Error>(self, number: f64) -> Result<Value, E> {
        match self.0 {
            Want::Number | Want::NumberOrText => Ok(Value::Number(number)),
            Want::TextOrNothing => Ok(Value::Nothing),
            Want::Text => Err(E::invalid_type(Unexpected::Other("a number"), &self)),
        }
    }

    fn visit_i64<E: de::Error>(self, number: i64) -> Result<Value, E> {
        self.visit_f64(number as f64)
    }

    fn visit_u64<E: de::Error>(self, number: u64) -> Result<Value, E> {
        self.visit_f64(number as f64)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Value, E> {
        self.refuse("a boolean")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Nothing)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Nothing)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        any(deserializer, self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<Value, A::Error> {
        self.refuse("a list")
    }

    fn visit_map<A: de::MapAccess<'de>>(self, _: A) -> Result<Value, A::Error> {
        self.refuse("an object")
    }
}

impl Scalar {
    /// A value of another kind: refused by its kind, or passed over as nothing.
    fn refuse<E: de::Error>(self, kind: &'static str) -> Result<Value, E> {
        if self.0 == Want::TextOrNothing {
            Ok(Value::Nothing)
        } else {
            Err(E::invalid_type(Unexpected::Other(kind), &self))
        }
    }
}

/// `deserializer.deserialize_any(visitor)`, for a reader that takes no object: in wasm the value
/// is looked at first with its exceptions caught (see [`crate::wasm::guard`]). A list is read
/// from a copy, a function is refused, and any other object reaches the visitor as an empty map,
/// which every reader that calls this refuses or passes over without looking into.
pub fn any<'de, D: Deserializer<'de>, V: Visitor<'de>>(
    deserializer: D,
    visitor: V,
) -> Result<V::Value, D::Error> {
    #[cfg(target_arch = "wasm32")]
    return wasm::read(deserializer, visitor, false);
    #[cfg(not(target_arch = "wasm32"))]
    deserializer.deserialize_any(visitor)
}

/// [`any`] for a reader that looks into objects: in wasm it reads a copy of their own properties.
pub fn object<'de, D: Deserializer<'de>, V: Visitor<'de>>(
    deserializer: D,
    visitor: V,
) -> Result<V::Value, D::Error> {
    #[cfg(target_arch = "wasm32")]
    return wasm::read(deserializer, visitor, true);
    #[cfg(not(target_arch = "wasm32"))]
    deserializer.deserialize_any(visitor)
}

#[cfg(target_arch = "wasm32")]
mod wasm {
    use super::{too_many_items, MAX_LIST_ITEMS};
    use crate::wasm::guard::{self, Shape};
    use serde::de::{self, value::MapDeserializer, Deserializer, Error as _, Unexpected, Visitor};
    use wasm_bindgen::JsValue;

    const UNREADABLE: &str = "a value that threw when read";

    /// The value as it was given, looked at before `serde-wasm-bindgen` reads it: it calls
    /// `Array.isArray`, `in` and `Object.entries` on objects without catching what they throw.
    pub fn read<'de, D: Deserializer<'de>, V: Visitor<'de>>(
        deserializer: D,
        visitor: V,
        objects: bool,
    ) -> Result<V::Value, D::Error> {
        let value: JsValue = serde_wasm_bindgen::preserve::deserialize(deserializer)?;
        // Most fields are text, read with one call.
        if let Some(text) = value.as_string() {
            return visitor.visit_string(text);
        }
        let refused =
            |kind: &str, visitor: &V| D::Error::invalid_type(Unexpected::Other(kind), visitor);
        match guard::shape(&value, MAX_LIST_ITEMS) {
            Shape::Primitive => through(value, visitor),
            Shape::List(copy) => through(copy.into(), visitor),
            Shape::Object if objects => match guard::copy_object(&value) {
                Some(copy) => through(copy, visitor),
                None => Err(refused(UNREADABLE, &visitor)),
            },
            Shape::Object => {
                visitor.visit_map(MapDeserializer::new(std::iter::empty::<((), ())>()))
            }
            Shape::Function => Err(refused("a function", &visitor)),
            Shape::Unreadable => Err(refused(UNREADABLE, &visitor)),
            Shape::TooLong => Err(too_many_items()),
        }
    }

    /// `value`, a primitive or a copy the module made, read by `serde-wasm-bindgen`: nothing of
    /// the caller's runs.
    fn through<'de, V: Visitor<'de>, E: de::Error>(
        value: JsValue,
        visitor: V,
    ) -> Result<V::Value, E> {
        serde_wasm_bindgen::Deserializer::from(value)
            .deserialize_any(visitor)
            .map_err(|error| E::custom(guard::message(&error.into())))
    }
}

/// A string, or `None` for anything else, which is passed over without being looked into.
pub fn string_or_nothing<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match d.deserialize_option(Scalar(Want::TextOrNothing))? {
        Value::Text(text) => Ok(Some(text)),
        _ => Ok(None),
    }
}

/// A string, or `None` for `null` and absent.
pub fn optional_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match d.deserialize_option(Scalar(Want::Text))? {
        Value::Text(text) => Ok(Some(text)),
        _ => Ok(None),
    }
}

/// The most characters kept of each text in an answer. The documented ids and messages are far
/// shorter, and a bulk run keeps some for every row, so a hostile server cannot fill the module.
pub const ANSWER_TEXT_MAX: usize = 1_000;

/// A text of an answer, cut to [`ANSWER_TEXT_MAX`] characters and an ellipsis when longer, or
/// `None` for `null` and absent.
pub fn answer_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(optional_string(d)?.map(|text| crate::messages::cut(text, ANSWER_TEXT_MAX)))
}

/// A number, or `None` for `null` and absent.
pub fn optional_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    match d.deserialize_option(Scalar(Want::Number))? {
        Value::Number(number) => Ok(Some(number)),
        _ => Ok(None),
    }
}

/// A setting that is a number or a word, such as `concurrency: 4 | 'auto'`.
#[derive(Clone, Debug, PartialEq)]
pub enum NumberOrText {
    Number(f64),
    Text(String),
}

/// A number or a string, or `None` for `null` and absent.
pub fn number_or_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NumberOrText>, D::Error> {
    match d.deserialize_option(Scalar(Want::NumberOrText))? {
        Value::Number(number) => Ok(Some(NumberOrText::Number(number))),
        Value::Text(text) => Ok(Some(NumberOrText::Text(text))),
        Value::Nothing => Ok(None),
    }
}

/// A whole number (JavaScript has one number type, so `0.0` is 0), or `None`.
pub fn optional_integer<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    match optional_number(d)? {
        Some(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => Ok(Some(n as i64)),
        Some(_) => Err(D::Error::custom("expected a whole number")),
        None => Ok(None),
    }
}

/// The most items a list argument or answer field may hold: far more than any of them needs, and
/// a bound on what reading one costs.
pub const MAX_LIST_ITEMS: usize = 10_000;

fn too_many_items<E: de::Error>() -> E {
    E::custom(format_args!("a list of at most {MAX_LIST_ITEMS} items"))
}

/// The items of a list, refused at the first one past [`MAX_LIST_ITEMS`].
pub fn items<'de, A: SeqAccess<'de>, T: de::Deserialize<'de>>(
    mut seq: A,
) -> Result<Vec<T>, A::Error> {
    let mut items = Vec::new();
    while let Some(item) = seq.next_element()? {
        if items.len() == MAX_LIST_ITEMS {
            return Err(too_many_items());
        }
        items.push(item);
    }
    Ok(items)
}

/// A list of `T`, empty for `null` and absent; anything else is refused without being looked into,
/// and so is a list of more than [`MAX_LIST_ITEMS`], at the first item past them.
pub fn list<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: de::Deserialize<'de>,
{
    struct List<T>(std::marker::PhantomData<T>);
    impl<'de, T: de::Deserialize<'de>> Visitor<'de> for List<T> {
        type Value = Vec<T>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a list")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Vec<T>, A::Error> {
            items(seq)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Vec<T>, E> {
            Ok(Vec::new())
        }
        fn visit_none<E: de::Error>(self) -> Result<Vec<T>, E> {
            Ok(Vec::new())
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Vec<T>, D::Error> {
            any(d, self)
        }
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Vec<T>, E> {
            Err(E::invalid_type(Unexpected::Other("a string"), &self))
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Vec<T>, E> {
            Err(E::invalid_type(Unexpected::Other("a number"), &self))
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Vec<T>, E> {
            Err(E::invalid_type(Unexpected::Other("a number"), &self))
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Vec<T>, E> {
            Err(E::invalid_type(Unexpected::Other("a number"), &self))
        }
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Vec<T>, E> {
            Err(E::invalid_type(Unexpected::Other("a boolean"), &self))
        }
        fn visit_map<A: de::MapAccess<'de>>(self, _: A) -> Result<Vec<T>, A::Error> {
            Err(A::Error::invalid_type(
                Unexpected::Other("an object"),
                &self,
            ))
        }
    }
    d.deserialize_option(List(std::marker::PhantomData))
}

/// A string that a list holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Item(pub String);

impl<'de> de::Deserialize<'de> for Item {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match any(d, Scalar(Want::Text))? {
            Value::Text(text) => Ok(Item(text)),
            _ => Err(D::Error::custom("invalid type: null, expected a string")),
        }
    }
}

/// A list of strings, empty when absent or `null`. A field of this type may be left out though it
/// is required in the declarations.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Texts(pub Vec<String>);

impl<'de> de::Deserialize<'de> for Texts {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let items: Vec<Item> = list(d)?;
        Ok(Texts(items.into_iter().map(|item| item.0).collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    struct Probe {
        #[serde(default, deserialize_with = "optional_string")]
        text: Option<String>,
        #[serde(default, deserialize_with = "optional_integer")]
        whole: Option<i64>,
        #[serde(default, deserialize_with = "list")]
        items: Vec<Item>,
    }

    fn probe(json: &str) -> Result<Probe, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    #[test]
    fn takes_what_it_expects_and_names_the_kind_of_the_rest() {
        let ok = probe(r#"{"text":"a","whole":3.0,"items":["x","y"]}"#).expect("valid");
        assert_eq!(
            (ok.text.as_deref(), ok.whole, ok.items.len()),
            (Some("a"), Some(3), 2)
        );
        let empty = probe(r#"{"text":null,"whole":null,"items":null}"#).expect("valid");
        assert_eq!(
            (empty.text, empty.whole, empty.items.len()),
            (None, None, 0)
        );
        for (json, needle) in [
            (r#"{"text":[1]}"#, "a list"),
            (r#"{"text":5}"#, "a number"),
            (r#"{"whole":"5"}"#, "a string"),
            (r#"{"whole":1.5}"#, "whole number"),
            (r#"{"items":{"a":1}}"#, "an object"),
            (r#"{"items":[1]}"#, "a number"),
        ] {
            let error = probe(json).expect_err(json);
            assert!(error.contains(needle), "{json}: {error}");
        }
    }

    #[test]
    fn an_answer_text_is_kept_to_its_longest() {
        #[derive(serde::Deserialize)]
        struct Said {
            #[serde(default, deserialize_with = "answer_text")]
            message: Option<String>,
        }
        let said = |text: &str| {
            let json = serde_json::json!({ "message": text }).to_string();
            serde_json::from_str::<Said>(&json).expect("valid").message
        };
        let most = "说".repeat(ANSWER_TEXT_MAX);
        assert_eq!(said(&most), Some(most.clone()));
        assert_eq!(said(&format!("{most}and more")), Some(format!("{most}…")));
        let absent: Said = serde_json::from_str("{}").expect("valid");
        assert_eq!(absent.message, None);
    }

    #[test]
    fn a_list_is_read_up_to_its_limit_and_refused_past_it() {
        let items = |n: usize| format!(r#"{{"items":[{}]}}"#, vec![r#""x""#; n].join(","));
        assert_eq!(
            probe(&items(MAX_LIST_ITEMS))
                .expect("at the limit")
                .items
                .len(),
            MAX_LIST_ITEMS
        );
        let error = probe(&items(MAX_LIST_ITEMS + 1)).expect_err("past the limit");
        assert!(error.contains("at most 10000 items"), "{error}");
    }
}
