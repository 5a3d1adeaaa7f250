//! `ggen merge-file`: a drop-in for `git merge-file`, with git's arguments and exit statuses.
//!
//! The arguments are read here, the way git's option parser reads them (options anywhere,
//! unique prefixes of long options, `--no-` forms, the last of `--ours`/`--theirs`/`--union`
//! wins, `-L` up to three times), not by clap: `main` calls [`run_git_args`] before it builds
//! the command tree, so a merge starts as fast as git's. Exit status: the number of conflicts
//! (at most 127); 255 when a file cannot be read or written or is binary; 129 for a usage error.

use std::ffi::OsString;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use ggen_merge::{ConflictStyle, Favor, MarkerWidth, MergeOptions};

use crate::args::MergeFileArgs;
use crate::error::CliError;
use crate::{Outcome, Report};

/// git's status for errors that `merge-file` reports (`error()` returns -1).
const EXIT_GIT_ERROR: u8 = 255;
/// git's status for usage errors.
const EXIT_GIT_USAGE: u8 = 129;
/// git caps the conflict count it exits with.
const MAX_EXIT_CONFLICTS: usize = 127;

const USAGE: &str = "\
usage: ggen merge-file [<options>] [-L <name1> [-L <orig> [-L <name2>]]] <file1> <orig-file> <file2>

    -p, --[no-]stdout     send results to standard output
    --[no-]diff3          use a diff3 based merge
    --[no-]zdiff3         use a zealous diff3 based merge
    --[no-]ours           for conflicts, use our version
    --[no-]theirs         for conflicts, use their version
    --[no-]union          for conflicts, use a union version
    --diff-algorithm <algorithm>
                          choose a diff algorithm (only myers, git merge-file's default)
    --[no-]marker-size <n>
                          for conflicts, use this marker size
    --widen-markers       make markers longer than any marker-like line of the inputs
    -q, --[no-]quiet      do not warn about conflicts
    -L <name>             set labels for file1/orig-file/file2

Exit status: the number of conflicts (at most 127), 255 on error, 129 on a usage error.
As a git merge driver:
  git config merge.ggen.driver 'ggen merge-file -L %S -L %O -L %X %A %O %B'
  echo '*.rs merge=ggen' >> .gitattributes
";

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
struct Request {
    stdout: bool,
    style: ConflictStyle,
    favor: Option<Favor>,
    marker_size: usize,
    widen: bool,
    labels: Vec<String>,
    files: Vec<OsString>,
    help: bool,
}

/// Why the arguments cannot be run: a message (printed as `error: …`) and whether the usage
/// follows it, as git prints it.
#[derive(Debug, PartialEq, Eq)]
struct UsageError {
    message: Option<String>,
    show_usage: bool,
}

impl UsageError {
    fn new(message: String) -> Self {
        UsageError {
            message: Some(message),
            show_usage: true,
        }
    }
}

/// Long options, as git spells them; `true` when the option takes a value.
const LONG: &[(&str, bool)] = &[
    ("stdout", false),
    ("object-id", false),
    ("diff3", false),
    ("zdiff3", false),
    ("ours", false),
    ("theirs", false),
    ("union", false),
    ("diff-algorithm", true),
    ("marker-size", true),
    ("widen-markers", false),
    ("quiet", false),
    ("help", false),
];

/// Options with a `--no-` form.
const NEGATABLE: &[&str] = &[
    "stdout",
    "object-id",
    "diff3",
    "zdiff3",
    "ours",
    "theirs",
    "union",
    "marker-size",
    "widen-markers",
    "quiet",
];

/// Find the long option `name` (`negated` for `--no-name`), exactly or by unique prefix.
fn long_option(name: &str) -> Result<(&'static str, bool, bool), UsageError> {
    let mut candidates: Vec<(&'static str, bool, bool)> = Vec::new();
    for &(option, takes_value) in LONG {
        if option == name {
            return Ok((option, false, takes_value));
        }
        if let Some(negated) = name.strip_prefix("no-")
            && option == negated
            && NEGATABLE.contains(&option)
        {
            return Ok((option, true, takes_value));
        }
    }
    for &(option, takes_value) in LONG {
        if option.starts_with(name) {
            candidates.push((option, false, takes_value));
        } else if let Some(negated) = name.strip_prefix("no-")
            && NEGATABLE.contains(&option)
            && option.starts_with(negated)
        {
            candidates.push((option, true, takes_value));
        }
    }
    match candidates.as_slice() {
        [one] => Ok(*one),
        [] => Err(UsageError::new(format!("unknown option `{name}'"))),
        [first, second, ..] => {
            let spell =
                |(o, n, _): &(&str, bool, bool)| format!("--{}{o}", if *n { "no-" } else { "" });
            Err(UsageError {
                message: Some(format!(
                    "ambiguous option: {name} (could be {} or {})",
                    spell(first),
                    spell(second)
                )),
                show_usage: false,
            })
        }
    }
}

/// git's integer option: `strtol` (leading blanks and a sign allowed, saturating), then the
/// value is kept in a C `int`, so out-of-range values wrap.
fn parse_git_int(text: &str) -> Option<i64> {
    let trimmed = text.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let (negative, digits) = match trimmed.as_bytes().first() {
        Some(b'-') => (true, &trimmed[1..]),
        Some(b'+') => (false, &trimmed[1..]),
        _ => (false, trimmed),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut value: i64 = 0;
    for b in digits.bytes() {
        value = value.saturating_mul(10).saturating_add(i64::from(b - b'0'));
    }
    let value = if negative { -value } else { value };
    // The cast to `int` of git's `int` option.
    Some(i64::from(value as i32))
}

fn parse_args(args: &[OsString]) -> Result<Request, UsageError> {
    let mut request = Request {
        stdout: false,
        style: ConflictStyle::Merge,
        favor: None,
        marker_size: 0,
        widen: false,
        labels: Vec::new(),
        files: Vec::new(),
        help: false,
    };
    let mut rest = args.iter();
    let mut only_files = false;
    while let Some(arg) = rest.next() {
        let text = arg.to_string_lossy();
        if only_files || text == "-" || !text.starts_with('-') {
            request.files.push(arg.clone());
            continue;
        }
        if text == "--" {
            only_files = true;
            continue;
        }
        if let Some(long) = text.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((name, value)) => (name, Some(value.to_owned())),
                None => (long, None),
            };
            let (option, negated, takes_value) = long_option(name)?;
            if inline.is_some() && (!takes_value || negated) {
                return Err(UsageError::new(format!("option `{option}' takes no value")));
            }
            let mut value = || -> Result<String, UsageError> {
                match &inline {
                    Some(v) => Ok(v.clone()),
                    None => rest
                        .next()
                        .map(|v| v.to_string_lossy().into_owned())
                        .ok_or_else(|| {
                            UsageError::new(format!("option `{option}' requires a value"))
                        }),
                }
            };
            match (option, negated) {
                ("stdout", n) => request.stdout = !n,
                ("quiet", _) => {}
                ("help", _) => request.help = true,
                ("widen-markers", n) => request.widen = !n,
                ("diff3", false) => request.style = ConflictStyle::Diff3,
                ("diff3", true) => request.style = ConflictStyle::Merge,
                ("ours", false) => request.favor = Some(Favor::Ours),
                ("theirs", false) => request.favor = Some(Favor::Theirs),
                ("union", false) => request.favor = Some(Favor::Union),
                ("ours" | "theirs" | "union", true) => request.favor = None,
                ("marker-size", true) => request.marker_size = 0,
                ("marker-size", false) => {
                    let value = value()?;
                    let size = parse_git_int(&value).ok_or_else(|| UsageError {
                        message: Some("option `marker-size' expects a numerical value".to_owned()),
                        show_usage: false,
                    })?;
                    // git: a size of 0 or less is the default.
                    request.marker_size = usize::try_from(size).unwrap_or(0);
                }
                ("diff-algorithm", _) => {
                    let value = value()?;
                    if !matches!(value.as_str(), "myers" | "default") {
                        return Err(UsageError {
                            message: Some(format!(
                                "ggen merge-file: diff algorithm `{value}' is not supported (only myers, git merge-file's default)"
                            )),
                            show_usage: false,
                        });
                    }
                }
                ("zdiff3", false) => request.style = ConflictStyle::ZealousDiff3,
                ("object-id", false) => {
                    return Err(UsageError {
                        message: Some(format!(
                            "ggen merge-file: --{option} is not supported (see the ggen-merge README)"
                        )),
                        show_usage: false,
                    });
                }
                ("zdiff3", true) => request.style = ConflictStyle::Merge,
                _ => {}
            }
            continue;
        }
        // Short options, which may be bundled (`-pq`); `-L` takes the rest or the next argument.
        let shorts = text[1..].char_indices();
        for (at, flag) in shorts {
            match flag {
                'p' => request.stdout = true,
                'q' => {}
                'h' => request.help = true,
                'L' => {
                    let attached = &text[1 + at + 1..];
                    let label = if attached.is_empty() {
                        rest.next()
                            .map(|v| v.to_string_lossy().into_owned())
                            .ok_or_else(|| UsageError::new("switch `L' requires a value".into()))?
                    } else {
                        attached.to_owned()
                    };
                    if request.labels.len() == 3 {
                        return Err(UsageError {
                            message: Some("too many labels on the command line".to_owned()),
                            show_usage: false,
                        });
                    }
                    request.labels.push(label);
                    break;
                }
                other => return Err(UsageError::new(format!("unknown switch `{other}'"))),
            }
        }
    }
    if !request.help && request.files.len() != 3 {
        return Err(UsageError {
            message: None,
            show_usage: true,
        });
    }
    Ok(request)
}

/// An OS error as git prints it (`strerror`, without Rust's ` (os error N)`).
fn os_message(err: &std::io::Error) -> String {
    let text = err.to_string();
    match text.find(" (os error ") {
        Some(end) => text[..end].to_owned(),
        None => text,
    }
}

fn error(message: &str) -> u8 {
    let _ = writeln!(std::io::stderr(), "error: {message}");
    EXIT_GIT_ERROR
}

/// Read one input as git does: a missing or unreadable file, or a binary one, is an error.
/// Unlike git, only regular files are read (a FIFO or `/dev/zero` would block or never end;
/// documented in the crate README), with git's own status for an unreadable input.
fn read_input(name: &OsString) -> Result<Vec<u8>, u8> {
    let shown = Path::new(name).display().to_string();
    let path = Path::new(name);
    if let Err(err) = std::fs::metadata(path) {
        return Err(error(&format!(
            "Could not stat {shown}: {}",
            os_message(&err)
        )));
    }
    let bytes = ggen_fs::read_capped_io(path, ggen_fs::MAX_READ_BYTES)
        .map_err(|err| error(&format!("Could not open {shown}: {}", os_message(&err))))?;
    if ggen_merge::is_binary(&bytes) {
        return Err(error(&format!("Cannot merge binary files: {shown}")));
    }
    Ok(bytes)
}

/// Run `ggen merge-file` with git's arguments (those after `merge-file`) and return its exit
/// status.
pub fn run_git_args(args: &[OsString]) -> ExitCode {
    ExitCode::from(run_request(args))
}

fn run_request(args: &[OsString]) -> u8 {
    let request = match parse_args(args) {
        Ok(request) => request,
        Err(err) => {
            let mut stderr = std::io::stderr().lock();
            if let Some(message) = err.message {
                let _ = writeln!(stderr, "error: {message}");
            }
            if err.show_usage {
                let _ = stderr.write_all(USAGE.as_bytes());
            }
            return EXIT_GIT_USAGE;
        }
    };
    if request.help {
        let _ = std::io::stdout().write_all(USAGE.as_bytes());
        return 0;
    }
    let mut inputs = Vec::with_capacity(3);
    for name in &request.files {
        match read_input(name) {
            Ok(bytes) => inputs.push(bytes),
            Err(code) => return code,
        }
    }
    // Like git: labels default to the file names.
    let mut labels: [String; 3] =
        std::array::from_fn(|i| Path::new(&request.files[i]).display().to_string());
    for (slot, label) in labels.iter_mut().zip(&request.labels) {
        slot.clone_from(label);
    }
    let options = MergeOptions {
        style: request.style,
        favor: request.favor,
        labels,
        marker_size: request.marker_size,
        marker_width: if request.widen {
            MarkerWidth::Widen
        } else {
            MarkerWidth::Exact
        },
    };
    let merged = ggen_merge::merge_file(&inputs[0], &inputs[1], &inputs[2], &options);
    let current = Path::new(&request.files[0]);
    if request.stdout {
        let mut out = std::io::stdout().lock();
        if let Err(err) = out.write_all(&merged.bytes).and_then(|()| out.flush()) {
            return error(&format!(
                "Could not close {}: {}",
                current.display(),
                os_message(&err)
            ));
        }
    } else if let Err(err) = std::fs::write(current, &merged.bytes) {
        return error(&format!(
            "Could not open {} for writing: {}",
            current.display(),
            os_message(&err)
        ));
    }
    // Bounded by MAX_EXIT_CONFLICTS, which fits a u8.
    merged.conflicts.min(MAX_EXIT_CONFLICTS) as u8
}

/// The clap route (`ggen [global options] merge-file …`): the same command, same statuses.
pub fn run(args: &MergeFileArgs) -> Result<Report, CliError> {
    Ok(Report::new(match run_request(&args.args) {
        0 => Outcome::Success,
        code => Outcome::Failed(code),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Request, UsageError> {
        parse_args(&args.iter().map(OsString::from).collect::<Vec<_>>())
    }

    #[test]
    fn the_last_favour_wins_and_no_forms_clear_it() {
        let r = parse(&["--ours", "--theirs", "a", "b", "c"]).unwrap();
        assert_eq!(r.favor, Some(Favor::Theirs));
        let r = parse(&["--union", "a", "--ours", "b", "c"]).unwrap();
        assert_eq!(r.favor, Some(Favor::Ours));
        let r = parse(&["--ours", "--no-ours", "a", "b", "c"]).unwrap();
        assert_eq!(r.favor, None);
    }

    #[test]
    fn long_options_take_unique_prefixes() {
        let r = parse(&["--st", "--mark=3", "--diff3", "a", "b", "c"]).unwrap();
        assert!(r.stdout);
        assert_eq!(r.marker_size, 3);
        assert_eq!(r.style, ConflictStyle::Diff3);
        let err = parse(&["--d", "a", "b", "c"]).unwrap_err();
        assert_eq!(
            err.message.as_deref(),
            Some("ambiguous option: d (could be --diff3 or --diff-algorithm)")
        );
    }

    #[test]
    fn marker_sizes_are_read_as_gits_int() {
        let size = |v: &str| parse(&["--marker-size", v, "a", "b", "c"]).map(|r| r.marker_size);
        assert_eq!(size("12"), Ok(12));
        assert_eq!(size("0"), Ok(0));
        assert_eq!(size("-1"), Ok(0));
        // 4,000,000,000 wraps to a negative int: git's default.
        assert_eq!(size("4000000000"), Ok(0));
        assert_eq!(size("99999999999999999999"), Ok(0));
        assert!(size("abc").is_err());
    }

    #[test]
    fn labels_and_files() {
        let r = parse(&["-pq", "-Lx", "-L", "y", "a", "b", "c"]).unwrap();
        assert!(r.stdout);
        assert_eq!(r.labels, ["x", "y"]);
        assert_eq!(r.files, ["a", "b", "c"]);
        assert!(parse(&["-L", "1", "-L", "2", "-L", "3", "-L", "4", "a", "b", "c"]).is_err());
        assert!(parse(&["a", "b"]).is_err());
        let r = parse(&["--", "-a", "b", "c"]).unwrap();
        assert_eq!(r.files, ["-a", "b", "c"]);
    }
}
