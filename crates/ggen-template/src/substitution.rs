//! Templates whose only markup is `{{ name }}`: most files of a pack substitute a few
//! variables into otherwise literal text, and compiling each of them with the engine costs
//! more than everything else that generation does with it. Such a source is split into
//! pieces once and rendered by copying, as long as every name it uses is a string in the
//! context; anything else (another kind of value, an undefined name, any other syntax) is
//! left to the engine, so the output and the errors are always the engine's.

use minijinja::value::Value;

/// A literal run of the source, or the name inside `{{ … }}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Piece<'a> {
    Text(&'a str),
    Name(&'a str),
}

/// Names the engine reads as something other than a variable, or that mean something inside
/// its blocks: left to the engine.
const RESERVED: &[&str] = &[
    "true", "false", "none", "True", "False", "None", "not", "and", "or", "in", "is", "if", "else",
    "loop", "self", "super", "caller", "varargs", "kwargs",
];

/// The pieces of `source` when its only markup is `{{ name }}` with plain spaces around the
/// name (no filters, no whitespace control, no tags or comments); `None` otherwise.
pub(crate) fn pieces(source: &str) -> Option<Vec<Piece<'_>>> {
    let bytes = source.as_bytes();
    let mut pieces = Vec::new();
    let (mut text_from, mut at) = (0, 0);
    while let Some(found) = memchr::memchr(b'{', &bytes[at..]) {
        let open = at + found;
        match bytes.get(open + 1) {
            Some(b'{') => {}
            Some(b'%' | b'#') => return None,
            _ => {
                at = open + 1;
                continue;
            }
        }
        let mut i = skip_spaces(bytes, open + 2);
        let name_from = i;
        if !bytes
            .get(i)
            .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
        {
            return None;
        }
        while bytes
            .get(i)
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
        {
            i += 1;
        }
        let name = &source[name_from..i];
        i = skip_spaces(bytes, i);
        // `}}}` is left to the engine rather than guessing which braces close the block.
        if bytes.get(i..i + 2) != Some(b"}}") || bytes.get(i + 2) == Some(&b'}') {
            return None;
        }
        if RESERVED.contains(&name) {
            return None;
        }
        if text_from < open {
            pieces.push(Piece::Text(&source[text_from..open]));
        }
        pieces.push(Piece::Name(name));
        at = i + 2;
        text_from = at;
    }
    if text_from < source.len() {
        pieces.push(Piece::Text(&source[text_from..]));
    }
    Some(pieces)
}

fn skip_spaces(bytes: &[u8], mut i: usize) -> usize {
    while bytes
        .get(i)
        .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
    {
        i += 1;
    }
    i
}

/// What rendering `pieces` with `context` gave.
pub(crate) enum Substituted {
    Done(Vec<u8>),
    /// Longer than the cap.
    TooLarge,
    /// A name is not a string in `context`: the engine must render it.
    NeedsEngine,
}

/// `pieces` with every name replaced by its string value in `context`.
pub(crate) fn render(pieces: &[Piece<'_>], context: &Value, max_bytes: usize) -> Substituted {
    let mut values = Vec::new();
    let mut length = 0usize;
    for piece in pieces {
        length = length.saturating_add(match piece {
            Piece::Text(text) => text.len(),
            Piece::Name(name) => {
                let Ok(value) = context.get_attr(name) else {
                    return Substituted::NeedsEngine;
                };
                let Some(len) = value.as_str().map(str::len) else {
                    return Substituted::NeedsEngine;
                };
                values.push(value);
                len
            }
        });
    }
    if length > max_bytes {
        return Substituted::TooLarge;
    }
    let mut out = Vec::with_capacity(length);
    let mut values = values.iter();
    for piece in pieces {
        match piece {
            Piece::Text(text) => out.extend_from_slice(text.as_bytes()),
            Piece::Name(_) => {
                let text = values.next().and_then(Value::as_str).unwrap_or_default();
                out.extend_from_slice(text.as_bytes());
            }
        }
    }
    Substituted::Done(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Engine, Fragment, RenderFailure};
    use proptest::prelude::*;
    use std::collections::BTreeMap;
    use std::sync::Arc;

    #[test]
    fn only_plain_substitutions_are_split() {
        assert_eq!(
            pieces("a {{ name }}b{{x}}\n"),
            Some(vec![
                Piece::Text("a "),
                Piece::Name("name"),
                Piece::Text("b"),
                Piece::Name("x"),
                Piece::Text("\n"),
            ])
        );
        assert_eq!(
            pieces("{ not markup }"),
            Some(vec![Piece::Text("{ not markup }")])
        );
        for source in [
            "{{ name | upper }}",
            "{{- name }}",
            "{{ name -}}",
            "{% if x %}{% endif %}",
            "{# comment #}",
            "{{ a.b }}",
            "{{ a b }}",
            "{{ true }}",
            "{{ 1 }}",
            "{{ name }}}",
            "{{ name",
        ] {
            assert_eq!(pieces(source), None, "{source}");
        }
    }

    fn context() -> Value {
        let mut map = BTreeMap::new();
        map.insert("name".to_string(), Value::from("demo"));
        map.insert("empty".to_string(), Value::from(""));
        map.insert("braces".to_string(), Value::from("{{ name }}"));
        map.insert("flag".to_string(), Value::from(true));
        map.insert("count".to_string(), Value::from(3));
        Value::from(map)
    }

    /// What the engine itself makes of `source`, for comparison.
    fn by_engine(source: &str, cap: usize) -> Result<Vec<u8>, String> {
        let engine = Engine::new(Arc::default());
        let template = engine.compile("t", source).map_err(|e| e.to_string())?;
        match Fragment::Compiled(template).render(&context(), cap) {
            Ok(bytes) => Ok(bytes),
            Err(RenderFailure::TooLarge(_)) => Err("too large".into()),
            Err(RenderFailure::Engine(err)) => Err(err.to_string()),
        }
    }

    #[test]
    fn a_name_that_is_not_a_string_goes_to_the_engine() {
        for source in ["{{ flag }}", "{{ count }}", "{{ missing }}", "{{ range }}"] {
            let pieces = pieces(source).unwrap();
            assert!(matches!(
                render(&pieces, &context(), 100),
                Substituted::NeedsEngine
            ));
        }
        assert!(matches!(
            render(&pieces("{{ name }}").unwrap(), &context(), 3),
            Substituted::TooLarge
        ));
    }

    proptest! {
        #[test]
        fn substitution_renders_what_the_engine_renders(
            parts in proptest::collection::vec(
                proptest::sample::select(&[
                    "{{ name }}", "{{name}}", "{{\tname\n}}", "{{ empty }}", "{{ braces }}",
                    "{{ flag }}", "{{ count }}", "{{ missing }}", "{{ name | upper }}", "{{-",
                    "-}}", "{", "}", "{{", "}}", "%", "#", "text", " ", "\n", "\r\n", "é",
                ][..]),
                0..12,
            ),
            cap in 0usize..40,
        ) {
            let source = parts.concat();
            if let Some(pieces) = pieces(&source) {
                let ours = match render(&pieces, &context(), cap) {
                    Substituted::Done(bytes) => Ok(bytes),
                    Substituted::TooLarge => Err("too large".to_string()),
                    Substituted::NeedsEngine => return Ok(()),
                };
                prop_assert_eq!(ours, by_engine(&source, cap));
            }
        }
    }
}
