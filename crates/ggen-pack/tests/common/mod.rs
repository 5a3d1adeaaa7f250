//! Helpers shared by the archive tests: pack trees on disk and hand-built (hostile) tars.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::Path;

use flate2::Compression;
use flate2::write::GzEncoder;

pub fn write(root: &Path, rel: &str, bytes: &[u8]) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, bytes).unwrap();
}

/// A small but complete pack directory.
pub fn sample_pack(root: &Path) {
    write(
        root,
        "gpack.toml",
        b"[pack]\nid = \"web\"\nversion = \"1.0.0\"\ndescription = \"d\"\n",
    );
    write(root, "templates/src/main.rs.tmpl", b"fn main() {}\n");
    write(root, "templates/.github/workflows/ci.yml", b"on: push\n");
    write(root, "templates/empty.txt", b"");
    write(
        root,
        "graph/model.ttl",
        b"@prefix ex: <http://example.org/> .\n",
    );
    write(
        root,
        &format!("templates/{}/deep.txt", "long-directory-name".repeat(8)),
        b"long",
    );
    fs::create_dir_all(root.join("templates/empty-dir")).unwrap();
    write(root, "scripts/setup.sh", b"#!/bin/sh\necho hi\n");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(
            root.join("scripts/setup.sh"),
            fs::Permissions::from_mode(0o755),
        )
        .unwrap();
    }
}

/// Every file and directory under `root` (rel path -> contents, `None` for directories).
pub fn tree(root: &Path) -> BTreeMap<String, Option<Vec<u8>>> {
    let mut out = BTreeMap::new();
    for entry in walkdir::WalkDir::new(root).min_depth(1) {
        let entry = entry.unwrap();
        let rel = entry
            .path()
            .strip_prefix(root)
            .unwrap()
            .to_str()
            .unwrap()
            .replace('\\', "/");
        let contents = entry
            .file_type()
            .is_file()
            .then(|| fs::read(entry.path()).unwrap());
        out.insert(rel, contents);
    }
    out
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// A tar written header by header, so it can hold what `tar::Builder` refuses to write.
#[derive(Default)]
pub struct RawTar {
    pub bytes: Vec<u8>,
}

impl RawTar {
    pub fn entry(mut self, name: &[u8], kind: tar::EntryType, data: &[u8], link: &[u8]) -> Self {
        let mut header = tar::Header::new_gnu();
        {
            let old = header.as_old_mut();
            old.name[..name.len()].copy_from_slice(name);
            old.linkname[..link.len()].copy_from_slice(link);
        }
        header.set_entry_type(kind);
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(0);
        header.set_cksum();
        self.bytes.extend_from_slice(header.as_bytes());
        self.bytes.extend_from_slice(data);
        let padding = (512 - data.len() % 512) % 512;
        self.bytes.extend(std::iter::repeat_n(0, padding));
        self
    }

    pub fn file(self, name: &str, data: &[u8]) -> Self {
        self.entry(name.as_bytes(), tar::EntryType::Regular, data, b"")
    }

    pub fn dir(self, name: &str) -> Self {
        self.entry(name.as_bytes(), tar::EntryType::Directory, b"", b"")
    }

    /// A PAX extended header: its records apply to the next entry.
    pub fn pax(self, key: &str, value: &str) -> Self {
        let body = format!(" {key}={value}\n");
        // The length prefix counts itself.
        let mut len = body.len() + 1;
        while format!("{len}{body}").len() != len {
            len += 1;
        }
        let record = format!("{len}{body}");
        self.entry(
            b"PaxHeader",
            tar::EntryType::XHeader,
            record.as_bytes(),
            b"",
        )
    }

    pub fn finish(mut self) -> Vec<u8> {
        self.bytes.extend(std::iter::repeat_n(0, 1024));
        self.bytes
    }

    pub fn gz(self) -> Vec<u8> {
        gzip(&self.finish())
    }
}
