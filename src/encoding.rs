//! Percent-encoding and JSON serialisation exactly as QingCloud's official Python SDKs do them.
//!
//! Python's `urllib.parse.quote` always leaves ASCII letters, digits and `_.-~` as they are and
//! encodes every other UTF-8 byte as `%XX` (uppercase), except the extra `safe` characters asked for.

/// The three ways the SDKs percent-encode: `quote(v, safe="")`, `quote(v)` (which keeps `/`), and
/// `quote_plus(v)` (where a space becomes `+`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quoting {
    Quote,
    QuoteKeepSlash,
    QuotePlus,
}

/// Which bytes `quote` leaves as they are: ASCII letters, digits and `_.-~`. A table, because this
/// test runs for every byte of every signed request.
static UNRESERVED: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        table[byte] = b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'-' || b == b'~';
        byte += 1;
    }
    table
};

/// Appends `value` percent-encoded as `quoting` says. One pass, so that no `%XX` is ever rewritten
/// afterwards; runs of bytes that stay as they are, most of a value, are copied whole.
pub fn push_quoted(out: &mut String, value: &str, quoting: Quoting) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let kept = |byte: u8| {
        UNRESERVED[usize::from(byte)] || (byte == b'/' && quoting == Quoting::QuoteKeepSlash)
    };
    let mut run_start = 0;
    for (i, &byte) in value.as_bytes().iter().enumerate() {
        if kept(byte) {
            continue;
        }
        out.push_str(value.get(run_start..i).unwrap_or_default());
        run_start = i + 1;
        if byte == b' ' && quoting == Quoting::QuotePlus {
            out.push('+');
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 15)]));
        }
    }
    out.push_str(value.get(run_start..).unwrap_or_default());
}

fn quoted(value: &str, quoting: Quoting) -> String {
    let mut out = String::with_capacity(value.len() * 3 / 2);
    push_quoted(&mut out, value, quoting);
    out
}

/// `urllib.parse.quote(value, safe="")`: UTF-8 bytes percent-encoded, uppercase hex.
pub fn quote(value: &str) -> String {
    quoted(value, Quoting::Quote)
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
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &byte in bytes {
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 15)]));
    }
    out
}

/// `urllib.parse.unquote(text)` (with `plus`, `unquote_plus`): `%XX` decoded, anything else kept,
/// and bytes that are not UTF-8 replaced with U+FFFD, as Python's default `errors="replace"` does.
pub fn percent_decode(text: &str, plus: bool) -> String {
    let hex = |b: u8| char::from(b).to_digit(16);
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        let escaped = match (byte, bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&hi), Some(&lo)) => hex(hi).zip(hex(lo)).map(|(h, l)| (h * 16 + l) as u8),
            _ => None,
        };
        match escaped {
            Some(decoded) => {
                out.push(decoded);
                i += 3;
            }
            None => {
                out.push(if plus && byte == b'+' { b' ' } else { byte });
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The `application/x-www-form-urlencoded` body Python's `urlencode` makes of ordered pairs.
pub fn form_urlencode<K: AsRef<str>, V: AsRef<str>>(pairs: &[(K, V)]) -> String {
    let pairs: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_ref(), v.as_ref()))
        .collect();
    join_pairs(&pairs, Quoting::QuotePlus)
}

/// The ClickHouse `service_params` JSON: compact, keys in the documented order.
pub fn service_params_json(user_networks: &str, user_password: &str, user_name: &str) -> String {
    let fields = [
        ("user_networks", user_networks),
        ("user_password", user_password),
        ("user_name", user_name),
    ];
    let mut out = String::with_capacity(64 + fields.iter().map(|(_, v)| v.len()).sum::<usize>());
    out.push('{');
    for (i, (key, value)) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_json_string(&mut out, key, false);
        out.push(':');
        push_json_string(&mut out, value, false);
    }
    out.push('}');
    out
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
    let mut sorted = pairs.to_vec();
    sort_pairs(&mut sorted, false);
    let mut out = String::from("{");
    for (i, (key, value)) in sorted.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        push_json_string(&mut out, key, true);
        out.push_str(": ");
        push_json_string(&mut out, value, true);
    }
    out.push('}');
    out
}

/// Sorts pairs by key (and, with `by_value`, equal keys by value) as Python's stable `sorted`
/// does: a stable O(n log n) sort, so that a request with many parameters in any order costs the
/// same. UTF-8 byte order is code point order, which is how Python compares strings.
pub fn sort_pairs(pairs: &mut [(&str, &str)], by_value: bool) {
    if by_value {
        pairs.sort();
    } else {
        pairs.sort_by_key(|&(key, _)| key);
    }
}

/// Appends `value` as a JSON string. With `ascii_only` it escapes as Python's `ensure_ascii` does
/// (DEL and everything above it as `\uXXXX`, astral characters as surrogate pairs); without, it
/// escapes only what JSON requires, as serde_json does. Runs that need no escape are copied whole.
fn push_json_string(out: &mut String, value: &str, ascii_only: bool) {
    out.push('"');
    let mut run_start = 0;
    let mut i = 0;
    while let Some(&byte) = value.as_bytes().get(i) {
        let short = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            byte if byte < b' ' || (ascii_only && byte > b'~') => "",
            _ => {
                i += 1;
                continue;
            }
        };
        out.push_str(value.get(run_start..i).unwrap_or_default());
        if short.is_empty() {
            // A control character, or (ensure_ascii) DEL or the first byte of a non-ASCII one.
            let c = value
                .get(i..)
                .and_then(|rest| rest.chars().next())
                .unwrap_or_default();
            for unit in c.encode_utf16(&mut [0u16; 2]) {
                out.push_str("\\u");
                out.push_str(&lower_hex(&unit.to_be_bytes()));
            }
            i += c.len_utf8();
        } else {
            out.push_str(short);
            i += 1;
        }
        run_start = i;
    }
    out.push_str(value.get(run_start..).unwrap_or_default());
    out.push('"');
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
    fn quote_keep_slash_keeps_only_real_slashes() {
        assert_eq!(quote_keep_slash("a/b c"), "a/b%20c");
        assert_eq!(quote_keep_slash("%2F"), "%252F");
    }

    #[test]
    fn quote_plus_turns_spaces_into_plus_and_encodes_plus() {
        assert_eq!(quote_plus("a b+c/="), "a+b%2Bc%2F%3D");
        assert_eq!(quote_plus("%20"), "%2520");
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
    fn sort_pairs_is_stable_and_orders_by_code_point() {
        let mut pairs = [
            ("b", "2"),
            ("a", "9"),
            ("é", "1"),
            ("b", "1"),
            ("Z", "0"),
            ("a", "1"),
        ];
        sort_pairs(&mut pairs, false);
        assert_eq!(
            pairs,
            [
                ("Z", "0"),
                ("a", "9"),
                ("a", "1"),
                ("b", "2"),
                ("b", "1"),
                ("é", "1")
            ]
        );
        sort_pairs(&mut pairs, true);
        assert_eq!(
            pairs,
            [
                ("Z", "0"),
                ("a", "1"),
                ("a", "9"),
                ("b", "1"),
                ("b", "2"),
                ("é", "1")
            ]
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
    }
}
