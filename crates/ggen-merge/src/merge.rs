//! Merges as values: a three-term [`Merge`] you ask whether it resolves, and merge hunks.
//!
//! Modelled on jj's `lib/src/merge.rs`: a merge is not a string with markers but a value with
//! the terms `[current, base, other]`. Whether it is resolved is a question you ask it.
//! Absence is a value too: with `Merge<Option<T>>`, "modified on one side, deleted on the
//! other" is an ordinary unresolved merge.

use serde::Serialize;

/// The three terms of a three-way merge: `current` (ours), `base` (the common ancestor) and
/// `other` (theirs).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Merge<T> {
    current: T,
    base: T,
    other: T,
}

impl<T> Merge<T> {
    /// A merge of `current` and `other`, which both started from `base`.
    pub fn new(current: T, base: T, other: T) -> Self {
        Merge {
            current,
            base,
            other,
        }
    }

    /// A merge whose three terms are the same value.
    pub fn resolved(value: T) -> Self
    where
        T: Clone,
    {
        Merge {
            current: value.clone(),
            base: value.clone(),
            other: value,
        }
    }

    /// The current (our) term.
    pub fn current(&self) -> &T {
        &self.current
    }

    /// The base (common ancestor) term.
    pub fn base(&self) -> &T {
        &self.base
    }

    /// The other (their) term.
    pub fn other(&self) -> &T {
        &self.other
    }

    /// The terms in the order `[current, base, other]`.
    pub fn terms(&self) -> [&T; 3] {
        [&self.current, &self.base, &self.other]
    }

    /// The terms by value, in the order `[current, base, other]`.
    pub fn into_terms(self) -> [T; 3] {
        [self.current, self.base, self.other]
    }

    /// Apply `f` to every term.
    pub fn map<U>(&self, mut f: impl FnMut(&T) -> U) -> Merge<U> {
        Merge {
            current: f(&self.current),
            base: f(&self.base),
            other: f(&self.other),
        }
    }

    /// Borrow every term.
    pub fn as_ref(&self) -> Merge<&T> {
        Merge {
            current: &self.current,
            base: &self.base,
            other: &self.other,
        }
    }
}

impl<T: PartialEq> Merge<T> {
    /// The trivial resolution, if there is one: when one side did not change the base, the
    /// other side wins; when both sides made the same change, that change wins.
    ///
    /// `current == base` gives `other`; `other == base` gives `current`;
    /// `current == other` gives `current`. Anything else is a conflict (`None`).
    pub fn resolve_trivial(&self) -> Option<&T> {
        if self.current == self.base {
            Some(&self.other)
        } else if self.other == self.base || self.current == self.other {
            Some(&self.current)
        } else {
            None
        }
    }

    /// Whether the merge resolves trivially (see [`Merge::resolve_trivial`]).
    pub fn is_resolved(&self) -> bool {
        self.resolve_trivial().is_some()
    }
}

/// The line ending a conflict's marker lines use (git matches the surrounding lines).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub enum LineEnding {
    /// `\n`
    #[default]
    Lf,
    /// `\r\n`
    CrLf,
}

impl LineEnding {
    /// The bytes of this line ending.
    pub fn as_bytes(self) -> &'static [u8] {
        match self {
            LineEnding::Lf => b"\n",
            LineEnding::CrLf => b"\r\n",
        }
    }
}

/// One piece of a line merge: lines everyone agrees on, or a conflict between whole lines.
///
/// Every byte string holds complete lines (the last one may lack its newline at the end of a
/// file). A conflict is what the line merge reports as one.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum MergeHunk {
    /// Lines taken without conflict.
    Resolved(Vec<u8>),
    /// Lines the two sides changed in different ways, and the line ending of its markers.
    Conflicted(Merge<Vec<u8>>, LineEnding),
}

impl MergeHunk {
    /// Whether this hunk is a conflict.
    pub fn is_conflict(&self) -> bool {
        matches!(self, MergeHunk::Conflicted(..))
    }
}

/// Append `hunk` to `hunks`, joining adjacent resolved hunks and dropping empty ones, so that
/// equal merges always have equal hunk lists.
pub(crate) fn push_hunk(hunks: &mut Vec<MergeHunk>, hunk: MergeHunk) {
    match hunk {
        MergeHunk::Resolved(text) if text.is_empty() => {}
        MergeHunk::Resolved(text) => match hunks.last_mut() {
            Some(MergeHunk::Resolved(previous)) => previous.extend_from_slice(&text),
            _ => hunks.push(MergeHunk::Resolved(text)),
        },
        conflict => hunks.push(conflict),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trivial_resolution_follows_the_three_way_rules() {
        assert_eq!(Merge::new("b", "b", "x").resolve_trivial(), Some(&"x"));
        assert_eq!(Merge::new("x", "b", "b").resolve_trivial(), Some(&"x"));
        assert_eq!(Merge::new("x", "b", "x").resolve_trivial(), Some(&"x"));
        assert_eq!(Merge::new("x", "b", "y").resolve_trivial(), None);
        assert!(!Merge::new("x", "b", "y").is_resolved());
        assert!(Merge::resolved("same").is_resolved());
    }

    #[test]
    fn absence_is_a_value_so_modify_delete_is_a_conflict() {
        let modify_delete = Merge::new(Some("edited"), Some("original"), None);
        assert!(!modify_delete.is_resolved());
        let delete_untouched = Merge::new(None, Some("original"), Some("original"));
        assert_eq!(delete_untouched.resolve_trivial(), Some(&None));
        let both_deleted: Merge<Option<&str>> = Merge::new(None, Some("original"), None);
        assert_eq!(both_deleted.resolve_trivial(), Some(&None));
    }

    #[test]
    fn map_and_terms_keep_the_order() {
        let m = Merge::new(1, 2, 3).map(|x| x * 10);
        assert_eq!(m.terms(), [&10, &20, &30]);
        assert_eq!(m.into_terms(), [10, 20, 30]);
    }

    #[test]
    fn push_hunk_normalises() {
        let mut hunks = Vec::new();
        push_hunk(&mut hunks, MergeHunk::Resolved(b"a\n".to_vec()));
        push_hunk(&mut hunks, MergeHunk::Resolved(Vec::new()));
        push_hunk(&mut hunks, MergeHunk::Resolved(b"b\n".to_vec()));
        assert_eq!(hunks, vec![MergeHunk::Resolved(b"a\nb\n".to_vec())]);
    }
}
