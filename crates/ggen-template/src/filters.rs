//! Case-conversion and RDF filters for templates: `snake_case`, `camel_case`, `pascal_case`,
//! `kebab_case`, `shouty_snake_case`, `local`, `plural`.
//!
//! Written here rather than taken from `heck` so the word-splitting rules are ours to
//! document and test, and identical across releases (generated names must not shift when a
//! dependency changes its mind about digits).

/// Splits an identifier-ish string into words.
///
/// Boundaries: every non-alphanumeric character (dropped), a lower-case letter or digit
/// followed by an upper-case letter (`userId` → `user Id`, `utf8Decoder` → `utf8 Decoder`),
/// and the last capital of an acronym followed by a lower-case letter (`HTTPServer` →
/// `HTTP Server`). A letter followed by a digit is no boundary (`sha256`, `v2`).
pub fn words(input: &str) -> Vec<String> {
    let chars: Vec<char> = input.chars().collect();
    let mut words = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        if !current.is_empty() && i > 0 {
            let prev = chars[i - 1];
            let next_is_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            let boundary = c.is_uppercase()
                && (prev.is_lowercase()
                    || prev.is_numeric()
                    || (prev.is_uppercase() && next_is_lower));
            if boundary {
                words.push(std::mem::take(&mut current));
            }
        }
        current.push(c);
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

fn lower(word: &str) -> String {
    word.to_lowercase()
}

fn upper(word: &str) -> String {
    word.to_uppercase()
}

/// First character upper case, the rest lower case (`HTTP` → `Http`).
fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first
            .to_uppercase()
            .chain(chars.flat_map(char::to_lowercase))
            .collect(),
        None => String::new(),
    }
}

/// `HTTPServer` → `http_server`, `my-app` → `my_app`.
pub fn snake_case(input: &str) -> String {
    join(input, "_", lower)
}

/// `my_app` → `my-app`.
pub fn kebab_case(input: &str) -> String {
    join(input, "-", lower)
}

/// `myApp` → `MY_APP`.
pub fn shouty_snake_case(input: &str) -> String {
    join(input, "_", upper)
}

/// `my-app` → `MyApp`, `HTTPServer` → `HttpServer`.
pub fn pascal_case(input: &str) -> String {
    join(input, "", capitalized)
}

/// `my-app` → `myApp`, `HTTPServer` → `httpServer`.
pub fn camel_case(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    for (i, word) in words(input).iter().enumerate() {
        if i == 0 {
            out.push_str(&lower(word));
        } else {
            out.push_str(&capitalized(word));
        }
    }
    out
}

fn join(input: &str, separator: &str, case: fn(&str) -> String) -> String {
    words(input)
        .iter()
        .map(|w| case(w))
        .collect::<Vec<_>>()
        .join(separator)
}

/// The local name of an IRI: after the last `#`, else the last `/`, else the last `:`, else
/// the whole string (`http://ex.org/ns#User` → `User`).
pub fn local(iri: &str) -> String {
    let cut = iri
        .rfind('#')
        .or_else(|| iri.rfind('/'))
        .or_else(|| iri.rfind(':'));
    match cut {
        Some(at) => iri[at + 1..].to_string(),
        None => iri.to_string(),
    }
}

