//! The configured minijinja environment, compiled fragments, capped output and error wording.

use std::io;
use std::sync::{Arc, OnceLock};

use minijinja::value::Value;
use minijinja::{AutoEscape, Environment, ErrorKind, UndefinedBehavior};

use crate::library::Library;
use crate::substitution::{self, Substituted};
use crate::{filters, plain};

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
    /// An engine whose includes read from `library` (none: every include is an error).
    pub(crate) fn new(library: Arc<Library>) -> Engine {
        let mut env = Environment::new();
        env.set_formatter(plain::format);
        env.set_loader(move |name| match library.lookup(name) {
            Ok(text) => Ok(Some(text.to_string())),
            Err(reason) => Err(minijinja::Error::new(ErrorKind::TemplateNotFound, reason)),
        });
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
        if let Some(pieces) = substitution::pieces(source) {
            return Ok(Fragment::Substitution {
                pieces,
                engine: self,
                name,
                source,
                compiled: OnceLock::new(),
            });
        }
        Ok(Fragment::Compiled(self.compile(name, source)?))
    }

    /// `source` compiled by the engine, after the depth checks.
    pub(crate) fn compile<'a>(
        &'a self,
        name: &'a str,
        source: &'a str,
    ) -> Result<minijinja::Template<'a, 'a>, minijinja::Error> {
        crate::nesting::check_template(source)
            .map_err(|message| minijinja::Error::new(minijinja::ErrorKind::SyntaxError, message))?;
        self.env.template_from_named_str(name, source)
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
    env.add_filter("tojson", |v: Value| plain::to_json(&v));
}

/// Our filters, for did-you-mean on an unknown filter.
const OUR_FILTERS: &[&str] = &[
    "snake_case",
    "camel_case",
    "pascal_case",
    "kebab_case",
    "shouty_snake_case",
    "local",
    "plural",
    "upper",
    "lower",
    "tojson",
];

/// The engine's built-in filters (minijinja with its default features).
const BUILTIN_FILTERS: &[&str] = &[
    "abs",
    "attr",
    "batch",
    "bool",
    "capitalize",
    "count",
    "d",
    "default",
    "dictsort",
    "e",
    "escape",
    "first",
    "float",
    "groupby",
    "indent",
    "int",
    "items",
    "join",
    "last",
    "length",
    "lines",
    "list",
    "map",
    "max",
    "min",
    "pprint",
    "reject",
    "rejectattr",
    "replace",
    "reverse",
    "round",
    "safe",
    "select",
    "selectattr",
    "slice",
    "sort",
    "split",
    "string",
    "sum",
    "title",
    "trim",
    "unique",
    "urlencode",
];

/// Does `source` contain `{{`, `{%` or `{#`?
pub(crate) fn has_markup(source: &str) -> bool {
    let bytes = source.as_bytes();
    source
        .match_indices('{')
        .any(|(at, _)| matches!(bytes.get(at + 1), Some(b'{' | b'%' | b'#')))
}

/// A template string ready to render.
pub(crate) enum Fragment<'a> {
    /// No template syntax: renders to itself.
    Literal(&'a str),
    /// Only `{{ name }}` ([`substitution`]): copied together while every name is a string,
    /// compiled by the engine (once) the first time one is not.
    Substitution {
        pieces: Vec<substitution::Piece<'a>>,
        engine: &'a Engine,
        name: &'a str,
        source: &'a str,
        compiled: OnceLock<minijinja::Template<'a, 'a>>,
    },
    Compiled(minijinja::Template<'a, 'a>),
}

/// Why a render stopped.
pub(crate) enum RenderFailure {
    Engine(minijinja::Error),
    /// The output grew past this many bytes.
    TooLarge(usize),
}

impl Fragment<'_> {
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
            Fragment::Substitution {
                pieces,
                engine,
                name,
                source,
                compiled,
            } => match substitution::render(pieces, context, max_bytes) {
                Substituted::Done(bytes) => Ok(bytes),
                Substituted::TooLarge => Err(RenderFailure::TooLarge(max_bytes)),
                Substituted::NeedsEngine => {
                    let template = match compiled.get() {
                        Some(template) => template,
                        None => {
                            let template = engine
                                .compile(name, source)
                                .map_err(RenderFailure::Engine)?;
                            compiled.get_or_init(|| template)
                        }
                    };
                    render_compiled(template, context, max_bytes)
                }
            },
            Fragment::Compiled(template) => render_compiled(template, context, max_bytes),
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

