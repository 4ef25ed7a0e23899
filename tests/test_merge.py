"""Merging templates into catalogues: golden files, GNU msgmerge, and a property test."""

from __future__ import annotations

import difflib
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import invoke, msgfmt_check
from postlingo.catalogue.merge import merge, new_catalogue, similarity
from postlingo.catalogue.po import load_catalogue, make_template, render
from postlingo.catalogue.poformat import GnuPOFile, parse
from postlingo.source.segment import InlineText, Segment

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(path.name for path in GOLDEN.iterdir() if (path / "before.po").exists())


def _merged(case: str, **options: object) -> str:
    folder = GOLDEN / case
    before, template = load_catalogue(folder / "before.po"), load_catalogue(folder / "template.pot")
    return render(merge(before, template, "en", **options), 79)


@pytest.mark.parametrize("case", CASES)
def test_merge_gives_the_golden_catalogue(case: str) -> None:
    assert _merged(case) == (GOLDEN / case / "after.po").read_text(encoding="utf-8")


@pytest.mark.parametrize("case", CASES)
def test_merge_differs_from_msgmerge_only_as_documented(case: str) -> None:
    """``msgmerge.diff`` beside each case is the whole difference from GNU msgmerge 0.21
    on the same files (none for ``basic`` and ``poedit``): postlingo keeps the flags of the
    catalogue but the ``md-text`` an older postlingo wrote, and writes no ``#~|`` lines."""
    folder = GOLDEN / case
    gnu = subprocess.run(
        [
            "msgmerge",
            "--previous",
            "--quiet",
            "-o",
            "-",
            str(folder / "before.po"),
            str(folder / "template.pot"),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    ours = _merged(case)
    diff = "".join(
        difflib.unified_diff(
            gnu.splitlines(True), ours.splitlines(True), "msgmerge --previous", "postlingo"
        )
    )
    documented = folder / "msgmerge.diff"
    assert diff == (documented.read_text(encoding="utf-8") if documented.exists() else "")


@pytest.mark.parametrize("case", CASES)
def test_merging_again_changes_nothing(case: str) -> None:
    folder = GOLDEN / case
    once = parse((folder / "after.po").read_text(encoding="utf-8"))
    twice = merge(once, load_catalogue(folder / "template.pot"), "en")
    assert render(twice, 79) == render(once, 79)


def test_a_higher_threshold_leaves_changed_text_untranslated() -> None:
    merged = parse(_merged("basic", threshold=0.99))
    entry = merged.find("Die Herausforderungen der Zeiten")
    assert entry is not None and entry.msgstr == "" and not entry.fuzzy
    # The old text is kept as obsolete instead.
    assert merged.find("Die Herausforderungen der Zeit", include_obsolete_entries=True).obsolete


def test_without_obsolete_entries_removed_text_is_dropped() -> None:
    merged = parse(_merged("basic", keep_obsolete=False))
    assert merged.obsolete_entries() == []


def test_a_new_catalogue_is_empty_with_a_complete_header() -> None:
    template = _template(["Hallo Welt", "Noch ein Absatz"])
    template.header = "Translatable text of content/_posts/x.md."
    template.metadata["POT-Creation-Date"] = "2021-01-01 10:00+0000"
    po = new_catalogue(template, "pt-BR")
    assert po.metadata["POT-Creation-Date"] == "2021-01-01 10:00+0000"  # the template's
    assert po.metadata["MIME-Version"] == "1.0"
    assert po.metadata["Content-Transfer-Encoding"] == "8bit"
    assert po.header == "Portuguese (Brazil) translation of content/_posts/x.md."
    assert [entry.msgstr for entry in po] == ["", ""]
    assert po.metadata["Language"] == "pt_BR"
    assert po.metadata["Plural-Forms"].startswith("nplurals=")
    assert po.metadata["X-Generator"].startswith("postlingo ")
    assert "charset=UTF-8" in po.metadata["Content-Type"]
    assert not po.metadata_is_fuzzy  # Babel's trap: a fuzzy header is skipped by msgfmt


def test_similarity() -> None:
    assert similarity("abc", "abc") == 1.0
    assert similarity("Kunden", "Werkzeug", at_least=0.9) == 0.0


# --- the property: no translation lost, none attached where it does not belong -------------

WORDS = ["Kunden", "Werkzeug", "Treffen", "online", "Reisen", "digital", "Kultur", "neu"]
paragraphs = st.lists(st.sampled_from(WORDS), min_size=2, max_size=7).map(" ".join)
steps = st.one_of(
    st.tuples(st.just("insert"), st.integers(0, 30), paragraphs),
    st.tuples(st.just("delete"), st.integers(0, 30), st.none()),
    st.tuples(st.just("modify"), st.integers(0, 30), st.sampled_from(WORDS)),
    st.tuples(st.just("move"), st.integers(0, 30), st.integers(0, 30)),
    st.tuples(st.just("translate"), st.integers(0, 30), st.none()),
    st.tuples(st.just("restore"), st.integers(0, 30), st.integers(0, 30)),
)


def _template(texts: list[str]) -> GnuPOFile:
    segments = [Segment(text, line, 0, 0, InlineText()) for line, text in enumerate(texts, 1)]
    return make_template(segments, "content/_posts/p.md", "test")


def _translation(msgid: str) -> str:
    return f"EN[{msgid}]"


def _edit(texts: list[str], step: tuple[str, int, object], gone: list[str]) -> list[str]:
    """``texts`` after one edit; ``gone`` collects texts that left, for ``restore``."""
    kind, index, value = step
    texts = list(texts)
    if kind == "restore" and gone:
        texts.insert(index % (len(texts) + 1), gone[int(value) % len(gone)])  # type: ignore[call-overload]
    elif kind == "insert":
        texts.insert(index % (len(texts) + 1), str(value))
    elif texts and kind == "delete" and len(texts) > 1:
        gone.append(texts.pop(index % len(texts)))
    elif texts and kind == "modify":
        gone.append(texts[index % len(texts)])
        words = texts[index % len(texts)].split()
        words[index % len(words)] = str(value)
        texts[index % len(texts)] = " ".join(words)
    elif texts and kind == "move":
        texts.insert(int(value) % len(texts), texts.pop(index % len(texts)))  # type: ignore[call-overload]
    return texts


def _translate(po: GnuPOFile, index: int) -> None:
    """What a translator does: write the translation, clear fuzzy and the previous msgid."""
    live = [entry for entry in po if not entry.obsolete]
    entry = live[index % len(live)]
    entry.msgstr = _translation(entry.msgid)
    entry.flags = [flag for flag in entry.flags if flag != "fuzzy"]
    entry.previous_msgid = entry.previous_msgctxt = None


def _check(before: GnuPOFile, after: GnuPOFile, template: GnuPOFile) -> None:
    wanted = {entry.msgid for entry in template}
    known = {entry.msgid for entry in before}
    found = {entry.msgid: entry for entry in after if not entry.obsolete}
    assert set(found) == wanted
    for entry in before:
        if entry.msgstr and not entry.fuzzy and entry.msgid in wanted:
            kept = found[entry.msgid]
            assert (kept.msgstr, kept.fuzzy) == (entry.msgstr, False), entry.msgid
    for entry in after:
        if entry.msgstr and not entry.obsolete and not entry.fuzzy:
            assert entry.msgstr == _translation(entry.msgid)
        if entry.fuzzy and not entry.obsolete:
            assert entry.msgstr
            if entry.msgid not in known:  # inherited now: says from which text
                assert entry.previous_msgid is not None


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(paragraphs, min_size=1, max_size=6), st.lists(steps, min_size=1, max_size=14))
def test_edits_and_translations_never_lose_or_misplace_a_translation(
    start: list[str], history: list[tuple[str, int, object]]
) -> None:
    texts, gone = start, []
    template = _template(texts)
    po = parse(render(new_catalogue(template, "en"), 79))
    for step in history:
        if step[0] == "translate":
            _translate(po, step[1])
            continue
        texts = _edit(texts, step, gone)
        template = _template(texts)
        merged = merge(po, template, "en")
        text = render(merged, 79)
        after = parse(text)  # through the file, as the next run reads it
        _check(po, after, template)
        assert render(merge(after, template, "en"), 79) == text  # idempotent
        po = after


def test_a_live_translation_wins_over_an_obsolete_one_of_the_same_msgid() -> None:
    before = parse(
        'msgid "Hallo"\nmsgstr "Hello (current)"\n\n#~ msgid "Hallo"\n#~ msgstr "Hi (old)"\n'
    )
    template = parse('msgid "Hallo"\nmsgstr ""\n')
    merged = merge(before, template, "en")
    assert [(e.msgid, e.msgstr, e.obsolete) for e in merged] == [
        ("Hallo", "Hello (current)", False)
    ]


@pytest.mark.parametrize(
    ("language", "forms"),
    [
        ("fr", "nplurals=2; plural=(n > 1);"),
        ("pt-BR", "nplurals=2; plural=(n > 1);"),
        ("pt", "nplurals=2; plural=(n != 1);"),
        ("es", "nplurals=2; plural=(n != 1);"),
        ("it", "nplurals=2; plural=(n != 1);"),
        ("ca", "nplurals=2; plural=(n != 1);"),
        (
            "ru",
            "nplurals=3; plural=n % 10 == 1 && n % 100 != 11 ? 0 : n % 10 >= 2 && "
            "n % 10 <= 4 && (n % 100 < 12 || n % 100 > 14) ? 1 : 2;",
        ),  # (CLDR's: the same)
    ],
)
def test_a_new_catalogue_has_the_plural_forms_gettext_and_poedit_write(
    bare_site: Path, language: str, forms: str
) -> None:
    """Not CLDR's three forms for French, Spanish, Italian, Portuguese, Catalan (a "many"
    form for exact millions): GNU gettext's plural table and Poedit give them two."""
    config = bare_site / "postlingo.toml"
    text = config.read_text(encoding="utf-8").replace(
        'languages = ["en"]', f'languages = ["{language}"]'
    )
    config.write_text(text, encoding="utf-8")
    assert invoke("sync", "--root", bare_site).exit_code == 0
    (catalogue,) = (bare_site / "locales").glob("*/LC_MESSAGES/*.po")
    assert load_catalogue(catalogue).metadata["Plural-Forms"] == forms
    assert msgfmt_check(catalogue).returncode == 0
