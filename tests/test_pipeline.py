"""extract → update → build → sync over a whole site (postlingo.pipeline), through the CLI."""

from __future__ import annotations

import os
from pathlib import Path

import polib
import pytest

from conftest import (
    CATALOGUE,
    POSTS,
    SOURCE,
    TEMPLATE,
    VARIANT,
    fill_catalogue,
    invoke,
    lang_line_removed,
    msgfmt_check,
    snapshot,
    write_post,
)
from postlingo.config import load_config
from postlingo.site.sources import find_sources

# A post with every construct the foundation extracts, and the ones it must copy.
RICH_POST = """\
---
layout: post
title: 'Ein Titel: mit Doppelpunkt'
date: 2021-02-01T10:00:00+01:00
tags: [eins, zwei]
excerpt: >-
  Ein Auszug über
  zwei Zeilen.
# Ein Kommentar
---
# Überschrift erster Ordnung

Ein Absatz, der über
zwei Zeilen geht.\x20\x20
Nach einem harten Umbruch.

> Ein Zitat mit *Betonung*.
> Zweite Zeile des Zitats.

- Erster Punkt
- Zweiter Punkt mit `code`

1. Nummer eins
2. Nummer zwei

```python
print("nicht übersetzen")
```

<div class="hinweis">HTML bleibt stehen</div>

{% include nicht-uebersetzen.html %}

    eingerückter Code bleibt stehen

Letzter Absatz mit [Verweis](https://example.org/pfad) und 50% Rabatt.
"""


def sync_ok(root: Path, *args: str) -> None:
    result = invoke("sync", "--root", root, *args)
    assert result.exit_code == 0, result.output


def run_ok(*args: str | Path) -> None:
    result = invoke(*args)
    assert result.exit_code == 0, result.output


def identity_build(root: Path) -> bytes:
    """extract + update, every msgstr := msgid, build; the variant's bytes."""
    run_ok("extract", "--root", root)
    run_ok("update", "--root", root)
    fill_catalogue(root / CATALOGUE, lambda entry: entry.msgid)
    run_ok("build", "--root", root)
    return (root / VARIANT).read_bytes()


# --- identity -------------------------------------------------------------------------------


VARIANTS = {
    "as-is": lambda data: data,
    "crlf": lambda data: data.replace(b"\n", b"\r\n"),
    "bom": lambda data: b"\xef\xbb\xbf" + data,
    "final-newline": lambda data: data + b"\n",
    "bom-crlf-final-newline": lambda data: b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n") + b"\r\n",
}


@pytest.mark.parametrize("variant", VARIANTS)
def test_identity_build_is_byte_identical_plus_lang_line(
    bare_site: Path, source_bytes: bytes, variant: str
) -> None:
    assert b"\r" not in source_bytes and not source_bytes.endswith(b"\n")  # what VARIANTS assume
    source = VARIANTS[variant](source_bytes)
    write_post(bare_site, SOURCE.name, source)
    built = identity_build(bare_site)
    eol = b"\r\n" if b"\r\n" in source else b"\n"
    assert lang_line_removed(built, eol) == source
    # The line sits at the end of the front matter, just before the closing delimiter.
    assert eol + b"lang: en" + eol + b"---" + eol in built


def test_identity_build_of_rich_post(bare_site: Path) -> None:
    write_post(bare_site, SOURCE.name, RICH_POST)
    built = identity_build(bare_site)
    assert lang_line_removed(built, b"\n") == RICH_POST.encode()


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("Nur Text.\n\n## Titel\n", "---\nlang: en\n---\nNur Text.\n\n## Titel\n"),
        ("---\n---\nLeer.\n", "---\nlang: en\n---\nLeer.\n"),
        ("---\r\n---\r\nLeer.", "---\r\nlang: en\r\n---\r\nLeer."),
    ],
    ids=["no-front-matter", "empty-front-matter", "empty-front-matter-crlf"],
)
def test_identity_build_without_front_matter_values(
    bare_site: Path, source: str, expected: str
) -> None:
    write_post(bare_site, SOURCE.name, source)
    assert identity_build(bare_site) == expected.encode()


# --- the example post, translated ---------------------------------------------------------


def test_sync_builds_the_english_post(site: Path) -> None:
    sync_ok(site)
    english = (site / VARIANT).read_text(encoding="utf-8")
    german = (site / SOURCE).read_text(encoding="utf-8")
    assert 'title: "Successful Customer Interactions "\n' in english
    assert "How have you been engaging with your customers up to now?" in english
    assert "Wie haben Sie" not in english
    # Front matter: every line but the title kept, `lang: en` added before the closing line.
    source_lines = german.split("---\n", 2)[1].splitlines(keepends=True)
    variant_lines = english.split("---\n", 2)[1].splitlines(keepends=True)
    assert variant_lines[-1] == "lang: en\n"
    assert len(variant_lines) == len(source_lines) + 1
    changed = [
        i for i, (a, b) in enumerate(zip(source_lines, variant_lines[:-1], strict=True)) if a != b
    ]
    assert changed == [1]
    # The repository's committed English post is exactly what sync makes.
    assert english == (Path(__file__).parents[1] / VARIANT).read_text(encoding="utf-8")


