//! The documented rules of both APIs, plus this project's stated policy where the documents are
//! silent (marked "policy" below and in the README). Validation never panics and reports every
//! broken rule of every field, so that a form can show them all at once.

use crate::messages::{Charset, Lang, Rule};

/// One broken rule of one field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Issue {
    /// The field's wire name, such as `user_name`.
    pub field: &'static str,
    /// A stable snake_case identifier, such as `starts_with_digit`.
    pub code: &'static str,
    pub message: String,
}

/// What validation found: `ok` is true when there is no error; warnings never block a request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    pub ok: bool,
    pub errors: Vec<Issue>,
    pub warnings: Vec<Issue>,
}

/// A report, and the normalised input when the report is ok.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Validated<T> {
    pub report: Report,
    pub value: Option<T>,
}

/// A ClickHouse account as a user typed it. Each `user_networks` entry may itself hold several
/// networks separated by `;` or line breaks.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClickHouseUser {
    pub cluster: String,
    pub zone: String,
    pub user_name: String,
    pub user_password: String,
    pub user_networks: Vec<String>,
}

/// A ClickHouse account ready to send: networks trimmed, deduplicated and joined with `;`.
#[derive(Clone, PartialEq, Eq)]
pub struct ValidClickHouseUser {
    pub cluster: String,
    pub zone: String,
    pub user_name: String,
    pub user_password: String,
    pub user_networks: String,
}

/// An EHPC cluster user as a user typed it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EhpcUser {
    pub cluster_id: String,
    pub zone: String,
    pub username: String,
    pub password: String,
    /// The home directory's permissions, such as `700`; empty means not given.
    pub mode: String,
}

/// An EHPC user ready to send.
#[derive(Clone, PartialEq, Eq)]
pub struct ValidEhpcUser {
    pub cluster_id: String,
    pub zone: String,
    pub username: String,
    pub password: String,
    pub mode: Option<String>,
}

// Passwords must never reach a log through `{:?}`.
impl std::fmt::Debug for ValidClickHouseUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ValidClickHouseUser")
            .field("cluster", &self.cluster)
            .field("zone", &self.zone)
            .field("user_name", &self.user_name)
            .field("user_password", &"<redacted>")
            .field("user_networks", &self.user_networks)
            .finish()
    }
}

impl std::fmt::Debug for ValidEhpcUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ValidEhpcUser")
            .field("cluster_id", &self.cluster_id)
            .field("zone", &self.zone)
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .field("mode", &self.mode)
            .finish()
    }
}

/// Policy: the longest ClickHouse user name and password we accept.
pub const CLICKHOUSE_NAME_MAX: usize = 64;
pub const CLICKHOUSE_PASSWORD_MAX: usize = 128;
/// Policy: ClickHouse passwords shorter than this are accepted with a warning.
pub const CLICKHOUSE_PASSWORD_RECOMMENDED: usize = 8;
/// Documented EHPC limits.
pub const EHPC_USERNAME_MAX: usize = 8;
pub const EHPC_PASSWORD_MIN: usize = 12;
pub const EHPC_PASSWORD_MAX: usize = 30;
/// Policy: the most networks one ClickHouse user may take, counted once split, trimmed and
/// deduplicated (that is, as many as are sent), so that a repeat does not count twice.
pub const MAX_NETWORKS: usize = 256;
/// Policy: the longest `user_networks` may be, all its entries and separators together. That is
/// room for `MAX_NETWORKS` of the longest IPv6 networks, each on its own line, and it bounds what
/// checking the field costs and how many issues it can report.
pub const NETWORKS_TEXT_MAX: usize = 16_384;
/// The special characters the EHPC document allows in passwords.
pub const EHPC_PASSWORD_SPECIALS: &str = "!@#%^&()*";

/// Collects issues for one report.
struct Checker {
    lang: Lang,
    report: Report,
}

impl Checker {
    fn new(lang: Lang) -> Self {
        Checker {
            lang,
            report: Report::default(),
        }
    }

    fn error(&mut self, field: &'static str, rule: Rule) {
        let issue = self.issue(field, rule);
        self.report.errors.push(issue);
    }

    fn warning(&mut self, field: &'static str, rule: Rule) {
        let issue = self.issue(field, rule);
        self.report.warnings.push(issue);
    }

    fn issue(&self, field: &'static str, rule: Rule) -> Issue {
        Issue {
            field,
            code: rule.code(),
            message: rule.message(field, self.lang),
        }
    }

