//! How many requests a bulk run has in flight at once (DescribeJobs calls included): a fixed number, or `'auto'`, a limit that starts low,
//! grows while answers come back quick and clean, and halves when the API shows strain (busy
//! answers, 5xx, timeouts), within `maxConcurrency`. Pure: the driver tells it what happened.

use crate::bulk::retry_kind;
use crate::de::NumberOrText;
use crate::input::whole;
use crate::refusal::Refusal;
use crate::response::{ApiError, ErrorKind};

/// Requests at once when the caller does not say.
pub const DEFAULT_FIXED: u32 = 4;
/// The highest an automatic limit goes when the caller does not say.
pub const DEFAULT_MAX: u32 = 16;
/// The most requests at once either setting allows.
pub const MOST: u32 = 64;
/// Where an automatic limit starts.
const START: u32 = 2;
/// The most rounds of quick answers a probe above a level that keeps meeting strain waits for.
const MOST_PATIENCE: u32 = 16;
/// How much slower than the fastest answer an answer may be and still count as quick, beyond
/// twice the fastest: it absorbs timer and event-loop noise on fast links.
const SLACK_MS: f64 = 50.0;

/// The `concurrency` setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Concurrency {
    Fixed(u32),
    Auto { max: u32 },
}

impl Concurrency {
    /// Reads `concurrency` (a whole number from 1 to 64, or `'auto'`) and `maxConcurrency` (a
    /// whole number from 1 to 64). The error names the field and what it takes.
    pub fn from_options(
        concurrency: Option<&NumberOrText>,
        max_concurrency: Option<f64>,
    ) -> Result<Self, Refusal> {
        match concurrency {
            None => Ok(Concurrency::Fixed(DEFAULT_FIXED)),
            Some(NumberOrText::Number(n)) => {
                whole("concurrency", Some(*n), DEFAULT_FIXED, 1..=MOST)
                    .map(Concurrency::Fixed)
                    .map_err(|_| Refusal::Concurrency)
            }
            Some(NumberOrText::Text(text)) if text == "auto" => Ok(Concurrency::Auto {
                max: whole("maxConcurrency", max_concurrency, DEFAULT_MAX, 1..=MOST)?,
            }),
            Some(NumberOrText::Text(_)) => Err(Refusal::Concurrency),
        }
    }
}

/// Whether a failure shows the API under strain, which an automatic limit backs off from: a busy
/// answer (5000, 5100), a 5xx, a timeout, a connection that gave no answer. These are the failures
/// a bulk run retries, but for a garbled answer, which says nothing of the API's load.
pub fn is_strain(error: &ApiError) -> bool {
    retry_kind(error).is_some() && error.kind != ErrorKind::BadResponse
}

/// The limit of a run as it goes.
#[derive(Clone, Debug)]
pub struct Limit {
    current: u32,
    max: u32,
    adaptive: bool,
    /// The limit when strain was last seen, if it was: below it the limit grows by one per quick
    /// answer, from just below it by one per `patience` rounds of quick answers.
    ceiling: Option<u32>,
    /// Rounds a probe waits for; it doubles each time strain comes again at or below the last
    /// ceiling, so a limit that has found the API's capacity stays there and rarely meets strain.
    patience: u32,
    /// Quick answers since the limit last grew, while probing.
    quick: u32,
    /// Moves on with each decrease. Strain reported by a request sent before the last decrease
    /// has already been acted on, so it does not halve the limit again.
    epoch: u32,
    fastest_ms: f64,
}

impl Limit {
    pub fn new(concurrency: Concurrency) -> Self {
        let (current, max, adaptive) = match concurrency {
            Concurrency::Fixed(n) => (n, n, false),
            Concurrency::Auto { max } => (START.min(max), max, true),
        };
        Limit {
            current,
            max,
            adaptive,
            ceiling: None,
            patience: 1,
            quick: 0,
            epoch: 0,
            fastest_ms: f64::INFINITY,
        }
    }

    /// Requests that may be in flight now.
    pub fn current(&self) -> u32 {
        self.current
    }