def test_untranslated_and_fuzzy_fall_back_to_source(bare_site: Path) -> None:
    sync_ok(bare_site)
    assert (
        lang_line_removed((bare_site / VARIANT).read_bytes(), b"\n")
        == (bare_site / SOURCE).read_bytes()
    )
    po_path = bare_site / CATALOGUE
    po = polib.pofile(str(po_path))
    heading = next(e for e in po if e.msgid == "Die Herausforderungen")
    heading.msgstr = "The challenges"
    heading.flags.append("fuzzy")
    po.save(str(po_path))
    run_ok("build", "--root", bare_site)
    assert b"### Die Herausforderungen \n" in (bare_site / VARIANT).read_bytes()
    run_ok("build", "--root", bare_site, "--include-fuzzy")
    assert b"### The challenges \n" in (bare_site / VARIANT).read_bytes()


def test_sources_below_subfolders_keep_their_path_in_catalogue_names(bare_site: Path) -> None:
    write_post(bare_site, "2022/2022-03-01-unterordner.md", "---\ntitle: Unten\n---\nText.\n")
    sync_ok(bare_site)
    assert (bare_site / "locales/templates/2022/2022-03-01-unterordner.pot").is_file()
    assert (bare_site / "locales/en/LC_MESSAGES/2022/2022-03-01-unterordner.po").is_file()
    assert (bare_site / POSTS / "en/2022/2022-03-01-unterordner.md").is_file()


def test_variants_are_never_sources(site: Path) -> None:
    sync_ok(site)
    sync_ok(site)
    names = [source.name for source in find_sources(load_config(site))]
    assert names == [SOURCE.stem]
    assert sorted(p.name for p in (site / "locales/templates").rglob("*.pot")) == [TEMPLATE.name]
    assert not (site / POSTS / "en/en").exists()


# --- the catalogues ------------------------------------------------------------------------


def test_written_catalogues_pass_msgfmt_check(site: Path) -> None:
    write_post(site, "2021-02-01-reich.md", RICH_POST)
    write_post(site, "2021-02-02-ohne.md", "Nur Text mit 100% Inhalt.\n")
    sync_ok(site, "--lang", "en", "--lang", "fr")
    # The French catalogues are new (empty), the English example one is fully translated.
    fill_catalogue(site / "locales/en/LC_MESSAGES/2021-02-01-reich.po", lambda e: f"EN {e.msgid}")
    written = sorted((site / "locales").rglob("*.po*"))
    assert len(written) == 9, written
    for path in written:
        check = msgfmt_check(path)
        assert check.returncode == 0, (path, check.stderr)
        if path.suffix == ".po":
            assert check.stderr == "", (path, check.stderr)


