#!/usr/bin/env python3
"""Start-up of `ggen merge-file` against `git merge-file`: a one-line merge, many runs.

    scripts/merge_file_startup.py --ggen target/release/ggen [--runs 2000] [--warmup 50]

Both tools merge the same three one-line files (`-p`, a clean merge: one side changed the
line) in a temporary directory, alternately, so load on the machine hits both alike. Per run
it records the wall time from spawn to exit and the child's CPU time (user + system, from
wait4, i.e. its task clock) and minor page faults. It prints, per tool, the median, mean and
10th/90th percentiles, and ggen's medians over git's. Exit status 0 when ggen's median wall
time is at most git's, 1 otherwise (2 on a usage error or when an output differs).
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time


def spawn(argv, cwd):
    """Run argv in cwd with stdout and stderr to /dev/null: (wall s, cpu s, minor faults, status)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    actions = [
        (os.POSIX_SPAWN_DUP2, devnull, 1),
        (os.POSIX_SPAWN_DUP2, devnull, 2),
    ]
    old = os.getcwd()
    os.chdir(cwd)
    try:
        start = time.perf_counter()
        pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=actions)
        _, status, usage = os.wait4(pid, 0)
        wall = time.perf_counter() - start
    finally:
        os.chdir(old)
        os.close(devnull)
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_minflt, os.waitstatus_to_exitcode(status)


def output_of(argv, cwd):
    import subprocess

    done = subprocess.run(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    return done.stdout, done.returncode


def summary(values):
    values = sorted(values)
    pick = lambda q: values[min(len(values) - 1, int(q * len(values)))]
    return statistics.median(values), statistics.fmean(values), pick(0.1), pick(0.9)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ggen", required=True, help="the ggen binary (a release build)")
    parser.add_argument("--git", default=shutil.which("git") or "git")
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=50)
    args = parser.parse_args()
    ggen = os.path.abspath(args.ggen)
    if not os.access(ggen, os.X_OK):
        print(f"error: {ggen} is not an executable", file=sys.stderr)
        return 2

    with tempfile.TemporaryDirectory() as work:
        for name, text in [("current", "a\n"), ("base", "a\n"), ("other", "b\n")]:
            with open(os.path.join(work, name), "w") as f:
                f.write(text)
        tools = {
            "git": [args.git, "merge-file", "-p", "current", "base", "other"],
            "ggen": [ggen, "merge-file", "-p", "current", "base", "other"],
        }
        outputs = {name: output_of(argv, work) for name, argv in tools.items()}
        if outputs["git"] != outputs["ggen"]:
            print(f"error: outputs differ: {outputs}", file=sys.stderr)
            return 2
        results = {name: ([], [], []) for name in tools}
        for i in range(args.warmup + args.runs):
            for name, argv in tools.items():
                wall, cpu, faults, _ = spawn(argv, work)
                if i >= args.warmup:
                    for series, value in zip(results[name], (wall, cpu, faults)):
                        series.append(value)

    load = os.getloadavg()[0]
    print(f"one-line merge, {args.runs} runs per tool (after {args.warmup} warm-up), load {load:.2f}")
    print(f"  {'tool':<5} {'wall median':>12} {'mean':>9} {'p10':>9} {'p90':>9}   {'cpu median':>10} {'minor faults':>12}")
    medians = {}
    for name, (walls, cpus, faults) in results.items():
        med, mean, p10, p90 = summary(walls)
        cpu = statistics.median(cpus)
        medians[name] = (med, cpu, statistics.median(faults))
        print(
            f"  {name:<5} {med * 1e3:>9.3f} ms {mean * 1e3:>6.3f} ms {p10 * 1e3:>6.3f} ms {p90 * 1e3:>6.3f} ms"
            f"   {cpu * 1e3:>7.3f} ms {statistics.median(faults):>12.0f}"
        )
    wall_ratio = medians["ggen"][0] / medians["git"][0]
    cpu_ratio = medians["ggen"][1] / max(medians["git"][1], 1e-9)
    print(f"  ggen/git: wall {wall_ratio:.3f}x, cpu {cpu_ratio:.3f}x")
    return 0 if wall_ratio <= 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
