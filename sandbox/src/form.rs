//! `application/x-www-form-urlencoded` decoding as Python's `parse_qsl` does it: pairs split on
//! `&`, `+` is a space, `%XX` is a byte, anything malformed is kept as it is, and invalid UTF-8
//! becomes U+FFFD. Never fails and never panics, whatever the input.

/// Decodes a query string or form body into ordered `(key, value)` pairs. Empty segments are
/// skipped; a segment without `=` is a key with an empty value.
pub fn decode_pairs(input: &str) -> Vec<(String, String)> {
    input
        .split('&')
        .filter(|segment| !segment.is_empty())
        .map(|segment| match segment.split_once('=') {
            Some((key, value)) => (form_decode(key), form_decode(value)),
            None => (form_decode(segment), String::new()),
        })
        .collect()
}

/// One form-decoding of a single component: `+` becomes a space, then `%XX` escapes are decoded.
pub fn form_decode(component: &str) -> String {
    let bytes = component.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' => match (hex(bytes.get(i + 1)), hex(bytes.get(i + 2))) {
                (Some(high), Some(low)) => {
                    out.push(high << 4 | low);
                    i += 3;
                }
                _ => {
                    out.push(b'%');
                    i += 1;
                }
            },
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Percent-decodes a URL path (no `+` rule) into raw bytes.
pub fn percent_decode_path(path: &str) -> Vec<u8> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            if let (Some(high), Some(low)) = (hex(bytes.get(i + 1)), hex(bytes.get(i + 2))) {
                out.push(high << 4 | low);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

fn hex(byte: Option<&u8>) -> Option<u8> {
    let b = *byte?;
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// The first value of `key`.
pub fn get<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_like_parse_qsl() {
        assert_eq!(
            decode_pairs("a=1+2&b=%2B%2F%3D&&c&d=%zz%4"),
            vec![
                ("a".to_string(), "1 2".to_string()),
                ("b".to_string(), "+/=".to_string()),
                ("c".to_string(), String::new()),
                ("d".to_string(), "%zz%4".to_string()),
            ]
        );
    }

    #[test]
    fn invalid_utf8_is_replaced() {
        assert_eq!(form_decode("%FF%E4%B8%AD"), "\u{FFFD}中");
    }

    #[test]
    fn double_encoded_signature_needs_two_rounds() {
        let once = form_decode("abc%252B%252F%253D");
        assert_eq!(once, "abc%2B%2F%3D");
        assert_eq!(form_decode(&once), "abc+/=");
    }

    #[test]
    fn path_decoding_keeps_plus() {
        assert_eq!(percent_decode_path("/a+b%2e%2E/%"), b"/a+b../%".to_vec());
    }
}
