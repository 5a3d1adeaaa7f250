//! The files a template may include: every text file under the templates root, named by its
//! path relative to that root; the include graph between them, with cycle detection and the
//! inputs that make a template's cache key.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, OnceLock};

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::TemplateError;

/// The includable files of one pack (`{% include %}`, `{% import %}`, `{% from %}`,
/// `{% extends %}`). Files that are not UTF-8 cannot be included and are left out.
#[derive(Debug, Clone, Default)]
pub struct Library {
    files: BTreeMap<String, Entry>,
}

#[derive(Debug, Clone)]
struct Entry {
    /// UTF-8 (checked when added), shared with the pack's copy.
    text: Arc<[u8]>,
    /// `sha256-<hex>` of the text, computed when first asked for: only included files and
    /// [`Library::hash`] need it.
    hash: OnceLock<String>,
    references: References,
}

impl Entry {
    /// `None` for a file that is not UTF-8 (it cannot be included).
    fn of(bytes: Arc<[u8]>) -> Option<Entry> {
        let text = std::str::from_utf8(&bytes).ok()?;
        Some(Entry {
            references: scan(text),
            hash: OnceLock::new(),
            text: bytes,
        })
    }

    fn hash(&self) -> &str {
        self.hash
            .get_or_init(|| format!("sha256-{}", hex::encode(Sha256::digest(&self.text))))
    }

    fn text(&self) -> &str {
        // Checked when the entry was made; never fails.
        std::str::from_utf8(&self.text).unwrap_or_default()
    }
}

/// What a template's include tags name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct References {
    /// Names given as string literals, in order of appearance.
    names: Vec<String>,
    /// An include whose name is an expression: which file it reads is known only at render.
    dynamic: bool,
}

/// The files a template reads besides itself, directly or through other includes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Inputs {
    /// Included name -> `sha256-<hex>` of its text.
    pub files: BTreeMap<String, String>,
    /// Some include names an expression: any file of the library may be read.
    pub dynamic: bool,
}

impl Library {
    pub fn new() -> Library {
        Library::default()
    }

    /// Adds the file at `rel_path` (the tests' way to build a library; packs use
    /// [`Library::of_files`]).
    #[cfg(test)]
    pub(crate) fn add(&mut self, rel_path: &str, bytes: &[u8]) {
        if let Some(entry) = Entry::of(Arc::from(bytes)) {
            self.files.insert(rel_path.to_string(), entry);
        }
    }

