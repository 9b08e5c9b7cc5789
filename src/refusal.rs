//! What is wrong with an argument or an option, as opposed to what a user typed (that is
//! [`crate::messages`]): the field, and the rule it breaks, in English and Chinese. Fields and
//! option values are named as JavaScript writes them, in both languages.

use crate::messages::Lang;

/// An argument, as messages name it when no field of it is to blame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arg {
    Options,
    Credentials,
    ClickHouseUser,
    EhpcUser,
    ServiceParams,
    DescribeJobs,
    Request,
    Row,
}

impl Arg {
    fn name(self, lang: Lang) -> &'static str {
        let (en, zh) = match self {
            Arg::Options => ("options", "options"),
            Arg::Credentials => ("credentials", "credentials"),
            Arg::ClickHouseUser => ("the ClickHouse user", "ClickHouse 用户"),
            Arg::EhpcUser => ("the EHPC user", "EHPC 用户"),
            Arg::ServiceParams => ("the service parameters", "服务参数"),
            Arg::DescribeJobs => ("the DescribeJobs input", "DescribeJobs 的输入"),
            Arg::Request => ("the request", "请求"),
            Arg::Row => ("a row", "行"),
        };
        match lang {
            Lang::En => en,
            Lang::Zh => zh,
        }
    }
}

/// A refused argument or option, with what its message needs to say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    NotAnObject(Arg),
    /// A getter or proxy threw while the argument was copied.
    Unreadable(Arg),
    /// A field of the wrong type, named when it was found, with what the reader said of it.
    WrongField {
        field: Option<String>,
        arg: Arg,
        reader: String,
    },
    /// `rows` or `previous`.
    NotAList(&'static str),
    TooManyRows {
        most: usize,
    },
    TooManyEntries {
        most: usize,
    },
    /// A number option outside its range, or not whole.
    Whole {
        field: &'static str,
        least: u32,
        most: u32,
    },
    Concurrency,
    /// `credentials.accessKeyId` or `credentials.secretAccessKey`.
    Blank(&'static str),
    /// `endpoint` or `jobsEndpoint`.
    Endpoint(&'static str),
    Method,
    OnInvalid,
    /// `Date.now()` (which a page can replace) reads a time the APIs cannot sign.
    Clock,
    Timestamp,
    ReqId,
    Zone,
    JobCount,
    JobIds {
        most: usize,
    },
    PreviousLength,
    PreviousRow(usize),
    PreviousJobId {
        index: usize,
        most: usize,
    },
    /// An entry of `previous` that could not be read.
    PreviousEntry(usize, Box<Refusal>),
    /// A queued row had no request: a bug, never the caller's doing.
    NoRequest,
}

impl Refusal {
    pub fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.message_en(),
            Lang::Zh => self.message_zh(),
        }
    }

    fn message_en(&self) -> String {
        let name = |arg: &Arg| arg.name(Lang::En);
        match self {
            Refusal::NotAnObject(arg) => format!("{} must be an object", name(arg)),
            Refusal::Unreadable(arg) => format!("{} could not be read: a property threw", name(arg)),
            Refusal::WrongField { field, arg, reader } => {
                format!("{}: {reader}", field.as_deref().unwrap_or(name(arg)))
            }
            Refusal::NotAList(field) => format!("{field} must be a list"),
            Refusal::TooManyRows { most } => format!(
                "rows must be a list of at most {most} rows; send a longer one in several calls"
            ),
            Refusal::TooManyEntries { most } => format!("previous must hold at most {most} entries"),
            Refusal::Whole { field, least, most } => {
                format!("{field} must be a whole number from {least} to {most}")
            }
            Refusal::Concurrency => "concurrency must be a whole number from 1 to 64 or 'auto'".into(),
            Refusal::Blank(field) => format!("{field} must be a non-empty string"),
            Refusal::Endpoint(field) => {
                format!("{field} must be an http:// or https:// URL without query or credentials")
            }
            Refusal::Method => "method must be GET or POST".into(),
            Refusal::OnInvalid => "onInvalid must be 'stop' or 'skip'".into(),
            Refusal::Clock => "the clock reads a time outside the years 0000 to 9999; pass timestamp to sign with another".into(),
            Refusal::Timestamp => "timestamp must be a Date, milliseconds, or YYYY-MM-DDTHH:MM:SSZ, in the years 0000 to 9999".into(),
            Refusal::ReqId => "reqId must be 32 hexadecimal digits".into(),
            Refusal::Zone => "zone is required".into(),
            Refusal::JobCount => "jobs must list 1 to 100 job ids".into(),
            Refusal::JobIds { most } => format!("jobs must hold job ids of 1 to {most} characters"),
            Refusal::PreviousLength => "previous must hold one entry per row".into(),
            Refusal::PreviousRow(i) => {
                format!("previous[{i}] is not row {i} (index, status, cluster or user name)")
            }
            Refusal::PreviousJobId { index, most } => {
                format!("previous[{index}].jobId must be a job id of at most {most} characters")
            }
            Refusal::PreviousEntry(i, why) => format!("previous[{i}]: {}", why.message_en()),
            Refusal::NoRequest => "no request for this row".into(),
        }
    }

    fn message_zh(&self) -> String {
        let name = |arg: &Arg| arg.name(Lang::Zh);
        match self {
            Refusal::NotAnObject(arg) => format!("{}须为对象", name(arg)),
            Refusal::Unreadable(arg) => format!("无法读取{}：读取某个属性时抛出了异常", name(arg)),
            Refusal::WrongField { field, arg, reader } => format!(
                "{}：{}",
                field.as_deref().unwrap_or(name(arg)),
                reader_zh(reader)
            ),
            Refusal::NotAList(field) => format!("{field} 须为列表"),
            Refusal::TooManyRows { most } => {
                format!("rows 最多只能有 {most} 行，更多的行请分几次调用发送")
            }
            Refusal::TooManyEntries { most } => format!("previous 最多只能有 {most} 项"),
            Refusal::Whole { field, least, most } => {
                format!("{field} 须为 {least} 到 {most} 之间的整数")
            }
            Refusal::Concurrency => "concurrency 须为 1 到 64 之间的整数或 'auto'".into(),
            Refusal::Blank(field) => format!("{field} 须为非空字符串"),
            Refusal::Endpoint(field) => {
                format!("{field} 须为 http:// 或 https:// 网址，且不含查询参数或凭据")
            }
            Refusal::Method => "method 须为 GET 或 POST".into(),
            Refusal::OnInvalid => "onInvalid 须为 'stop' 或 'skip'".into(),
            Refusal::Clock => {
                "时钟读数不在 0000 到 9999 年之间；请传入 timestamp，用另一个时间签名".into()
            }
            Refusal::Timestamp => {
                "timestamp 须为 Date、毫秒数或 YYYY-MM-DDTHH:MM:SSZ，且在 0000 到 9999 年之间"
                    .into()
            }
            Refusal::ReqId => "reqId 须为 32 位十六进制数字".into(),
            Refusal::Zone => "zone 为必填项".into(),
            Refusal::JobCount => "jobs 须列出 1 到 100 个任务 ID".into(),
            Refusal::JobIds { most } => format!("jobs 中的任务 ID 须为 1 到 {most} 个字符"),
            Refusal::PreviousLength => "previous 须为每一行各有一项".into(),
            Refusal::PreviousRow(i) => {
                format!("previous[{i}] 不是第 {i} 行（index、status、cluster 或用户名不符）")
            }
            Refusal::PreviousJobId { index, most } => {
                format!("previous[{index}].jobId 须为最多 {most} 个字符的任务 ID")
            }
            Refusal::PreviousEntry(i, why) => format!("previous[{i}]：{}", why.message_zh()),
            Refusal::NoRequest => "这一行没有可发送的请求".into(),
        }
    }
}

