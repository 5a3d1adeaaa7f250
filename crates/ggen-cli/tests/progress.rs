//! What a terminal shows while ggen works: the render bar counts outputs (a `foreach` of
//! 20,000 rows is 20,000 steps, not one template), every phase is named once, and nothing
//! of it reaches a pipe.

mod common;

use common::Scratch;
use common::terminal::Terminal;

const ROWS: usize = 20_000;

/// Pack `big`: one template whose `foreach` makes one file per entity of a graph of
/// [`ROWS`] entities.
fn big_pack(scratch: &Scratch) {
    let mut model = String::from("@prefix ex: <http://example.org/> .\n");
    for n in 0..ROWS {
        model.push_str(&format!("ex:e{n} ex:n \"{n}\" .\n"));
    }
    let template = "---\nto: \"out/{{ n }}.txt\"\n\
        foreach: \"SELECT ?n WHERE { ?e ex:n ?n }\"\n---\nentity {{ n }}\n";
    scratch.write_tree(
        "big",
        &[
            (
                "gpack.toml",
                "[pack]\nid = \"big\"\nversion = \"1.0.0\"\ndescription = \"d\"\n\
                 [graph]\nfiles = [\"graph/*.ttl\"]\n\
                 prefixes = { ex = \"http://example.org/\" }\n",
            ),
            ("graph/model.ttl", model.as_str()),
            ("templates/entity.txt.tmpl", template),
        ],
    );
}

#[test]
fn a_big_foreach_counts_outputs_and_names_each_phase_once() {
    let scratch = Scratch::new();
    big_pack(&scratch);
    let term = Terminal::spawn(&scratch, &["new", "proj", "--pack", "./big"]);
    let (code, shown) = term.finish();
    assert_eq!(code, 0, "{shown}");
    assert_eq!(
        std::fs::read_to_string(scratch.work().join("proj/out/19999.txt")).unwrap(),
        "entity 19999\n"
    );
    // The bar's total is the outputs, known once the rows are: 1 template, 20,000 steps.
    assert!(
        shown.contains(&format!("/{ROWS} outputs of big")),
        "the render bar does not count outputs:\n{shown}"
    );
    assert!(shown.contains("Rendering"), "{shown}");
    assert!(
        !shown.contains("rendering"),
        "the verb is doubled in the label:\n{shown}"
    );
    assert!(shown.contains("Writing"), "{shown}");
    // NO_COLOR: the bars are not coloured either.
    assert!(
        !shown.contains("\x1b[36m"),
        "coloured despite NO_COLOR:\n{shown}"
    );
}

#[test]
fn no_bar_or_phase_reaches_a_pipe() {
    let scratch = Scratch::new();
    big_pack(&scratch);
    let output = scratch
        .ggen()
        .args(["new", "proj", "--pack", "./big"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let stderr = common::stderr(&output);
    for word in [
        "Rendering",
        "Writing",
        "Resolving",
        "Committing",
        "outputs of",
    ] {
        assert!(!stderr.contains(word), "{word} on a pipe:\n{stderr}");
    }
}
