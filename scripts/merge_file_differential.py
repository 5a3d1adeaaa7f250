#!/usr/bin/env python3
"""Real-history differential: replay a git repository's merges through `git merge-file` and
`ggen merge-file`, and report agreement (bytes and exit status) and time.

For every two-parent merge commit (newest first), the merge base of its parents is taken, and
every path modified on both sides (no renames; a blob on all three sides, text: no NUL in its
first 8,000 bytes; at most 1 MiB) becomes one case: ours = first parent, theirs = second
parent. Each case runs through both tools with -p and each of: (nothing), --diff3, --ours,
--theirs, --union (and --zdiff3 with --zdiff3). Both tools run in the same directory on the same
file names, so labels agree; git runs without the user's or system's configuration (a
merge.conflictStyle there would change its default).

    scripts/merge_file_differential.py --ggen target/release/ggen REPO_GIT_DIR... \
        [--max-merges N] [--max-cases N] [--save-mismatches DIR] [--repeat N] [--zdiff3]

Exit status 0 when every run agrees, 1 otherwise. Time is the wall time of the tool processes
alone (spawn to exit), summed per tool; the ratio is ggen's over git's.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

FLAGS = [[], ["--diff3"], ["--ours"], ["--theirs"], ["--union"]]
MAX_SIZE = 1 << 20


def git(repo, *args, input=None):
    return subprocess.run(
        ["git", "--git-dir", repo, *args],
        input=input,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        check=False,
    ).stdout


def merges(repo, limit):
    out = git(repo, "rev-list", "--all", "--min-parents=2", "--max-parents=2",
              "--parents", "--topo-order")
    for line in out.decode().splitlines()[: limit or None]:
        commit, p1, p2 = line.split()
        yield commit, p1, p2


def changed(repo, base, side):
    """path -> blob id of paths `side` modified relative to `base` (no renames)."""
    out = git(repo, "diff-tree", "-r", "--no-renames", "-z", "--diff-filter=M", base, side)
    fields = out.split(b"\0")
    result = {}
    i = 0
    while i + 1 < len(fields):
        meta, path = fields[i], fields[i + 1]
        i += 2
        parts = meta.split()
        if len(parts) < 5:
            continue
        old_mode, new_mode, old_blob, new_blob = parts[0][1:], parts[1], parts[2], parts[3]
        if old_mode.startswith(b"100") and new_mode.startswith(b"100"):
            result[path] = (old_blob.decode(), new_blob.decode())
    return result


class Blobs:
    """`git cat-file --batch`, one process for every blob."""

    def __init__(self, repo):
        self.proc = subprocess.Popen(
            ["git", "--git-dir", repo, "cat-file", "--batch"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def size_and_read(self, blob):
        self.proc.stdin.write(blob.encode() + b"\n")
        self.proc.stdin.flush()
        header = self.proc.stdout.readline().split()
        if len(header) < 3:
            return None
        size = int(header[2])
        data = self.proc.stdout.read(size)
        self.proc.stdout.read(1)
        return data

    def close(self):
        self.proc.stdin.close()
        self.proc.wait()


def is_text(data):
    return data is not None and len(data) <= MAX_SIZE and b"\0" not in data[:8000]


def cases(repo, max_merges):
    blobs = Blobs(repo)
    seen = set()
    try:
        for commit, p1, p2 in merges(repo, max_merges):
            base = git(repo, "merge-base", p1, p2).split()
            if len(base) != 1:
                continue
            base = base[0].decode()
            ours = changed(repo, base, p1)
            theirs = changed(repo, base, p2)
            for path in sorted(set(ours) & set(theirs)):
                base_blob, ours_blob = ours[path]
                _, theirs_blob = theirs[path]
                key = (base_blob, ours_blob, theirs_blob)
                if ours_blob == theirs_blob or key in seen:
                    continue
                seen.add(key)
                texts = [blobs.size_and_read(b) for b in (ours_blob, base_blob, theirs_blob)]
                if all(is_text(t) for t in texts):
                    yield commit, path.decode(errors="replace"), texts
    finally:
        blobs.close()


GIT_ENV = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull)


def run(cmd, cwd):
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          env=GIT_ENV)
    return proc.stdout, proc.returncode, time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("repos", nargs="+", help="git directories (bare or .git)")
    parser.add_argument("--ggen", default="target/release/ggen")
    parser.add_argument("--git", default="git")
    parser.add_argument("--max-merges", type=int, default=0, help="per repository; 0: all")
    parser.add_argument("--max-cases", type=int, default=0, help="per repository; 0: all")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each tool per case")
    parser.add_argument("--zdiff3", action="store_true", help="also run every case with --zdiff3")
    parser.add_argument("--save-mismatches", metavar="DIR",
                        help="write the three inputs of each disagreeing case here")
    args = parser.parse_args()
    ggen = os.path.abspath(args.ggen)
    flag_sets = FLAGS + ([["--zdiff3"]] if args.zdiff3 else [])

    total = {"cases": 0, "runs": 0, "bytes_equal": 0, "status_equal": 0, "agree": 0,
             "git_time": 0.0, "ggen_time": 0.0, "conflicting_runs": 0}
    mismatches = []
    with tempfile.TemporaryDirectory() as work:
        for repo in args.repos:
            counts = {"cases": 0, "runs": 0, "agree": 0, "git_time": 0.0, "ggen_time": 0.0}
            for commit, path, texts in cases(repo, args.max_merges):
                if args.max_cases and counts["cases"] >= args.max_cases:
                    break
                counts["cases"] += 1
                for name, text in zip(("ours", "base", "theirs"), texts):
                    with open(os.path.join(work, name), "wb") as f:
                        f.write(text)
                for flags in flag_sets:
                    cmd = ["merge-file", "-p", *flags, "ours", "base", "theirs"]
                    git_out = ggen_out = None
                    for _ in range(args.repeat):
                        git_out, git_code, t = run([args.git, *cmd], work)
                        counts["git_time"] += t
                        ggen_out, ggen_code, t = run([ggen, *cmd], work)
                        counts["ggen_time"] += t
                    counts["runs"] += 1
                    total["runs"] += 1
                    total["conflicting_runs"] += git_code != 0
                    total["bytes_equal"] += git_out == ggen_out
                    total["status_equal"] += git_code == ggen_code
                    if git_out == ggen_out and git_code == ggen_code:
                        counts["agree"] += 1
                    else:
                        mismatches.append((repo, commit, path, flags, git_code, ggen_code))
                        if args.save_mismatches:
                            where = os.path.join(args.save_mismatches, str(len(mismatches)))
                            os.makedirs(where, exist_ok=True)
                            for name, text in zip(("ours", "base", "theirs"), texts):
                                with open(os.path.join(where, name), "wb") as f:
                                    f.write(text)
                            with open(os.path.join(where, "flags"), "w") as f:
                                f.write(" ".join(flags) + "\n")
            for key in ("cases", "agree", "git_time", "ggen_time"):
                total[key] += counts[key]
            ratio = counts["ggen_time"] / counts["git_time"] if counts["git_time"] else 0.0
            print(f"{repo}: {counts['cases']} cases, {counts['runs']} runs, "
                  f"{counts['agree']} agree; git {counts['git_time']:.2f}s, "
                  f"ggen {counts['ggen_time']:.2f}s, ratio {ratio:.3f}")
    for repo, commit, path, flags, git_code, ggen_code in mismatches[:50]:
        print(f"DIFFERS {repo} {commit} {path} {' '.join(flags) or '(merge)'}: "
              f"git exit {git_code}, ggen exit {ggen_code}")
    runs = total["runs"] or 1
    ratio = total["ggen_time"] / total["git_time"] if total["git_time"] else 0.0
    print(f"TOTAL: {total['cases']} cases, {total['runs']} runs "
          f"({total['conflicting_runs']} with conflicts): "
          f"bytes identical {100 * total['bytes_equal'] / runs:.2f}%, "
          f"exit status identical {100 * total['status_equal'] / runs:.2f}%, "
          f"both {100 * total['agree'] / runs:.2f}%")
    print(f"TIME: git {total['git_time']:.2f}s, ggen {total['ggen_time']:.2f}s, "
          f"ratio {ratio:.3f}")
    return 0 if total["agree"] == total["runs"] else 1


if __name__ == "__main__":
    sys.exit(main())
