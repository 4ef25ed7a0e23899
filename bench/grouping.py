"""Benchmark: the same generated site in each catalogue grouping (``catalogues``).

    python bench/grouping.py                    # 1,000 posts, one language, 3 runs each
    python bench/grouping.py --posts 10000 --runs 1

For ``post``, ``directory`` and ``site`` grouping, on copies of one generated site (posts in a
folder per year, so ``directory`` makes several files): cold ``sync``; ``sync`` with nothing
changed; ``sync`` after a translator changed one translation (in the post's own catalogue, or
in the shared file); ``check`` cold (``--no-cache``) and with nothing changed. Median wall
times (``run.measure``: from outside, as a user sees them), and each grouping's ratio to
``post`` in the same run.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import polib
from run import measure, median_of
from sitegen import generate

GROUPINGS = ("post", "directory", "site")


def site_for(pristine: Path, grouping: str, site: Path) -> Path:
    shutil.copytree(pristine, site)
    config = site / "postlingo.toml"
    config.write_text(f'catalogues = "{grouping}"\n' + config.read_text(encoding="utf-8"))
    return site


def by_year(root: Path) -> None:
    """The posts of each year in a folder of their own (``directory`` then makes a file a
    year, as a blog that files its posts by year would)."""
    posts = root / "content" / "_posts"
    for path in sorted(posts.glob("*.md")):
        (posts / path.name[:4]).mkdir(exist_ok=True)
        path.rename(posts / path.name[:4] / path.name)


def translate_one(site: Path, counter: list[int]) -> None:
    """A translator changes the translation of a text of one post, in the middle of the
    site (with polib, as a translator's tool saves the file)."""
    files = sorted((site / "locales").glob("*/LC_MESSAGES/**/*.po"))
    files = [path for path in files if path.stem != "taxonomy"]
    path = files[len(files) // 2]
    po = polib.pofile(str(path))
    # (a text of one post: a shared one rebuilds every post that uses it, rightly)
    entries = [e for e in po if not e.obsolete and len({f for f, _ in e.occurrences}) == 1]
    counter[0] += 1
    entries[len(entries) // 2].msgstr = f"Eine Übersetzung, Nummer {counter[0]}."
    po.save()


def bench(posts: int, languages: list[str], runs: int, work: Path) -> dict[str, dict[str, float]]:
    pristine = work / "pristine"
    generate(pristine, posts, languages)
    by_year(pristine)
    results: dict[str, dict[str, float]] = {}
    for grouping in GROUPINGS:
        results.update(bench_one(pristine, grouping, runs, work / grouping))
    return results


def bench_one(pristine: Path, grouping: str, runs: int, work: Path) -> dict[str, dict[str, float]]:
    cli = [sys.executable, "-m", "postlingo"]
    copies = iter(range(10**6))
    counter = [0]

    def fresh() -> Path:
        return site_for(pristine, grouping, work / f"cold-{next(copies)}")

    results = {"cold sync": median_of(runs, fresh, [*cli, "sync"], pristine)}
    site = site_for(pristine, grouping, work / "warm")
    measure([*cli, "sync"], site)
    results["sync, nothing changed"] = median_of(runs, lambda: None, [*cli, "sync"], site)
    results["sync, one translation changed"] = median_of(
        runs, lambda: translate_one(site, counter), [*cli, "sync"], site
    )
    measure([*cli, "sync"], site)
    results["check, cold"] = median_of(runs, lambda: None, [*cli, "check", "--no-cache"], site)
    measure([*cli, "check"], site)
    results["check, nothing changed"] = median_of(runs, lambda: None, [*cli, "check"], site)
    return {f"{grouping}: {step}": figures for step, figures in results.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--languages", nargs="+", default=["en"])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="postlingo-grouping-") as folder:
        results = bench(args.posts, args.languages, args.runs, Path(folder))
    print(f"{args.posts} posts, {len(args.languages)} language(s), median of {args.runs}")
    print(f"{'':44} {'seconds':>8} {'/ post':>7}")
    for name, figures in results.items():
        step = name.split(": ", 1)[1]
        base = results[f"post: {step}"]["seconds"] or 1e-9
        print(f"{name:44} {figures['seconds']:8.2f} {figures['seconds'] / base:7.2f}")


if __name__ == "__main__":
    main()
