//! YAML as frontmatter is read: YAML 1.2 booleans only (`unless_exists: "yes"` is an
//! error, not `true`), no number or boolean silently turned into a string (`to: 123`), and
//! no tags a template has no use for (`!custom`, `!!binary`), each an error rather than a
//! guess.

/// Deserializes `yaml` with the strict options; the error is the parser's message.
pub(crate) fn from_str<T: serde::de::DeserializeOwned>(yaml: &str) -> Result<T, String> {
    if let Some(line) = yaml
        .lines()
        .position(|line| line.contains("!!binary") || line.contains("yaml.org,2002:binary"))
    {
        return Err(format!(
            "line {}: the `!!binary` tag is not supported in frontmatter (values are text)",
            line + 1
        ));
    }
    let options = serde_saphyr::options! {
        strict_booleans: true,
        no_schema: true,
        reject_unsupported_tags: true,
        reject_tagged_field_names: true,
    };
    serde_saphyr::from_str_with_options(yaml, options)
        .map_err(|err| name_the_key(yaml, &err.to_string()))
}

/// Adds the key of the line a message points at (`line 2 column 5: …`), so the author sees
/// which key is wrong.
fn name_the_key(yaml: &str, message: &str) -> String {
    let first = message.lines().next().unwrap_or_default();
    let line = first
        .split_once("line ")
        .and_then(|(_, rest)| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|digits| digits.parse::<usize>().ok());
    let key = line
        .and_then(|n| yaml.lines().nth(n.checked_sub(1)?))
        .and_then(|text| text.split_once(':'))
        .map(|(key, _)| key.trim().trim_start_matches("- ").trim())
        .filter(|key| !key.is_empty() && !key.contains(' '));
    match key {
        Some(key) if !first.contains(&format!("`{key}`")) => {
            format!("{} (key `{key}`)", first.trim_end())
        }
        _ => first.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use crate::Frontmatter;

    fn refused(yaml: &str) -> String {
        Frontmatter::from_yaml("t.tmpl", yaml, 2)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn guesses_are_errors_naming_the_key() {
        assert!(
            refused("to: 123\n").contains("to"),
            "{}",
            refused("to: 123\n")
        );
        for yes in ["unless_exists: \"yes\"\n", "unless_exists: yes\n"] {
            let err = refused(yes);
            assert!(
                err.contains("t.tmpl") && err.contains("unless_exists"),
                "{err}"
            );
        }
        for tagged in ["to: !custom a.txt\n", "to: !!binary YS50eHQ=\n"] {
            let err = refused(tagged);
            assert!(err.contains("t.tmpl"), "{err}");
        }
        let ok = Frontmatter::from_yaml(
            "t.tmpl",
            "to: \"123\"\nunless_exists: true\nwhen: false\n",
            2,
        )
        .unwrap();
        assert_eq!(ok.to.as_deref(), Some("123"));
        assert!(ok.unless_exists);
        assert_eq!(ok.when.as_deref(), Some("false"));
    }
}
