"""build publishes nothing that check calls an error (issue 15, items 2 and 6).

A translation with an error finding of the entry rules (at the levels of ``[check]``), or
one that would break the post, is left out: the variant keeps the source's text for that
segment, build prints one warning naming the PO line and exits 1 (0 with --keep-going).
check and build judge with the same function, so they agree both ways. Also here: CI's
truths (update --check on a changed post, include_fuzzy in the configuration, a broken
post and the shared taxonomy catalogue).
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

import polib
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import (
    CATALOGUE,
    POSTS,
    VARIANT,
    invoke,
    make_site,
    publish_untranslated,
    write_post,
)
from postlingo.config import load_config
from postlingo.pipeline import build
from postlingo.qa.check import RULES, check
from postlingo.qa.rules import ENTRY_RULES
from sitebuild import jekyll_build

NAME = "2021-03-03-pruefstand"
PO = Path("locales/en/LC_MESSAGES") / f"{NAME}.po"
OWN_VARIANT = POSTS / "en" / f"{NAME}.md"
LEFT_OUT = "not used, the variant keeps the source text: "

# The post's texts and a faithful translation of each.
GOOD = {
    "Prüfstand": "Test bench",
    "Ein Absatz mit [einem Link](https://example.com/a) und `code()` hier.": (
        "A paragraph with [a link](https://example.com/a) and `code()` here."
    ),
    "Ein **wichtiger** Satz.": "An **important** sentence.",
    "Der Titel ist {{ site.title }} hier.": "The title is {{ site.title }} here.",
    "![Ein Bild](/img/a.png)": "![A picture](/img/a.png)",
    "Eine Überschrift": "A heading",
    "Ein letzter Satz.": "A last sentence.",
}
POST = """---
title: Prüfstand
lang: de
---
Ein Absatz mit [einem Link](https://example.com/a) und `code()` hier.

Ein **wichtiger** Satz.

Der Titel ist {{ site.title }} hier.

![Ein Bild](/img/a.png)

## Eine Überschrift

Ein letzter Satz.
"""

# msgid -> (broken translation, the rule check reports it under)
BROKEN = {
    "lost link URL": (
        "Ein Absatz mit [einem Link](https://example.com/a) und `code()` hier.",
        "A paragraph with [a link](https://evil.example/) and `code()` here.",
        "links",
    ),
    "lost code span": (
        "Ein Absatz mit [einem Link](https://example.com/a) und `code()` hier.",
        "A paragraph with [a link](https://example.com/a) and code() here.",
        "code",
    ),
    "unclosed emphasis": ("Ein **wichtiger** Satz.", "An **important sentence.", "emphasis"),
    "unclosed Liquid output": (
        "Der Titel ist {{ site.title }} hier.",
        "The title is {{ site.title } here.",
        "liquid",
    ),
    "added Liquid tag": (
        "Der Titel ist {{ site.title }} hier.",
        "The title is {{ site.title }} {% include secret.html %} here.",
        "security",
    ),
    "script": ("Ein letzter Satz.", "A last <script>alert(1)</script> sentence.", "security|html"),
    "lost image URL": ("![Ein Bild](/img/a.png)", "![A picture](/img/b.png)", "images"),
    "heading split into blocks": ("Eine Überschrift", "A heading\n\nand a paragraph", "build"),
}


def translate(po_path: Path, table: dict[str, str]) -> dict[str, int]:
    """Give the entries whose msgid is in ``table`` that translation (no fuzzy flag); the
    line of each entry in the saved catalogue, by msgid."""
    po = polib.pofile(str(po_path))
    for entry in po:
        if entry.msgid in table:
            entry.msgstr = table[entry.msgid]
            if entry.fuzzy:
                entry.flags.remove("fuzzy")
    po.save(str(po_path))
    return {entry.msgid: entry.linenum for entry in polib.pofile(str(po_path))}


def gate_site(root: Path) -> Path:
    """The example site at ``root`` with the test post added, synced, every text well
    translated. Threshold 0: a variant whose refused texts fall back to the source stays
    published, so what build put in their place can be read."""
    publish_untranslated(root)
    write_post(root, f"{NAME}.md", POST)
    assert invoke("sync", "--root", root).exit_code == 0
    translate(root / PO, GOOD)
    result = invoke("build", "--root", root)
    assert (result.exit_code, result.stderr) == (0, ""), result.output
    return root


@pytest.fixture
def gated(site: Path) -> Path:
    return gate_site(site)


# --- build leaves out what check calls an error ----------------------------------------------


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_broken_translation_is_left_out_with_one_warning(gated: Path, case: str) -> None:
    msgid, msgstr, rule = BROKEN[case]
    line = translate(gated / PO, {msgid: msgstr})[msgid]
    result = invoke("build", "--root", gated)
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines() == [result.stderr.rstrip("\n")], result.stderr  # one line
    assert result.stderr.startswith(f"warning: {gated / PO}:{line}: {LEFT_OUT}"), result.stderr
    named = re.fullmatch(r".*\[([a-z-]+)\]\n", result.stderr, re.S)
    assert named, result.stderr
    variant = (gated / OWN_VARIANT).read_text(encoding="utf-8")
    assert msgid in variant and msgstr not in variant  # the source's text in its place
    others = [text for source, text in GOOD.items() if source != msgid]
    assert all(text in variant for text in others)  # the rest stays translated
    # --keep-going: exit 0, the warning stays; the variant is the same.
    kept = invoke("build", "--root", gated, "--keep-going")
    assert (kept.exit_code, kept.stderr) == (0, result.stderr)
    assert (gated / OWN_VARIANT).read_text(encoding="utf-8") == variant
    # check reports the same entry as an error, under the rule named in the warning.
    checked = invoke("check", "--root", gated)
    assert checked.exit_code == 1
    assert f"{gated / PO}:{line}: {named.group(1)}: " in checked.stdout, checked.stdout
    assert any(f"{gated / PO}:{line}: {one}: " in checked.stdout for one in rule.split("|"))


def test_the_levels_of_check_decide_for_build_too(gated: Path) -> None:
    msgid, msgstr, _ = BROKEN["unclosed emphasis"]
    translate(gated / PO, {msgid: msgstr})
    with (gated / "postlingo.toml").open("a", encoding="utf-8") as handle:
        handle.write('[check]\nemphasis = "warning"\n')
    result = invoke("build", "--root", gated)
    assert result.exit_code == 0, result.output
    assert result.stderr in ("", "nothing to do: 2 posts checked, no file changed\n")
    assert msgstr in (gated / OWN_VARIANT).read_text(encoding="utf-8")
    checked = invoke("check", "--root", gated)
    assert checked.exit_code == 0 and "emphasis: warning: " in checked.stdout


def test_sync_leaves_out_and_fails_again_while_the_translation_stays(gated: Path) -> None:
    msgid, msgstr, _ = BROKEN["lost link URL"]
    line = translate(gated / PO, {msgid: msgstr})[msgid]
    first = invoke("sync", "--root", gated)
    assert first.exit_code == 1 and f"{gated / PO}:{line}: {LEFT_OUT}" in first.stderr
    again = invoke("sync", "--root", gated)  # nothing changed: the post is skipped
    assert (again.exit_code, again.stdout, again.stderr) == (1, "", first.stderr)
    assert invoke("sync", "--root", gated, "--keep-going").exit_code == 0


def test_a_refused_translation_is_published_as_source_text_by_jekyll(
    gated: Path, tmp_path: Path
) -> None:
    translate(
        gated / PO,
        {
            "Der Titel ist {{ site.title }} hier.": "The title is {{ site.title } here.",
            "Ein letzter Satz.": "A last <img src=x onerror=alert(1)> sentence.",
        },
    )
    assert invoke("build", "--root", gated).exit_code == 1
    out = jekyll_build(gated / "content", tmp_path / "_site")
    pages = [p for p in (out / "en").rglob("*.html") if "pruefstand" in p.as_posix()]
    assert len(pages) == 1, sorted(out.rglob("*.html"))
    html = pages[0].read_text(encoding="utf-8")
    assert "Ein letzter Satz." in html and "onerror" not in html
    assert re.search(r"Der Titel ist [^<{]+ hier\.", html), html  # Liquid ran on the source
    assert 'A paragraph with <a href="https://example.com/a">a link</a>' in html


# --- check and build agree -------------------------------------------------------------------

_GATED_RULES = set(ENTRY_RULES) | {"build"}


def _agreement(root: Path) -> tuple[set[int], set[int], str]:
    """The PO lines check calls errors (entry rules and build), the lines build leaves out,
    and the variant built."""
    config = load_config(root)
    outcome = build(config)
    assert outcome.ok, outcome.errors
    refused = {w.line for w in outcome.warnings if w.path == root / PO}
    report = check(config)
    errors = {
        f.line
        for f in report.findings
        if f.path == root / PO and f.level == "error" and f.rule in _GATED_RULES
    }
    return errors, refused, (root / OWN_VARIANT).read_text(encoding="utf-8")


# Ways translators and machines break a translation: drop or double a mark, add markup.
_MARKS = ["[", "]", "(", ")", "`", "*", "**", "{{", "}}", "{%", "%}", "!", "\n\n", "#"]
_SNIPPETS = [
    "<script>x()</script>",
    "{% include a.html %}",
    "[x](javascript:alert(1))",
    "<b>",
    "`",
    "**",
    "{{ site.secret }}",
    "](https://evil.example/)",
    "\n\n## H",
    '{: onclick="x()"}',
    "<img src=x onerror=y>",
    "[^9]",
    "{{",
    "_",
    "~~",
]


@st.composite
def broken_translation(draw: st.DrawFn, text: str) -> str:
    for _ in range(draw(st.integers(1, 3))):
        if draw(st.booleans()):
            marks = [m for m in _MARKS if m in text]
            if marks:
                mark = draw(st.sampled_from(marks))
                text = text.replace(mark, draw(st.sampled_from(["", mark * 2])), 1)
                continue
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(_SNIPPETS)) + text[at:]
    return text


@st.composite
def translations(draw: st.DrawFn) -> dict[str, str]:
    table = {}
    for msgid, good in GOOD.items():
        table[msgid] = draw(st.one_of(st.just(good), broken_translation(good)))
    return table


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return gate_site(make_site(tmp_path_factory.mktemp("gate") / "site"))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=translations())
def test_check_and_build_agree_on_every_entry(pristine: Path, table: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory() as work:
        root = Path(work) / "site"
        shutil.copytree(pristine, root, symlinks=True)
        lines = translate(root / PO, table)
        errors, refused, variant = _agreement(root)
        assert refused == errors  # what check calls an error, build left out; nothing else
        for msgid, msgstr in table.items():
            if lines[msgid] in refused and msgstr.strip() and msgstr != GOOD[msgid]:
                assert msgstr.strip() not in variant, (msgid, msgstr)
        if not errors:  # nothing check calls an error: build gives no warning at all
            assert not [
                f
                for f in check(load_config(root)).findings
                if f.level == "error" and f.path == root / PO
            ]


def test_a_site_that_check_strict_passes_builds_without_warnings(gated: Path) -> None:
    assert invoke("check", "--root", gated, "--strict").exit_code == 0
    result = invoke("build", "--root", gated)
    assert result.exit_code == 0, result.output
    assert result.stderr in ("", "nothing to do: 2 posts checked, no file changed\n")


def test_every_error_rule_that_judges_entries_can_keep_a_translation_out() -> None:
    # The rule table build uses is check's: the same functions at the same default levels.
    assert {name: rule.level for name, rule in ENTRY_RULES.items()} == {
        name: RULES[name].level for name in ENTRY_RULES
    }
    assert {one for _, _, rule in BROKEN.values() for one in rule.split("|")} <= _GATED_RULES


# --- CI tells the truth ----------------------------------------------------------------------


def test_update_check_fails_when_a_post_changed_since_extract(site: Path) -> None:
    assert invoke("update", "--root", site, "--check").exit_code == 0
    post = site / POSTS / "2021-01-05-erfolgreiche-kundeninteraktionen.md"
    post.write_text(post.read_text(encoding="utf-8") + "\nEin neuer Absatz.\n", encoding="utf-8")
    write_post(site, "2021-03-04-ohne.md", "---\ntitle: Ohne Vorlage\n---\nText.\n")
    before = {p: p.read_bytes() for p in (site / "locales").rglob("*") if p.is_file()}
    result = invoke("update", "--root", site, "--check")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 2, lines  # one per post: the changed one, the one without template
    assert (
        f"error: {post}: changed since its template "
        f"{site / 'locales/templates/2021-01-05-erfolgreiche-kundeninteraktionen.pot'} was "
        "extracted: run 'postlingo extract' (or 'sync')" in lines
    ), lines
    assert any("2021-03-04-ohne" in line and "no template" in line for line in lines)
    assert {p: p.read_bytes() for p in (site / "locales").rglob("*") if p.is_file()} == before
    assert invoke("sync", "--root", site).exit_code == 0
    assert invoke("update", "--root", site, "--check").exit_code == 0


def _fuzzy_site(site: Path) -> Path:
    po = polib.pofile(str(site / CATALOGUE))
    po[1].flags.append("fuzzy")
    po.save(str(site / CATALOGUE))
    return site


def test_check_honours_include_fuzzy_from_the_configuration(site: Path) -> None:
    _fuzzy_site(site)
    assert invoke("build", "--root", site, "--include-fuzzy").exit_code == 0
    assert invoke("check", "--root", site).exit_code == 1  # built with fuzzy: outdated
    assert invoke("check", "--root", site, "--include-fuzzy").exit_code == 0
    with (site / "postlingo.toml").open("a", encoding="utf-8") as handle:
        handle.write("include_fuzzy = true\n")
    result = invoke("check", "--root", site)
    assert result.exit_code == 0, result.output
    # and build and sync read it too: nothing to change
    assert invoke("build", "--root", site).stdout == ""
    assert "fuzzy" not in (site / VARIANT).read_text(encoding="utf-8")
    assert invoke("sync", "--root", site).exit_code == 0
    assert invoke("check", "--root", site).exit_code == 0


def test_include_fuzzy_must_be_a_boolean(site: Path) -> None:
    with (site / "postlingo.toml").open("a", encoding="utf-8") as handle:
        handle.write('include_fuzzy = "yes"\n')
    result = invoke("check", "--root", site)
    assert result.exit_code == 2 and "include_fuzzy" in result.stderr


TAGGED = "---\ntitle: Zwei\ntags: Vertrieb Neu\n---\nText zwei.\n"


def test_a_post_that_fails_to_parse_leaves_the_taxonomy_alone(site: Path) -> None:
    with (site / "postlingo.toml").open("a", encoding="utf-8") as handle:
        # threshold 0: only the terms get translated, the post's variant is built anyway
        handle.write('taxonomy = ["tags"]\nthreshold = 0\n')
    post = write_post(site, "2021-02-02-zweiter.md", TAGGED)
    assert invoke("sync", "--root", site).exit_code == 0
    taxonomy = site / "locales/en/LC_MESSAGES/taxonomy.po"
    translate(taxonomy, {"Neu": "New", "Vertrieb": "Sales"})
    assert invoke("sync", "--root", site).exit_code == 0
    variant = site / POSTS / "en/2021-02-02-zweiter.md"
    assert "tags: Sales New\n" in variant.read_text(encoding="utf-8")
    shared = {p: p.read_bytes() for p in (site / "locales").rglob("taxonomy.po*")}
    assert len(shared) == 2
    post.write_text(TAGGED.replace("title: Zwei", "title: [Zwei"), encoding="utf-8")
    for command in ("sync", "extract"):
        result = invoke(command, "--root", site)
        assert result.exit_code == 1 and "2021-02-02-zweiter.md:3: " in result.stderr
        assert {p: p.read_bytes() for p in shared} == shared, command
    post.write_text(TAGGED, encoding="utf-8")
    assert invoke("sync", "--root", site).exit_code == 0
    assert {p: p.read_bytes() for p in shared} == shared
    assert "tags: Sales New\n" in variant.read_text(encoding="utf-8")
    again = invoke("sync", "--root", site)  # complete in one run: nothing left to do
    assert (again.exit_code, again.stdout, again.stderr) == (
        0,
        "",
        "nothing to do: 2 posts checked, no file changed\n",
    )


def test_update_check_fails_when_the_posts_terms_changed(site: Path) -> None:
    with (site / "postlingo.toml").open("a", encoding="utf-8") as handle:
        handle.write('taxonomy = ["tags"]\n')
    post = write_post(site, "2021-02-02-zweiter.md", TAGGED)
    assert invoke("sync", "--root", site).exit_code == 0
    assert invoke("update", "--root", site, "--check").exit_code == 0
    post.write_text(TAGGED.replace("Neu", "Neuer"), encoding="utf-8")
    result = invoke("update", "--root", site, "--check")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [  # (the post's own template holds no tags)
        f"error: {site / 'locales/templates/taxonomy.pot'}: the posts' taxonomy terms changed "
        "since this template was extracted: run 'postlingo extract'"
    ], result.stderr
