//! Every validation rule, its stable code, and its message in English and Chinese.

/// The language of messages shown to a user.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    #[default]
    En,
    Zh,
}

/// `text` cut to `max` characters and an ellipsis when it is longer.
pub fn cut(mut text: String, max: usize) -> String {
    if let Some((at, _)) = text.char_indices().nth(max) {
        text.truncate(at);
        text.push('…');
    }
    text
}

/// Which characters a field may hold, named in messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Charset {
    /// ASCII letters, digits and underscore.
    Name,
    /// Printable ASCII other than space.
    PrintableAscii,
    /// Letters, digits and `!@#%^&()*`: the EHPC password alphabet.
    EhpcPassword,
}

/// A broken rule, with what its message needs to say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rule {
    Required,
    ClusterFormat { prefix: &'static str },
    ZoneFormat,
    StartsWithDigit,
    InvalidCharacters { allowed: Charset },
    TooShort { min: usize },
    TooLong { max: usize },
    InvalidNetwork { entry: String },
    InvalidPrefix { entry: String, max: u8 },
    TooManyNetworks { max: usize, count: usize },
    ModFormat,
    // Warnings: accepted, but worth a second look.
    ShortPassword { recommended: usize },
    AllNetworks { entry: String },
    DuplicateNetwork { entry: String },
}

