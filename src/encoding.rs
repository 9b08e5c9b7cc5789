//! Percent-encoding and JSON serialisation exactly as QingCloud's official Python SDKs do them.
//!
//! Python's `urllib.parse.quote` always leaves ASCII letters, digits and `_.-~` as they are and
//! encodes every other UTF-8 byte as `%XX` (uppercase), except the extra `safe` characters asked
//! for: that is `urlencoding::encode`, and the Python variants are thin wrappers over it. JSON is
//! written by `serde_json`.

use serde::Serialize;
use std::fmt::Write as _;
use std::io;

/// The three ways the SDKs percent-encode: `quote(v, safe="")`, `quote(v)` (which keeps `/`), and
/// `quote_plus(v)` (where a space becomes `+`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quoting {
    Quote,
    QuoteKeepSlash,
    QuotePlus,
}

/// Appends `value` percent-encoded as `quoting` says. The character the variant treats apart
/// (`/` kept, space as `+`) is cut out first and the pieces between are encoded, so that no
/// `%XX` is ever rewritten afterwards.
pub fn push_quoted(out: &mut String, value: &str, quoting: Quoting) {
    let (cut, joined_with) = match quoting {
        Quoting::Quote => return urlencoding::Encoded::str(value).append_to(out),
        Quoting::QuoteKeepSlash => ('/', "/"),
        Quoting::QuotePlus => (' ', "+"),
    };
    for (i, piece) in value.split(cut).enumerate() {
        if i > 0 {
            out.push_str(joined_with);
        }
        urlencoding::Encoded::str(piece).append_to(out);
    }
}

fn quoted(value: &str, quoting: Quoting) -> String {
    let mut out = String::with_capacity(value.len() * 3 / 2);
    push_quoted(&mut out, value, quoting);
    out
}

/// `urllib.parse.quote(value, safe="")`: UTF-8 bytes percent-encoded, uppercase hex.
pub fn quote(value: &str) -> String {
    urlencoding::encode(value).into_owned()
}

/// `urllib.parse.quote(value)` with its default `safe="/"`, used by `qingcloud-hpc`.
pub fn quote_keep_slash(value: &str) -> String {
    quoted(value, Quoting::QuoteKeepSlash)
}

/// `urllib.parse.quote_plus(value)`: like [`quote`], but a space becomes `+`.
pub fn quote_plus(value: &str) -> String {
    quoted(value, Quoting::QuotePlus)
}

/// `k=v&k=v`, keys and values encoded as `quoting` says, in the given order.
pub fn join_pairs(pairs: &[(&str, &str)], quoting: Quoting) -> String {
    // Room for some escaping, so that the buffer seldom grows.
    let mut out = String::with_capacity(
        pairs
            .iter()
            .map(|(k, v)| (k.len() + v.len()) * 3 / 2 + 2)
            .sum(),
    );
    push_pairs(&mut out, pairs, quoting);
    out
}

/// Appends `k=v&k=v` as [`join_pairs`] makes it.
pub fn push_pairs(out: &mut String, pairs: &[(&str, &str)], quoting: Quoting) {
    for (i, (key, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        push_quoted(out, key, quoting);
        out.push('=');
        push_quoted(out, value, quoting);
    }
}

/// Lowercase hexadecimal, two digits per byte, as Python's `hexdigest()` and `uuid4().hex`.
pub fn lower_hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut out, byte| {
            // Writing to a String cannot fail.
            let _ = write!(out, "{byte:02x}");
            out
        })
}

/// `urllib.parse.unquote(text)` (with `plus`, `unquote_plus`): `%XX` decoded, anything else (an
/// invalid escape included) kept, and bytes that are not UTF-8 replaced with U+FFFD, as Python's
/// default `errors="replace"` does.
pub fn percent_decode(text: &str, plus: bool) -> String {
    let decoded = if plus && text.contains('+') {
        urlencoding::decode_binary(text.replace('+', " ").as_bytes()).into_owned()
    } else {
        urlencoding::decode_binary(text.as_bytes()).into_owned()
    };
    String::from_utf8_lossy(&decoded).into_owned()
}

