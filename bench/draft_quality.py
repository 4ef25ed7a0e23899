"""How close translation memory gets: chrF (sacrebleu) of the ``memory`` engine's drafts
against the human translations, on the real German/English Kubernetes pages of
tests/data/bilingual (CC BY 4.0), each page held out in turn.

    python bench/draft_quality.py [--threshold 0.6]

For each held-out page: ``postlingo import`` aligns every page with its human English;
the other two pages' pairs become reviewed translations (translation memory); the held-out
page's catalogue is emptied and ``postlingo draft --engine memory`` fills what memory
matches (exact or at least ``memory_threshold`` alike). Reported per page: segments, how
many memory drafted, chrF of those drafts against the human translation, and chrF of the
whole page with undrafted segments left as their German source (what a reader would see),
next to chrF of the untranslated page (the floor). Needs ``pip install sacrebleu``.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import polib
import sacrebleu

from postlingo.cli import app

REPO = Path(__file__).resolve().parents[1]
BILINGUAL = REPO / "tests/data/bilingual"
PAGES = ("proxies", "controller", "cgroups")


def invoke(*args: str) -> None:
    from typer.testing import CliRunner

    result = CliRunner().invoke(app, list(args))
    if result.exit_code not in (0, 1):
        sys.exit(f"postlingo {' '.join(args)} failed: {result.output}")


def catalogue_path(root: Path, name: str) -> Path:
    return root / "locales/en/LC_MESSAGES" / f"{name}.po"


def chrf(hypotheses: list[str], references: list[str]) -> float:
    if not hypotheses:
        return float("nan")
    return float(sacrebleu.corpus_chrf(hypotheses, [references]).score)


def held_out(work: Path, page: str, threshold: float) -> tuple[int, int, float, float, float]:
    root = work / page
    (root / "content/docs").mkdir(parents=True)
    for name in PAGES:
        for suffix in (".md", ".en.md"):
            shutil.copy2(BILINGUAL / f"{name}{suffix}", root / "content/docs")
    (root / "postlingo.toml").write_text(
        'source_language = "de"\nlanguages = ["en"]\nposts = ["content/docs/*.md"]\n'
        f'layout = "hugo"\nmemory_threshold = {threshold}\n'
    )
    invoke("import", "--root", str(root))
    human: dict[str, str] = {}
    for name in PAGES:
        path = catalogue_path(root, name)
        po = polib.pofile(str(path))
        for entry in po:
            if name == page:
                if entry.msgstr and not entry.obsolete:
                    human[entry.msgid] = entry.msgstr
                entry.msgstr, entry.flags, entry.tcomment = "", [], ""
            elif entry.msgstr:
                entry.flags = [flag for flag in entry.flags if flag != "fuzzy"]  # reviewed
        po.save()
    invoke("draft", "--root", str(root), "--engine", "memory")
    drafted_hyp, drafted_ref, page_hyp, page_ref = [], [], [], []
    for entry in polib.pofile(str(catalogue_path(root, page))):
        if entry.msgid not in human or entry.obsolete:
            continue
        page_ref.append(human[entry.msgid])
        page_hyp.append(entry.msgstr or entry.msgid)
        if entry.msgstr:
            drafted_hyp.append(entry.msgstr)
            drafted_ref.append(human[entry.msgid])
    floor = chrf(list(human), list(human.values()))
    return (
        len(human),
        len(drafted_hyp),
        chrf(drafted_hyp, drafted_ref),
        chrf(page_hyp, page_ref),
        floor,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threshold", type=float, default=0.6)
    threshold = parser.parse_args().threshold
    with tempfile.TemporaryDirectory() as folder:
        print(f"memory_threshold = {threshold}")
        print("held-out page  segments  drafted  chrF(drafted)  chrF(page)  chrF(untranslated)")
        for page in PAGES:
            total, drafted, of_drafted, of_page, floor = held_out(Path(folder), page, threshold)
            print(
                f"{page:<14} {total:>8} {drafted:>8} {of_drafted:>14.1f} {of_page:>11.1f} "
                f"{floor:>19.1f}"
            )


if __name__ == "__main__":
    main()
