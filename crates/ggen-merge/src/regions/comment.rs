//! Comment leaders per file extension, and recognising a whole-line `@ggen:` comment.

/// The comment forms a file type accepts for region markers.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Leaders {
    line: &'static [&'static str],
    block: &'static [(&'static str, &'static str)],
}

const SLASH: &[&str] = &["//"];
const HASH: &[&str] = &["#"];
const DASH: &[&str] = &["--"];
const SEMI: &[&str] = &[";"];
const NONE: &[&str] = &[];
const C_BLOCK: &[(&str, &str)] = &[("/*", "*/")];
const XML_BLOCK: &[(&str, &str)] = &[("<!--", "-->")];
const NO_BLOCK: &[(&str, &str)] = &[];
const ALL_LINE: &[&str] = &["//", "#", "--", ";"];
const ALL_BLOCK: &[(&str, &str)] = &[("/*", "*/"), ("<!--", "-->")];

/// Unknown file types accept every comment form.
pub(crate) const ANY: Leaders = Leaders {
    line: ALL_LINE,
    block: ALL_BLOCK,
};

/// The leaders for `path`, chosen by its extension (or a few well-known file names).
pub(crate) fn leaders_for(path: &str) -> Leaders {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let lower = name.to_ascii_lowercase();
    match lower.as_str() {
        "dockerfile" | "makefile" | "gnumakefile" | "cmakelists.txt" | "gemfile" | "rakefile"
        | "justfile" | ".gitignore" | ".dockerignore" | ".env" | ".editorconfig" => {
            return Leaders {
                line: HASH,
                block: NO_BLOCK,
            };
        }
        _ => {}
    }
    let Some((_, ext)) = lower.rsplit_once('.') else {
        return ANY;
    };
    match ext {
        "rs" | "c" | "h" | "cc" | "cpp" | "cxx" | "hpp" | "hh" | "hxx" | "js" | "jsx" | "mjs"
        | "cjs" | "ts" | "tsx" | "mts" | "cts" | "go" | "java" | "kt" | "kts" | "scala" | "sc"
        | "swift" | "cs" | "dart" | "groovy" | "gradle" | "proto" | "zig" | "sol" | "m" | "mm"
        | "jsonc" | "json5" | "scss" | "less" | "fs" | "fsx" | "v" | "sv" | "glsl" | "hlsl"
        | "wgsl" => Leaders {
            line: SLASH,
            block: C_BLOCK,
        },
        "php" => Leaders {
            line: &["//", "#"],
            block: C_BLOCK,
        },
        "py" | "pyi" | "sh" | "bash" | "zsh" | "fish" | "toml" | "yaml" | "yml" | "rb" | "pl"
        | "pm" | "r" | "cmake" | "mk" | "make" | "ps1" | "nix" | "ex" | "exs" | "jl" | "cfg"
        | "conf" | "properties" | "tf" | "tfvars" | "hcl" | "dockerfile" | "gitignore" | "env"
        | "awk" | "tcl" | "nim" | "cr" | "coffee" | "graphql" | "gql" | "ttl" | "nt" | "sparql"
        | "rq" | "jinja" | "j2" | "containerfile" => Leaders {
            line: HASH,
            block: NO_BLOCK,
        },
        "sql" | "lua" | "hs" | "lhs" | "elm" | "ada" | "adb" | "ads" | "vhd" | "vhdl" | "purs"
        | "agda" => Leaders {
            line: DASH,
            block: NO_BLOCK,
        },
        "lisp" | "lsp" | "cl" | "clj" | "cljs" | "cljc" | "edn" | "el" | "scm" | "ss" | "rkt"
        | "ini" | "asm" | "s" | "nasm" => Leaders {
            line: SEMI,
            block: NO_BLOCK,
        },
        "html" | "htm" | "xhtml" | "xml" | "md" | "markdown" | "svg" | "xsd" | "xsl" | "xslt"
        | "vue" | "svelte" | "plist" | "csproj" | "fsproj" | "vcxproj" | "props" | "targets"
        | "rss" | "atom" => Leaders {
            line: NONE,
            block: XML_BLOCK,
        },
        "css" => Leaders {
            line: NONE,
            block: C_BLOCK,
        },
        _ => ANY,
    }
}

/// If `line` is, whitespace aside, a comment holding only text that starts with `@ggen:`,
/// return that text (without the `@ggen:`).
pub(crate) fn directive(line: &str, leaders: Leaders) -> Option<&str> {
    let trimmed = line.trim();
    let inner = leaders
        .line
        .iter()
        .find_map(|leader| trimmed.strip_prefix(leader))
        .or_else(|| {
            leaders.block.iter().find_map(|(open, close)| {
                trimmed
                    .strip_prefix(open)
                    .and_then(|rest| rest.strip_suffix(close))
            })
        })?;
    inner.trim().strip_prefix("@ggen:")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaders_follow_the_extension() {
        let rs = leaders_for("src/lib.rs");
        assert_eq!(directive("// @ggen:protected", rs), Some("protected"));
        assert_eq!(
            directive("  /* @ggen:protected */  ", rs),
            Some("protected")
        );
        assert_eq!(directive("# @ggen:protected", rs), None);
        let py = leaders_for("app/main.py");
        assert_eq!(directive("# @ggen:protected", py), Some("protected"));
        assert_eq!(directive("// @ggen:protected", py), None);
        let html = leaders_for("index.HTML");
        assert_eq!(
            directive("<!-- @ggen:manual-edit id=x -->", html),
            Some("manual-edit id=x")
        );
        assert_eq!(
            directive("-- @ggen:protected", leaders_for("q.sql")),
            Some("protected")
        );
        assert_eq!(
            directive("; @ggen:protected", leaders_for("a.ini")),
            Some("protected")
        );
        assert_eq!(
            directive("/* @ggen:protected */", leaders_for("a.css")),
            Some("protected")
        );
        assert_eq!(
            directive("# @ggen:protected", leaders_for("Dockerfile")),
            Some("protected")
        );
    }

    #[test]
    fn unknown_extensions_accept_every_form() {
        for line in [
            "// @ggen:x",
            "# @ggen:x",
            "-- @ggen:x",
            "; @ggen:x",
            "/* @ggen:x */",
            "<!-- @ggen:x -->",
        ] {
            assert_eq!(
                directive(line, leaders_for("notes.unknownext")),
                Some("x"),
                "{line}"
            );
            assert_eq!(directive(line, leaders_for("LICENSE")), Some("x"), "{line}");
        }
    }

    #[test]
    fn code_before_the_comment_or_a_string_is_not_a_marker() {
        let rs = leaders_for("a.rs");
        assert_eq!(directive("let x = 1; // @ggen:protected", rs), None);
        assert_eq!(directive("let s = \"// @ggen:protected\";", rs), None);
        assert_eq!(directive("/// @ggen:protected", rs), None);
        assert_eq!(directive("// see @ggen:protected", rs), None);
    }
}