    /// Checks a required field against `rules`; an empty value is only `required`.
    fn field(&mut self, field: &'static str, value: &str, rules: &[fn(&str) -> Option<Rule>]) {
        if value.is_empty() {
            return self.error(field, Rule::Required);
        }
        for rule in rules.iter().filter_map(|check| check(value)) {
            self.error(field, rule);
        }
    }

    fn finish<T>(self, value: impl FnOnce() -> T) -> Validated<T> {
        let mut report = self.report;
        report.ok = report.errors.is_empty();
        let value = report.ok.then(value);
        Validated { report, value }
    }
}

fn cluster_id_format(prefix: &'static str) -> impl Fn(&str) -> Option<Rule> {
    move |value: &str| {
        let ok = value.strip_prefix(prefix).is_some_and(|rest| {
            rest.len() == 8
                && rest
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
        (!ok).then_some(Rule::ClusterFormat { prefix })
    }
}

fn clickhouse_cluster(value: &str) -> Option<Rule> {
    cluster_id_format("cl-")(value)
}

fn ehpc_cluster(value: &str) -> Option<Rule> {
    cluster_id_format("ehpc-")(value)
}

/// Policy: 2 to 32 lowercase letters, digits or hyphens, starting with a letter (`pek3`, `jn1a`).
fn zone(value: &str) -> Option<Rule> {
    let ok = (2..=32).contains(&value.len())
        && value.starts_with(|c: char| c.is_ascii_lowercase())
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    (!ok).then_some(Rule::ZoneFormat)
}

/// Documented for ClickHouse names and passwords.
fn not_starting_with_digit(value: &str) -> Option<Rule> {
    value
        .starts_with(|c: char| c.is_ascii_digit())
        .then_some(Rule::StartsWithDigit)
}

fn only(allowed: Charset, is_allowed: fn(char) -> bool) -> impl Fn(&str) -> Option<Rule> {
    move |value: &str| {
        (!value.chars().all(is_allowed)).then_some(Rule::InvalidCharacters { allowed })
    }
}

fn name_chars(value: &str) -> Option<Rule> {
    only(Charset::Name, |c| c.is_ascii_alphanumeric() || c == '_')(value)
}

fn printable_ascii(value: &str) -> Option<Rule> {
    only(Charset::PrintableAscii, |c| c.is_ascii_graphic())(value)
}

fn ehpc_password_chars(value: &str) -> Option<Rule> {
    only(Charset::EhpcPassword, |c| {
        c.is_ascii_alphanumeric() || EHPC_PASSWORD_SPECIALS.contains(c)
    })(value)
}

fn length_between(min: usize, max: usize) -> impl Fn(&str) -> Option<Rule> {
    move |value: &str| {
        let len = value.chars().count();
        if len < min {
            Some(Rule::TooShort { min })
        } else if len > max {
            Some(Rule::TooLong { max })
        } else {
            None
        }
    }
}

fn mode(value: &str) -> Option<Rule> {
    let ok = value.len() == 3 && value.bytes().all(|b| (b'0'..=b'7').contains(&b));
    (!ok).then_some(Rule::ModFormat)
}

/// Validates a ClickHouse `add_users` account.
pub fn validate_clickhouse_user(
    user: &ClickHouseUser,
    lang: Lang,
) -> Validated<ValidClickHouseUser> {
    let mut check = Checker::new(lang);
    check.field("cluster", &user.cluster, &[clickhouse_cluster]);
    check.field("zone", &user.zone, &[zone]);
    check.field(
        "user_name",
        &user.user_name,
        &[not_starting_with_digit, name_chars, |v| {
            length_between(1, CLICKHOUSE_NAME_MAX)(v)
        }],
    );
    check.field(
        "user_password",
        &user.user_password,
        &[not_starting_with_digit, printable_ascii, |v| {
            length_between(1, CLICKHOUSE_PASSWORD_MAX)(v)
        }],
    );
    let password_len = user.user_password.chars().count();
    if (1..CLICKHOUSE_PASSWORD_RECOMMENDED).contains(&password_len) {
        check.warning(
            "user_password",
            Rule::ShortPassword {
                recommended: CLICKHOUSE_PASSWORD_RECOMMENDED,
            },
        );
    }
    let networks = check_networks(&mut check, &user.user_networks);
    check.finish(|| ValidClickHouseUser {
        cluster: user.cluster.clone(),
        zone: user.zone.clone(),
        user_name: user.user_name.clone(),
        user_password: user.user_password.clone(),
        user_networks: networks.join(";"),
    })
}

/// Validates an EHPC `addUser` user.
pub fn validate_ehpc_user(user: &EhpcUser, lang: Lang) -> Validated<ValidEhpcUser> {
    let mut check = Checker::new(lang);
    check.field("cluster_id", &user.cluster_id, &[ehpc_cluster]);
    check.field("zone", &user.zone, &[zone]);
    check.field(
        "username",
        &user.username,
        &[name_chars, |v| length_between(1, EHPC_USERNAME_MAX)(v)],
    );
    check.field(
        "password",
        &user.password,
        &[ehpc_password_chars, |v| {
            length_between(EHPC_PASSWORD_MIN, EHPC_PASSWORD_MAX)(v)
        }],
    );
    if let Some(rule) = (!user.mode.is_empty()).then(|| mode(&user.mode)).flatten() {
        check.error("mod", rule);
    }
    check.finish(|| ValidEhpcUser {
        cluster_id: user.cluster_id.clone(),
        zone: user.zone.clone(),
        username: user.username.clone(),
        password: user.password.clone(),
        mode: (!user.mode.is_empty()).then(|| user.mode.clone()),
    })
}

/// Splits `user_networks` chunks at `;` and line breaks and trims each entry, dropping empty ones.
/// A plain scan over bytes (the separators are ASCII, so every cut is a character boundary).
fn split_networks(raw: &[String]) -> Vec<&str> {
    let mut entries = Vec::new();
    for chunk in raw {
        let mut rest = chunk.as_str();
        loop {
            let end = rest
                .bytes()
                .position(|b| matches!(b, b';' | b'\n' | b'\r'))
                .unwrap_or(rest.len());
            let entry = rest.get(..end).unwrap_or_default().trim();
            if !entry.is_empty() {
                entries.push(entry);
            }
            match rest.get(end + 1..) {
                Some(next) => rest = next,
                None => break,
            }
        }
    }
    entries
}

/// For each network entry, the position of the first equal entry before it, if any.
fn repeats(entries: &[&str]) -> Vec<Option<usize>> {
    let keys: Vec<Option<&str>> = entries.iter().copied().map(Some).collect();
    crate::order::earlier_duplicates(&keys)
}

/// The distinct entries of `user_networks`, in input order, joined with `;` as the API expects.
pub fn join_networks(raw: &[String]) -> String {
    let entries = split_networks(raw);
    let kept: Vec<&str> = entries
        .iter()
        .zip(repeats(&entries))
        .filter_map(|(entry, earlier)| earlier.is_none().then_some(*entry))
        .collect();
    kept.join(";")
}

/// Splits, trims and checks `user_networks`; returns the distinct valid entries in input order.
/// A repeat of a valid entry is dropped with a warning at each repeat; an invalid entry is an
/// error each time it appears. Repeats are found by a sort, so many networks cost O(n log n).
fn check_networks<'a>(check: &mut Checker, raw: &'a [String]) -> Vec<&'a str> {
    const FIELD: &str = "user_networks";
    let mut kept: Vec<&str> = Vec::new();
    let length: usize = raw.iter().map(|item| item.chars().count()).sum();
    if length > NETWORKS_TEXT_MAX {
        check.error(
            FIELD,
            Rule::TooLong {
                max: NETWORKS_TEXT_MAX,
            },
        );
        return kept;
    }
    let entries = split_networks(raw);
    let earlier = repeats(&entries);
    for (entry, earlier) in entries.into_iter().zip(earlier) {
        match network_rule(entry) {
            Some(rule) => check.error(FIELD, rule),
            None if earlier.is_some() => check.warning(
                FIELD,
                Rule::DuplicateNetwork {
                    entry: entry.into(),
                },
            ),
            None => {
                if entry == "::/0" || entry == "0.0.0.0/0" {
                    check.warning(
                        FIELD,
                        Rule::AllNetworks {
                            entry: entry.into(),
                        },
                    );
                }
                kept.push(entry);
            }
        }
    }
    if kept.len() > MAX_NETWORKS {
        check.error(
            FIELD,
            Rule::TooManyNetworks {
                max: MAX_NETWORKS,
                count: kept.len(),
            },
        );
    }
    let any_invalid = check.report.errors.iter().any(|e| e.field == FIELD);
    if kept.is_empty() && !any_invalid {
        check.error(FIELD, Rule::Required);
    }
    kept
}

