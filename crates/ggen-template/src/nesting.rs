//! Depth limits checked before parsing: the template engine and the SPARQL parser and
//! evaluator recurse once per nesting level, so a long filter chain, deeply nested groups or
//! a long operator chain would overflow the stack and abort the process. Counting is a
//! linear scan; what it refuses is far beyond anything written by hand.

/// The most filters (`|`) in one `{{ … }}` or `{% … %}` block.
pub const MAX_FILTERS_PER_BLOCK: usize = 1000;
/// The deepest nesting of `{`, `(` and `[` in a SPARQL query.
pub const MAX_QUERY_NESTING: usize = 128;
/// The most operator characters (`+ - * / ! = < > & |`) in a SPARQL query.
pub const MAX_QUERY_OPERATORS: usize = 5000;

/// Refuses a template source whose blocks chain more than [`MAX_FILTERS_PER_BLOCK`] filters.
pub(crate) fn check_template(source: &str) -> Result<(), String> {
    let bytes = source.as_bytes();
    let mut i = 0;
    while i + 1 < bytes.len() {
        let opens_block = bytes[i] == b'{' && matches!(bytes[i + 1], b'{' | b'%');
        if !opens_block {
            i += 1;
            continue;
        }
        let close = if bytes[i + 1] == b'{' { b'}' } else { b'%' };
        let start = i;
        i += 2;
        let mut filters = 0;
        let mut quote = None;
        while i < bytes.len() {
            let b = bytes[i];
            match quote {
                Some(_) if b == b'\\' => i += 1,
                Some(q) if b == q => quote = None,
                Some(_) => {}
                None if b == b'"' || b == b'\'' => quote = Some(b),
                None if b == b'|' => filters += 1,
                None if b == close && bytes.get(i + 1) == Some(&b'}') => break,
                None => {}
            }
            i += 1;
        }
        if filters > MAX_FILTERS_PER_BLOCK {
            let line = source[..start].matches('\n').count() + 1;
            return Err(format!(
                "line {line}: a block chains {filters} filters, more than the {MAX_FILTERS_PER_BLOCK} \
                 allowed (split the expression with `set`)"
            ));
        }
    }
    Ok(())
}

/// Refuses a query nested deeper than [`MAX_QUERY_NESTING`] or with more than
/// [`MAX_QUERY_OPERATORS`] operators. Strings, IRIs and comments are skipped.
pub(crate) fn check_query(query: &str) -> Result<(), String> {
    let bytes = query.as_bytes();
    let (mut depth, mut deepest, mut operators) = (0usize, 0usize, 0usize);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'"' | b'\'' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'<' if is_iri(&bytes[i + 1..]) => {
                while i < bytes.len() && bytes[i] != b'>' {
                    i += 1;
                }
            }
            b'{' | b'(' | b'[' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b'}' | b')' | b']' => depth = depth.saturating_sub(1),
            b'+' | b'-' | b'*' | b'/' | b'!' | b'=' | b'<' | b'>' | b'&' | b'|' => {
                operators += 1;
            }
            _ => {}
        }
        i += 1;
    }
    if deepest > MAX_QUERY_NESTING {
        return Err(format!(
            "the query nests groups or parentheses {deepest} deep, more than the \
             {MAX_QUERY_NESTING} allowed"
        ));
    }
    if operators > MAX_QUERY_OPERATORS {
        return Err(format!(
            "the query has {operators} operators, more than the {MAX_QUERY_OPERATORS} allowed"
        ));
    }
    Ok(())
}

/// Whether the text after a `<` is an IRI (`<http://…>`) rather than a less-than operator:
/// it reaches a `>` without whitespace.
fn is_iri(rest: &[u8]) -> bool {
    for &b in rest {
        match b {
            b'>' => return true,
            b' ' | b'\t' | b'\n' | b'\r' | b'<' | b'"' | b'{' | b'}' => return false,
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_filter_chains_are_refused_with_the_line() {
        let chain = format!(
            "a\n{{{{ x{} }}}}",
            "|upper".repeat(MAX_FILTERS_PER_BLOCK + 1)
        );
        let err = check_template(&chain).unwrap_err();
        assert!(err.starts_with("line 2:"), "{err}");
        let fine = format!("{{{{ x{} }}}} {{{{ 'a|b|c' }}}}", "|upper".repeat(10));
        assert!(check_template(&fine).is_ok());
        // Pipes outside blocks and inside strings do not count.
        assert!(check_template(&"|".repeat(5000)).is_ok());
        assert!(check_template(&format!("{{{{ '{}' }}}}", "|".repeat(5000))).is_ok());
    }

    #[test]
    fn deep_or_long_queries_are_refused() {
        let deep = format!(
            "SELECT ?s WHERE {} ?s ?p ?o {}",
            "{".repeat(200),
            "}".repeat(200)
        );
        assert!(check_query(&deep).unwrap_err().contains("200 deep"));
        let ops = format!(
            "SELECT ?s WHERE {{ ?s ?p ?o FILTER({}?o) }}",
            "!".repeat(6000)
        );
        assert!(check_query(&ops).unwrap_err().contains("operators"));
        let iris = format!(
            "SELECT ?s WHERE {{ ?s <http://x/{}> ?o FILTER(?o < 3) }} # {}",
            "+".repeat(6000),
            "(".repeat(300)
        );
        assert!(check_query(&iris).is_ok());
        let strings = format!("SELECT ?s WHERE {{ ?s ?p \"{}\" }}", "{".repeat(300));
        assert!(check_query(&strings).is_ok());
    }
}