/// The `application/x-www-form-urlencoded` body Python's `urlencode` makes of ordered pairs.
pub fn form_urlencode<K: AsRef<str>, V: AsRef<str>>(pairs: &[(K, V)]) -> String {
    let pairs: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_ref(), v.as_ref()))
        .collect();
    join_pairs(&pairs, Quoting::QuotePlus)
}

/// The ClickHouse `service_params` object; serde writes the fields in this, the documented, order.
#[derive(Serialize)]
struct ServiceParams<'a> {
    user_networks: &'a str,
    user_password: &'a str,
    user_name: &'a str,
}

/// The ClickHouse `service_params` JSON: compact, keys in the documented order.
pub fn service_params_json(user_networks: &str, user_password: &str, user_name: &str) -> String {
    let params = ServiceParams {
        user_networks,
        user_password,
        user_name,
    };
    // A struct of strings always serialises; the error (and its formatting code) never arises.
    serde_json::to_string(&params).unwrap_or_default()
}

/// `service_params` as it appears URL-encoded in a query string.
pub fn encode_service_params(user_networks: &str, user_password: &str, user_name: &str) -> String {
    quote(&service_params_json(
        user_networks,
        user_password,
        user_name,
    ))
}

/// Python's `json.dumps(pairs, sort_keys=True)` for a flat object of strings: keys sorted, `", "` and
/// `": "` separators, everything outside printable ASCII escaped as `\uXXXX`. `qingcloud-hpc`
/// signs the MD5 of these exact bytes.
pub fn python_json_dumps_sorted(pairs: &[(&str, &str)]) -> String {
    use serde::Serializer as _;
    let mut sorted = pairs.to_vec();
    crate::order::sort_pairs(&mut sorted, false);
    let mut out = Vec::with_capacity(sorted.iter().map(|(k, v)| k.len() + v.len() + 6).sum());
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, PythonFormatter);
    // Strings written to memory always serialise: there is no error to report.
    if serializer.collect_map(sorted).is_err() {
        return String::new();
    }
    // serde_json writes UTF-8, and this formatter ASCII only: nothing is replaced.
    String::from_utf8_lossy(&out).into_owned()
}

/// `json.dumps`'s defaults where they differ from `serde_json`'s compact output: a space after
/// `,` and `:`, and `ensure_ascii` (DEL and everything above it as `\uXXXX`, lowercase, astral
/// characters as surrogate pairs). `serde_json` itself escapes quotes, backslashes and control
/// characters just as Python does.
struct PythonFormatter;

