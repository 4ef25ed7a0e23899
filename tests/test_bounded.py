"""Bounded work: the linear-time replacements give what their quadratic specifications gave,
and large inputs go through every stage. (How time grows is measured by bench/scaling.py,
never asserted here.)"""

from __future__ import annotations

import random
from pathlib import Path

import polib
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import CATALOGUE, POSTS, fill_catalogue, invoke
from postlingo.catalogue import merge
from postlingo.catalogue.poformat import _byte_offsets, _char_offsets, parse, wrap_field
from postlingo.source.segment import _UNBREAKABLE, TextBlock, _breaks, _join_unsafe, _unbreakable

_MARKUP = st.text(st.sampled_from("` {}%<>]()[a\n"), max_size=40)


@settings(max_examples=3000, deadline=None)
@given(text=_MARKUP)
def test_unbreakable_spans_are_those_of_the_regular_expression(text: str) -> None:
    want = [(m.start(), m.end()) for m in _UNBREAKABLE.finditer(text)]
    assert _unbreakable(text) == want
    spaces = [
        i for i, char in enumerate(text) if char == " " and not any(a < i < b for a, b in want)
    ]
    assert _breaks(text, want) == spaces


def _join_unsafe_as_before(lines: list[str]) -> list[str]:
    """The joining as it was written before (quadratic in the number of joined lines)."""
    from postlingo.source.segment import _HTML_START, _starts_block

    out = lines[:1]
    for line in lines[1:]:
        if _starts_block(line) or _HTML_START.match(line):
            out[-1] += " " + line
        else:
            out.append(line)
    return out


@settings(max_examples=500, deadline=None)
@given(
    lines=st.lists(
        st.sampled_from(["text", "- item", "> quote", "<b>", "# h", "1. x", "|", "word"]),
        min_size=1,
        max_size=12,
    )
)
def test_continuation_lines_join_as_before(lines: list[str]) -> None:
    assert _join_unsafe(lines) == _join_unsafe_as_before(lines)


def _code_paragraph(count: int) -> str:
    return " ".join(f"`code{i}` und [Link](https://example.com/{i}) Text" for i in range(count))


def test_a_long_paragraph_of_code_spans_rewraps_keeping_every_span_whole() -> None:
    text = _code_paragraph(5000)  # 250 KB: 109 s before, with the span search per space
    out = TextBlock(eol="\n", width=79).render(text)
    assert out.split() == text.split()
    for line in out.split("\n"):
        assert line.count("`") % 2 == 0, line  # no code span broken over two lines
        assert len(line) <= 79 or " " not in line.strip(), line


