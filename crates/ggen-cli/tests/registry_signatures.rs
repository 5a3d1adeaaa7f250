//! Signing keys, signed publishing, and which packs are accepted or refused, for Ed25519 and
//! ML-DSA-65.

mod common;
mod registry_support;

use common::{Scratch, stderr, stdout_json};
use registry_support::{pack_index, publish, write_pack_index};

const ALGORITHMS: [&str; 2] = ["ed25519", "ml-dsa-65"];

fn generate(scratch: &Scratch, out: &str, algorithm: &str) -> serde_json::Value {
    let output = scratch
        .ggen()
        .args([
            "--json",
            "keys",
            "generate",
            "--out",
            out,
            "--algorithm",
            algorithm,
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    stdout_json(&output)
}

/// `ggen --registry registry new DIR --pack SPEC` with extra flags.
fn new_project(scratch: &Scratch, dir: &str, spec: &str, flags: &[&str]) -> std::process::Output {
    scratch
        .ggen()
        .args(["--registry", "registry"])
        .args(flags)
        .args(["new", dir, "--pack", spec])
        .output()
        .unwrap()
}

#[test]
fn key_files_name_their_algorithm_and_keep_the_secret_private() {
    let scratch = Scratch::new();
    for algorithm in ALGORITHMS {
        let out = format!("keys/{algorithm}");
        let doc = generate(&scratch, &out, algorithm);
        assert_eq!(doc["algorithm"], algorithm);
        let public = std::fs::read_to_string(scratch.work().join(format!("{out}.pub"))).unwrap();
        assert!(
            public.contains(&format!("algorithm = \"{algorithm}\"")),
            "{public}"
        );
        assert!(public.contains(doc["key_id"].as_str().unwrap()), "{public}");
        let secret = std::fs::read_to_string(scratch.work().join(&out)).unwrap();
        assert!(secret.contains("secret_key = ") && !public.contains("secret_key"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(scratch.work().join(&out))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "secret key readable by others: {mode:o}");
        }
        // A key is never overwritten.
        let output = scratch
            .ggen()
            .args(["keys", "generate", "--out", &out, "--algorithm", algorithm])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1));
        assert!(
            stderr(&output).contains("already exists"),
            "{}",
            stderr(&output)
        );
    }
}

#[test]
fn signed_packs_are_accepted_when_trusted_and_refused_when_not() {
    for algorithm in ALGORITHMS {
        let scratch = Scratch::new();
        generate(&scratch, "publisher", algorithm);
        generate(&scratch, "stranger", algorithm);
        publish(&scratch, "signed", "1.0.0", &[], Some("publisher"));
        publish(&scratch, "plain", "1.0.0", &[], None);
        let entry = &pack_index(&scratch, "signed")["versions"][0];
        assert_eq!(entry["signature"]["algorithm"], algorithm);

        // Required and trusted: accepted, and the signature is recorded in ggen.lock.
        let output = new_project(
            &scratch,
            "ok",
            "signed",
            &["--require-signatures", "--trust-key", "publisher.pub"],
        );
        assert!(output.status.success(), "{algorithm}: {}", stderr(&output));
        let lock = std::fs::read_to_string(scratch.work().join("ok/ggen.lock")).unwrap();
        let recorded = format!(
            "signature = \"{algorithm}:{}:{}\"",
            entry["signature"]["key_id"].as_str().unwrap(),
            entry["signature"]["value"].as_str().unwrap()
        );
        assert!(lock.contains(&recorded), "{algorithm}: {lock}");

        // Required, but signed by a key nobody trusts, or not signed: refused.
        let output = new_project(
            &scratch,
            "untrusted",
            "signed",
            &["--require-signatures", "--trust-key", "stranger.pub"],
        );
        assert_eq!(output.status.code(), Some(1), "{algorithm}");
        assert!(
            stderr(&output).contains("not trusted"),
            "{}",
            stderr(&output)
        );
        assert!(!scratch.work().join("untrusted").exists());
        let output = new_project(&scratch, "unsigned", "plain", &["--require-signatures"]);
        assert_eq!(output.status.code(), Some(1));
        assert!(
            stderr(&output).contains("plain@1.0.0 is not signed"),
            "{}",
            stderr(&output)
        );
        assert!(!scratch.work().join("unsigned").exists());

        // Not required: an unverifiable signature and an unsigned pack are accepted.
        for (dir, spec) in [("lenient", "signed"), ("lenient-plain", "plain")] {
            let output = new_project(&scratch, dir, spec, &[]);
            assert!(output.status.success(), "{algorithm}: {}", stderr(&output));
        }
    }
}

