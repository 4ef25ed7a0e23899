"""The drafting pipeline end to end on real German/English pairs (three Kubernetes pages,
tests/data/bilingual, CC BY 4.0): a chat-completions test double answers each segment with
its human translation, written over the placeholders postlingo sent; every such segment must
come back intact through masking, the checks, the catalogue and build (100%).

A pair whose English changed the fixed material itself (a link target, a shortcode) cannot
be an answer over the source's placeholders: the double leaves it out, and it is counted,
never drafted. bench/draft_quality.py measures how close translation memory gets (chrF)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import polib
import pytest

from conftest import invoke
from llm_server import ChatServer
from postlingo.drafts.protect import mask

BILINGUAL = Path(__file__).parent / "data" / "bilingual"
PAGES = ("proxies", "controller", "cgroups")


def catalogue(root: Path, name: str) -> polib.POFile:
    return polib.pofile(str(root / "locales/en/LC_MESSAGES" / f"{name}.po"))


def human_pairs(root: Path) -> dict[str, str]:
    """msgid -> the human translation ``postlingo import`` aligned with it."""
    result = invoke("import", "--root", root)
    assert result.exit_code == 0, result.output
    pairs: dict[str, str] = {}
    for name in PAGES:
        for entry in catalogue(root, name):
            if entry.msgstr and not entry.obsolete:
                pairs.setdefault(entry.msgid, entry.msgstr)
    return pairs


def over_placeholders(source: str, human: str) -> str | None:
    """``human`` written over the placeholders ``mask(source)`` sends, or None if it does
    not keep the source's fixed material (each piece exactly once)."""
    masked = mask(source)
    answer = human
    for index in sorted(range(len(masked.originals)), key=lambda i: -len(masked.originals[i])):
        answer = answer.replace(masked.originals[index], f"[X{index + 1}X]")
    try:
        return answer if masked.restore(answer) == human else None
    except ValueError:
        return None


@pytest.fixture
def server() -> Iterator[ChatServer]:
    with ChatServer() as running:
        yield running


def test_human_translations_come_back_intact_through_draft_and_build(
    tmp_path: Path, server: ChatServer
) -> None:
    root = tmp_path / "k8s"
    (root / "content/docs").mkdir(parents=True)
    for name in PAGES:
        for suffix in (".md", ".en.md"):
            shutil.copy2(BILINGUAL / f"{name}{suffix}", root / "content/docs")
    (root / "postlingo.toml").write_text(
        'source_language = "de"\nlanguages = ["en"]\nposts = ["content/docs/*.md"]\n'
        'layout = "hugo"\nthreshold = 0\nengine = "openai"\nengine_timeout = 10\n'
        f'[engines.openai]\nurl = "{server.url}"\nmodel = "double"\n'
    )
    pairs = human_pairs(root)
    # The human pages go; the catalogues start untranslated, as for a new post.
    for name in PAGES:
        (root / f"content/docs/{name}.en.md").unlink()
        po = catalogue(root, name)
        for entry in po:
            entry.msgstr, entry.flags, entry.tcomment = "", [], ""
        po.save()

    answers: dict[str, str] = {}
    unrepresentable = 0
    for source, human in pairs.items():
        core, target = source.strip(), human.strip()
        answer = over_placeholders(core, target)
        if answer is None:
            unrepresentable += 1
        else:
            answers[mask(core).text] = answer
    server.translator = answers.get

    result = invoke("draft", "--root", root)
    assert result.exit_code == 0, result.output
    drafted = failed = 0
    for name in PAGES:
        for entry in catalogue(root, name):
            if entry.obsolete or entry.msgid not in pairs:
                continue
            if mask(entry.msgid.strip()).text in answers:
                assert entry.fuzzy and entry.tcomment.startswith("machine draft: openai"), (
                    entry.msgid,
                    entry.tcomment,
                )
                assert entry.msgstr.strip() == pairs[entry.msgid].strip(), entry.msgid
                drafted += 1
            else:
                assert not entry.msgstr
                failed += 1
    assert drafted == len(answers) and failed == unrepresentable
    assert drafted >= 100  # of 125 pairs: the rest changed links, anchors or shortcodes
    print(
        f"\n{drafted} of {len(pairs)} human pairs drafted intact; {unrepresentable} "
        "change the source's fixed material"
    )

    result = invoke("build", "--root", root, "--include-fuzzy")
    assert result.exit_code == 0, result.output
    built = " ".join(
        " ".join((root / f"content/docs/{name}.en.md").read_text().split()) for name in PAGES
    )
    for source, human in pairs.items():
        if mask(source.strip()).text in answers:
            assert " ".join(human.split()) in built, human