impl serde_json::ser::Formatter for PythonFormatter {
    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if first {
            Ok(())
        } else {
            writer.write_all(b", ")
        }
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        writer.write_all(b": ")
    }

    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut rest = fragment;
        while let Some(at) = rest.find(|c: char| c >= '\u{7f}') {
            let (ascii, tail) = rest.split_at(at);
            writer.write_all(ascii.as_bytes())?;
            let mut chars = tail.chars();
            if let Some(c) = chars.next() {
                for unit in c.encode_utf16(&mut [0u16; 2]) {
                    write!(writer, "\\u{unit:04x}")?;
                }
            }
            rest = chars.as_str();
        }
        writer.write_all(rest.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_matches_python_quote_with_nothing_safe() {
        assert_eq!(quote("a-b_c.d~e"), "a-b_c.d~e");
        assert_eq!(quote("a b/c:d+e=f&g"), "a%20b%2Fc%3Ad%2Be%3Df%26g");
        assert_eq!(quote("中"), "%E4%B8%AD");
    }

    #[test]
    fn quote_keeps_exactly_what_python_keeps() {
        // Python's `quote(safe="")`: ASCII letters, digits and `_.-~` kept, every other byte `%XX`.
        for byte in 0u8..=127 {
            let c = char::from(byte);
            let expected = if c.is_ascii_alphanumeric() || "_.-~".contains(c) {
                c.to_string()
            } else {
                format!("%{byte:02X}")
            };
            assert_eq!(quote(&c.to_string()), expected, "{byte:#x}");
        }
        assert_eq!(quote("é\u{7f}😀"), "%C3%A9%7F%F0%9F%98%80");
    }

    #[test]
    fn quote_keep_slash_keeps_only_real_slashes() {
        assert_eq!(quote_keep_slash("a/b c"), "a/b%20c");
        assert_eq!(quote_keep_slash("%2F"), "%252F");
        assert_eq!(quote_keep_slash("//a//"), "//a//");
        assert_eq!(quote_keep_slash(""), "");
    }

    #[test]
    fn quote_plus_turns_spaces_into_plus_and_encodes_plus() {
        assert_eq!(quote_plus("a b+c/="), "a+b%2Bc%2F%3D");
        assert_eq!(quote_plus("%20"), "%2520");
        assert_eq!(quote_plus("  a "), "++a+");
        assert_eq!(quote_plus("a/b"), "a%2Fb");
    }

    #[test]
    fn lower_hex_is_two_digits_per_byte() {
        assert_eq!(lower_hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
        assert_eq!(lower_hex(&[]), "");
    }

    #[test]
    fn percent_decode_is_pythons_unquote() {
        assert_eq!(percent_decode("a%2Fb%20c+d%zz%4", false), "a/b c+d%zz%4");
        assert_eq!(percent_decode("a+b%2B", true), "a b+");
        assert_eq!(percent_decode("%C3%A9%FF", false), "é\u{fffd}");
        assert_eq!(percent_decode("%%41%4%41%", false), "%A%4A%");
        assert_eq!(percent_decode("+%2b+", false), "+++");
        let text = "x y/é+%😀";
        assert_eq!(percent_decode(&quote(text), false), text);
        assert_eq!(percent_decode(&quote_plus(text), true), text);
    }

    #[test]
    fn form_urlencode_keeps_pair_order() {
        assert_eq!(
            form_urlencode(&[("b", "1 2"), ("a", "x&y")]),
            "b=1+2&a=x%26y"
        );
    }

    #[test]
    fn documented_service_params_example_is_exact() {
        assert_eq!(
            encode_service_params("::/0", "Test123", "testuser"),
            "%7B%22user_networks%22%3A%22%3A%3A%2F0%22%2C%22user_password%22%3A%22Test123%22%2C%22user_name%22%3A%22testuser%22%7D"
        );
    }

    #[test]
    fn service_params_escapes_quotes_and_backslashes() {
        assert_eq!(
            service_params_json("::/0", r#"a"b\c"#, "u"),
            r#"{"user_networks":"::/0","user_password":"a\"b\\c","user_name":"u"}"#
        );
    }

    #[test]
    fn service_params_escapes_what_json_requires_and_nothing_else() {
        // Control characters as short or lowercase `\u` escapes, DEL and non-ASCII as they are.
        assert_eq!(
            service_params_json("\n\t\u{1}\u{1f}", "\u{7f}é😀", "/"),
            "{\"user_networks\":\"\\n\\t\\u0001\\u001f\",\"user_password\":\"\u{7f}é😀\",\"user_name\":\"/\"}"
        );
    }

    #[test]
    fn python_json_dumps_sorts_and_escapes_like_python() {
        assert_eq!(
            python_json_dumps_sorted(&[("zone", "jn1a"), ("cluster_id", "ehpc-1"), ("mod", "700")]),
            r#"{"cluster_id": "ehpc-1", "mod": "700", "zone": "jn1a"}"#
        );
        assert_eq!(
            python_json_dumps_sorted(&[("k", "é\u{7f}😀\u{1}\"")]),
            r#"{"k": "\u00e9\u007f\ud83d\ude00\u0001\""}"#
        );
        // json.dumps({"b": "\b\f\n\r\t\\/\u2028\uffff", "a": ""}, sort_keys=True)
        assert_eq!(
            python_json_dumps_sorted(&[("b", "\u{8}\u{c}\n\r\t\\/\u{2028}\u{ffff}"), ("a", "")]),
            r#"{"a": "", "b": "\b\f\n\r\t\\/\u2028\uffff"}"#
        );
        assert_eq!(python_json_dumps_sorted(&[]), "{}");
        assert_eq!(
            python_json_dumps_sorted(&[("é", "x")]),
            r#"{"\u00e9": "x"}"#
        );
    }
}
