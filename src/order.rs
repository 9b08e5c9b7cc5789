//! Ordering and repeats, by one stable O(n log n) sort of positions that is compiled once for
//! every use (the signed parameters, the networks of a user, the rows of a bulk call): each
//! further instantiation of the standard sort would cost kilobytes of wasm.

use std::cmp::Ordering;

/// The positions `0..len` in the order `compare` puts them, equal ones in their given order.
pub fn stable_order(len: usize, compare: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    order.sort_by(|&a, &b| compare(a, b));
    order
}

/// Sorts pairs by key (and, with `by_value`, equal keys by value) as Python's stable `sorted`
/// does, so that a request with many parameters in any order costs the same. UTF-8 byte order is
/// code point order, which is how Python compares strings.
pub fn sort_pairs(pairs: &mut [(&str, &str)], by_value: bool) {
    let order = stable_order(pairs.len(), &|a, b| {
        let (a, b) = (pairs[a], pairs[b]);
        match a.0.cmp(b.0) {
            Ordering::Equal if by_value => a.1.cmp(b.1),
            other => other,
        }
    });
    let sorted: Vec<(&str, &str)> = order.iter().map(|&i| pairs[i]).collect();
    pairs.copy_from_slice(&sorted);
}

/// For each key, the position of the first equal key before it, if any; `None` keys repeat
/// nothing.
pub fn earlier_duplicates<K: Ord>(keys: &[Option<K>]) -> Vec<Option<usize>> {
    let order = stable_order(keys.len(), &|a, b| keys[a].cmp(&keys[b]));
    let mut earlier = vec![None; keys.len()];
    let mut first = None;
    for (position, &index) in order.iter().enumerate() {
        if keys[index].is_none() {
            continue;
        }
        // Equal keys are next to each other, the first of them in front.
        let repeats = position > 0 && keys[order[position - 1]] == keys[index];
        match first {
            Some(first) if repeats => earlier[index] = Some(first),
            _ => first = Some(index),
        }
    }
    earlier
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn many_pairs_in_descending_order_come_out_sorted() {
        let keys: Vec<String> = (0..120_000).rev().map(|n| format!("k{n:06}")).collect();
        let mut pairs: Vec<(&str, &str)> = keys.iter().map(|k| (k.as_str(), "v")).collect();
        sort_pairs(&mut pairs, false);
        assert_eq!(pairs.len(), 120_000);
        assert!(pairs.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(pairs[0].0, "k000000");
        sort_pairs(&mut pairs, true);
        assert!(pairs.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn duplicates_point_at_their_first() {
        assert_eq!(
            earlier_duplicates(&[Some("a"), Some("b"), None, Some("a"), None, Some("a")]),
            [None, None, None, Some(0), None, Some(0)]
        );
        assert_eq!(earlier_duplicates::<u8>(&[]), []);
        assert_eq!(earlier_duplicates(&[None::<u8>, None]), [None, None]);
    }

    #[test]
    fn ten_thousand_keys_with_repeats_are_paired_with_their_first() {
        let keys: Vec<Option<usize>> = (0..10_000).map(|i| Some(i % 5_000)).collect();
        let duplicates = earlier_duplicates(&keys);
        assert!(duplicates[..5_000].iter().all(Option::is_none));
        assert!((5_000..10_000).all(|i| duplicates[i] == Some(i - 5_000)));
    }
}