/// A naive English plural, good for identifiers (`entity` → `entities`, `class` →
/// `classes`, `user` → `users`); irregular nouns are not known.
pub fn plural(word: &str) -> String {
    if word.is_empty() {
        return String::new();
    }
    let shouting = word.chars().any(char::is_alphabetic) && word == word.to_uppercase();
    let mut reversed = word.chars().rev();
    let last = reversed.next().map(|c| c.to_ascii_lowercase());
    let before_last = reversed.next();
    if last == Some('y')
        && before_last.is_some_and(|c| c.is_alphabetic() && !"aeiouAEIOU".contains(c))
    {
        // The `y` is one ASCII byte, so cutting it off stays on a character boundary.
        let stem = &word[..word.len() - 1];
        return format!("{stem}{}", if shouting { "IES" } else { "ies" });
    }
    let lower = word.to_ascii_lowercase();
    let sibilant = ["s", "x", "z", "ch", "sh"]
        .iter()
        .any(|end| lower.ends_with(end));
    let suffix = match (sibilant, shouting) {
        (true, true) => "ES",
        (true, false) => "es",
        (false, true) => "S",
        (false, false) => "s",
    };
    format!("{word}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn case_table() {
        // input, snake, camel, pascal, kebab, shouty
        let table = [
            (
                "HTTPServer",
                "http_server",
                "httpServer",
                "HttpServer",
                "http-server",
                "HTTP_SERVER",
            ),
            (
                "userId", "user_id", "userId", "UserId", "user-id", "USER_ID",
            ),
            ("my-app", "my_app", "myApp", "MyApp", "my-app", "MY_APP"),
            ("my_app", "my_app", "myApp", "MyApp", "my-app", "MY_APP"),
            ("My App", "my_app", "myApp", "MyApp", "my-app", "MY_APP"),
            ("MY_APP", "my_app", "myApp", "MyApp", "my-app", "MY_APP"),
            (
                "userID", "user_id", "userId", "UserId", "user-id", "USER_ID",
            ),
            (
                "utf8Decoder",
                "utf8_decoder",
                "utf8Decoder",
                "Utf8Decoder",
                "utf8-decoder",
                "UTF8_DECODER",
            ),
            ("sha256", "sha256", "sha256", "Sha256", "sha256", "SHA256"),
            (
                "HTTP2Server",
                "http2_server",
                "http2Server",
                "Http2Server",
                "http2-server",
                "HTTP2_SERVER",
            ),
            (
                "  __lead--trail__ ",
                "lead_trail",
                "leadTrail",
                "LeadTrail",
                "lead-trail",
                "LEAD_TRAIL",
            ),
            (
                "already_snake_case",
                "already_snake_case",
                "alreadySnakeCase",
                "AlreadySnakeCase",
                "already-snake-case",
                "ALREADY_SNAKE_CASE",
            ),
            (
                "XMLHttpRequest",
                "xml_http_request",
                "xmlHttpRequest",
                "XmlHttpRequest",
                "xml-http-request",
                "XML_HTTP_REQUEST",
            ),
            ("a", "a", "a", "A", "a", "A"),
            ("", "", "", "", "", ""),
            ("--", "", "", "", "", ""),
            (
                "Straße café",
                "straße_café",
                "straßeCafé",
                "StraßeCafé",
                "straße-café",
                "STRASSE_CAFÉ",
            ),
        ];
        for (input, snake, camel, pascal, kebab, shouty) in table {
            assert_eq!(snake_case(input), snake, "snake_case({input:?})");
            assert_eq!(camel_case(input), camel, "camel_case({input:?})");
            assert_eq!(pascal_case(input), pascal, "pascal_case({input:?})");
            assert_eq!(kebab_case(input), kebab, "kebab_case({input:?})");
            assert_eq!(
                shouty_snake_case(input),
                shouty,
                "shouty_snake_case({input:?})"
            );
        }
    }

    #[test]
    fn local_names() {
        assert_eq!(local("http://example.org/ns#User"), "User");
        assert_eq!(local("http://example.org/model/Order"), "Order");
        assert_eq!(local("urn:isbn:12345"), "12345");
        assert_eq!(local("http://example.org/a#b/c"), "b/c");
        assert_eq!(local("plain"), "plain");
        assert_eq!(local(""), "");
    }

    #[test]
    fn plurals() {
        let table = [
            ("user", "users"),
            ("entity", "entities"),
            ("key", "keys"),
            ("class", "classes"),
            ("box", "boxes"),
            ("match", "matches"),
            ("wish", "wishes"),
            ("USER", "USERS"),
            ("ENTITY", "ENTITIES"),
            ("y", "ys"),
            ("", ""),
        ];
        for (word, expected) in table {
            assert_eq!(plural(word), expected, "plural({word:?})");
        }
    }

    proptest! {
        #[test]
        fn case_filters_never_panic(input in any::<String>()) {
            let _ = (snake_case(&input), kebab_case(&input), shouty_snake_case(&input));
            let _ = (camel_case(&input), pascal_case(&input), local(&input), plural(&input));
        }

        #[test]
        fn case_filters_give_clean_identifiers(input in "[A-Za-z0-9 _.-]{0,24}") {
            let snake = snake_case(&input);
            prop_assert!(snake.chars().all(|c| c == '_' || c.is_ascii_lowercase() || c.is_ascii_digit()));
            prop_assert!(!snake.starts_with('_') && !snake.ends_with('_') && !snake.contains("__"));
            let pascal = pascal_case(&input);
            prop_assert!(pascal.chars().all(|c| c.is_ascii_alphanumeric()));
            prop_assert!(!kebab_case(&input).contains("--"));
            // Converting again changes nothing.
            prop_assert_eq!(snake_case(&snake), snake.clone());
            let kebab = kebab_case(&input);
            prop_assert_eq!(kebab_case(&kebab), kebab.clone());
        }
    }
}
