//! Cargo-style semver requirements as pubgrub version ranges.
//!
//! Each comparator becomes an interval over `semver::Version`'s order, with bounds chosen as
//! if every version were a release (`^1.2` is `>=1.2.0, <2.0.0`); a requirement is the
//! intersection of its comparators. That is exact for releases. Pre-releases are the
//! classic trap: semver accepts `1.5.0-beta` only when a comparator names `1.5.0` with a
//! pre-release, so `^1.2` must not contain `1.5.0-beta` although it lies inside the
//! interval. No finite union of intervals says "releases only", so the known versions of the
//! pack — the only ones resolution can ever pick — are checked one by one against
//! `VersionReq::matches` and added or cut out where the interval disagrees. The result is
//! readable in messages and exact on every version that exists.

use pubgrub::Ranges;
use semver::{Comparator, Op, Version, VersionReq};

/// The versions `req` accepts, exact on `known`.
pub(crate) fn to_ranges<'a>(
    req: &VersionReq,
    known: impl IntoIterator<Item = &'a Version>,
) -> Ranges<Version> {
    let mut ranges = interval(req);
    for version in known {
        let wanted = req.matches(version);
        if wanted != ranges.contains(version) {
            let single = Ranges::singleton(version.clone());
            ranges = if wanted {
                ranges.union(&single)
            } else {
                ranges.intersection(&single.complement())
            };
        }
    }
    ranges
}

/// The intersection of the comparators' intervals (exact for releases).
pub(crate) fn interval(req: &VersionReq) -> Ranges<Version> {
    req.comparators
        .iter()
        .fold(Ranges::full(), |acc, c| acc.intersection(&comparator(c)))
}

fn release(major: u64, minor: u64, patch: u64) -> Version {
    Version::new(major, minor, patch)
}

fn next_major(major: u64) -> Option<Version> {
    major.checked_add(1).map(|m| release(m, 0, 0))
}

fn next_minor(major: u64, minor: u64) -> Option<Version> {
    match minor.checked_add(1) {
        Some(m) => Some(release(major, m, 0)),
        None => next_major(major),
    }
}

fn next_patch(major: u64, minor: u64, patch: u64) -> Option<Version> {
    match patch.checked_add(1) {
        Some(p) => Some(release(major, minor, p)),
        None => next_minor(major, minor),
    }
}

/// `[low, high)`, unbounded above when `high` overflowed.
fn from_to(low: Version, high: Option<Version>) -> Ranges<Version> {
    match high {
        Some(high) => Ranges::between(low, high),
        None => Ranges::higher_than(low),
    }
}

/// `>= v`, empty when `v` overflowed.
fn at_least(v: Option<Version>) -> Ranges<Version> {
    v.map(Ranges::higher_than).unwrap_or_else(Ranges::empty)
}

/// `< v`, everything when `v` overflowed.
fn below(v: Option<Version>) -> Ranges<Version> {
    v.map(Ranges::strictly_lower_than)
        .unwrap_or_else(Ranges::full)
}