def test_new_catalogues_start_empty_with_a_proper_header(bare_site: Path) -> None:
    sync_ok(bare_site)
    po = polib.pofile(str(bare_site / CATALOGUE))
    assert len(po) == 6
    assert [entry.msgstr for entry in po] == [""] * len(po)
    assert not any(entry.fuzzy or entry.obsolete for entry in po)
    assert po.metadata["Language"] == "en"
    assert po.metadata["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    assert po.metadata["Content-Type"] == "text/plain; charset=UTF-8"
    assert po.metadata["Project-Id-Version"] == "postlingo example site"
    assert not po.metadata_is_fuzzy


def test_no_python_format_flag_anywhere(bare_site: Path) -> None:
    write_post(bare_site, "2021-02-01-reich.md", RICH_POST)
    sync_ok(bare_site)
    files = sorted((bare_site / "locales").rglob("*.po*"))
    assert len(files) == 4
    texts = {path: path.read_text(encoding="utf-8") for path in files}
    assert any("60% dieser" in text for text in texts.values())
    assert any("50% Rabatt" in text for text in texts.values())
    for path, text in texts.items():
        assert "python-format" not in text, path
        assert all("python-format" not in entry.flags for entry in polib.pofile(text)), path


@pytest.mark.parametrize("post", ["example", "rich"])
def test_references_give_the_real_source_line(bare_site: Path, post: str) -> None:
    if post == "rich":
        write_post(bare_site, SOURCE.name, RICH_POST)
    run_ok("extract", "--root", bare_site)
    lines = (bare_site / SOURCE).read_text(encoding="utf-8").split("\n")
    pot = polib.pofile(str(bare_site / TEMPLATE))
    assert len(pot) >= 6
    for entry in pot:
        assert entry.msgid.strip() == entry.msgid and " \n" not in entry.msgid
        assert entry.occurrences, entry.msgid
        for path, line in entry.occurrences:
            assert path == SOURCE.as_posix()
            first_words = entry.msgid.split("\n")[0][:15]
            assert first_words in lines[int(line) - 1], (line, entry.msgid)


def test_rich_post_segments(bare_site: Path) -> None:
    write_post(bare_site, SOURCE.name, RICH_POST)
    run_ok("extract", "--root", bare_site)
    pot = polib.pofile(str(bare_site / TEMPLATE))
    found = {(entry.msgctxt, entry.msgid) for entry in pot}
    assert found == {
        ("title", "Ein Titel: mit Doppelpunkt"),
        ("excerpt", "Ein Auszug über zwei Zeilen."),
        (None, "Überschrift erster Ordnung"),
        (None, "Ein Absatz, der über zwei Zeilen geht.\nNach einem harten Umbruch."),
        (None, "Ein Zitat mit *Betonung*. Zweite Zeile des Zitats."),
        (None, "Erster Punkt"),
        (None, "Zweiter Punkt mit `code`"),
        (None, "Nummer eins"),
        (None, "Nummer zwei"),
        (None, "Letzter Absatz mit [Verweis](https://example.org/pfad) und 50% Rabatt."),
    }


# --- idempotence ---------------------------------------------------------------------------

OLD = 1_000_000_000_000_000_000  # 2001-09-09: any rewrite moves a file's mtime away from it


def age_all_files(root: Path) -> None:
    """Set every mtime to OLD, so that a rewrite is visible whatever the clock granularity."""
    for path in root.rglob("*"):
        if path.is_file():
            os.utime(path, ns=(OLD, OLD))


@pytest.mark.parametrize("fixture", ["site", "bare_site"])
def test_second_sync_rewrites_nothing(request: pytest.FixtureRequest, fixture: str) -> None:
    root: Path = request.getfixturevalue(fixture)
    write_post(root, "2021-02-01-reich.md", RICH_POST)
    sync_ok(root)
    age_all_files(root)
    before = snapshot(root)
    result = invoke("sync", "--root", root)
    assert result.exit_code == 0, result.output
    assert snapshot(root) == before
    assert result.stdout == ""  # nothing reported as written
    for command in ("extract", "update", "build"):
        run_ok(command, "--root", root)
    assert snapshot(root) == before


# --- update after an edit ------------------------------------------------------------------


def test_update_after_editing_one_paragraph_keeps_the_other_translations(site: Path) -> None:
    sync_ok(site)
    before = polib.pofile(str(site / CATALOGUE))
    assert len(before.translated_entries()) == len(before) == 6
    source = site / SOURCE
    text = source.read_text(encoding="utf-8")
    old = "schnell auf die neue Situation"
    assert text.count(old) == 1
    source.write_text(text.replace(old, "sehr schnell auf die neue Situation"), encoding="utf-8")

    run_ok("extract", "--root", site)
    run_ok("update", "--root", site)

    after = polib.pofile(str(site / CATALOGUE))
    edited = [entry for entry in after if "sehr schnell" in entry.msgid]
    assert len(edited) == 1
    entry = edited[0]
    previous = next(e for e in before if old in e.msgid)
    assert entry.fuzzy
    assert entry.previous_msgid == previous.msgid
    assert entry.msgstr == previous.msgstr
    assert "#| msgid " in str(entry)
    others_before = [str(e) for e in before if e is not previous]
    others_after = [str(e) for e in after if e is not entry and not e.obsolete]
    assert others_after == others_before
    assert [e for e in after if e.obsolete] == []

    # The variant keeps the other translations and falls back to the edited German paragraph.
    run_ok("build", "--root", site)
    english = (site / VARIANT).read_text(encoding="utf-8")
    assert "sehr schnell auf die neue Situation" in english
    assert "How have you been engaging with your customers" in english
    assert "Successful Customer Interactions" in english


# --- one bad post --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("front_matter", "line"),
    [
        ('layout: post\ntitle: "unclosed\n', 3),
        ("layout: post\ntitle: a\n  b: c\n", 4),
        ("layout: post\ntitle: eins\ntitle: zwei\n", 4),
        ("- eine Liste\n- statt Schlüsseln\n", 2),
    ],
    ids=["unclosed-quote", "bad-indentation", "duplicate-key", "not-a-mapping"],
)
def test_malformed_front_matter_is_reported_and_other_posts_processed(
    bare_site: Path, front_matter: str, line: int
) -> None:
    bad = write_post(bare_site, "2021-02-01-kaputt.md", f"---\n{front_matter}---\nText.\n")
    result = invoke("sync", "--root", bare_site)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    errors = result.stderr.splitlines()
    assert len(errors) == 1, result.stderr
    prefix = f"error: {bad}:{line}: "
    assert errors[0].startswith(prefix), (errors[0], prefix)
    assert "front matter" in errors[0][len(prefix) :]
    # The good post went through the whole pipeline.
    for path in (TEMPLATE, CATALOGUE, VARIANT):
        assert (bare_site / path).is_file(), path
    assert not (bare_site / POSTS / "en/2021-02-01-kaputt.md").exists()
    assert not (bare_site / "locales/templates/2021-02-01-kaputt.pot").exists()


