//! Lexing a Tera expression into tokens, spaces kept, so untouched text comes out byte for
//! byte.

/// One lexical token; spaces are kept so untouched text comes out byte for byte.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Token {
    Ident(String),
    Number(String),
    /// A string literal as written, quotes included.
    Str(String),
    Punct(String),
    Space(String),
}

impl Token {
    pub(super) fn text(&self) -> &str {
        match self {
            Token::Ident(s)
            | Token::Number(s)
            | Token::Str(s)
            | Token::Punct(s)
            | Token::Space(s) => s,
        }
    }

    pub(super) fn is(&self, punct: &str) -> bool {
        matches!(self, Token::Punct(p) if p == punct)
    }

    pub(super) fn is_word(&self, word: &str) -> bool {
        matches!(self, Token::Ident(w) if w == word)
    }

    fn opens(&self) -> bool {
        self.is("(") || self.is("[") || self.is("{")
    }

    fn closes(&self) -> bool {
        self.is(")") || self.is("]") || self.is("}")
    }
}

/// Each token with the bracket depth after it: an opening bracket is inside what it opens,
/// a closing one outside what it closes.
pub(super) fn with_depth(tokens: &[Token]) -> impl Iterator<Item = (usize, &Token)> {
    tokens.iter().scan(0usize, |depth, token| {
        if token.opens() {
            *depth += 1;
        } else if token.closes() {
            *depth = depth.saturating_sub(1);
        }
        Some((*depth, token))
    })
}

pub(crate) fn lex(source: &str) -> Vec<Token> {
    let chars: Vec<char> = source.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        if c.is_whitespace() {
            while i < chars.len() && chars[i].is_whitespace() {
                i += 1;
            }
            tokens.push(Token::Space(chars[start..i].iter().collect()));
        } else if c.is_alphabetic() || c == '_' {
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            tokens.push(Token::Ident(chars[start..i].iter().collect()));
        } else if c.is_ascii_digit() {
            while i < chars.len()
                && (chars[i].is_ascii_alphanumeric() || chars[i] == '.' || chars[i] == '_')
            {
                // `1.5` is a number, `x.0.name` is handled by the caller seeing `.`.
                if chars[i] == '.' && !chars.get(i + 1).is_some_and(char::is_ascii_digit) {
                    break;
                }
                i += 1;
            }
            tokens.push(Token::Number(chars[start..i].iter().collect()));
        } else if c == '"' || c == '\'' || c == '`' {
            i += 1;
            while i < chars.len() && chars[i] != c {
                if chars[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i = (i + 1).min(chars.len());
            let raw: String = chars[start..i].iter().collect();
            // Tera's backtick strings are plain strings.
            let raw = if c == '`' {
                serde_json::to_string(&raw[1..raw.len().saturating_sub(1)]).unwrap_or(raw)
            } else {
                raw
            };
            tokens.push(Token::Str(raw));
        } else {
            let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
            if ["==", "!=", "<=", ">=", "::", "//", "**"].contains(&two.as_str()) {
                i += 2;
                tokens.push(Token::Punct(two));
            } else {
                i += 1;
                tokens.push(Token::Punct(c.to_string()));
            }
        }
    }
    tokens
}

pub(super) fn significant(tokens: &[Token], from: usize) -> Option<usize> {
    (from..tokens.len()).find(|&i| !matches!(tokens[i], Token::Space(_)))
}

pub(super) fn previous_significant(tokens: &[Token], before: usize) -> Option<&Token> {
    tokens[..before]
        .iter()
        .rev()
        .find(|t| !matches!(t, Token::Space(_)))
}

/// The index of the `)`/`]` closing the bracket at `open`.
pub(super) fn closing(tokens: &[Token], open: usize) -> Option<usize> {
    with_depth(&tokens[open..])
        .position(|(depth, token)| depth == 0 && token.closes())
        .map(|i| open + i)
}

pub(super) fn raw(tokens: &[Token], from: usize, to: usize) -> String {
    tokens[from..=to].iter().map(Token::text).collect()
}