fn comparator(c: &Comparator) -> Ranges<Version> {
    let major = c.major;
    // The comparator's version with missing parts as 0, keeping its pre-release.
    let base = Version {
        major,
        minor: c.minor.unwrap_or(0),
        patch: c.patch.unwrap_or(0),
        pre: c.pre.clone(),
        build: semver::BuildMetadata::EMPTY,
    };
    // The versions a partial comparator names: `1` is 1.*.*, `1.2` is 1.2.*.
    let span = || match (c.minor, c.patch) {
        (None, _) => from_to(base.clone(), next_major(major)),
        (Some(minor), None) => from_to(base.clone(), next_minor(major, minor)),
        (Some(_), Some(_)) => Ranges::singleton(base.clone()),
    };
    let after_span = || match (c.minor, c.patch) {
        (None, _) => next_major(major),
        (Some(minor), None) => next_minor(major, minor),
        (Some(_), Some(_)) => None,
    };
    match c.op {
        Op::Exact | Op::Wildcard => span(),
        Op::Greater => match c.patch {
            Some(_) => Ranges::strictly_higher_than(base),
            None => at_least(after_span()),
        },
        Op::GreaterEq => Ranges::higher_than(base),
        Op::Less => Ranges::strictly_lower_than(base),
        Op::LessEq => match c.patch {
            Some(_) => Ranges::lower_than(base),
            None => below(after_span()),
        },
        Op::Tilde => match c.minor {
            Some(minor) => from_to(base, next_minor(major, minor)),
            None => from_to(base, next_major(major)),
        },
        Op::Caret => match (c.minor, c.patch) {
            (None, _) => from_to(base, next_major(major)),
            (Some(minor), None) if major == 0 => from_to(base, next_minor(0, minor)),
            (Some(_), None) => from_to(base, next_major(major)),
            (Some(minor), Some(patch)) if major == 0 && minor == 0 => {
                from_to(base, next_patch(0, 0, patch))
            }
            (Some(minor), Some(_)) if major == 0 => from_to(base, next_minor(0, minor)),
            (Some(_), Some(_)) => from_to(base, next_major(major)),
        },
        // An operator newer than this code: the per-version correction makes it exact.
        _ => Ranges::full(),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn version_strategy() -> impl Strategy<Value = Version> {
        let pre = prop_oneof![
            Just(String::new()),
            Just("alpha".to_string()),
            Just("beta.2".to_string()),
            Just("0".to_string()),
            Just("rc.1".to_string()),
        ];
        (0u64..4, 0u64..4, 0u64..4, pre).prop_map(|(a, b, c, pre)| {
            let text = if pre.is_empty() {
                format!("{a}.{b}.{c}")
            } else {
                format!("{a}.{b}.{c}-{pre}")
            };
            Version::parse(&text).expect("valid version")
        })
    }

    fn comparator_strategy() -> impl Strategy<Value = String> {
        let op = prop_oneof![
            Just(""),
            Just("="),
            Just(">"),
            Just(">="),
            Just("<"),
            Just("<="),
            Just("~"),
            Just("^")
        ];
        let parts = prop_oneof![
            (0u64..4).prop_map(|a| format!("{a}")),
            (0u64..4, 0u64..4).prop_map(|(a, b)| format!("{a}.{b}")),
            (0u64..4, 0u64..4, 0u64..4).prop_map(|(a, b, c)| format!("{a}.{b}.{c}")),
            (0u64..4, 0u64..4, 0u64..4).prop_map(|(a, b, c)| format!("{a}.{b}.{c}-beta.2")),
            (0u64..4).prop_map(|a| format!("{a}.*")),
            (0u64..4, 0u64..4).prop_map(|(a, b)| format!("{a}.{b}.*")),
        ];
        (op, parts).prop_map(|(op, parts)| {
            if parts.contains('*') {
                parts
            } else {
                format!("{op}{parts}")
            }
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// The ranges agree with `VersionReq::matches` on every known version, pre-releases
        /// included, and the intervals alone already agree on every release.
        #[test]
        fn ranges_match_semver(
            comparators in prop::collection::vec(comparator_strategy(), 1..3),
            known in prop::collection::vec(version_strategy(), 0..12),
            probe in version_strategy(),
        ) {
            let Ok(req) = VersionReq::parse(&comparators.join(", ")) else {
                return Ok(());
            };
            let ranges = to_ranges(&req, &known);
            for v in &known {
                prop_assert_eq!(ranges.contains(v), req.matches(v), "{} on {}", req, v);
            }
            if probe.pre.is_empty() {
                prop_assert_eq!(interval(&req).contains(&probe), req.matches(&probe), "{} on {}", req, probe);
            }
        }
    }

    #[test]
    fn pre_releases_need_a_comparator_that_names_them() {
        let known: Vec<Version> = ["1.4.0", "1.5.0-beta.1", "1.5.0", "2.0.0-rc.1"]
            .iter()
            .map(|v| Version::parse(v).unwrap())
            .collect();
        let caret = to_ranges(&VersionReq::parse("^1.2").unwrap(), &known);
        assert!(caret.contains(&known[0]) && caret.contains(&known[2]));
        assert!(
            !caret.contains(&known[1]),
            "^1.2 must not take 1.5.0-beta.1"
        );
        let beta = to_ranges(&VersionReq::parse(">=1.5.0-beta.1").unwrap(), &known);
        assert!(beta.contains(&known[1]));
        assert!(
            !beta.contains(&known[3]),
            "a pre-release of another version is not named"
        );
        assert_eq!(
            interval(&VersionReq::parse("^1.2").unwrap()).to_string(),
            ">=1.2.0, <2.0.0"
        );
    }
}