#[test]
fn trusted_keys_and_config_require_signatures_from_ggen_home() {
    let scratch = Scratch::new();
    generate(&scratch, "publisher", "ml-dsa-65");
    publish(&scratch, "signed", "1.0.0", &[], Some("publisher"));
    publish(&scratch, "plain", "1.0.0", &[], None);
    std::fs::create_dir_all(scratch.home().join("trusted_keys")).unwrap();
    std::fs::copy(
        scratch.work().join("publisher.pub"),
        scratch.home().join("trusted_keys/publisher.pub"),
    )
    .unwrap();
    std::fs::write(
        scratch.home().join("config.toml"),
        "require_signatures = true\n",
    )
    .unwrap();
    let output = new_project(&scratch, "ok", "signed", &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let output = new_project(&scratch, "refused", "plain", &[]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("signatures are required"),
        "{}",
        stderr(&output)
    );
    let output = scratch
        .ggen()
        .args([
            "--registry",
            "registry",
            "--json",
            "packs",
            "info",
            "signed",
        ])
        .output()
        .unwrap();
    let doc = stdout_json(&output);
    assert_eq!(doc["versions"][0]["signature"]["status"], "verified");
}

#[test]
fn a_bad_signature_is_always_refused_before_anything_is_written() {
    for algorithm in ALGORITHMS {
        let scratch = Scratch::new();
        generate(&scratch, "publisher", algorithm);
        publish(&scratch, "signed", "1.0.0", &[], Some("publisher"));
        publish(&scratch, "signed", "1.1.0", &[], Some("publisher"));

        // Whoever controls the registry but not the key swaps 1.1.0's archive for 1.0.0's,
        // fixing up the hash: the signature, which covers the hash, no longer verifies.
        let mut index = pack_index(&scratch, "signed");
        index["versions"][1]["archive"] = index["versions"][0]["archive"].clone();
        index["versions"][1]["sha256"] = index["versions"][0]["sha256"].clone();
        write_pack_index(&scratch, "signed", &index);
        let output = new_project(
            &scratch,
            "swapped",
            "signed@=1.1.0",
            &["--trust-key", "publisher.pub"],
        );
        assert_eq!(output.status.code(), Some(1), "{algorithm}");
        let err = stderr(&output);
        assert!(
            err.contains("signed@1.1.0: bad signature"),
            "{algorithm}: {err}"
        );
        assert!(!scratch.work().join("swapped").exists());

        // A damaged signature value is refused even when signatures are not required.
        let mut index = pack_index(&scratch, "signed");
        let value = index["versions"][0]["signature"]["value"]
            .as_str()
            .unwrap()
            .to_string();
        let flipped = if value.starts_with('0') { "1" } else { "0" };
        index["versions"][0]["signature"]["value"] = format!("{flipped}{}", &value[1..]).into();
        write_pack_index(&scratch, "signed", &index);
        let output = new_project(
            &scratch,
            "damaged",
            "signed@=1.0.0",
            &["--trust-key", "publisher.pub"],
        );
        assert_eq!(output.status.code(), Some(1), "{algorithm}");
        assert!(
            stderr(&output).contains("bad signature"),
            "{}",
            stderr(&output)
        );
        assert!(!scratch.work().join("damaged").exists());
        let output = scratch
            .ggen()
            .args([
                "--registry",
                "registry",
                "--trust-key",
                "publisher.pub",
                "packs",
                "info",
                "signed",
            ])
            .output()
            .unwrap();
        assert!(output.status.success());
        assert!(String::from_utf8_lossy(&output.stdout).contains("BAD SIGNATURE"));
    }
}
