#!/usr/bin/env python3
"""Runs `ggen packs migrate` over every pack of the original ggen repository and measures
how much of it works here (docs/migrating.md quotes the numbers).

    scripts/migrate_corpus.py --ggen target/debug/ggen ORIGINAL_GIT_DIR
        [--oracle ORACLE_BIN] [--work DIR] [--verbose]

ORIGINAL_GIT_DIR is a clone (bare or not) of seanchatmangpt/ggen. Its HEAD tree is
extracted into the work directory; every directory holding a `pack.toml`, a `ggen.toml` with
`[[generation.rules]]` or a `gpack.toml` with `[gpack]` is one pack. For each pack:

1. `ggen packs migrate PACK --out W/packs/N --json`: converted fully (exit 0), partly
   (exit 3: some files need a human), or not at all (exit 1).
2. `ggen new W/projects/N --pack W/packs/N --json`: the pack generates (exit 0).
3. `ggen template render T --pack W/packs/N` for each converted template: it renders.
4. With `--oracle`: the original's own engine generates the pack (a `pack.toml` pack into a
   consumer project set up as the original's e2e tests do, a `ggen.toml` project in a copy
   of itself; v1 packs have no engine there), and every file it writes is compared byte
   for byte with the file `ggen new` wrote at the same path. ORACLE_BIN is
   scripts/original-oracle (see its README): a few lines calling the original's
   `ggen_engine::sync::sync`, built from the original's sources.

Prints the counts; exit status 0.
"""

import argparse
import collections
import json
import os
import shutil
import subprocess
import sys
import tempfile