    /// What a request notes when it is sent, to report back with its outcome.
    pub fn epoch(&self) -> u32 {
        self.epoch
    }

    /// A request was answered cleanly after `latency_ms`.
    pub fn answered(&mut self, latency_ms: f64) {
        if !self.adaptive {
            return;
        }
        self.fastest_ms = self.fastest_ms.min(latency_ms);
        let quick = latency_ms <= 2.0 * self.fastest_ms + SLACK_MS;
        if !quick || self.current >= self.max {
            return;
        }
        let Some(ceiling) = self.ceiling.filter(|c| self.current + 1 >= *c) else {
            self.current += 1;
            return;
        };
        self.quick += 1;
        if self.quick >= self.current * self.patience {
            self.current += 1;
            self.quick = 0;
            if self.current > ceiling {
                // Past where strain came: the API takes more now.
                self.patience = 1;
            }
        }
    }

    /// A request sent in `epoch` met strain: a busy answer, a 5xx, a timeout, no answer.
    pub fn strained(&mut self, epoch: u32) {
        if !self.adaptive || epoch != self.epoch {
            return;
        }
        if self.ceiling.is_some_and(|ceiling| self.current <= ceiling) {
            self.patience = (self.patience * 2).min(MOST_PATIENCE);
        }
        self.ceiling = Some(self.current);
        self.current = (self.current / 2).max(1);
        self.quick = 0;
        self.epoch += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn auto(max: u32) -> Limit {
        Limit::new(Concurrency::Auto { max })
    }

    #[test]
    fn reads_numbers_and_auto_and_refuses_the_rest() {
        let number = |n| Some(NumberOrText::Number(n));
        let text = |t: &str| Some(NumberOrText::Text(t.into()));
        assert_eq!(
            Concurrency::from_options(None, None),
            Ok(Concurrency::Fixed(4))
        );
        assert_eq!(
            Concurrency::from_options(number(8.0).as_ref(), None),
            Ok(Concurrency::Fixed(8))
        );
        assert_eq!(
            Concurrency::from_options(text("auto").as_ref(), None),
            Ok(Concurrency::Auto { max: 16 })
        );
        assert_eq!(
            Concurrency::from_options(text("auto").as_ref(), Some(6.0)),
            Ok(Concurrency::Auto { max: 6 })
        );
        for refused in [
            number(0.0),
            number(65.0),
            number(2.5),
            number(f64::NAN),
            text("fast"),
        ] {
            assert_eq!(
                Concurrency::from_options(refused.as_ref(), None),
                Err(Refusal::Concurrency)
            );
        }
        assert_eq!(
            Concurrency::from_options(text("auto").as_ref(), Some(0.0)),
            Err(Refusal::Whole {
                field: "maxConcurrency",
                least: 1,
                most: 64
            })
        );
    }

    #[test]
    fn busy_answers_5xx_timeouts_and_lost_connections_are_strain() {
        let api = |code| ApiError {
            ret_code: Some(code),
            ..ApiError::new(ErrorKind::Api, String::new())
        };
        let http = |status| ApiError {
            status: Some(status),
            ..ApiError::new(ErrorKind::Http, String::new())
        };
        assert!(is_strain(&api(5100)) && is_strain(&api(5000)));
        assert!(is_strain(&http(503)) && is_strain(&http(500)));
        assert!(is_strain(&ApiError::timeout(10, crate::messages::Lang::En)));
        assert!(is_strain(&ApiError::network(
            "reset",
            crate::messages::Lang::En
        )));
        assert!(!is_strain(&api(1200)) && !is_strain(&api(2110)) && !is_strain(&http(404)));
        assert!(!is_strain(&ApiError::new(
            ErrorKind::BadResponse,
            String::new()
        )));
    }

    #[test]
    fn a_fixed_limit_never_moves() {
        let mut limit = Limit::new(Concurrency::Fixed(6));
        limit.answered(10.0);
        limit.strained(limit.epoch());
        assert_eq!(limit.current(), 6);
    }

    #[test]
    fn starts_low_grows_on_quick_answers_and_stops_at_the_maximum() {
        let mut limit = auto(16);
        assert_eq!(limit.current(), 2);
        for _ in 0..3 {
            limit.answered(20.0);
        }
        assert_eq!(limit.current(), 5);
        for _ in 0..100 {
            limit.answered(20.0);
        }
        assert_eq!(limit.current(), 16);
        assert_eq!(auto(1).current(), 1);
    }

    #[test]
    fn slow_answers_hold_the_limit() {
        let mut limit = auto(16);
        limit.answered(20.0);
        let before = limit.current();
        // Twice the fastest plus the slack is the most a quick answer takes.
        limit.answered(2.0 * 20.0 + SLACK_MS + 1.0);
        assert_eq!(limit.current(), before);
        limit.answered(2.0 * 20.0 + SLACK_MS);
        assert_eq!(limit.current(), before + 1);
    }

    #[test]
    fn strain_halves_once_per_round_then_growth_slows_near_where_it_came() {
        let mut limit = auto(16);
        for _ in 0..6 {
            limit.answered(20.0);
        }
        assert_eq!(limit.current(), 8);
        let sent_in = limit.epoch();
        // Eight requests in flight meet strain together: one halving, not three.
        for _ in 0..3 {
            limit.strained(sent_in);
        }
        assert_eq!(limit.current(), 4);
        // Quick answers bring it back fast to just below where strain came...
        for _ in 0..3 {
            limit.answered(20.0);
        }
        assert_eq!(limit.current(), 7);
        // ...then one more per round of quick answers.
        for _ in 0..6 {
            limit.answered(20.0);
        }
        assert_eq!(limit.current(), 7);
        limit.answered(20.0);
        assert_eq!(limit.current(), 8);
        // Strain met by a request sent after the halving halves again.
        limit.strained(limit.epoch());
        assert_eq!(limit.current(), 4);
        let mut floor = auto(2);
        floor.strained(floor.epoch());
        floor.strained(floor.epoch());
        assert_eq!(floor.current(), 1);
    }

    #[test]
    fn strain_again_at_the_same_level_makes_probing_wait_longer() {
        let mut limit = auto(16);
        let rounds_to_probe = |limit: &mut Limit| {
            // Back up fast to just below the ceiling, then count quick answers to the next step.
            let start = limit.current();
            let mut answers = 0;
            while limit.current() <= start || limit.current() < 7 {
                limit.answered(20.0);
                answers += 1;
            }
            answers
        };
        for _ in 0..5 {
            limit.answered(20.0);
        }
        assert_eq!(limit.current(), 7);
        limit.strained(limit.epoch());
        let first = rounds_to_probe(&mut limit);
        limit.strained(limit.epoch());
        let second = rounds_to_probe(&mut limit);
        assert!(
            second > first,
            "{first} then {second} answers before probing 7 again"
        );
        // Growing past the ceiling without strain shows more room: probing is eager again.
        for _ in 0..1_000 {
            limit.answered(20.0);
        }
        assert_eq!(limit.current(), 16);
    }

    /// A server that takes `capacity` requests at once and turns the rest away, and a client that
    /// sends rounds of `limit` requests: the limit settles at the capacity, probing above it less
    /// and less often, so that few requests are turned away.
    #[test]
    fn settles_around_a_servers_capacity() {
        let capacity = 6;
        let mut limit = auto(16);
        let (mut sent, mut busy, mut in_flight_sum) = (0, 0, 0);
        for _ in 0..200 {
            let epoch = limit.epoch();
            let in_flight = limit.current();
            in_flight_sum += in_flight;
            for request in 0..in_flight {
                sent += 1;
                if request < capacity {
                    limit.answered(20.0);
                } else {
                    busy += 1;
                    limit.strained(epoch);
                }
            }
        }
        let mean = f64::from(in_flight_sum) / 200.0;
        // Within 10% of the capacity on average (a fixed 6 would be the best setting)...
        assert!((5.4..=6.6).contains(&mean), "mean limit {mean}");
        // ...with one request in 20 turned away, where a fixed 16 has 10 in 16 turned away.
        assert!(busy * 20 <= sent, "{busy} of {sent} turned away");
    }
}
