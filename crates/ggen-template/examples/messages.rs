#![allow(clippy::print_stdout)]
use ggen_template::*;
use std::collections::BTreeMap;
fn main() {
    let r = Renderer::new(Limits::default());
    let vars = BTreeMap::from([("name".to_string(), "x".to_string())]);
    let pack = PackContext {
        id: "p".into(),
        version: "1.0.0".into(),
    };
    let g = Graph::load(
        &[GraphSource {
            name: "m.ttl".into(),
            text: "@prefix ex: <http://e/> . ex:a ex:b \"c\" .".into(),
        }],
        &BTreeMap::from([("ex".to_string(), "http://e/".to_string())]),
    )
    .unwrap();
    let cases: &[(&str, &[u8])] = &[
        ("undef.tmpl", b"---\nto: x\n---\na\n{{ nmae }}\n"),
        ("attr.tmpl", b"{{ pack.nope }}\n"),
        ("filter.tmpl", b"{{ name | snakecase }}\n"),
        ("syntax.tmpl", b"a\n{% if x %}\n"),
        ("syntax2.tmpl", b"a\n{{ x + }}\n"),
        ("fm.tmpl", b"---\nto: x\nforeahc: y\n---\n"),
        ("fm2.tmpl", b"---\nto: x\nunless_exists: maybe\n---\n"),
        ("fm3.tmpl", b"---\nto: [x\n---\n"),
        ("fm4.tmpl", b"---\nwhen: [1]\n---\n"),
        (
            "q.tmpl",
            b"---\nforeach: \"SELECT ?x WHERE { ?x ex:b }\"\n---\n",
        ),
        (
            "q2.tmpl",
            b"---\nforeach: \"SELECT ?x WHERE { ?x nope:b ?y }\"\n---\n",
        ),
        (
            "fuel.tmpl",
            b"{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
        ),
        ("to.tmpl", b"---\nto: ../x\n---\n"),
    ];
    for (name, text) in cases {
        let t0 = std::time::Instant::now();
        let res = Template::parse(name, text).and_then(|t| r.render(&t, &vars, &pack, &g));
        match res {
            Ok(f) => println!("{name}: OK {f:?}"),
            Err(e) => println!("{name}: {e}  [{:?}]", t0.elapsed()),
        }
    }
    match Graph::load(
        &[GraphSource {
            name: "bad.ttl".into(),
            text: "@prefix ex: <http://e/> .\nex:a ex:b \"c\" .\nex:a ex:b .\n".into(),
        }],
        &BTreeMap::new(),
    ) {
        Ok(_) => println!("??"),
        Err(e) => println!("{e}"),
    }
}