def _catalogue(count: int, changed: int) -> tuple[polib.POFile, polib.POFile]:
    rng = random.Random(7)
    words = [
        "Kunde",
        "Werkzeug",
        "Arbeit",
        "Treffen",
        "digital",
        "schnell",
        "Lösung",
        "Team",
        "Daten",
        "Markt",
    ]
    texts = [" ".join(rng.choice(words) for _ in range(12)) + f" {i}." for i in range(count)]
    po = polib.POFile()
    template = polib.POFile()
    for number, text in enumerate(texts):
        po.append(polib.POEntry(msgid=text, msgstr=text.upper()))
        new = text.replace(".", " neu.") if number % (count // changed) == 0 else text
        template.append(polib.POEntry(msgid=new, msgstr=""))
    return po, template


def test_the_fuzzy_index_compares_a_few_candidates_and_finds_what_a_full_search_finds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    po, template = _catalogue(2000, 40)
    candidates = [entry for entry in po if entry.msgstr]
    index = merge.FuzzyIndex(candidates)
    compared = []
    real = merge.similarity

    def counting(a: str, b: str, at_least: float = 0.0) -> float:
        compared.append(b)
        return real(a, b, at_least)

    monkeypatch.setattr(merge, "similarity", counting)
    held = {entry.msgid for entry in po}
    changed = [entry for entry in template if entry.msgid not in held]
    assert len(changed) == 40
    for entry in changed:
        compared.clear()
        found = index.closest(entry, 0.6)
        assert len(compared) <= merge.SHORTLIST
        assert found is merge.closest(entry, candidates, 0.6)
        assert found is not None and found.msgid == entry.msgid.replace(" neu.", ".")


def test_merge_of_a_large_catalogue_inherits_each_changed_text() -> None:
    po, template = _catalogue(3000, 30)
    result = merge.merge(po, template, "en")
    fuzzy = [entry for entry in result if "fuzzy" in entry.flags]
    assert len(fuzzy) == 30
    assert all(entry.msgstr == entry.previous_msgid.upper() for entry in fuzzy)


def test_texts_too_long_to_compare_are_not_fuzzy_matched() -> None:
    long = "Wort " * (merge.LONGEST // 5 + 1)
    assert merge.similarity(long, long) == 0.0
    assert merge.similarity("Wort " * 10, "Wort " * 10) == 1.0


def test_a_long_wrapped_msgstr_is_read_whole() -> None:
    lines = [f'"{i:07d} Ein Stück Text, der weitergeht. \\n"' for i in range(100_000)]
    text = 'msgid ""\nmsgstr "Language: en\\n"\n\nmsgid "Lang"\nmsgstr ""\n' + "\n".join(lines)
    po = parse(text + "\n")
    value = po[0].msgstr
    assert len(value) == 100_000 * len("0000000 Ein Stück Text, der weitergeht. \n")
    assert value.startswith("0000000 Ein") and value.endswith(
        "0099999 Ein Stück Text, der weitergeht. \n"
    )


def test_a_large_hard_wrapped_paragraph_of_code_spans_is_translated_and_built(site: Path) -> None:
    """A post with 250 KB of code spans and links in one hard-wrapped paragraph: its
    translation is re-wrapped at the paragraph's width by build (109 s before)."""
    words = _code_paragraph(5000).split(" ")
    lines, line = [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > 72:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    post = site / POSTS / "2021-03-03-gross.md"
    post.write_text("---\ntitle: Groß\n---\n" + "\n".join([*lines, line]) + "\n", encoding="utf-8")
    assert invoke("sync", "--root", site).exit_code == 0
    catalogue = site / CATALOGUE.parent / "2021-03-03-gross.po"
    fill_catalogue(catalogue, lambda entry: entry.msgid[:1].lower() + entry.msgid[1:])
    result = invoke("build", "--root", site)
    assert result.exit_code == 0, result.output
    variant = (site / POSTS / "en" / post.name).read_text(encoding="utf-8")
    body = variant.split("---\n", 2)[2]
    assert body.startswith("`code0` und")
    assert body.split() == " ".join(words).split()
    assert max(len(line) for line in body.split("\n") if " " in line) <= 72


@settings(max_examples=500, deadline=None)
@given(text=st.text(st.sampled_from('aä中\\"n '), max_size=30), data=st.data())
def test_offsets_convert_piece_by_piece_as_from_the_start(text: str, data: st.DataObject) -> None:
    indices = data.draw(st.lists(st.integers(0, len(text)), max_size=6))
    assert _byte_offsets(text, indices) == sorted(len(text[:i].encode()) for i in indices)
    encoded = text.encode()
    starts = sorted({len(text[:i].encode()) for i in range(len(text) + 1)})
    offsets = sorted(data.draw(st.lists(st.sampled_from(starts), max_size=6)))
    assert _char_offsets(encoded, offsets) == [len(encoded[:o].decode()) for o in offsets]


def test_a_string_ending_in_an_escape_after_non_ascii_text_wraps_as_msgcat() -> None:
    """Found by test_poformat's msgcat comparison: the position kept before a final \\n
    comes last in the list, and was converted as if the list were sorted."""
    value = "DBÖEBÄBFÄCBFDCDEABDADBCBÄÖEABÖDCÄÖAÖÜFDCÜÖBEAAAEAAASSSSÄÜÜAAAAAAAAAA \n"
    wrap_field.cache_clear()
    assert wrap_field("", "msgstr", value, 79) == (f'msgstr "{value[:-1]}\\n"',)
