//! `ggen merge-file CURRENT BASE OTHER`: git merge-file's interface over ggen's line merge.

use ggen_merge::{ConflictStyle, Favor, MergeOptions};

use crate::Outcome;
use crate::args::{GlobalArgs, MergeFileArgs};
use crate::error::CliError;
use crate::printer::Printer;
use crate::settings;

pub fn run(
    args: &MergeFileArgs,
    global: &GlobalArgs,
    printer: &Printer,
) -> Result<Outcome, CliError> {
    let env = settings::environment(global)?;
    if args.labels.len() > 3 {
        return Err(CliError::usage("-L may be given at most three times"));
    }
    let paths = [&args.current, &args.base, &args.other];
    let [current, base, other] = paths.map(|p| ggen_fs::read(&env.cwd.join(p)));
    let (current, base, other) = (current?, base?, other?);
    // Like git: labels default to the file names.
    let mut labels = paths.map(|p| p.display().to_string());
    for (slot, label) in labels.iter_mut().zip(&args.labels) {
        *slot = label.clone();
    }
    let options = MergeOptions {
        style: if args.diff3 {
            ConflictStyle::Diff3
        } else {
            ConflictStyle::Merge
        },
        favor: if args.ours {
            Some(Favor::Ours)
        } else if args.theirs {
            Some(Favor::Theirs)
        } else if args.union {
            Some(Favor::Union)
        } else {
            None
        },
        labels,
        marker_size: args.marker_size,
    };
    let merged = ggen_merge::merge_file(&current, &base, &other, &options);
    if args.stdout {
        printer.out_bytes(&merged.bytes);
    } else {
        // Like git merge-file: a CURRENT that is a symbolic link is written through (the
        // file it names gets the result; the link stays a link).
        let current = env.cwd.join(&args.current);
        let current = std::fs::canonicalize(&current).unwrap_or(current);
        ggen_fs::write_atomic(&current, &merged.bytes, ggen_fs::Durability::Sync)?;
    }
    let outcome = if merged.conflicts > 0 {
        Outcome::Unresolved
    } else {
        Outcome::Success
    };
    if printer.json && !args.stdout {
        printer.json_document(serde_json::json!({
            "status": if merged.conflicts > 0 { "unresolved" } else { "ok" },
            "exit_code": if merged.conflicts > 0 { 3 } else { 0 },
            "conflicts": merged.conflicts,
            "written": args.current,
        }));
    } else if merged.conflicts > 0 {
        printer.warn(&format!(
            "{} conflict(s) in {}",
            merged.conflicts,
            args.current.display()
        ));
    }
    Ok(outcome)
}
