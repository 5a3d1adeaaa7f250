//! The three versions of one file as one value, jj-style: `current` (the disk), `base` (what
//! ggen generated last) and `new` (this generation). Absence is a value (`None`): a file not
//! generated before, deleted by the user, or no longer generated.

use serde::{Deserialize, Serialize};

/// The three sides of a three-way decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Merge<T> {
    pub current: T,
    pub base: T,
    pub new: T,
}

impl<T> Merge<T> {
    pub fn new(current: T, base: T, new: T) -> Merge<T> {
        Merge { current, base, new }
    }

    pub fn as_ref(&self) -> Merge<&T> {
        Merge::new(&self.current, &self.base, &self.new)
    }

    pub fn map<U>(self, mut f: impl FnMut(T) -> U) -> Merge<U> {
        Merge::new(f(self.current), f(self.base), f(self.new))
    }
}

impl<T: PartialEq> Merge<T> {
    /// The result when it needs no merge: one side changed (or both the same way). `None`
    /// when both sides changed differently.
    pub fn resolve_trivial(&self) -> Option<&T> {
        if self.current == self.base || self.current == self.new {
            Some(&self.new)
        } else if self.new == self.base {
            Some(&self.current)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trivial_resolution_takes_the_only_side_that_changed() {
        assert_eq!(Merge::new("a", "a", "b").resolve_trivial(), Some(&"b"));
        assert_eq!(Merge::new("b", "a", "a").resolve_trivial(), Some(&"b"));
        assert_eq!(Merge::new("b", "a", "b").resolve_trivial(), Some(&"b"));
        assert_eq!(Merge::new("b", "a", "c").resolve_trivial(), None);
        let absent: Merge<Option<&str>> = Merge::new(Some("x"), None, None);
        assert_eq!(absent.resolve_trivial(), Some(&Some("x")));
        assert_eq!(
            Merge::new(Some(1), Some(2), Some(3)).map(|v| v.map(|n| n * 10)),
            Merge::new(Some(10), Some(20), Some(30))
        );
    }
}
