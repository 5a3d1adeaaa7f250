//! Asking for a pack's variables: a text input, a yes/no, a list to choose one or several
//! from, or a password field for a secret; every answer is checked like `--var` is and asked
//! again with the reason when it fails.

use std::io::IsTerminal;

use dialoguer::theme::ColorfulTheme;
use dialoguer::{Confirm, Input, MultiSelect, Password, Select};
use ggen_pack::VariableType;
use ggen_pack::variables::Question;

/// Whether variables may be asked at all: stdin and stderr are terminals and `--defaults`
/// was not given.
pub fn can_ask(defaults: bool) -> bool {
    !defaults && std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// Asks `question` on stderr until the answer is valid; `None` when the terminal fails
/// (closed, interrupted): the variable is then treated as unanswered.
pub fn ask(question: &Question<'_>) -> Option<String> {
    let theme = ColorfulTheme::default();
    let term = dialoguer::console::Term::stderr();
    let _ = term.write_line(&heading(question));
    if let Some(reason) = &question.reason {
        let _ = term.write_line(&format!("  {reason}"));
    }
    let spec = question.spec;
    let prompt = question.name.to_string();
    if spec.secret {
        return secret(question, &theme, prompt);
    }
    match spec.kind {
        VariableType::Bool => {
            let mut confirm = Confirm::with_theme(&theme).with_prompt(prompt);
            if let Some(default) = question.default {
                confirm = confirm.default(default == "true");
            }
            let answer = confirm.interact_on(&term).ok()?;
            question.check(&answer.to_string()).ok()
        }
        VariableType::Choice => loop {
            let default = question
                .default
                .and_then(|d| spec.choices.iter().position(|c| c == d))
                .unwrap_or(0);
            let index = Select::with_theme(&theme)
                .with_prompt(&prompt)
                .items(&spec.choices)
                .default(default)
                .interact_on(&term)
                .ok()?;
            match question.check(&spec.choices[index]) {
                Ok(value) => return Some(value),
                Err(reason) => refused(&term, &reason),
            }
        },
        VariableType::List if !spec.choices.is_empty() => loop {
            let chosen: Vec<&str> = question
                .default
                .map(|d| d.split(',').collect())
                .unwrap_or_default();
            let checked: Vec<bool> = spec
                .choices
                .iter()
                .map(|c| chosen.contains(&c.as_str()))
                .collect();
            let indexes = MultiSelect::with_theme(&theme)
                .with_prompt(format!("{prompt} (space to pick, enter to accept)"))
                .items(&spec.choices)
                .defaults(&checked)
                .interact_on(&term)
                .ok()?;
            let picked: Vec<&str> = indexes.iter().map(|&i| spec.choices[i].as_str()).collect();
            match question.check(&picked.join(",")) {
                Ok(value) => return Some(value),
                Err(reason) => refused(&term, &reason),
            }
        },
        VariableType::String | VariableType::Int | VariableType::List => {
            let mut input = Input::<String>::with_theme(&theme)
                .with_prompt(prompt)
                .validate_with(|text: &String| question.check(text).map(|_| ()));
            if let Some(default) = question.default {
                input = input.default(default.to_string());
            }
            let answer = input.interact_text_on(&term).ok()?;
            question.check(&answer).ok()
        }
    }
}

/// A secret: typed without echo; an empty answer takes the default when there is one.
fn secret(question: &Question<'_>, theme: &ColorfulTheme, prompt: String) -> Option<String> {
    let default = question.default;
    let prompt = match default {
        Some(_) => format!("{prompt} (hidden; empty for the default)"),
        None => format!("{prompt} (hidden)"),
    };
    let answer = Password::with_theme(theme)
        .with_prompt(prompt)
        .allow_empty_password(default.is_some())
        .validate_with(|text: &String| match (text.is_empty(), default) {
            (true, Some(_)) => Ok(()),
            _ => question.check(text).map(|_| ()),
        })
        .interact_on(&dialoguer::console::Term::stderr())
        .ok()?;
    let answer = match (answer.is_empty(), default) {
        (true, Some(default)) => default.to_string(),
        _ => answer,
    };
    question.check(&answer).ok()
}

fn refused(term: &dialoguer::console::Term, reason: &str) {
    let _ = term.write_line(&format!("  not accepted: {reason}; choose again"));
}

/// `pack web · owner (string): who owns the repository`, then what is allowed.
fn heading(question: &Question<'_>) -> String {
    let spec = question.spec;
    let mut line = format!(
        "pack {} · {} ({})",
        question.pack,
        question.name,
        if spec.secret {
            "secret"
        } else {
            spec.kind.name()
        }
    );
    if let Some(description) = &spec.description {
        line.push_str(&format!(": {description}"));
    }
    let mut allowed = Vec::new();
    match spec.kind {
        VariableType::Bool => allowed.push("yes or no".to_string()),
        VariableType::Int => allowed.push("an integer".to_string()),
        VariableType::List if spec.choices.is_empty() => {
            allowed.push("comma-separated".to_string())
        }
        _ => {}
    }
    if let Some(pattern) = &spec.pattern {
        allowed.push(format!("must match `{pattern}`"));
    }
    if !allowed.is_empty() {
        line.push_str(&format!(" [{}]", allowed.join("; ")));
    }
    line
}
