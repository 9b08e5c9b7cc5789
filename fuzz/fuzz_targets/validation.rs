//! What callers hand in, two ways: the input as JSON through the JS API's route (`api::read` into
//! the serde model, `RequestOptions::resolve`, then validation and the builders), and as raw
//! strings straight into `validate_clickhouse_user` / `validate_ehpc_user`. Nothing may panic,
//! and every report must be coherent.
#![no_main]

use libfuzzer_sys::arbitrary::{self, Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use qingcloud_useradd::api::{self, AddUser, ClickHouse, Ehpc};
use qingcloud_useradd::input::{
    ClickHouseUserInput, DescribeJobsInput, EhpcUserInput, RequestOptions, Timestamp,
};
use qingcloud_useradd::messages::Lang;
use qingcloud_useradd::refusal::Arg;
use qingcloud_useradd::request::{self, Credentials};
use qingcloud_useradd::validation::{
    validate_clickhouse_user, validate_ehpc_user, ClickHouseUser, EhpcUser, Report,
};
use serde_json::Value;

#[derive(Arbitrary, Debug)]
struct Fields {
    cluster: String,
    zone: String,
    name: String,
    password: String,
    networks: Vec<String>,
    mode: String,
    zh: bool,
}

fn check(report: &Report, has_value: bool) {
    assert_eq!(report.ok, report.errors.is_empty());
    assert_eq!(report.ok, has_value);
    for issue in report.errors.iter().chain(&report.warnings) {
        assert!(!issue.message.is_empty(), "{issue:?}");
    }
}

fn credentials() -> Credentials {
    Credentials {
        access_key_id: "FUZZACCESSKEYID".into(),
        secret_access_key: "fuzz-secret".into(),
    }
}

/// The route a JavaScript argument takes: JSON value → serde model → options → validation →
/// builder. A refused field is named in the message.
fn json_route(value: &Value) {
    let options = api::read::<RequestOptions>(value, Arg::Options);
    let lang = options.as_ref().map_or(Lang::En, |options| options.lang);
    let resolved = options.as_ref().ok().map(|options| {
        options.resolve(
            request::DEFAULT_IAAS_ENDPOINT,
            || 1.8e12,
            || "0123456789abcdef0123456789abcdef".into(),
        )
    });
    // A timestamp that is neither a number nor text is refused, not signed with some default.
    if let (Ok(options), Some(resolved)) = (&options, &resolved) {
        if options.timestamp == Some(Timestamp::Other) {
            assert!(resolved.is_err(), "{options:?}");
        }
    }
    if let Err(shape) = api::read::<qingcloud_useradd::input::Credentials>(value, Arg::Credentials)
    {
        // Either language names what is wrong.
        assert!(!shape.0.message(Lang::En).is_empty() && !shape.0.message(Lang::Zh).is_empty());
    }
    route::<ClickHouse>(
        api::read::<ClickHouseUserInput>(value, Arg::ClickHouseUser),
        &resolved,
        lang,
    );
    route::<Ehpc>(
        api::read::<EhpcUserInput>(value, Arg::EhpcUser),
        &resolved,
        lang,
    );
    if let (Ok(input), Some(Ok(resolved))) = (
        api::read::<DescribeJobsInput>(value, Arg::DescribeJobs),
        &resolved,
    ) {
        let _ = api::build_describe_jobs(input, &credentials(), resolved, lang);
    }
}

fn route<A: AddUser>(
    input: Result<A::Input, api::WrongShape>,
    resolved: &Option<Result<api::Resolved, qingcloud_useradd::response::ApiError>>,
    lang: Lang,
) {
    let Ok(input) = input else {
        return;
    };
    let user: A::User = input.into();
    let validated = A::validate(&user, lang);
    check(&validated.report, validated.value.is_some());
    if let Some(Ok(resolved)) = resolved {
        let built = api::build::<A>(&user, &credentials(), resolved, lang);
        assert_eq!(built.is_ok(), validated.report.ok);
        if let Ok(request) = built {
            let _ = qingcloud_useradd::preview::preview(&request);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(value) = serde_json::from_slice::<Value>(data) {
        json_route(&value);
        // The same value as each field of an object: wrong types must be refused, not crash.
        for key in [
            "userNetworks",
            "timestamp",
            "cluster",
            "mod",
            "jobs",
            "limit",
        ] {
            json_route(&serde_json::json!({ key: value.clone(), "lang": "zh" }));
        }
    }
    let Ok(fields) = Fields::arbitrary(&mut Unstructured::new(data)) else {
        return;
    };
    let lang = if fields.zh { Lang::Zh } else { Lang::En };
    let user = ClickHouseUser {
        cluster: fields.cluster.clone(),
        zone: fields.zone.clone(),
        user_name: fields.name.clone(),
        user_password: fields.password.clone(),
        user_networks: fields.networks,
    };
    let validated = validate_clickhouse_user(&user, lang);
    check(&validated.report, validated.value.is_some());
    if let Some(valid) = validated.value {
        // Normalised networks are accepted again as they are.
        let again = validate_clickhouse_user(
            &ClickHouseUser {
                user_networks: vec![valid.user_networks.clone()],
                ..user
            },
            lang,
        );
        assert_eq!(
            again.value.map(|v| v.user_networks),
            Some(valid.user_networks)
        );
    }
    let user = EhpcUser {
        cluster_id: fields.cluster,
        zone: fields.zone,
        username: fields.name,
        password: fields.password,
        mode: fields.mode,
    };
    let validated = validate_ehpc_user(&user, lang);
    check(&validated.report, validated.value.is_some());
});
