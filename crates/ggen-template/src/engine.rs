//! The configured minijinja environment, compiled fragments, capped output and error wording.

use std::io;

use minijinja::value::Value;
use minijinja::{AutoEscape, Environment, UndefinedBehavior};

use crate::filters;

/// Work one render may do before it is stopped: one fuel is about one instruction or 64
/// bytes of data. Generous for real templates (a 10,000-row loop with a few expressions per
/// row spends well under a million) while a runaway nested loop stops within about a
/// second instead of hanging generation.
const FUEL: u64 = 30_000_000;

/// The environment shared by every render; built once per [`crate::Renderer`].
pub(crate) struct Engine {
    env: Environment<'static>,
}

impl Engine {
    pub(crate) fn new() -> Engine {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        // Generated code is not HTML: never escape, whatever the file name says.
        env.set_auto_escape_callback(|_| AutoEscape::None);
        env.set_fuel(Some(FUEL));
        let mut syntax = minijinja::syntax::SyntaxConfig::builder();
        syntax.keep_trailing_newline(true);
        // The default delimiters always build; fall back to the defaults (which differ only
        // in dropping one final newline) rather than panic if that ever changes.
        if let Ok(config) = syntax.build() {
            env.set_syntax(config);
        }
        add_filters(&mut env);
        Engine { env }
    }

    /// Compiles `source` unless it has no template syntax at all, in which case rendering
    /// is the identity and the engine is skipped (most files of a pack are like that).
    pub(crate) fn fragment<'a>(
        &'a self,
        name: &'a str,
        source: &'a str,
    ) -> Result<Fragment<'a>, minijinja::Error> {
        if !has_markup(source) {
            return Ok(Fragment::Literal(source));
        }
        crate::nesting::check_template(source)
            .map_err(|message| minijinja::Error::new(minijinja::ErrorKind::SyntaxError, message))?;
        let template = self.env.template_from_named_str(name, source)?;
        Ok(Fragment::Compiled(template))
    }
}

fn add_filters(env: &mut Environment<'static>) {
    fn text(value: &Value) -> String {
        match value.as_str() {
            Some(s) => s.to_string(),
            None => value.to_string(),
        }
    }
    env.add_filter("snake_case", |v: Value| filters::snake_case(&text(&v)));
    env.add_filter("camel_case", |v: Value| filters::camel_case(&text(&v)));
    env.add_filter("pascal_case", |v: Value| filters::pascal_case(&text(&v)));
    env.add_filter("kebab_case", |v: Value| filters::kebab_case(&text(&v)));
    env.add_filter("shouty_snake_case", |v: Value| {
        filters::shouty_snake_case(&text(&v))
    });
    env.add_filter("local", |v: Value| filters::local(&text(&v)));
    env.add_filter("plural", |v: Value| filters::plural(&text(&v)));
    // Also on any value (the built-ins want strings): `{{ count | upper }}` should just work.
    env.add_filter("upper", |v: Value| text(&v).to_uppercase());
    env.add_filter("lower", |v: Value| text(&v).to_lowercase());
}

/// Does `source` contain `{{`, `{%` or `{#`?
fn has_markup(source: &str) -> bool {
    let bytes = source.as_bytes();
    source
        .match_indices('{')
        .any(|(at, _)| matches!(bytes.get(at + 1), Some(b'{' | b'%' | b'#')))
}

/// A template string ready to render.
pub(crate) enum Fragment<'a> {
    /// No template syntax: renders to itself.
    Literal(&'a str),
    Compiled(minijinja::Template<'a, 'a>),
}

/// Why a render stopped.
pub(crate) enum RenderFailure {
    Engine(minijinja::Error),
    /// The output grew past this many bytes.
    TooLarge(usize),
}

impl Fragment<'_> {
    pub(crate) fn is_literal(&self) -> bool {
        matches!(self, Fragment::Literal(_))
    }

    /// Renders into at most `max_bytes` bytes; stops as soon as the output grows past it.
    pub(crate) fn render(
        &self,
        context: &Value,
        max_bytes: usize,
    ) -> Result<Vec<u8>, RenderFailure> {
        match self {
            Fragment::Literal(text) if text.len() > max_bytes => {
                Err(RenderFailure::TooLarge(max_bytes))
            }
            Fragment::Literal(text) => Ok(text.as_bytes().to_vec()),
            Fragment::Compiled(template) => {
                let mut out = CappedWriter {
                    bytes: Vec::new(),
                    cap: max_bytes,
                    overflowed: false,
                };
                match template.render_captured_to(context.clone(), &mut out) {
                    Ok(_) => Ok(out.bytes),
                    Err(_) if out.overflowed => Err(RenderFailure::TooLarge(max_bytes)),
                    Err(err) => Err(RenderFailure::Engine(err)),
                }
            }
        }
    }

    /// Renders a short string (a path, a condition), capped like an output.
    pub(crate) fn render_string(
        &self,
        context: &Value,
        max_bytes: usize,
    ) -> Result<String, RenderFailure> {
        let bytes = self.render(context, max_bytes)?;
        // The engine writes only UTF-8 (its sources and values are strings).
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }
}

/// Collects output and refuses to grow past `cap`, so a template cannot allocate more
/// than the output limit before we notice.
struct CappedWriter {
    bytes: Vec<u8>,
    cap: usize,
    overflowed: bool,
}

impl io::Write for CappedWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.bytes.len().saturating_add(data.len()) > self.cap {
            self.overflowed = true;
            return Err(io::Error::other("output limit reached"));
        }
        self.bytes.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// `line 12: undefined value: … (source line: `{{ nmae }}`)`. `first_line` is the file line
/// the fragment starts on, so the number matches the file, frontmatter included.
pub(crate) fn describe(err: &minijinja::Error, first_line: usize) -> String {
    let mut message = String::new();
    if let Some(line) = err.line() {
        message.push_str(&format!("line {}: ", line + first_line.saturating_sub(1)));
    }
    message.push_str(&describe_short(err));
    let source_line = err
        .line()
        .and_then(|line| err.template_source()?.lines().nth(line.checked_sub(1)?));
    if let Some(text) = source_line {
        let text = text.trim();
        if !text.is_empty() && text.len() <= 200 {
            message.push_str(&format!(" (in `{text}`)"));
        }
    }
    message
}

/// `kind: detail`, with a hint where the engine's words alone puzzle.
pub(crate) fn describe_short(err: &minijinja::Error) -> String {
    let mut message = err.kind().to_string();
    if let Some(detail) = err.detail() {
        message.push_str(": ");
        message.push_str(detail);
    }
    if err.kind() == minijinja::ErrorKind::OutOfFuel {
        message.push_str(" (the template does too much work: a runaway loop?)");
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_detection() {
        assert!(!has_markup("plain { text } with braces\n"));
        assert!(!has_markup("fn main() {}\n{"));
        assert!(has_markup("{{ x }}"));
        assert!(has_markup("a {% if x %}"));
        assert!(has_markup("a {# note #}"));
        assert!(!has_markup(""));
    }

    #[test]
    fn capped_writer_stops_at_the_cap() {
        use std::io::Write;
        let mut w = CappedWriter {
            bytes: Vec::new(),
            cap: 4,
            overflowed: false,
        };
        assert!(w.write_all(b"abcd").is_ok());
        assert!(w.write_all(b"e").is_err());
        assert!(w.overflowed);
        assert_eq!(w.bytes, b"abcd");
    }
}
