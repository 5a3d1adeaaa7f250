//! The rows the benchmark prints: ggen's figure, the reference measured in the same run,
//! their ratio, the target and whether it is met.

use crate::timing::{Stats, seconds};

/// What a row promises.
#[derive(Debug, Clone, Copy)]
pub enum Target {
    /// The reference takes at least this many times as long as ggen.
    FasterBy(f64),
    /// ggen takes at most this many times as long as the reference.
    AtMostTimes(f64),
    /// ggen takes at most this many seconds.
    AtMostSeconds(f64),
    /// Shown for information.
    None,
}

pub struct Row {
    pub files: usize,
    pub measure: String,
    pub ggen: Stats,
    /// The reference's name and figures.
    pub reference: Option<(String, Stats)>,
    pub target: Target,
    /// Anything else worth a column (peak memory).
    pub note: String,
}

impl Row {
    /// reference / ggen for a "faster by" target, ggen / reference otherwise.
    fn ratio(&self) -> Option<f64> {
        let (_, reference) = self.reference.as_ref()?;
        Some(match self.target {
            Target::FasterBy(_) => reference.median / self.ggen.median,
            _ => self.ggen.median / reference.median,
        })
    }

    fn ratio_text(&self) -> String {
        match (self.ratio(), self.target) {
            (Some(r), Target::FasterBy(_)) => format!("{r:.0}× faster"),
            (Some(r), _) => format!("{r:.2}×"),
            (None, _) => "—".into(),
        }
    }

    fn target_text(&self) -> String {
        match self.target {
            Target::FasterBy(x) => format!("≥ {x:.0}× faster"),
            Target::AtMostTimes(x) => format!("≤ {x}×"),
            Target::AtMostSeconds(s) => format!("≤ {}", seconds(s)),
            Target::None => "—".into(),
        }
    }

    /// `Some(true)` when the target is met (on medians), `None` without a target.
    pub fn met(&self) -> Option<bool> {
        match self.target {
            Target::FasterBy(x) => self.ratio().map(|r| r >= x),
            Target::AtMostTimes(x) => self.ratio().map(|r| r <= x),
            Target::AtMostSeconds(s) => Some(self.ggen.median <= s),
            Target::None => None,
        }
    }

    fn verdict(&self) -> &'static str {
        match self.met() {
            Some(true) => "met",
            Some(false) => "MISSED",
            None => "",
        }
    }

    /// One line while the benchmark runs.
    pub fn progress_line(&self) -> String {
        let reference = match &self.reference {
            Some((name, stats)) => format!("  vs {name} {}", stats.describe()),
            None => String::new(),
        };
        format!(
            "{:<7} {:<44} {}{reference}  {}  {} {}{}",
            self.files,
            self.measure,
            self.ggen.describe(),
            self.ratio_text(),
            self.target_text(),
            self.verdict(),
            if self.note.is_empty() {
                String::new()
            } else {
                format!("  ({})", self.note)
            }
        )
    }
}

/// The rows as a Markdown table (what the README's performance table is made from).
pub fn markdown(rows: &[Row]) -> String {
    let mut out = String::from(
        "| files | measure | ggen: median [min–max] | reference, same run | ratio | target | verdict |\n\
         |---|---|---|---|---|---|---|\n",
    );
    for row in rows {
        let reference = match &row.reference {
            Some((name, stats)) => format!("{name}: {}", stats.describe()),
            None => "—".into(),
        };
        let note = if row.note.is_empty() {
            String::new()
        } else {
            format!("; {}", row.note)
        };
        out.push_str(&format!(
            "| {} | {} | {}{note} | {reference} | {} | {} | {} |\n",
            row.files,
            row.measure,
            row.ggen.describe(),
            row.ratio_text(),
            row.target_text(),
            row.verdict()
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn stats(ms: u64) -> Stats {
        Stats::of(&[Duration::from_millis(ms)])
    }

    fn row(ggen: u64, reference: u64, target: Target) -> Row {
        Row {
            files: 200,
            measure: "m".into(),
            ggen: stats(ggen),
            reference: Some(("ref".into(), stats(reference))),
            target,
            note: String::new(),
        }
    }

    #[test]
    fn targets_are_judged_on_the_ratio_of_medians() {
        assert_eq!(row(10, 1000, Target::FasterBy(100.0)).met(), Some(true));
        assert_eq!(row(11, 1000, Target::FasterBy(100.0)).met(), Some(false));
        assert_eq!(row(130, 100, Target::AtMostTimes(1.3)).met(), Some(true));
        assert_eq!(row(131, 100, Target::AtMostTimes(1.3)).met(), Some(false));
        assert_eq!(row(400, 0, Target::AtMostSeconds(0.4)).met(), Some(true));
        assert_eq!(row(401, 0, Target::AtMostSeconds(0.4)).met(), Some(false));
        assert!(markdown(&[row(11, 1000, Target::FasterBy(100.0))]).contains("| MISSED |"));
    }
}