def extract(git_dir, into):
    """The HEAD tree of `git_dir` (files over 5 MB and missing blobs skipped)."""
    listing = subprocess.run(
        ["git", "-C", git_dir, "ls-tree", "-r", "-z", "HEAD"], capture_output=True, check=True
    ).stdout.split(b"\0")
    entries = []
    for entry in listing:
        if not entry:
            continue
        meta, path = entry.split(b"\t", 1)
        mode, kind, sha = meta.split()
        if kind == b"blob" and mode != b"120000":
            entries.append((sha.decode(), path.decode()))
    cat = subprocess.Popen(
        ["git", "-C", git_dir, "cat-file", "--batch"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    for sha, path in entries:
        cat.stdin.write((sha + "\n").encode())
        cat.stdin.flush()
        header = cat.stdout.readline().split()
        if header[-1] == b"missing":
            continue
        size = int(header[2])
        data = cat.stdout.read(size)
        cat.stdout.read(1)
        if size > 5_000_000:
            continue
        target = os.path.join(into, path)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as f:
            f.write(data)
    cat.stdin.close()
    cat.wait()


def pack_roots(tree):
    roots = []
    for directory, dirs, files in os.walk(tree):
        dirs[:] = sorted(d for d in dirs if d not in (".git", "target", "node_modules"))
        def text(name):
            with open(os.path.join(directory, name), errors="replace") as f:
                return f.read()
        if "gpack.toml" in files and "[gpack]" in text("gpack.toml"):
            roots.append(directory)
        elif "pack.toml" in files and "[pack]" in text("pack.toml"):
            roots.append(directory)
        elif "ggen.toml" in files and "[[generation.rules]]" in text("ggen.toml"):
            roots.append(directory)
    return roots


def run(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(cmd, -1, "", "timed out after 120 s")


def original_outputs(oracle, root, tree, oracle_tree, scratch):
    """Runs the original engine on the pack at `root`: (project dir, written paths) or
    (None, why not)."""
    shutil.rmtree(scratch, ignore_errors=True)
    os.makedirs(scratch)
    if os.path.exists(os.path.join(root, "gpack.toml")) and not os.path.exists(
        os.path.join(root, "pack.toml")
    ) and not os.path.exists(os.path.join(root, "ggen.toml")):
        return None, "v1 gpack.toml: the original's engine no longer reads it"
    if os.path.exists(os.path.join(root, "pack.toml")):
        # What the original's tests/support scaffold_pack does.
        name = os.path.basename(root)
        shutil.copytree(root, os.path.join(scratch, name), symlinks=True)
        project = os.path.join(scratch, "consumer")
        os.makedirs(os.path.join(project, "templates"))
        open(os.path.join(project, "ontology.ttl"), "w").close()
        with open(os.path.join(project, "ggen.toml"), "w") as f:
            f.write(
                f'[project]\nname = "consumer"\n\n[ontology]\nsource = "ontology.ttl"\n\n'
                f'[packs]\n{name} = {{ path = "../{name}" }}\n\n[templates]\ndir = "templates"\n'
            )
    else:
        # A ggen.toml project generates into itself, and its inputs may lie outside it: it
        # runs in place in a copy of the whole tree kept for the original's runs.
        project = os.path.join(oracle_tree, os.path.relpath(root, tree))
    result = run([oracle, project])
    try:
        document = json.loads(result.stdout)
    except json.JSONDecodeError:
        return None, (result.stderr.strip().splitlines() or ["no output"])[-1]
    if not document.get("ok"):
        return None, document.get("error", "").splitlines()[0][:160]
    written = [p for p in document["written"] if not p.startswith(".ggen")]
    return project, written


def compare(args, root, tree, scratch, project, rel, counts):
    """Counts the original's output files for the pack at `root` that `ggen new` wrote
    byte-identical into `project`."""
    oracle_tree = os.path.join(os.path.dirname(scratch), "..", "oracle-tree")
    if not os.path.isdir(oracle_tree):
        shutil.copytree(tree, oracle_tree, symlinks=True)
    expected_project, written = original_outputs(
        os.path.abspath(args.oracle), root, tree, os.path.normpath(oracle_tree), scratch
    )
    if expected_project is None:
        counts["original: packs it does not generate"] += 1
        if args.verbose:
            print(f"original does not generate: {rel}: {written}")
        return
    counts["original: packs it generates"] += 1
    for path in written:
        counts["original: output files"] += 1
        with open(os.path.join(expected_project, path), "rb") as f:
            want = f.read()
        here = os.path.join(project, path)
        if not os.path.isfile(here):
            counts["output files not written here"] += 1
            if args.verbose:
                print(f"not written here: {path} of {rel}")
            continue
        with open(here, "rb") as f:
            got = f.read()
        if got == want:
            counts["output files byte-identical"] += 1
        else:
            counts["output files that differ"] += 1
            if args.verbose:
                print(f"differs: {path} of {rel}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ggen", required=True)
    parser.add_argument("original")
    parser.add_argument("--oracle", help="the original engine (scripts/original-oracle)")
    parser.add_argument("--work")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    ggen = os.path.abspath(args.ggen)
    work = args.work or tempfile.mkdtemp(prefix="ggen-migrate-corpus-")
    tree = os.path.join(work, "original")
    if not os.path.isdir(tree):
        extract(args.original, tree)
    for sub in ("packs", "projects", "oracle"):
        shutil.rmtree(os.path.join(work, sub), ignore_errors=True)
        os.makedirs(os.path.join(work, sub))

    counts = collections.Counter()
    reasons = collections.Counter()
    for n, root in enumerate(pack_roots(tree)):
        name = f"{n:03}-{os.path.basename(root)}"
        rel = os.path.relpath(root, tree)
        out = os.path.join(work, "packs", name)
        counts["packs"] += 1
        migrated = run([ggen, "--json", "packs", "migrate", root, "--out", out])
        if migrated.returncode not in (0, 3):
            counts["packs not converted"] += 1
            if args.verbose:
                print(f"not converted: {rel}: {migrated.stderr.strip() or migrated.stdout.strip()}")
            continue
        counts["packs converted fully" if migrated.returncode == 0 else "packs converted partly"] += 1
        report = json.loads(migrated.stdout)
        for file in report["files"]:
            if file["source"].endswith((".toml",)):
                continue
            counts["templates"] += 1
            counts[f"templates {file['status']}"] += 1
            if file["status"] == "manual":
                for note in file["reasons"]:
                    reasons[note.split(":")[0][:90]] += 1
        project = os.path.join(work, "projects", name)
        generated = run([ggen, "--json", "new", project, "--pack", out])
        if generated.returncode == 0:
            counts["packs that generate"] += 1
        elif args.verbose:
            err = generated.stderr.strip().splitlines()
            print(f"does not generate: {rel}: {err[0] if err else generated.stdout[:200]}")
        if args.oracle:
            compare(args, root, tree, os.path.join(work, "oracle", name), project, rel, counts)
        templates = os.path.join(out, "templates")
        for directory, _, files in os.walk(templates):
            if "_partials" in os.path.relpath(directory, templates).split(os.sep):
                continue
            for file in files:
                path = os.path.join(directory, file)
                counts["converted templates"] += 1
                rendered = run([ggen, "template", "render", path, "--pack", out])
                if rendered.returncode == 0:
                    counts["converted templates that render"] += 1
                elif args.verbose:
                    err = rendered.stderr.strip().splitlines()
                    print(f"does not render: {os.path.relpath(path, out)} of {rel}: {err[0] if err else ''}")

    width = max(len(k) for k in counts)
    for key in sorted(counts):
        print(f"{key:<{width}}  {counts[key]}")
    if reasons:
        print("\nwhy templates need a human (most common first):")
        for reason, count in reasons.most_common(15):
            print(f"  {count:5}  {reason}")
    print(f"\nwork directory: {work}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