/// `None` when `entry` is an IPv4 or IPv6 address, or one with a valid `/prefix`.
fn network_rule(entry: &str) -> Option<Rule> {
    let (address, prefix) = match entry.split_once('/') {
        Some((address, prefix)) => (address, Some(prefix)),
        None => (entry, None),
    };
    let max: u8 = if is_ipv4(address) {
        32
    } else if is_ipv6(address) {
        128
    } else {
        return Some(Rule::InvalidNetwork {
            entry: entry.into(),
        });
    };
    let prefix_ok = prefix.is_none_or(|p| {
        !p.is_empty()
            && p.len() <= 3
            && p.bytes().all(|b| b.is_ascii_digit())
            && p.parse::<u8>().is_ok_and(|n| n <= max)
    });
    (!prefix_ok).then(|| Rule::InvalidPrefix {
        entry: entry.into(),
        max,
    })
}

/// Whether `text` is what `std::net::Ipv4Addr` parses: four decimal numbers up to 255 joined by
/// dots, without leading zeros. Written out because std's parser costs the wasm module more; a
/// property test checks that both agree.
fn is_ipv4(text: &str) -> bool {
    let mut parts = 0;
    text.split('.').all(|part| {
        parts += 1;
        parts <= 4
            && (1..=3).contains(&part.len())
            && part.bytes().all(|b| b.is_ascii_digit())
            && (part.len() == 1 || !part.starts_with('0'))
            && part.parse::<u8>().is_ok()
    }) && parts == 4
}

