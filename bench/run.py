"""Benchmarks: postlingo on generated sites of N varied German posts.

    python bench/run.py                     # 1,000 posts, one language, 3 runs each
    python bench/run.py --posts 10000 --runs 1 --languages en fr
    python bench/run.py --compare-translate-toolkit --json bench.json

Each figure is the median wall time of --runs runs (with the fastest and the slowest), and the
peak resident memory of the process (its workers included) — measured from outside, as a user
sees the commands:
cold ``sync``; ``sync`` with nothing changed (and whether it wrote any file); ``sync`` after
one post changed; ``status`` and ``check``, each cold (no cache of their results), with
nothing changed since their last run, and after one post changed (the "of cold" column: the
share of the cold sync's time). With --compare-translate-toolkit, translate-toolkit's md2po
→ pot2po → po2md cycle runs --runs times on the same posts, each run right after one of
postlingo's cold syncs (both timed in turn, under the same conditions), and the ratio of the
medians is printed.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sitegen import generate


def measure(command: list[str], cwd: Path, ok: tuple[int, ...] = (0, 1)) -> tuple[float, int]:
    """Wall seconds and peak RSS (MiB) of one command, which must exit with one of ``ok``
    (postlingo's check exits 1 on findings). The disk is settled and synced first, so that
    no earlier command's deleting or writing is timed with it."""
    os.sync()  # (first: an earlier command's data being written back slows the probe too)
    settle_disk(cwd.parent / "disk-probes")
    os.sync()
    start = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in ok:
        raise SystemExit(f"{' '.join(command)} failed with exit code {code}")
    return elapsed, usage.ru_maxrss // 1024


def settle_disk(probes: Path, quick: float = 50e-6, patience: float = 300.0) -> None:
    """Wait until creating a file is quick again. ext4 without a journal (as on this
    project's machines) passes over recently freed inodes when it creates a file: for a
    minute or more after thousands of files were deleted (an earlier benchmark's clean-up),
    each creation took 60 to 300 us instead of 20 to 30, which would time the kernel, not
    the command. The probe files stay until the benchmark's folder is removed."""
    waited = 0.0
    while True:
        probe = probes / str(time.time_ns())
        probe.mkdir(parents=True)
        start = time.perf_counter()
        for index in range(50):
            (probe / str(index)).touch()
        if (time.perf_counter() - start) / 50 < quick or waited >= patience:
            break
        time.sleep(5)
        waited += 5
    if waited:
        print(f"(waited {waited:.0f} s for file creation to be quick again)", file=sys.stderr)


def snapshot(root: Path) -> dict[str, int]:
    return {
        str(p): p.stat().st_mtime_ns
        for p in root.rglob("*")
        if p.is_file() and ".cache" not in p.parts
    }


def median_of(
    runs: int,
    prepare: Callable[[], Path | None],
    command: list[str],
    cwd: Path,
    after: Callable[[], None] | None = None,
) -> dict[str, float]:
    """Median time (with the fastest and slowest run: these machines are noisy) and peak
    memory of ``command``; ``prepare`` runs before each run and may name a new folder to run
    it in; ``after`` runs after each (another tool's run, timed in turn with this one)."""
    times, peaks = [], []
    for _ in range(runs):
        cwd = prepare() or cwd
        elapsed, peak = measure(command, cwd)
        times.append(elapsed)
        peaks.append(peak)
        if after is not None:
            after()
    return {
        "seconds": round(statistics.median(times), 3),
        "fastest": round(min(times), 3),
        "slowest": round(max(times), 3),
        "peak_mib": max(peaks),
    }


TYPER_FLOOR = """
from pathlib import Path
from typing import Annotated, Optional

import typer

app = typer.Typer()


@app.command()
def sync(root: Annotated[Path, typer.Option("--root")] = Path("."),
         jobs: Annotated[Optional[int], typer.Option("--jobs")] = None) -> None:
    pass


@app.command()
def other() -> None:
    pass


app()
"""


def bench_postlingo(
    posts: int, languages: list[str], runs: int, work: Path, other: Callable[[], None] | None = None
) -> dict[str, object]:
    """postlingo's commands; ``other`` (translate-toolkit's cycle) runs after each cold sync,
    so that both are timed in turn, under the same conditions of the machine."""
    cli = [sys.executable, "-m", "postlingo"]
    # A copy of postlingo's code as it is now, which every command runs from: the checkout may
    # change meanwhile, and check's and status's caches depend on the code (a change is a
    # cold run). Bytecode, as pip leaves it when it installs (an editable install under
    # PYTHONDONTWRITEBYTECODE would otherwise compile postlingo on every run).
    import postlingo

    code = work / "code"
    shutil.copytree(
        Path(postlingo.__file__).parent, code / "postlingo", ignore=shutil.ignore_patterns("*.pyc")
    )
    compileall.compile_dir(code, quiet=1)
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [str(code), *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    pristine = work / "pristine"
    generate(pristine, posts, languages)
    results: dict[str, object] = {}
    copies = iter(range(10**6))

    def fresh_copy() -> Path:
        # A new folder for every run, none deleted until the end: ext4 without a journal
        # makes file creation slow for a while after many files were deleted (it skips
        # recently freed inodes), which would time the benchmark's clean-up, not postlingo.
        site = work / f"site-{next(copies)}"
        shutil.copytree(pristine, site)
        return site

    # The floor under every command's time: Python and typer parsing options in a command
    # that does nothing; then postlingo's start-up.
    floor = work / "typer_floor.py"
    floor.write_text(TYPER_FLOOR, encoding="utf-8")
    results["typer command doing nothing"] = median_of(
        runs, lambda: None, [sys.executable, str(floor), "sync"], pristine
    )
    results["start-up (--version)"] = median_of(runs, lambda: None, [*cli, "--version"], pristine)
    results["cold sync"] = median_of(runs, fresh_copy, [*cli, "sync"], pristine, after=other)
    site = fresh_copy()
    measure([*cli, "sync"], site)
    before = snapshot(site)
    results["sync, nothing changed"] = median_of(runs, lambda: None, [*cli, "sync"], site)
    results["sync, nothing changed"]["files_written"] = sum(
        1 for path, mtime in snapshot(site).items() if before.get(path) != mtime
    )
    victim = sorted((site / "content" / "_posts").glob("*.md"))[posts // 2]
    counter = iter(range(10**6))

    def touch_one() -> None:
        with victim.open("a", encoding="utf-8") as handle:
            handle.write(f"\nEin neuer Absatz, Nummer {next(counter)}.\n")

    results["sync, one post changed"] = median_of(runs, touch_one, [*cli, "sync"], site)
    results.update(bench_gate(cli, runs, site, touch_one))
    return results


def bench_gate(
    cli: list[str], runs: int, site: Path, touch_one: Callable[[], None]
) -> dict[str, dict[str, float]]:
    """``status`` and ``check`` on the synced site: cold (no cache of their results: the
    cache files removed before each run), with nothing changed since their last run, and
    after one post changed (its source edited, not synced: check finds it out of date)."""
    cache = site / "locales" / ".cache"

    def forget(*names: str) -> Callable[[], None]:
        def prepare() -> None:
            for name in names:
                (cache / name).unlink(missing_ok=True)

        return prepare

    status = [*cli, "status", "--format", "json"]
    check = [*cli, "check"]
    results = {
        "cold status": median_of(runs, forget("status-results.json"), status, site),
        "status, nothing changed": median_of(runs, lambda: None, status, site),
        "cold check": median_of(
            runs, forget("check-results.json", "msgfmt-results.json"), check, site
        ),
        "check, nothing changed": median_of(runs, lambda: None, check, site),
        "check, one post changed": median_of(runs, touch_one, check, site),
        "status, one post changed": median_of(runs, touch_one, status, site),
    }
    return results


class TranslateToolkit:
    """translate-toolkit's cycle on the same posts, one run at a time, each into new
    folders: the median of each step and of the whole cycle."""

    def __init__(self, posts: int, work: Path) -> None:
        self.site = work / "tt"
        generate(self.site, posts, ["en"])
        self.times: dict[str, list[float]] = {"md2po": [], "pot2po": [], "po2md": [], "cycle": []}
        self.peaks: dict[str, int] = {}

    def run(self) -> None:
        source = self.site / "content" / "_posts"
        pot, po, out = (
            str(self.site / f"{name}-{len(self.times['cycle'])}") for name in ("pot", "po", "out")
        )
        steps = {
            "md2po": ["md2po", "--pot", "-i", str(source), "-o", pot],
            "pot2po": ["pot2po", "-i", pot, "-o", po],
            "po2md": ["po2md", "-i", po, "-t", str(source), "-o", out],
        }
        cycle = 0.0
        for name, command in steps.items():
            elapsed, peak = measure(command, self.site, ok=(0,))  # (a traceback exits 1)
            self.times[name].append(elapsed)
            self.peaks[name] = max(peak, self.peaks.get(name, 0))
            cycle += elapsed
        self.times["cycle"].append(cycle)

    def report(self) -> dict[str, object]:
        return {
            name: {
                "seconds": round(statistics.median(values), 3),
                "fastest": round(min(values), 3),
                "slowest": round(max(values), 3),
                **({"peak_mib": self.peaks[name]} if name in self.peaks else {}),
            }
            for name, values in self.times.items()
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--languages", nargs="+", default=["en"])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--compare-translate-toolkit", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="postlingo-bench-") as folder:
        work = Path(folder)
        tt = None
        if args.compare_translate_toolkit:
            if not shutil.which("md2po"):
                raise SystemExit("translate-toolkit (md2po) is not installed")
            tt = TranslateToolkit(args.posts, work)
        report: dict[str, object] = {
            "machine": {
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "system": platform.platform(),
            },
            "posts": args.posts,
            "languages": args.languages,
            "runs": args.runs,
            "postlingo": bench_postlingo(
                args.posts, args.languages, args.runs, work, tt.run if tt else None
            ),
        }
        if tt is not None:
            report["translate-toolkit"] = tt.report()
    print_table(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


def print_table(report: dict[str, object]) -> None:
    print(
        f"{report['posts']} posts, languages {', '.join(report['languages'])}, "
        f"median of {report['runs']} runs, {report['machine']['cpus']} CPUs"
    )
    results = report["postlingo"]
    cold = results["cold sync"]["seconds"]
    print(f"{'postlingo':32} {'seconds':>9} {'of cold':>8} {'peak MiB':>9} {'runs from-to':>13}")
    for name, figures in results.items():
        extra = (
            f"  ({figures['files_written']} files written)" if "files_written" in figures else ""
        )
        spread = f"{figures['fastest']:6.2f}-{figures['slowest']:<6.2f}"
        print(
            f"{name:32} {figures['seconds']:9.2f} {figures['seconds'] / cold:8.1%} "
            f"{figures['peak_mib']:9} {spread}{extra}"
        )
    tt = report.get("translate-toolkit")
    if tt and "cycle" in tt:
        for name in ("md2po", "pot2po", "po2md", "cycle"):
            figures = tt[name]
            spread = f"{figures['fastest']:6.2f}-{figures['slowest']:<6.2f}"
            print(
                f"translate-toolkit {name:14} {figures['seconds']:9.2f} {'':8} "
                f"{figures.get('peak_mib', ''):>9} {spread}"
            )
        print(
            f"postlingo's cold sync is {tt['cycle']['seconds'] / cold:.1f}x faster than "
            "translate-toolkit's cycle (medians)"
        )


if __name__ == "__main__":
    main()