fn render_compiled(
    template: &minijinja::Template<'_, '_>,
    context: &Value,
    max_bytes: usize,
) -> Result<Vec<u8>, RenderFailure> {
    // An output is usually about its template's size: room for that at once (no regrowing,
    // little slack held while thousands of outputs wait).
    let mut out = CappedWriter {
        bytes: Vec::with_capacity(template.source().len().min(max_bytes)),
        cap: max_bytes,
        overflowed: false,
    };
    match template.render_captured_to(context.clone(), &mut out) {
        Ok(_) => Ok(out.bytes),
        Err(_) if out.overflowed => Err(RenderFailure::TooLarge(max_bytes)),
        Err(err) => Err(RenderFailure::Engine(err)),
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
pub(crate) fn describe(
    err: &minijinja::Error,
    template: &str,
    first_line: usize,
    names: &[String],
) -> String {
    let mut message = String::new();
    // An error inside an included file has that file's name and its own line numbers.
    let included = err.name().filter(|name| *name != template);
    if let Some(included) = included {
        message.push_str(&format!("in included `{included}`: "));
    }
    if let Some(line) = err.line() {
        let line = match included {
            Some(_) => line,
            None => line + first_line.saturating_sub(1),
        };
        message.push_str(&format!("line {line}: "));
    }
    message.push_str(&describe_short_with(err, names));
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
    describe_short_with(err, &[])
}

/// Like [`describe_short`]; an undefined name or unknown filter is named, with a
/// did-you-mean among `names` (the names in scope) or the filters.
pub(crate) fn describe_short_with(err: &minijinja::Error, names: &[String]) -> String {
    let mut message = err.kind().to_string();
    if let Some(detail) = err.detail() {
        message.push_str(": ");
        message.push_str(detail);
    }
    match err.kind() {
        ErrorKind::UndefinedError => {
            if let Some(name) = failing_name(err, names) {
                message = format!("undefined name `{name}`");
                let candidates: Vec<&str> = names.iter().map(String::as_str).collect();
                if let Some(close) = closest(&name, &candidates) {
                    message.push_str(&format!(" (did you mean `{close}`?)"));
                }
                if !names.is_empty() {
                    let mut shown: Vec<&str> = candidates.iter().copied().take(12).collect();
                    if candidates.len() > shown.len() {
                        shown.push("…");
                    }
                    message.push_str(&format!("; names in scope: {}", shown.join(", ")));
                }
            }
        }
        ErrorKind::UnknownFilter => {
            if let Some(name) = failing_span(err).and_then(|span| last_identifier(&span)) {
                message = format!("unknown filter `{name}`");
                let filters: Vec<&str> =
                    OUR_FILTERS.iter().chain(BUILTIN_FILTERS).copied().collect();
                if let Some(close) = closest(&name, &filters) {
                    message.push_str(&format!(" (did you mean `{close}`?)"));
                }
            }
        }
        _ => {}
    }
    if err.kind() == minijinja::ErrorKind::OutOfFuel {
        message.push_str(" (the template does too much work: a runaway loop?)");
    }
    message
}

/// The source text of the failing expression.
fn failing_span(err: &minijinja::Error) -> Option<String> {
    let range = err.range()?;
    let source = err.template_source()?;
    source.get(range).map(str::to_string)
}

/// The first identifier of the failing expression that is not in scope (`nmae` in
/// `{{ nmae | upper }}`), or the expression itself for a missing attribute.
fn failing_name(err: &minijinja::Error, names: &[String]) -> Option<String> {
    let span = failing_span(err)?;
    let identifiers = identifiers(&span);
    identifiers
        .iter()
        .find(|name| !names.iter().any(|known| known == *name) && !is_keyword(name))
        .cloned()
        .or_else(|| {
            let trimmed = span.trim();
            (!trimmed.is_empty() && trimmed.len() <= 80).then(|| trimmed.to_string())
        })
}

fn identifiers(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut after_dot = false;
    let mut in_string: Option<char> = None;
    for c in text.chars().chain(std::iter::once(' ')) {
        if let Some(quote) = in_string {
            if c == quote {
                in_string = None;
            }
            continue;
        }
        if c.is_alphanumeric() || c == '_' {
            current.push(c);
            continue;
        }
        if !current.is_empty() {
            // Attributes (`row.name`) and numbers are not names in scope.
            if !after_dot && !current.starts_with(|c: char| c.is_ascii_digit()) {
                out.push(std::mem::take(&mut current));
            }
            current.clear();
        }
        after_dot = c == '.';
        if c == '"' || c == '\'' {
            in_string = Some(c);
        }
    }
    out
}

fn last_identifier(text: &str) -> Option<String> {
    identifiers(text).pop()
}

fn is_keyword(name: &str) -> bool {
    matches!(
        name,
        "true"
            | "false"
            | "none"
            | "True"
            | "False"
            | "None"
            | "and"
            | "or"
            | "not"
            | "in"
            | "is"
            | "if"
            | "else"
            | "loop"
    )
}

/// The candidate closest to `name`, when it is close enough to be a likely typo.
pub(crate) fn closest<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|candidate| (strsim::jaro_winkler(name, candidate), *candidate))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
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
