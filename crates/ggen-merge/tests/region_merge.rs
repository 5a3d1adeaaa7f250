//! Scenario tests of `merge_regions`: what a user sees after `ggen packs update`.

use ggen_merge::{
    ConflictStyle, Favor, MergeOptions, carry_user_regions, merge_file, merge_regions,
};

fn opts() -> MergeOptions {
    MergeOptions {
        style: ConflictStyle::Diff3,
        labels: [
            "current".to_owned(),
            "base".to_owned(),
            "rust-web@1.1.0".to_owned(),
        ],
        ..MergeOptions::default()
    }
}

fn merge(path: &str, current: &str, base: &str, new: &str) -> (String, usize, Vec<String>) {
    let out = merge_regions(
        path,
        current.as_bytes(),
        base.as_bytes(),
        new.as_bytes(),
        &opts(),
    );
    (
        String::from_utf8(out.bytes).unwrap_or_default(),
        out.conflicts,
        out.warnings,
    )
}

const BASE: &str = "\
use uuid::Uuid;

// @ggen:generated-start id=model pack=rust-web version=1.0.0
pub struct User { pub id: Uuid }
// @ggen:generated-end
// @ggen:manual-edit id=user-impl
impl User {}
// @ggen:manual-edit-end
// @ggen:protected id=secrets
const KEY: &str = \"generated\";
// @ggen:protected-end
fn main() {}
";

#[test]
fn generated_takes_new_manual_and_protected_keep_current_outside_merges() {
    let current = BASE
        .replace("impl User {}", "impl User {\n    fn mine(&self) {}\n}")
        .replace("\"generated\"", "\"my-secret\"")
        .replace("fn main() {}", "fn main() { run(); }");
    let new = BASE
        .replace("version=1.0.0", "version=1.1.0")
        .replace("pub id: Uuid }", "pub id: Uuid, pub name: String }")
        .replace("impl User {}", "impl User { /* new default */ }")
        .replace("\"generated\"", "\"new-default\"")
        .replace("use uuid::Uuid;", "use uuid::Uuid;\nuse serde::Serialize;");
    let (text, conflicts, warnings) = merge("src/user.rs", &current, BASE, &new);
    assert_eq!(conflicts, 0, "{text}");
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(
        text,
        "use uuid::Uuid;\nuse serde::Serialize;\n\n\
         // @ggen:generated-start id=model pack=rust-web version=1.1.0\n\
         pub struct User { pub id: Uuid, pub name: String }\n\
         // @ggen:generated-end\n\
         // @ggen:manual-edit id=user-impl\nimpl User {\n    fn mine(&self) {}\n}\n// @ggen:manual-edit-end\n\
         // @ggen:protected id=secrets\nconst KEY: &str = \"my-secret\";\n// @ggen:protected-end\n\
         fn main() { run(); }\n"
    );
}

#[test]
fn a_generated_region_changed_on_both_sides_is_one_conflict_block() {
    let current = BASE.replace("pub id: Uuid }", "pub id: Uuid, pub mine: u8 }");
    let new = BASE
        .replace("pub id: Uuid }", "pub id: Uuid, pub theirs: u8 }")
        .replace("1.0.0", "1.1.0");
    let (text, conflicts, warnings) = merge("src/user.rs", &current, BASE, &new);
    assert_eq!(conflicts, 1);
    assert!(
        text.contains(
            "// @ggen:generated-start id=model pack=rust-web version=1.1.0\n\
         <<<<<<< current\npub struct User { pub id: Uuid, pub mine: u8 }\n\
         ||||||| base\npub struct User { pub id: Uuid }\n\
         =======\npub struct User { pub id: Uuid, pub theirs: u8 }\n\
         >>>>>>> rust-web@1.1.0\n// @ggen:generated-end\n"
        ),
        "{text}"
    );
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].starts_with("src/user.rs:3:"), "{warnings:?}");
}

#[test]
fn a_generated_region_only_the_user_changed_keeps_the_edit() {
    let current = BASE.replace("pub id: Uuid }", "pub id: Uuid, pub mine: u8 }");
    let new = BASE.replace("1.0.0", "1.1.0");
    let (text, conflicts, _) = merge("src/user.rs", &current, BASE, &new);
    assert_eq!(conflicts, 0);
    assert!(
        text.contains("version=1.1.0\npub struct User { pub id: Uuid, pub mine: u8 }\n"),
        "{text}"
    );
}

