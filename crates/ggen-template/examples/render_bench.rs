//! Times rendering 2,000 templates of 100 lines (no frontmatter), as the project would:
//! parse, then render in parallel from one `Renderer`. Run with
//! `cargo run --release -p ggen-template --example render_bench`.
#![allow(clippy::print_stdout)]

use std::collections::BTreeMap;
use std::time::Instant;

use ggen_template::{Graph, Limits, PackContext, Renderer, Template};

fn body(i: usize, markup: bool) -> String {
    let mut text = String::new();
    for line in 0..100 {
        if markup && line % 10 == 0 {
            text.push_str(&format!(
                "// {{{{ project_name | snake_case }}}} line {line} of file {i}\n"
            ));
        } else {
            text.push_str(&format!(
                "    let value_{line} = compute({i}, {line}); // plain code {{ }}\n"
            ));
        }
    }
    text
}

fn run(label: &str, markup: bool, threads: usize) {
    let sources: Vec<(String, String)> = (0..2000)
        .map(|i| (format!("src/file_{i}.rs.tmpl"), body(i, markup)))
        .collect();
    let vars = BTreeMap::from([("project_name".to_string(), "My App".to_string())]);
    let pack = PackContext {
        id: "bench".to_string(),
        version: "1.0.0".to_string(),
        kinds: BTreeMap::new(),
    };
    let graph = Graph::empty(&BTreeMap::new());
    let renderer = Renderer::new(Limits::default());
    let started = Instant::now();
    let chunks: Vec<&[(String, String)]> =
        sources.chunks(sources.len().div_ceil(threads)).collect();
    let outputs: usize = std::thread::scope(|scope| {
        let handles: Vec<_> = chunks
            .iter()
            .map(|chunk| {
                let (renderer, vars, pack, graph) = (&renderer, &vars, &pack, &graph);
                scope.spawn(move || {
                    let mut count = 0;
                    for (name, text) in chunk.iter() {
                        let template = Template::parse(name, text.as_bytes()).expect("parse");
                        count += renderer
                            .render(&template, vars, pack, graph)
                            .expect("render")
                            .len();
                    }
                    count
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("thread")).sum()
    });
    println!(
        "{label:<40} {threads} thread(s): {outputs} outputs in {:?}",
        started.elapsed()
    );
}

fn main() {
    for threads in [1, 2] {
        run("2,000 x 100 lines, plain text", false, threads);
        run("2,000 x 100 lines, 10 expressions each", true, threads);
    }
}