def test_unclosed_front_matter_is_reported_and_other_posts_processed(bare_site: Path) -> None:
    bad = write_post(bare_site, "2021-02-01-kaputt.md", "---\ntitle: offen\n\nText.\n")
    result = invoke("extract", "--root", bare_site)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(f"error: {bad}:1: front matter"), result.stderr
    assert (bare_site / TEMPLATE).is_file()


def test_invalid_utf8_post_is_reported_with_its_line(bare_site: Path) -> None:
    latin1 = "---\ntitle: Grüße\n---\n".encode("latin-1")
    bad = write_post(bare_site, "2021-02-01-latin1.md", latin1)
    result = invoke("sync", "--root", bare_site)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(f"error: {bad}:2: not valid UTF-8"), result.stderr
    assert (bare_site / VARIANT).is_file()


@pytest.mark.parametrize(
    "broken",
    ['msgctxt "title', 'msgctxt "title" garbage', "garbage"],
    ids=["unterminated-string", "trailing-garbage", "garbage-line"],
)
def test_broken_catalogue_is_reported_with_its_line(site: Path, broken: str) -> None:
    sync_ok(site)
    po_path = site / CATALOGUE
    lines = po_path.read_text(encoding="utf-8").split("\n")
    at = next(i for i, text in enumerate(lines) if text.startswith('msgctxt "title"'))
    lines[at] = broken
    po_path.write_text("\n".join(lines), encoding="utf-8")
    assert msgfmt_check(po_path).returncode != 0  # gettext rejects the file too
    result = invoke("build", "--root", site)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(f"error: {po_path}:{at + 1}: "), result.stderr
    assert "Traceback" not in result.output


# --- issue 17: one pipeline, its steps as data, sources found once -------------------------


def test_every_command_runs_named_steps_in_the_pipeline_s_order() -> None:
    from postlingo import pipeline

    order = list(pipeline.STEPS)
    assert order == ["read", "template", "catalogues", "variant", "terms"]
    for steps in (pipeline.BUILD, pipeline.SYNC, pipeline.UPDATE):
        assert [order.index(step) for step in steps] == sorted(order.index(s) for s in steps)
    assert set(pipeline.SYNC) == set(order)


@pytest.mark.parametrize("command", ["extract", "update", "build", "sync"])
def test_a_command_finds_the_sources_once(
    site: Path, command: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    (site / "postlingo.toml").write_text(
        (site / "postlingo.toml").read_text(encoding="utf-8") + "link_source = true\n",
        encoding="utf-8",
    )
    assert invoke("sync", "--root", site).exit_code == 0
    if command != "update":  # (update would want its template)
        write_post(site, "2021-02-01-neu.md", "---\ntitle: Neu\n---\nNeuer Text.\n")
    import postlingo.incremental
    import postlingo.pipeline
    import postlingo.site.sources

    walks: list[int] = []
    real = postlingo.site.sources.find_sources

    def counted(config: object, *args: object) -> object:
        walks.append(1)
        return real(config, *args)  # type: ignore[arg-type]

    for module in (postlingo.pipeline, postlingo.site.sources, postlingo.incremental):
        monkeypatch.setattr(module, "find_sources", counted)
    assert invoke(command, "--root", site).exit_code == 0
    assert len(walks) == 1


def test_a_step_s_exception_is_an_error_of_its_post_and_the_others_go_on(
    bare_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from postlingo import pipeline

    write_post(bare_site, "2021-02-01-zwei.md", "---\ntitle: Zwei\n---\nZweiter Text.\n")
    real = pipeline.STEPS["template"]

    def failing(run: pipeline.Run, work: pipeline.PostWork) -> None:
        if work.name.endswith("zwei"):
            raise ValueError("boom")
        real(run, work)

    monkeypatch.setitem(pipeline.STEPS, "template", failing)
    result = invoke("sync", "--root", bare_site)
    assert result.exit_code == 1
    shown = bare_site / POSTS / "2021-02-01-zwei.md"
    assert result.stderr == f"error: {shown}: cannot be processed: ValueError: boom\n"
    assert (bare_site / CATALOGUE).is_file()  # the other post went through every step
    assert not (bare_site / "locales/en/LC_MESSAGES/2021-02-01-zwei.po").exists()
