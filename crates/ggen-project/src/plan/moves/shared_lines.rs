//! Which added files could be alike enough to a dropped one to be its move, found without
//! comparing every pair (see [`SharedLines`]).

use std::collections::HashMap;

use super::{MIN_SIMILARITY, Text};

/// A file's lines as distinct tokens — the line's hash and how many equal lines come before
/// it — so that the lines two files share as multisets are the tokens they share.
type Token = (u64, u32);

/// Which files could share enough lines with a given one to reach [`MIN_SIMILARITY`],
/// found without comparing it with every file (prefix filtering, as in set-similarity
/// joins). Order every token by how few files hold it; a file of `n` lines needs
/// `t = ⌈n·MIN/100⌉` lines in common with any partner (the longer file has at least `n`),
/// and the first token of what two such files share (in that order) lies within the first
/// `n - t + 1` tokens of each. So two files whose prefixes share no token cannot reach the
/// threshold, and [`score_bound`] needs to see only the pairs whose prefixes meet.
pub(super) struct SharedLines<'a> {
    /// How many files hold each token: the order of prefixes (rarest first).
    holders: HashMap<Token, u32>,
    /// Token of an indexed file's prefix → the indexed files whose prefix holds it.
    index: HashMap<Token, Vec<usize>>,
    files: &'a [&'a Text<'a>],
}

impl<'a> SharedLines<'a> {
    /// Indexes `files`; `others` are the files that will be looked up (they count in the
    /// order of tokens, which must be the same for both sides).
    pub(super) fn index<'b>(
        files: &'a [&'a Text<'a>],
        others: impl Iterator<Item = &'b Text<'b>>,
    ) -> SharedLines<'a> {
        let mut holders: HashMap<Token, u32> = HashMap::new();
        let mut count = |text: &Text| {
            for token in tokens(text) {
                *holders.entry(token).or_default() += 1;
            }
        };
        files.iter().for_each(|text| count(text));
        others.for_each(&mut count);
        let mut sharing = SharedLines {
            holders,
            index: HashMap::new(),
            files,
        };
        for (at, text) in files.iter().enumerate() {
            for token in sharing.prefix(text) {
                sharing.index.entry(token).or_default().push(at);
            }
        }
        sharing
    }

    /// The tokens of `text` that any partner reaching the threshold shares with its own
    /// prefix: the rarest `n - t + 1`.
    fn prefix(&self, text: &Text) -> Vec<Token> {
        let lines = text.lines();
        let needed = (lines * MIN_SIMILARITY as usize).div_ceil(100);
        let mut tokens: Vec<Token> = tokens(text).collect();
        // A token never seen while indexing is held by this file alone: rarest of all.
        tokens
            .sort_unstable_by_key(|token| (self.holders.get(token).copied().unwrap_or(0), *token));
        tokens.truncate(lines + 1 - needed.max(1));
        tokens
    }

    /// The indexed files (by position, ascending) whose prefix meets `text`'s.
    pub(super) fn could_reach_threshold(&self, text: &Text) -> Vec<usize> {
        let mut found = vec![false; self.files.len()];
        for token in self.prefix(text) {
            for &at in self.index.get(&token).into_iter().flatten() {
                found[at] = true;
            }
        }
        (0..found.len()).filter(|&at| found[at]).collect()
    }
}

/// The tokens of `text`: its sorted line hashes, each with the number of equal ones before.
fn tokens<'t>(text: &'t Text) -> impl Iterator<Item = Token> + 't {
    let hashes = &text.line_hashes;
    hashes
        .iter()
        .enumerate()
        .scan(0u32, move |run, (at, &hash)| {
            *run = match at > 0 && hashes[at - 1] == hash {
                true => *run + 1,
                false => 0,
            };
            Some((hash, *run))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::moves::score_bound;

    #[test]
    fn the_prefix_filter_keeps_every_pair_the_bound_lets_through() {
        // Files of 1-12 lines drawn from 6 distinct ones (many repeats, many near the
        // threshold), compared every way: a pair whose bound reaches the threshold is
        // always among the candidates, and most others are not.
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move |below: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % below
        };
        let contents: Vec<String> = (0..120)
            .map(|_| {
                (0..1 + next(12))
                    .map(|_| format!("line {}\n", next(6)))
                    .collect()
            })
            .collect();
        let texts: Vec<Text> = contents
            .iter()
            .map(|c| Text::new(c.as_bytes()).unwrap())
            .collect();
        let (indexed, looked_up) = texts.split_at(60);
        let indexed: Vec<&Text> = indexed.iter().collect();
        let sharing = SharedLines::index(&indexed, looked_up.iter());
        let (mut reaching, mut candidates) = (0, 0);
        for text in looked_up {
            let found = sharing.could_reach_threshold(text);
            candidates += found.len();
            for (at, other) in indexed.iter().enumerate() {
                if score_bound(text, other) >= MIN_SIMILARITY {
                    reaching += 1;
                    assert!(found.contains(&at), "{:?} {:?}", text.text, other.text);
                }
            }
        }
        assert!(reaching > 100, "the sample tests too little: {reaching}");
        assert!(candidates < 60 * 60, "nothing was filtered");
    }
}
