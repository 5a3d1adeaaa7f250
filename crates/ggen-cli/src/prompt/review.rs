//! The `--merge-strategy manual` review: each merge shown as a diff, then one question per
//! file — yes (write it), no (leave the file), all (this one and every later one), quit (leave
//! this one and every later one) — like `git add -p`.

use std::io::Write;
use std::sync::Mutex;

use dialoguer::Input;
use dialoguer::console::Term;

use crate::printer::colored_diff;

/// An answer that settles the remaining files too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Standing {
    AcceptAll,
    DeclineAll,
}

/// Asks per file; remembers `all` and `quit` for the files after it.
#[derive(Default)]
pub struct MergeReview {
    standing: Mutex<Option<Standing>>,
}

impl MergeReview {
    /// Shows `diff` (current -> merged) and asks whether to write the merge of `path`.
    /// `None` when the terminal cannot be read (closed, interrupted): nothing is written then.
    pub fn ask(&self, path: &str, diff: &str) -> Option<bool> {
        let mut standing = self.standing.lock().ok()?;
        match *standing {
            Some(Standing::AcceptAll) => return Some(true),
            Some(Standing::DeclineAll) => return Some(false),
            None => {}
        }
        let mut err = anstream::stderr();
        let _ = write!(err, "{}", colored_diff(diff));
        let _ = err.flush();
        let answer: String = Input::new()
            .with_prompt(format!(
                "Write the merge of {path}? [y]es, [n]o, [a]ll remaining, [q]uit"
            ))
            .validate_with(|text: &String| match Answer::parse(text) {
                Some(_) => Ok(()),
                None => Err("answer y, n, a or q"),
            })
            .interact_text_on(&Term::stderr())
            .ok()?;
        let answer = Answer::parse(&answer)?;
        match answer {
            Answer::Yes => Some(true),
            Answer::No => Some(false),
            Answer::All => {
                *standing = Some(Standing::AcceptAll);
                Some(true)
            }
            Answer::Quit => {
                *standing = Some(Standing::DeclineAll);
                Some(false)
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer {
    Yes,
    No,
    All,
    Quit,
}

impl Answer {
    fn parse(text: &str) -> Option<Answer> {
        match text.trim().to_ascii_lowercase().as_str() {
            "y" | "yes" => Some(Answer::Yes),
            "n" | "no" => Some(Answer::No),
            "a" | "all" => Some(Answer::All),
            "q" | "quit" => Some(Answer::Quit),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Answer;

    #[test]
    fn answers_are_letters_or_words_in_any_case() {
        assert_eq!(Answer::parse("y"), Some(Answer::Yes));
        assert_eq!(Answer::parse(" No \n"), Some(Answer::No));
        assert_eq!(Answer::parse("ALL"), Some(Answer::All));
        assert_eq!(Answer::parse("q"), Some(Answer::Quit));
        assert_eq!(Answer::parse("maybe"), None);
        assert_eq!(Answer::parse(""), None);
    }
}