#[test]
fn a_manual_region_the_new_version_dropped_is_kept_in_a_conflict_and_reported() {
    let current = BASE.replace("impl User {}", "impl User { fn mine() {} }");
    let new = BASE.replace(
        "// @ggen:manual-edit id=user-impl\nimpl User {}\n// @ggen:manual-edit-end\n",
        "",
    );
    let (text, conflicts, warnings) = merge("src/user.rs", &current, BASE, &new);
    assert_eq!(conflicts, 1, "{text}");
    assert!(text.contains(
        "<<<<<<< current\n// @ggen:manual-edit id=user-impl\nimpl User { fn mine() {} }\n// @ggen:manual-edit-end\n||||||| base\n"
    ), "{text}");
    assert_eq!(warnings.len(), 1);
    assert!(
        warnings[0].contains("manual-edit region `user-impl` is no longer in the new version"),
        "{warnings:?}"
    );
    // Even when conflicts are settled in favour of the new version, the region stays.
    let theirs = MergeOptions {
        favor: Some(Favor::Theirs),
        ..opts()
    };
    let out = merge_regions(
        "src/user.rs",
        current.as_bytes(),
        BASE.as_bytes(),
        new.as_bytes(),
        &theirs,
    );
    assert_eq!(out.conflicts, 0);
    assert!(String::from_utf8_lossy(&out.bytes).contains("impl User { fn mine() {} }"));
}

#[test]
fn a_protected_region_survives_every_change_of_the_new_version() {
    let new = BASE.replace(
        "// @ggen:protected id=secrets\nconst KEY: &str = \"generated\";\n// @ggen:protected-end\n",
        "",
    );
    let (text, conflicts, warnings) = merge("src/user.rs", BASE, BASE, &new);
    assert_eq!(conflicts, 1);
    assert!(text.contains(
        "// @ggen:protected id=secrets\nconst KEY: &str = \"generated\";\n// @ggen:protected-end\n"
    ));
    assert_eq!(warnings.len(), 1);
    let changed = BASE.replace("\"generated\"", "\"pack-changed\"");
    let (text, conflicts, _) = merge("src/user.rs", BASE, BASE, &changed);
    assert_eq!(conflicts, 0);
    assert!(
        text.contains("\"generated\""),
        "protected content must not change: {text}"
    );
}

#[test]
fn malformed_markers_fall_back_to_a_plain_merge_with_a_warning() {
    let new = BASE.replace("// @ggen:generated-end\n", "");
    let current = BASE.replace("fn main() {}", "fn main() { run(); }");
    let out = merge_regions(
        "src/user.rs",
        current.as_bytes(),
        BASE.as_bytes(),
        new.as_bytes(),
        &opts(),
    );
    let plain = merge_file(current.as_bytes(), BASE.as_bytes(), new.as_bytes(), &opts());
    assert_eq!(out.bytes, plain.bytes);
    assert_eq!(out.conflicts, plain.conflicts);
    assert!(
        out.warnings
            .iter()
            .any(|w| w.starts_with("src/user.rs:5 (new version): nested region marker")),
        "{:?}",
        out.warnings
    );
    assert!(
        out.warnings
            .iter()
            .any(|w| w.contains("merged as plain lines")),
        "{:?}",
        out.warnings
    );
}

#[test]
fn regions_without_ids_match_by_order() {
    let base = "# @ggen:manual-edit\none\n# @ggen:manual-edit-end\n# @ggen:manual-edit\ntwo\n# @ggen:manual-edit-end\nx = 1\n";
    let current = base.replace("one", "ONE").replace("two", "TWO");
    let new = format!("{base}y = 2\n");
    let (text, conflicts, _) = merge("conf.py", &current, base, &new);
    assert_eq!(conflicts, 0);
    assert_eq!(text, format!("{current}y = 2\n"));
}

#[test]
fn new_regions_from_the_pack_appear() {
    let new = format!(
        "{BASE}// @ggen:generated-start id=extra\nfn extra() {{}}\n// @ggen:generated-end\n"
    );
    let current = BASE.replace("impl User {}", "impl User { fn mine() {} }");
    let (text, conflicts, _) = merge("src/user.rs", &current, BASE, &new);
    assert_eq!(conflicts, 0);
    assert_eq!(
        text,
        format!(
            "{current}// @ggen:generated-start id=extra\nfn extra() {{}}\n// @ggen:generated-end\n"
        )
    );
}

#[test]
fn crlf_files_and_a_region_at_the_end_without_newline() {
    let base = "a\r\n// @ggen:protected id=p\r\nkeep\r\n// @ggen:protected-end";
    let new = "a\r\n// @ggen:protected id=p\r\nkeep\r\n// @ggen:protected-end\r\nadded\r\n";
    let (text, conflicts, _) = merge("x.rs", base, base, new);
    assert_eq!(conflicts, 0);
    assert_eq!(text, new);
}

#[test]
fn text_outside_regions_conflicts_like_merge_file() {
    let current = BASE.replace("fn main() {}", "fn main() { mine(); }");
    let new = BASE.replace("fn main() {}", "fn main() { theirs(); }");
    let (text, conflicts, _) = merge("src/user.rs", &current, BASE, &new);
    assert_eq!(conflicts, 1);
    assert!(text.ends_with(
        "<<<<<<< current\nfn main() { mine(); }\n||||||| base\nfn main() {}\n=======\nfn main() { theirs(); }\n>>>>>>> rust-web@1.1.0\n"
    ), "{text}");
}

