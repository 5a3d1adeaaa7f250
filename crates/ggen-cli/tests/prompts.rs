//! Questions on a real pseudo-terminal: the `ggen` binary asks for every variable nothing
//! gave, re-asks with the reason when an answer is refused, offers choices as a list, asks a
//! bool as yes/no, and takes a secret without echoing it.

mod common;

use std::path::Path;

use common::Scratch;
use common::terminal::Terminal;

const SECRET: &str = "tok-3c9a1f7e-unique";

const MANIFEST: &str = "[pack]\nid = \"svc\"\nversion = \"1.0.0\"\ndescription = \"d\"\n\
    [variables.db]\ntype = \"choice\"\nchoices = [\"pg\", \"sqlite\", \"mysql\"]\n\
    description = \"database\"\n\
    [variables.name]\ndescription = \"service name\"\npattern = \"[a-z]+\"\n\
    [variables.port]\ntype = \"int\"\ndefault = 8080\ndescription = \"listen port\"\n\
    [variables.tls]\ntype = \"bool\"\ndescription = \"serve https\"\n\
    [variables.token]\nsecret = true\ndescription = \"API token\"\n";

const TEMPLATE: &str =
    "name={{ name }} db={{ db }} port={{ port + 0 }} tls={% if tls %}on{% else %}off{% endif %}\n";

fn pack(scratch: &Scratch) -> std::path::PathBuf {
    scratch.write_tree(
        "pack",
        &[
            ("gpack.toml", MANIFEST),
            ("templates/out.txt.tmpl", TEMPLATE),
            ("templates/token.txt.tmpl", "{{ token }}\n"),
        ],
    )
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn a_newcomer_answers_every_question_and_gets_the_project() {
    let scratch = Scratch::new();
    pack(&scratch);
    let mut term = Terminal::spawn(&scratch, &["new", "app", "--pack", "./pack"]);
    // A choice is a list: one step down from the first entry is `sqlite`.
    term.expect("database");
    term.expect("mysql");
    term.send("\x1b[B");
    term.send("\r");
    // A refused answer is asked again with the reason.
    term.expect("service name");
    term.send("Bad1\r");
    term.expect("must match the pattern `[a-z]+`");
    term.send("good\r");
    // An int shows its default; a wrong one is refused, then the default is taken.
    term.expect("listen port");
    term.expect("8080");
    term.send("eighty\r");
    term.expect("an integer");
    term.send("\r");
    // A bool is yes/no.
    term.expect("serve https");
    term.send("y");
    // A secret is typed without echo.
    term.expect("API token");
    term.expect("(hidden)");
    term.send(&format!("{SECRET}\r"));
    let (code, shown) = term.finish();
    assert_eq!(code, 0, "{shown}");
    assert!(!shown.contains(SECRET), "the secret was echoed:\n{shown}");
    let app = scratch.work().join("app");
    assert_eq!(
        read(&app.join("out.txt")),
        "name=good db=sqlite port=8080 tls=on\n"
    );
    assert_eq!(read(&app.join("token.txt")), format!("{SECRET}\n"));
    let lock = read(&app.join("ggen.lock"));
    assert!(lock.contains("tls = true\n"), "{lock}");
    assert!(
        !lock.contains("token =") && !lock.contains(SECRET),
        "{lock}"
    );
}

#[test]
fn given_values_are_not_asked_and_defaults_takes_defaults() {
    let scratch = Scratch::new();
    pack(&scratch);
    // Everything given but the defaulted port: with --defaults nothing is asked at all.
    let term = Terminal::spawn(
        &scratch,
        &[
            "new",
            "app",
            "--pack",
            "./pack",
            "--defaults",
            "--var",
            "db=pg",
            "--var",
            "name=svc",
            "--var",
            "tls=no",
        ],
    );
    let (code, shown) = term.finish();
    // The secret has no default: --defaults does not ask, and says how to pass it.
    assert_ne!(code, 0, "{shown}");
    assert!(shown.contains("token — API token"), "{shown}");
    assert!(shown.contains("GGEN_VAR_"), "{shown}");
    assert!(!shown.contains("listen port"), "{shown}");
    assert!(!scratch.work().join("app").exists());

    // Given the secret too, nothing is asked and the port takes its default.
    let mut term = Terminal::spawn(
        &scratch,
        &[
            "new",
            "app",
            "--pack",
            "./pack",
            "--defaults",
            "--var",
            "db=pg",
            "--var",
            "name=svc",
            "--var",
            "tls=no",
            "--var",
            &format!("token={SECRET}"),
        ],
    );
    term.expect("Created");
    let (code, shown) = term.finish();
    assert_eq!(code, 0, "{shown}");
    assert!(!shown.contains("listen port"), "{shown}");
    let out = read(&scratch.work().join("app/out.txt"));
    assert_eq!(out, "name=svc db=pg port=8080 tls=off\n");
}

#[test]
fn regenerate_asks_only_for_the_secret_and_for_values_that_no_longer_validate() {
    let scratch = Scratch::new();
    let pack_dir = pack(&scratch);
    scratch
        .ggen()
        .args(["new", "app", "--pack", "./pack"])
        .args(["--var", "db=mysql", "--var", "name=svc", "--var", "tls=yes"])
        .env("GGEN_VAR_TOKEN", SECRET)
        .assert()
        .success();
    // The pack now refuses `mysql`: the recorded value no longer validates.
    let manifest = MANIFEST.replace(", \"mysql\"]", "]");
    std::fs::write(pack_dir.join("gpack.toml"), manifest).unwrap();
    let mut term = Terminal::spawn(&scratch, &["-C", "app", "packs", "regenerate"]);
    term.expect("no longer allowed");
    term.expect("sqlite");
    term.send("\r");
    term.expect("API token");
    term.send(&format!("{SECRET}-2\r"));
    let (code, shown) = term.finish();
    assert_eq!(code, 0, "{shown}");
    for asked in ["service name", "listen port", "serve https"] {
        assert!(
            !shown.contains(asked),
            "{asked:?} was asked again:\n{shown}"
        );
    }
    let app = scratch.work().join("app");
    assert_eq!(
        read(&app.join("out.txt")),
        "name=svc db=pg port=8080 tls=on\n"
    );
    // A new secret renders again although every other input is unchanged.
    assert_eq!(read(&app.join("token.txt")), format!("{SECRET}-2\n"));
}