/// Whether `text` is what `std::net::Ipv6Addr` parses: eight groups of one to four hex digits
/// joined by `:`, where one `::` may stand for one or more zero groups and an IPv4 address may
/// stand for the last two groups.
fn is_ipv6(text: &str) -> bool {
    /// How many groups `part` holds, or `None` when it is malformed.
    fn groups(part: &str, ipv4_last: bool) -> Option<usize> {
        if part.is_empty() {
            return Some(0);
        }
        let mut pieces = part.split(':').peekable();
        let mut count = 0;
        while let Some(piece) = pieces.next() {
            if ipv4_last && pieces.peek().is_none() && is_ipv4(piece) {
                count += 2;
            } else if (1..=4).contains(&piece.len()) && piece.bytes().all(|b| b.is_ascii_hexdigit())
            {
                count += 1;
            } else {
                return None;
            }
        }
        Some(count)
    }
    match text.split_once("::") {
        None => groups(text, true) == Some(8),
        Some((head, tail)) => {
            !tail.contains("::")
                && matches!(
                    (groups(head, false), groups(tail, true)),
                    (Some(h), Some(t)) if h + t <= 7
                )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_parse_as_std_net_does() {
        for text in [
            "1.2.3.4",
            "255.255.255.255",
            "0.0.0.0",
            "01.2.3.4",
            "256.1.1.1",
            "1.2.3",
            "1.2.3.4.",
            "1..3.4",
            "::",
            "::1",
            "1::",
            "1::2",
            "::ffff:1.2.3.4",
            "1:2:3:4:5:6:7:8",
            "1:2:3:4:5:6:1.2.3.4",
            "1:2:3:4:5:6:7:1.2.3.4",
            "1.2.3.4::",
            "1.2.3.4::1",
            "1::2::3",
            ":::",
            "1:::2",
            ":1::2",
            "1::2:",
            "1:2:3:4:5:6:7::",
            "1:2:3:4:5:6:7:8::",
            "::1:2:3:4:5:6:7",
            "::1:2:3:4:5:6:7:8",
            "12345::",
            "g::",
            "::1.2.3.04",
            "",
            ":",
            ".",
            "fe80::1%eth0",
            "::FFFF:abcd",
            "0000:0000::",
        ] {
            assert_eq!(
                is_ipv4(text),
                text.parse::<std::net::Ipv4Addr>().is_ok(),
                "ipv4 {text}"
            );
            assert_eq!(
                is_ipv6(text),
                text.parse::<std::net::Ipv6Addr>().is_ok(),
                "ipv6 {text}"
            );
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        #[test]
        fn address_parsing_agrees_with_std_net(text in "[0-9a-fA-F:.]{0,40}") {
            proptest::prop_assert_eq!(is_ipv4(&text), text.parse::<std::net::Ipv4Addr>().is_ok());
            proptest::prop_assert_eq!(is_ipv6(&text), text.parse::<std::net::Ipv6Addr>().is_ok());
        }

        #[test]
        fn structured_addresses_agree_with_std_net(
            groups in proptest::collection::vec("[0-9a-f]{0,5}|[0-9]{1,3}(\\.[0-9]{1,3}){3}", 0..10),
            gap in proptest::option::of(0usize..10),
        ) {
            let mut text = String::new();
            for (i, group) in groups.iter().enumerate() {
                if i > 0 {
                    text.push(':');
                }
                if gap == Some(i) {
                    text.push(':');
                }
                text.push_str(group);
            }
            proptest::prop_assert_eq!(is_ipv6(&text), text.parse::<std::net::Ipv6Addr>().is_ok(), "{}", text);
        }
    }

    fn clickhouse(name: &str, password: &str, networks: &[&str]) -> ClickHouseUser {
        ClickHouseUser {
            cluster: "cl-yxgxofd3".into(),
            zone: "pek3".into(),
            user_name: name.into(),
            user_password: password.into(),
            user_networks: networks.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn ehpc(username: &str, password: &str, mode: &str) -> EhpcUser {
        EhpcUser {
            cluster_id: "ehpc-8jqdq0mz".into(),
            zone: "jn1a".into(),
            username: username.into(),
            password: password.into(),
            mode: mode.into(),
        }
    }

    fn codes(issues: &[Issue]) -> Vec<(&'static str, &'static str)> {
        issues.iter().map(|i| (i.field, i.code)).collect()
    }

    #[test]
    fn documented_clickhouse_examples_pass() {
        for password in ["Test123", "QQ11123"] {
            let result =
                validate_clickhouse_user(&clickhouse("testuser", password, &["::/0"]), Lang::En);
            assert!(result.report.ok, "{:?}", result.report);
            assert_eq!(
                codes(&result.report.warnings),
                [
                    ("user_password", "short_password"),
                    ("user_networks", "all_networks")
                ]
            );
            assert_eq!(result.value.map(|v| v.user_networks), Some("::/0".into()));
        }
    }

    #[test]
    fn documented_ehpc_example_passes() {
        let result = validate_ehpc_user(&ehpc("isabel", "kUISjs@kkkkkk!", ""), Lang::En);
        assert!(result.report.ok, "{:?}", result.report);
        assert!(result.report.warnings.is_empty());
        assert_eq!(result.value.and_then(|v| v.mode), None);
    }

    #[test]
    fn missing_fields_are_required() {
        let report = validate_clickhouse_user(&ClickHouseUser::default(), Lang::En).report;
        assert!(!report.ok);
        assert_eq!(
            codes(&report.errors),
            [
                ("cluster", "required"),
                ("zone", "required"),
                ("user_name", "required"),
                ("user_password", "required"),
                ("user_networks", "required"),
            ]
        );
        let report = validate_ehpc_user(&EhpcUser::default(), Lang::Zh).report;
        assert_eq!(report.errors.len(), 4);
        assert!(report.errors.iter().all(|e| e.code == "required"));
        assert_eq!(report.errors[0].message, "cluster_id 为必填项。");
    }

    #[test]
    fn cluster_ids_need_their_prefix_and_eight_lowercase_characters() {
        for bad in [
            "cl-yxgxofd",
            "cl-yxgxofd33",
            "cl-YXGXOFD3",
            "xx-yxgxofd3",
            "cl-yxgx_fd3",
            " cl-yxgxofd3",
        ] {
            let mut user = clickhouse("u", "password", &["10.0.0.0/8"]);
            user.cluster = bad.into();
            let report = validate_clickhouse_user(&user, Lang::En).report;
            assert_eq!(
                codes(&report.errors),
                [("cluster", "cluster_format")],
                "{bad}"
            );
        }
        let mut user = ehpc("u", "kUISjs@kkkkkk!", "");
        user.cluster_id = "cl-8jqdq0mz".into();
        let report = validate_ehpc_user(&user, Lang::En).report;
        assert_eq!(codes(&report.errors), [("cluster_id", "cluster_format")]);
        assert!(report.errors[0].message.contains("\"ehpc-\""));
    }

    #[test]
    fn zones_are_lowercase_ids() {
        for good in ["pek3", "jn1a", "ap2a", "sh1", "gd2-test"] {
            let mut user = clickhouse("u", "password", &["10.0.0.0/8"]);
            user.zone = good.into();
            assert!(
                validate_clickhouse_user(&user, Lang::En).report.ok,
                "{good}"
            );
        }
        for bad in ["p", "PEK3", "3pek", "pek 3", "pek3/", &"a".repeat(33)] {
            let mut user = clickhouse("u", "password", &["10.0.0.0/8"]);
            user.zone = bad.to_string();
            let report = validate_clickhouse_user(&user, Lang::En).report;
            assert_eq!(codes(&report.errors), [("zone", "zone_format")], "{bad}");
        }
    }

    #[test]
    fn clickhouse_names_and_passwords_must_not_start_with_a_digit() {
        let report =
            validate_clickhouse_user(&clickhouse("1user", "1password", &["::1"]), Lang::En).report;
        assert_eq!(
            codes(&report.errors),
            [
                ("user_name", "starts_with_digit"),
                ("user_password", "starts_with_digit")
            ]
        );
        assert_eq!(
            report.errors[0].message,
            "user_name must not start with a digit."
        );
    }

    #[test]
    fn clickhouse_name_policy() {
        let report =
            validate_clickhouse_user(&clickhouse("bad-name", "password", &["::1"]), Lang::En)
                .report;
        assert_eq!(codes(&report.errors), [("user_name", "invalid_characters")]);
        let report =
            validate_clickhouse_user(&clickhouse("名字", "password", &["::1"]), Lang::En).report;
        assert_eq!(codes(&report.errors), [("user_name", "invalid_characters")]);
        let long = "u".repeat(CLICKHOUSE_NAME_MAX + 1);
        let report =
            validate_clickhouse_user(&clickhouse(&long, "password", &["::1"]), Lang::En).report;
        assert_eq!(codes(&report.errors), [("user_name", "too_long")]);
        let longest = "u".repeat(CLICKHOUSE_NAME_MAX);
        assert!(
            validate_clickhouse_user(&clickhouse(&longest, "password", &["::1"]), Lang::En)
                .report
                .ok
        );
    }

    #[test]
    fn clickhouse_password_policy() {
        for bad in ["pass word", "pässword", "pass\tword"] {
            let report = validate_clickhouse_user(&clickhouse("u", bad, &["::1"]), Lang::En).report;
            assert_eq!(
                codes(&report.errors),
                [("user_password", "invalid_characters")],
                "{bad}"
            );
        }
        let long = "p".repeat(CLICKHOUSE_PASSWORD_MAX + 1);
        let report = validate_clickhouse_user(&clickhouse("u", &long, &["::1"]), Lang::En).report;
        assert_eq!(codes(&report.errors), [("user_password", "too_long")]);
        let special = r##"P!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~"##;
        let result = validate_clickhouse_user(&clickhouse("u", special, &["::1"]), Lang::En);
        assert!(result.report.ok);
        assert!(result.report.warnings.is_empty());
    }

    #[test]
    fn networks_are_split_trimmed_and_deduplicated() {
        let result = validate_clickhouse_user(
            &clickhouse(
                "u",
                "password",
                &[" 10.0.0.0/8 ; 192.168.1.1\n10.0.0.0/8;", "fe80::1/64", ""],
            ),
            Lang::En,
        );
        assert!(result.report.ok, "{:?}", result.report);
        assert_eq!(
            codes(&result.report.warnings),
            [("user_networks", "duplicate_network")]
        );
        assert_eq!(
            result.value.map(|v| v.user_networks),
            Some("10.0.0.0/8;192.168.1.1;fe80::1/64".into())
        );
    }

    /// `count` distinct IPv4 addresses, `10.0.0.0` upwards.
    fn distinct_networks(count: u32) -> Vec<String> {
        (0..count)
            .map(|n| format!("10.{}.{}.{}", n >> 16, (n >> 8) & 255, n & 255))
            .collect()
    }

    fn clickhouse_with(networks: Vec<String>) -> ClickHouseUser {
        ClickHouseUser {
            user_networks: networks,
            ..clickhouse("u", "password", &[])
        }
    }

    #[test]
    fn a_user_takes_at_most_max_networks() {
        let most = distinct_networks(MAX_NETWORKS as u32);
        let result = validate_clickhouse_user(&clickhouse_with(most.clone()), Lang::En);
        assert!(result.report.ok, "{:?}", result.report.errors);
        assert_eq!(result.value.map(|v| v.user_networks), Some(most.join(";")));
        let report = validate_clickhouse_user(
            &clickhouse_with(distinct_networks(MAX_NETWORKS as u32 + 1)),
            Lang::En,
        )
        .report;
        assert_eq!(
            codes(&report.errors),
            [("user_networks", "too_many_networks")]
        );
        assert_eq!(
            report.errors[0].message,
            "user_networks may list at most 256 networks per user; 257 different networks were given."
        );
    }

    #[test]
    fn networks_past_their_longest_are_one_error_however_many() {
        let longest = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128\n";
        let most = longest.repeat(MAX_NETWORKS);
        assert!(most.len() <= NETWORKS_TEXT_MAX);
        let report = validate_clickhouse_user(&clickhouse_with(vec![most]), Lang::En).report;
        assert_eq!(codes(&report.errors), [], "{:?}", report.errors);
        for raw in [
            vec!["10.0.0.1;".repeat(1_000_000)],
            vec!["x".repeat(NETWORKS_TEXT_MAX + 1)],
            vec!["10.0.0.1".to_string(); 3_000],
        ] {
            let report = validate_clickhouse_user(&clickhouse_with(raw), Lang::En).report;
            assert_eq!(codes(&report.errors), [("user_networks", "too_long")]);
            assert_eq!(report.warnings.len(), 0);
            assert_eq!(
                report.errors[0].message,
                "user_networks must be at most 16384 characters long."
            );
        }
    }

    #[test]
    fn repeats_do_not_count_towards_max_networks() {
        let mut networks = distinct_networks(MAX_NETWORKS as u32);
        networks.extend(distinct_networks(10));
        let result = validate_clickhouse_user(&clickhouse_with(networks), Lang::Zh);
        assert!(result.report.ok, "{:?}", result.report.errors);
        assert_eq!(result.report.warnings.len(), 10);
        assert_eq!(
            result.report.warnings[0].message,
            "user_networks：\"10.0.0.0\" 重复出现，已去除重复项。"
        );
    }

    #[test]
    fn too_many_networks_is_worded_in_chinese_too() {
        let report =
            validate_clickhouse_user(&clickhouse_with(distinct_networks(300)), Lang::Zh).report;
        assert_eq!(
            report.errors[0].message,
            "user_networks 每个用户最多只能有 256 个网络，当前为 300 个不同的网络。"
        );
    }

    #[test]
    fn networks_up_to_the_longest_text_are_each_checked_and_counted() {
        let mut networks = distinct_networks(1_400);
        assert!(networks.concat().len() <= NETWORKS_TEXT_MAX);
        networks[1_399] = "10.0.0.256".into();
        let report = validate_clickhouse_user(&clickhouse_with(networks), Lang::En).report;
        assert_eq!(
            codes(&report.errors),
            [
                ("user_networks", "invalid_network"),
                ("user_networks", "too_many_networks")
            ]
        );
        assert!(report.errors[1].message.contains("; 1399 different"));
    }

    #[test]
    fn repeats_warn_at_each_repeat_and_keep_the_first_order() {
        // 200 networks, given backwards, then over and over, as many as the field holds.
        let distinct: Vec<String> = distinct_networks(200).into_iter().rev().collect();
        let networks: Vec<String> = distinct.iter().cycle().take(1_400).cloned().collect();
        let result = validate_clickhouse_user(&clickhouse_with(networks.clone()), Lang::En);
        assert!(result.report.ok, "{:?}", result.report.errors);
        assert_eq!(result.report.warnings.len(), 1_400 - 200);
        assert!(result
            .report
            .warnings
            .iter()
            .all(|w| w.code == "duplicate_network"));
        assert!(result.report.warnings[0].message.contains("\"10.0.0.199\""));
        assert_eq!(
            result.value.map(|v| v.user_networks),
            Some(distinct.join(";"))
        );
    }

    #[test]
    fn seventy_thousand_repeats_are_joined_once_each_in_first_order() {
        // Repeats are found by a sort: 70,000 entries cost O(n log n), not O(n²).
        let distinct: Vec<String> = distinct_networks(200).into_iter().rev().collect();
        let networks: Vec<String> = distinct.iter().cycle().take(70_000).cloned().collect();
        assert_eq!(join_networks(&networks), distinct.join(";"));
    }

    #[test]
    fn repeated_invalid_networks_are_errors_each_time() {
        let report =
            validate_clickhouse_user(&clickhouse("u", "password", &["x;::1;x;::1"]), Lang::En)
                .report;
        assert_eq!(
            codes(&report.errors),
            [
                ("user_networks", "invalid_network"),
                ("user_networks", "invalid_network")
            ]
        );
        assert_eq!(
            codes(&report.warnings),
            [("user_networks", "duplicate_network")]
        );
    }

    #[test]
    fn join_networks_keeps_the_first_of_each() {
        let raw = vec![" b ;a\nb".to_string(), "c;a;;".to_string()];
        assert_eq!(join_networks(&raw), "b;a;c");
        assert_eq!(join_networks(&[]), "");
    }

    #[test]
    fn every_network_is_checked() {
        let cases = [
            ("10.0.0.256", "invalid_network"),
            ("10.0.0", "invalid_network"),
            ("example.com", "invalid_network"),
            ("010.0.0.1", "invalid_network"),
            ("10.0.0.0/33", "invalid_prefix"),
            ("10.0.0.0/", "invalid_prefix"),
            ("10.0.0.0/+8", "invalid_prefix"),
            ("10.0.0.0/08/1", "invalid_prefix"),
            ("::/129", "invalid_prefix"),
            ("::g", "invalid_network"),
        ];
        for (entry, code) in cases {
            let report =
                validate_clickhouse_user(&clickhouse("u", "password", &[entry]), Lang::En).report;
            assert_eq!(codes(&report.errors), [("user_networks", code)], "{entry}");
            assert!(report.errors[0].message.contains(entry));
        }
    }

    #[test]
    fn all_networks_are_accepted_with_a_warning() {
        let result =
            validate_clickhouse_user(&clickhouse("u", "password", &["0.0.0.0/0"]), Lang::Zh);
        assert!(result.report.ok);
        assert_eq!(
            codes(&result.report.warnings),
            [("user_networks", "all_networks")]
        );
        assert!(result.report.warnings[0].message.contains("所有网络"));
    }

    #[test]
    fn only_separators_means_no_network() {
        let report =
            validate_clickhouse_user(&clickhouse("u", "password", &[" ; \n "]), Lang::En).report;
        assert_eq!(codes(&report.errors), [("user_networks", "required")]);
    }

    #[test]
    fn ehpc_username_rules() {
        assert!(
            validate_ehpc_user(&ehpc("a", "kUISjs@kkkkkk!", ""), Lang::En)
                .report
                .ok
        );
        assert!(
            validate_ehpc_user(&ehpc("user_001", "kUISjs@kkkkkk!", ""), Lang::En)
                .report
                .ok
        );
        let report = validate_ehpc_user(&ehpc("user_0012", "kUISjs@kkkkkk!", ""), Lang::En).report;
        assert_eq!(codes(&report.errors), [("username", "too_long")]);
        let report = validate_ehpc_user(&ehpc("us-er", "kUISjs@kkkkkk!", ""), Lang::En).report;
        assert_eq!(codes(&report.errors), [("username", "invalid_characters")]);
    }

    #[test]
    fn ehpc_password_rules() {
        for good in ["abcdefghijkl", &"A1!@#%^&()*b".repeat(2), &"x".repeat(30)] {
            assert!(
                validate_ehpc_user(&ehpc("u", good, ""), Lang::En).report.ok,
                "{good}"
            );
        }
        let cases = [
            ("abcdefghijk", vec![("password", "too_short")]),
            (&"x".repeat(31) as &str, vec![("password", "too_long")]),
            ("abcdefghijk$", vec![("password", "invalid_characters")]),
            (
                "abc def",
                vec![
                    ("password", "invalid_characters"),
                    ("password", "too_short"),
                ],
            ),
        ];
        for (password, expected) in cases {
            let report = validate_ehpc_user(&ehpc("u", password, ""), Lang::En).report;
            assert_eq!(codes(&report.errors), expected, "{password}");
        }
    }

    #[test]
    fn ehpc_mode_is_three_octal_digits() {
        let result = validate_ehpc_user(&ehpc("u", "kUISjs@kkkkkk!", "750"), Lang::En);
        assert_eq!(result.value.and_then(|v| v.mode), Some("750".into()));
        for bad in ["800", "70", "0700", "rwx"] {
            let report = validate_ehpc_user(&ehpc("u", "kUISjs@kkkkkk!", bad), Lang::En).report;
            assert_eq!(codes(&report.errors), [("mod", "mod_format")], "{bad}");
        }
    }

    #[test]
    fn debug_output_redacts_passwords() {
        let valid = validate_ehpc_user(&ehpc("u", "kUISjs@kkkkkk!", ""), Lang::En).value;
        assert!(!format!("{valid:?}").contains("kUISjs"));
        let valid =
            validate_clickhouse_user(&clickhouse("u", "Secret123", &["::1"]), Lang::En).value;
        assert!(!format!("{valid:?}").contains("Secret123"));
    }
}
