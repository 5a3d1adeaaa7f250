//! Registry credentials: never stored, never printed. A URL's `user:password@` is taken out
//! of the URL before anything records or shows it (the lockfile, the snapshot, the cache key,
//! every message) and sent only as an `Authorization` header to the registry's own origin.
//! `GGEN_REGISTRY_TOKEN`, when set, is sent as a bearer token instead of userinfo.

/// The environment variable holding a bearer token for HTTP registries.
pub const TOKEN_VARIABLE: &str = "GGEN_REGISTRY_TOKEN";

/// Credentials for one registry: the value of the `Authorization` header.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Credentials {
    header: String,
}

impl Credentials {
    pub(crate) fn header(&self) -> &str {
        &self.header
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Credentials(redacted)")
    }
}

/// Splits `location` into the location without userinfo and the credentials it carried
/// (or, for an HTTP URL without any, those of [`TOKEN_VARIABLE`]).
pub(crate) fn split(location: &str) -> (String, Option<Credentials>) {
    let (stripped, userinfo) = userinfo(location);
    let scheme = location.split_once("://").map(|(s, _)| s).unwrap_or("");
    if !(scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")) {
        return (stripped, None);
    }
    let credentials = match userinfo {
        Some(userinfo) => Some(Credentials {
            header: format!("Basic {}", base64(&percent_decode(userinfo))),
        }),
        None => std::env::var(TOKEN_VARIABLE)
            .ok()
            .filter(|t| !t.trim().is_empty())
            .map(|token| Credentials {
                header: format!("Bearer {}", token.trim()),
            }),
    };
    (stripped, credentials)
}

/// `location` with any `user:password@` removed, for messages and records.
pub fn redact(location: &str) -> String {
    userinfo(location).0
}

/// `location` without its userinfo, and the userinfo.
fn userinfo(location: &str) -> (String, Option<&str>) {
    let Some((scheme, rest)) = location.split_once("://") else {
        return (location.to_string(), None);
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rfind('@') {
        Some(at) => (
            format!("{scheme}://{}{path}", &authority[at + 1..]),
            Some(&authority[..at]),
        ),
        None => (location.to_string(), None),
    }
}

fn percent_decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        if bytes[i] == b'%'
            && let Some(value) = hex.and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(value);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> shift) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn userinfo_is_split_off_and_encoded() {
        let (url, credentials) = split("http://alice:S3cret%21@127.0.0.1:8080/reg");
        assert_eq!(url, "http://127.0.0.1:8080/reg");
        // base64("alice:S3cret!")
        assert_eq!(credentials.unwrap().header(), "Basic YWxpY2U6UzNjcmV0IQ==");
        assert_eq!(redact("https://tok@h/x@y"), "https://h/x@y");
        assert_eq!(redact("/srv/reg"), "/srv/reg");
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b"abc"), "YWJj");
        assert!(!format!("{:?}", split("http://a:b@h").1).contains('b'));
    }
}