impl Rule {
    /// The stable snake_case identifier callers match on.
    pub fn code(&self) -> &'static str {
        match self {
            Rule::Required => "required",
            Rule::ClusterFormat { .. } => "cluster_format",
            Rule::ZoneFormat => "zone_format",
            Rule::StartsWithDigit => "starts_with_digit",
            Rule::InvalidCharacters { .. } => "invalid_characters",
            Rule::TooShort { .. } => "too_short",
            Rule::TooLong { .. } => "too_long",
            Rule::InvalidNetwork { .. } => "invalid_network",
            Rule::InvalidPrefix { .. } => "invalid_prefix",
            Rule::TooManyNetworks { .. } => "too_many_networks",
            Rule::ModFormat => "mod_format",
            Rule::ShortPassword { .. } => "short_password",
            Rule::AllNetworks { .. } => "all_networks",
            Rule::DuplicateNetwork { .. } => "duplicate_network",
        }
    }

    /// The message for `field`, which is named as it is on the wire.
    pub fn message(&self, field: &str, lang: Lang) -> String {
        match lang {
            Lang::En => self.message_en(field),
            Lang::Zh => self.message_zh(field),
        }
    }

    fn message_en(&self, field: &str) -> String {
        match self {
            Rule::Required => format!("{field} is required."),
            Rule::ClusterFormat { prefix } => format!(
                "{field} must be \"{prefix}\" followed by 8 lowercase letters or digits, such as {prefix}yxgxofd3."
            ),
            Rule::ZoneFormat => format!(
                "{field} must be a zone ID of 2 to 32 lowercase letters, digits or hyphens starting with a letter, such as pek3 or jn1a."
            ),
            Rule::StartsWithDigit => format!("{field} must not start with a digit."),
            Rule::InvalidCharacters { allowed } => {
                let allowed = match allowed {
                    Charset::Name => "letters, digits and underscores",
                    Charset::PrintableAscii => "printable ASCII characters without spaces",
                    Charset::EhpcPassword => "letters, digits and the characters !@#%^&()*",
                };
                format!("{field} may contain only {allowed}.")
            }
            Rule::TooShort { min } => format!("{field} must be at least {min} characters long."),
            Rule::TooLong { max } => format!("{field} must be at most {max} characters long."),
            Rule::InvalidNetwork { entry } => format!(
                "{field}: \"{entry}\" is not an IPv4 or IPv6 address or CIDR block."
            ),
            Rule::InvalidPrefix { entry, max } => format!(
                "{field}: the prefix length of \"{entry}\" must be a number from 0 to {max}."
            ),
            Rule::TooManyNetworks { max, count } => format!(
                "{field} may list at most {max} networks per user; {count} different networks were given."
            ),
            Rule::ModFormat => format!("{field} must be three octal digits, such as 700."),
            Rule::ShortPassword { recommended } => format!(
                "{field} is shorter than {recommended} characters; a longer password is safer."
            ),
            Rule::AllNetworks { entry } => format!(
                "{field}: \"{entry}\" lets every network connect with this account."
            ),
            Rule::DuplicateNetwork { entry } => format!(
                "{field}: \"{entry}\" is listed more than once; the repeat is dropped."
            ),
        }
    }

    fn message_zh(&self, field: &str) -> String {
        match self {
            Rule::Required => format!("{field} 为必填项。"),
            Rule::ClusterFormat { prefix } => format!(
                "{field} 须为 \"{prefix}\" 加 8 位小写字母或数字，例如 {prefix}yxgxofd3。"
            ),
            Rule::ZoneFormat => format!(
                "{field} 须为 2 到 32 位、以字母开头的小写字母、数字或连字符组成的区域 ID，例如 pek3 或 jn1a。"
            ),
            Rule::StartsWithDigit => format!("{field} 不能以数字开头。"),
            Rule::InvalidCharacters { allowed } => {
                let allowed = match allowed {
                    Charset::Name => "字母、数字和下划线",
                    Charset::PrintableAscii => "不含空格的可打印 ASCII 字符",
                    Charset::EhpcPassword => "字母、数字和字符 !@#%^&()*",
                };
                format!("{field} 只能包含{allowed}。")
            }
            Rule::TooShort { min } => format!("{field} 至少需要 {min} 个字符。"),
            Rule::TooLong { max } => format!("{field} 最多只能有 {max} 个字符。"),
            Rule::InvalidNetwork { entry } => {
                format!("{field}：\"{entry}\" 不是有效的 IPv4 或 IPv6 地址或 CIDR 网段。")
            }
            Rule::InvalidPrefix { entry, max } => {
                format!("{field}：\"{entry}\" 的前缀长度须为 0 到 {max} 之间的数字。")
            }
            Rule::TooManyNetworks { max, count } => {
                format!("{field} 每个用户最多只能有 {max} 个网络，当前为 {count} 个不同的网络。")
            }
            Rule::ModFormat => format!("{field} 须为三位八进制数字，例如 700。"),
            Rule::ShortPassword { recommended } => {
                format!("{field} 少于 {recommended} 个字符，建议使用更长的密码。")
            }
            Rule::AllNetworks { entry } => {
                format!("{field}：\"{entry}\" 允许所有网络使用该帐号连接。")
            }
            Rule::DuplicateNetwork { entry } => {
                format!("{field}：\"{entry}\" 重复出现，已去除重复项。")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_cut_to_their_longest() {
        assert_eq!(cut("abc".into(), 3), "abc");
        assert_eq!(cut("长短长短".into(), 3), "长短长…");
    }

    fn every_rule() -> Vec<Rule> {
        let entry = "10.0.0.1/33".to_string();
        vec![
            Rule::Required,
            Rule::ClusterFormat { prefix: "cl-" },
            Rule::ZoneFormat,
            Rule::StartsWithDigit,
            Rule::InvalidCharacters {
                allowed: Charset::Name,
            },
            Rule::InvalidCharacters {
                allowed: Charset::PrintableAscii,
            },
            Rule::InvalidCharacters {
                allowed: Charset::EhpcPassword,
            },
            Rule::TooShort { min: 12 },
            Rule::TooLong { max: 30 },
            Rule::InvalidNetwork {
                entry: entry.clone(),
            },
            Rule::InvalidPrefix {
                entry: entry.clone(),
                max: 32,
            },
            Rule::TooManyNetworks {
                max: 256,
                count: 300,
            },
            Rule::ModFormat,
            Rule::ShortPassword { recommended: 8 },
            Rule::AllNetworks {
                entry: entry.clone(),
            },
            Rule::DuplicateNetwork { entry },
        ]
    }

    #[test]
    fn every_message_names_its_field_in_both_languages() {
        for rule in every_rule() {
            for lang in [Lang::En, Lang::Zh] {
                let message = rule.message("some_field", lang);
                assert!(message.starts_with("some_field"), "{message}");
            }
            assert_ne!(rule.message("f", Lang::En), rule.message("f", Lang::Zh));
        }
    }

    #[test]
    fn codes_are_snake_case_and_distinct_per_kind() {
        let rules = every_rule();
        for rule in &rules {
            assert!(rule
                .code()
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '_'));
        }
        let mut codes: Vec<_> = rules.iter().map(Rule::code).collect();
        codes.dedup();
        assert_eq!(codes.len(), 14);
    }
}