/// What a reader ([`crate::de`], or serde's own for a kind it does not take) said of a value, in
/// Chinese: serde writes `invalid type: {what it got}, expected {what it wants}`, naming each
/// with the kinds below. A kind without a translation is kept as serde wrote it.
fn reader_zh(reader: &str) -> String {
    if let Some((got, want)) = reader
        .strip_prefix("invalid type: ")
        .and_then(|rest| rest.split_once(", expected "))
    {
        return format!("类型不对，应为{}，而不是{}", kind_zh(want), kind_zh(got));
    }
    if let Some(most) = reader
        .strip_prefix("a list of at most ")
        .and_then(|rest| rest.strip_suffix(" items"))
    {
        return format!("列表最多只能有 {most} 项");
    }
    match reader {
        "expected a whole number" => "应为整数".into(),
        other => other.into(),
    }
}

fn kind_zh(kind: &str) -> &str {
    match kind {
        "a string" => "字符串",
        "a number" => "数字",
        "a number or a string" => "数字或字符串",
        "a boolean" => "布尔值",
        "a list" => "列表",
        "an object" => "对象",
        "a string or a list of strings" => "字符串或字符串列表",
        "an object of headers" => "请求头对象",
        "a function" => "函数",
        "a value that threw when read" => "读取时抛出异常的值",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_refusal() -> Vec<Refusal> {
        let args = [
            Arg::Options,
            Arg::Credentials,
            Arg::ClickHouseUser,
            Arg::EhpcUser,
            Arg::ServiceParams,
            Arg::DescribeJobs,
            Arg::Request,
            Arg::Row,
        ];
        let mut every: Vec<Refusal> = args
            .iter()
            .flat_map(|&arg| [Refusal::NotAnObject(arg), Refusal::Unreadable(arg)])
            .collect();
        every.extend([
            Refusal::NotAList("rows"),
            Refusal::TooManyRows { most: 100_000 },
            Refusal::TooManyEntries { most: 100_000 },
            Refusal::Whole {
                field: "timeoutMs",
                least: 1,
                most: 100,
            },
            Refusal::Concurrency,
            Refusal::Blank("credentials.accessKeyId"),
            Refusal::Endpoint("jobsEndpoint"),
            Refusal::Method,
            Refusal::OnInvalid,
            Refusal::Clock,
            Refusal::Timestamp,
            Refusal::ReqId,
            Refusal::Zone,
            Refusal::JobCount,
            Refusal::JobIds { most: 128 },
            Refusal::PreviousLength,
            Refusal::PreviousRow(3),
            Refusal::PreviousJobId {
                index: 3,
                most: 128,
            },
            Refusal::PreviousEntry(3, Box::new(Refusal::NotAnObject(Arg::Row))),
            Refusal::NoRequest,
        ]);
        every
    }

    /// Words of English prose in `text`, leaving out what JavaScript and the APIs spell the same
    /// in both languages (field names, option values, formats, kinds of URL).
    fn english_words(text: &str) -> Vec<&str> {
        const NAMES: [&str; 8] = [
            "Date",
            "GET",
            "POST",
            "ClickHouse",
            "EHPC",
            "DescribeJobs",
            "ID",
            "null",
        ];
        text.split(|c: char| !c.is_ascii_alphabetic())
            .filter(|word| word.len() > 1 && word.chars().any(|c| c.is_ascii_lowercase()))
            .filter(|word| !NAMES.contains(word))
            .collect()
    }

    #[test]
    fn every_refusal_says_its_rule_in_both_languages() {
        for refusal in every_refusal() {
            let (en, zh) = (refusal.message(Lang::En), refusal.message(Lang::Zh));
            assert!(en.is_ascii() && en.contains(' '), "{en}");
            assert!(!zh.is_ascii(), "{refusal:?}: {zh}");
            assert_ne!(en, zh);
        }
    }

    #[test]
    fn chinese_messages_name_fields_and_values_as_javascript_does_and_nothing_else_in_english() {
        let fields = [
            "options",
            "credentials",
            "rows",
            "previous",
            "timeoutMs",
            "concurrency",
            "auto",
            "accessKeyId",
            "secretAccessKey",
            "jobsEndpoint",
            "http",
            "https",
            "method",
            "onInvalid",
            "stop",
            "skip",
            "timestamp",
            "YYYY",
            "MM",
            "DDTHH",
            "SSZ",
            "reqId",
            "zone",
            "jobs",
            "jobId",
            "index",
            "status",
            "cluster",
        ];
        for refusal in every_refusal() {
            let zh = refusal.message(Lang::Zh);
            let prose: Vec<&str> = english_words(&zh)
                .into_iter()
                .filter(|word| !fields.contains(word))
                .collect();
            assert!(prose.is_empty(), "{zh}: {prose:?}");
        }
    }

    #[test]
    fn what_a_reader_says_is_translated_kind_by_kind() {
        let wrong = |reader: &str| Refusal::WrongField {
            field: Some("userName".into()),
            arg: Arg::ClickHouseUser,
            reader: reader.into(),
        };
        let cases = [
            (
                "invalid type: a number, expected a string",
                "userName：类型不对，应为字符串，而不是数字",
            ),
            (
                "invalid type: a list, expected a number or a string",
                "userName：类型不对，应为数字或字符串，而不是列表",
            ),
            (
                "invalid type: a boolean, expected a string or a list of strings",
                "userName：类型不对，应为字符串或字符串列表，而不是布尔值",
            ),
            (
                "invalid type: an object, expected a list",
                "userName：类型不对，应为列表，而不是对象",
            ),
            (
                "invalid type: a string, expected an object of headers",
                "userName：类型不对，应为请求头对象，而不是字符串",
            ),
            (
                "a list of at most 10000 items",
                "userName：列表最多只能有 10000 项",
            ),
            ("expected a whole number", "userName：应为整数"),
            // serde's own words for a kind the reader does not take stay as they are.
            (
                "invalid type: floating point `5.5`, expected a string",
                "userName：类型不对，应为字符串，而不是floating point `5.5`",
            ),
        ];
        for (reader, zh) in cases {
            assert_eq!(wrong(reader).message(Lang::Zh), zh);
            assert_eq!(
                wrong(reader).message(Lang::En),
                format!("userName: {reader}")
            );
        }
        let unnamed = Refusal::WrongField {
            field: None,
            arg: Arg::EhpcUser,
            reader: "expected a whole number".into(),
        };
        assert_eq!(
            unnamed.message(Lang::En),
            "the EHPC user: expected a whole number"
        );
        assert_eq!(unnamed.message(Lang::Zh), "EHPC 用户：应为整数");
    }
}