    /// The library of `files`, each by its path relative to the templates root
    /// (`/`-separated), the bytes shared rather than copied; read on every core: a pack may
    /// hold tens of thousands of templates.
    pub fn of_files(files: &[(&str, &Arc<[u8]>)]) -> Library {
        let entries: Vec<(String, Entry)> = files
            .par_iter()
            .filter_map(|(rel_path, bytes)| {
                Some((rel_path.to_string(), Entry::of(Arc::clone(bytes))?))
            })
            .collect();
        Library {
            files: entries.into_iter().collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// `sha256-<hex>` over every file's name and hash: the input of a template whose
    /// includes are computed at render time.
    pub fn hash(&self) -> String {
        let mut hasher = Sha256::new();
        for (name, entry) in &self.files {
            hasher.update((name.len() as u64).to_le_bytes());
            hasher.update(name.as_bytes());
            hasher.update((entry.hash().len() as u64).to_le_bytes());
            hasher.update(entry.hash().as_bytes());
        }
        format!("sha256-{}", hex::encode(hasher.finalize()))
    }

    /// The text of an included file, or why it cannot be included.
    pub(crate) fn lookup(&self, name: &str) -> Result<&str, String> {
        check_name(name)?;
        match self.files.get(name) {
            Some(entry) => Ok(entry.text()),
            None => Err(format!(
                "no file `{name}` under the templates root (include names are paths relative \
                 to the templates root, e.g. `_partials/header.txt`)"
            )),
        }
    }

    /// Everything the template `source` with body `text` includes, transitively. A name
    /// that leaves the pack, a missing file or an include cycle is an error naming the
    /// template and the chain of includes.
    pub fn inputs(&self, source: &str, text: &str) -> Result<Inputs, TemplateError> {
        let mut inputs = Inputs::default();
        let mut chain = vec![source.to_string()];
        let mut done = BTreeSet::new();
        self.visit(&scan(text), &mut chain, &mut done, &mut inputs)?;
        Ok(inputs)
    }

    fn visit(
        &self,
        references: &References,
        chain: &mut Vec<String>,
        done: &mut BTreeSet<String>,
        inputs: &mut Inputs,
    ) -> Result<(), TemplateError> {
        inputs.dynamic |= references.dynamic;
        for name in &references.names {
            if chain.iter().any(|seen| seen == name) {
                let mut cycle = chain.clone();
                cycle.push(name.clone());
                return Err(TemplateError::Render {
                    template: template_of(chain),
                    message: format!("include cycle: {}", cycle.join(" -> ")),
                });
            }
            self.lookup(name).map_err(|reason| TemplateError::Render {
                template: template_of(chain),
                message: if chain.len() > 1 {
                    format!(
                        "cannot include `{name}` (via {}): {reason}",
                        chain.join(" -> ")
                    )
                } else {
                    format!("cannot include `{name}`: {reason}")
                },
            })?;
            if !done.insert(name.clone()) {
                continue;
            }
            let Some(entry) = self.files.get(name) else {
                continue;
            };
            inputs.files.insert(name.clone(), entry.hash().to_string());
            chain.push(name.clone());
            let references = entry.references.clone();
            self.visit(&references, chain, done, inputs)?;
            chain.pop();
        }
        Ok(())
    }
}

/// Errors name the template being rendered: the first of the chain.
fn template_of(chain: &[String]) -> String {
    chain.first().cloned().unwrap_or_default()
}

/// An include name must stay inside the templates root: relative, no `..`, no backslash.
pub(crate) fn check_name(name: &str) -> Result<(), String> {
    let leaves = name.starts_with('/')
        || name.contains('\\')
        || name.contains('\0')
        || name.split('/').any(|part| part == "..")
        || name.as_bytes().get(1) == Some(&b':');
    if leaves {
        return Err(format!(
            "`{name}` leaves the pack (include names are paths relative to the templates root)"
        ));
    }
    Ok(())
}

/// The names in `{% include "x" %}`, `{% import "x" as m %}`, `{% from "x" import y %}` and
/// `{% extends "x" %}` tags; a tag whose name is not a string literal makes the template
/// dynamic.
fn scan(text: &str) -> References {
    let mut references = References::default();
    // One searcher for the whole text (most templates are long runs without a tag).
    let tags = memchr::memmem::Finder::new("{%");
    let mut rest = text;
    while let Some(at) = tags.find(rest.as_bytes()) {
        rest = &rest[at + 2..];
        let tag = rest.trim_start_matches(['-', '+']).trim_start();
        let keyword = tag
            .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
            .next()
            .unwrap_or("");
        if !matches!(keyword, "include" | "import" | "from" | "extends") {
            continue;
        }
        let argument = tag[keyword.len()..].trim_start();
        match string_literal(argument) {
            Some(name) => {
                if !references.names.contains(&name) {
                    references.names.push(name);
                }
            }
            None => references.dynamic = true,
        }
    }
    references
}

/// A leading `"..."` or `'...'` (without escapes: file names need none).
fn string_literal(text: &str) -> Option<String> {
    let quote = text.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let body = &text[1..];
    let end = body.find(quote)?;
    let name = &body[..end];
    (!name.contains('\\')).then(|| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn library(files: &[(&str, &str)]) -> Library {
        let mut library = Library::new();
        for (name, text) in files {
            library.add(name, text.as_bytes());
        }
        library
    }

    #[test]
    fn scan_finds_every_kind_of_include() {
        let refs = scan(
            "{% include \"_partials/a\" %}{%- import 'm.j2' as m %}{% from \"f\" import x %}\
             {% extends \"base\" %}{% if x %}{% include name %}",
        );
        assert_eq!(refs.names, ["_partials/a", "m.j2", "f", "base"]);
        assert!(refs.dynamic);
        assert_eq!(scan("{% if include %}{{ x }}"), References::default());
    }

    #[test]
    fn inputs_are_transitive_with_hashes() {
        let lib = library(&[
            ("_partials/a", "{% include \"_partials/b\" %}"),
            ("_partials/b", "b"),
        ]);
        let inputs = lib
            .inputs("t.tmpl", "{% include \"_partials/a\" %}")
            .expect("inputs");
        assert_eq!(
            inputs.files.keys().collect::<Vec<_>>(),
            ["_partials/a", "_partials/b"]
        );
        assert!(!inputs.dynamic);
    }

    #[test]
    fn cycles_are_errors_naming_the_chain() {
        let lib = library(&[("a", "{% include \"b\" %}"), ("b", "{% include \"a\" %}")]);
        let err = lib
            .inputs("t.tmpl", "{% include \"a\" %}")
            .expect_err("cycle");
        assert!(err.to_string().contains("t.tmpl"), "{err}");
        assert!(
            err.to_string()
                .contains("include cycle: t.tmpl -> a -> b -> a"),
            "{err}"
        );
        let lib = library(&[("t.tmpl", "{% include \"t.tmpl\" %}")]);
        let err = lib
            .inputs("t.tmpl", "{% include \"t.tmpl\" %}")
            .expect_err("self");
        assert!(err.to_string().contains("include cycle"), "{err}");
    }

    #[test]
    fn names_leaving_the_pack_or_missing_are_errors() {
        let lib = library(&[]);
        for name in ["../secret", "/etc/passwd", "a/../../b", "c:x"] {
            let err = lib
                .inputs("t.tmpl", &format!("{{% include \"{name}\" %}}"))
                .expect_err(name);
            assert!(err.to_string().contains("leaves the pack"), "{err}");
        }
        let err = lib
            .inputs("t.tmpl", "{% include \"nope\" %}")
            .expect_err("missing");
        assert!(err.to_string().contains("no file `nope`"), "{err}");
    }
}