#[test]
fn binary_content_is_a_whole_file_conflict() {
    let out = merge_regions(
        "logo.png",
        b"\x89PNG\0cur",
        b"\x89PNG\0base",
        b"\x89PNG\0new",
        &opts(),
    );
    assert_eq!(out.bytes, b"\x89PNG\0cur");
    assert_eq!(out.conflicts, 1);
    assert_eq!(out.warnings.len(), 1);
}

#[test]
fn a_generated_region_changed_on_both_sides_in_different_lines_merges_cleanly() {
    let body: Vec<String> = (1..=12).map(|i| format!("line {i}\n")).collect();
    let file = |body: &[String]| {
        format!(
            "// @ggen:generated-start id=g\n{}// @ggen:generated-end\n",
            body.concat()
        )
    };
    let mut user = body.clone();
    user[1] = "line 2, edited by the user\n".to_owned();
    let mut pack = body.clone();
    pack[9] = "line 10, changed by the pack\n".to_owned();
    let (merged, conflicts, warnings) = merge("x.rs", &file(&user), &file(&body), &file(&pack));
    let mut both = body.clone();
    both[1].clone_from(&user[1]);
    both[9].clone_from(&pack[9]);
    assert_eq!((merged, conflicts), (file(&both), 0), "{warnings:?}");
    // The same lines changed on both sides still conflict, inside the region.
    let mut clash = body.clone();
    clash[1] = "line 2, changed by the pack\n".to_owned();
    let (merged, conflicts, _) = merge("x.rs", &file(&user), &file(&body), &file(&clash));
    assert_eq!(conflicts, 1);
    assert!(
        merged.starts_with("// @ggen:generated-start id=g\nline 1\n<<<<<<< current\n"),
        "{merged}"
    );
}

#[test]
fn regions_are_found_and_merged_in_text_that_is_not_utf8() {
    let file = |user: &[u8], pack: &[u8]| {
        [
            b"// caf\xe9\n".as_slice(),
            b"// @ggen:generated-start id=g\n",
            pack,
            b"// @ggen:generated-end\n// @ggen:manual-edit id=m\n",
            user,
            b"// @ggen:manual-edit-end\n",
        ]
        .concat()
    };
    let base = file(b"mine \xff\n", b"gen \xe9 1\n");
    let current = file(b"mine \xff edited\n", b"gen \xe9 1\n");
    let new = file(b"mine \xff\n", b"gen \xe9 2\n");
    let out = merge_regions("x.rs", &current, &base, &new, &opts());
    assert_eq!(out.conflicts, 0, "{:?}", out.warnings);
    assert_eq!(out.bytes, file(b"mine \xff edited\n", b"gen \xe9 2\n"));
}

/// `packs install --force` over a file the user had: the pack's file, with the user's
/// protected and manual-edit bodies (by id, or rank when id-less) in it.
#[test]
fn carrying_user_regions_into_an_overwrite() {
    let mine = "\
// my header
// @ggen:generated-start id=g
mine
// @ggen:generated-end
// @ggen:protected id=keys
KEY=mine
// @ggen:protected-end
// @ggen:manual-edit
my code
more
// @ggen:manual-edit-end
";
    let pack = "\
// pack header
// @ggen:manual-edit
pack code
// @ggen:manual-edit-end
// @ggen:generated-start id=g
pack
// @ggen:generated-end
// @ggen:protected id=keys
KEY=pack
// @ggen:protected-end
// pack footer";
    let carried = carry_user_regions("a.rs", mine.as_bytes(), pack.as_bytes()).unwrap();
    assert_eq!(
        String::from_utf8(carried).unwrap(),
        "\
// pack header
// @ggen:manual-edit
my code
more
// @ggen:manual-edit-end
// @ggen:generated-start id=g
pack
// @ggen:generated-end
// @ggen:protected id=keys
KEY=mine
// @ggen:protected-end
// pack footer"
    );
    // No user regions: the pack's file as it is.
    assert_eq!(
        carry_user_regions("a.rs", b"plain\n", pack.as_bytes()).unwrap(),
        pack.as_bytes()
    );
    // A protected region the pack has no place for is never dropped.
    let err = carry_user_regions("a.rs", mine.as_bytes(), b"pack only\n").unwrap_err();
    assert!(err.contains("protected region id=keys (line 5)"), "{err}");
    let err =
        carry_user_regions("a.rs", b"// @ggen:protected id=p\nx\n", pack.as_bytes()).unwrap_err();
    assert!(err.contains("malformed"), "{err}");
}
