"""``postlingo import``: existing human translations brought into the catalogues, then built.

Sites are made as a user has them (sources and human variants, no catalogue), the CLI runs
as the user runs it, and what gets published is read from the HTML hugo builds.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import polib
import pytest

import sitebuild
from conftest import invoke, msgfmt_check
from postlingo.catalogue.po import imported, usable

FIXTURES = Path(__file__).parent / "fixtures" / "sites"
BILINGUAL = Path(__file__).parent / "data" / "bilingual"

HUGO_SOURCE = """\
---
title: "Hallo Welt"
date: 2021-03-01T10:00:00+01:00
description: Ein Beitrag als einzelne Datei
---
Dies ist der erste Absatz des Beitrags, mit [einem Link](https://example.org/a).

## Eine Überschrift

Ein zweiter Absatz mit *Betonung* und 42 Dingen.

- Erster Punkt der Liste
- Zweiter Punkt mit `code`

| Name | Wert |
| --- | --- |
| Farbe | Blau |
"""

HUMAN_EN = """\
---
title: "Hello World"
date: 2021-03-01T10:00:00+01:00
description: A post in a single file
---
This is the first paragraph of the post, with [a link](https://example.org/a).

## A Heading

A second paragraph with *emphasis* and 42 things.

- First item of the list
- Second item with `code`

| Name | Value |
| --- | --- |
| Colour | Blue |
"""

# The same translation, its structure changed: the first paragraph split in two, an item
# added to the list.
HUMAN_EN_CHANGED = """\
---
title: "Hello World"
date: 2021-03-01T10:00:00+01:00
description: A post in a single file
---
This is the first paragraph of the post,

with [a link](https://example.org/a).

## A Heading

A second paragraph with *emphasis* and 42 things.

- First item of the list
- An item the translator added
- Second item with `code`

| Name | Value |
| --- | --- |
| Colour | Blue |
"""


def hugo_site(root: Path, variant: str = HUMAN_EN) -> Path:
    """The Hugo fixture site with one German post and its human English translation."""
    shutil.copytree(FIXTURES / "hugo", root)
    shutil.rmtree(root / "content/posts/buendel")
    (root / "content/posts/hallo.md").write_text(HUGO_SOURCE, encoding="utf-8")
    (root / "content/posts/hallo.en.md").write_text(variant, encoding="utf-8")
    return root


def catalogue(root: Path, name: str = "hallo", language: str = "en") -> polib.POFile:
    return polib.pofile(str(root / "locales" / language / "LC_MESSAGES" / f"{name}.po"))


def words(text: str) -> str:
    return " ".join(text.split())


# --- Hugo: import, build, publish ---------------------------------------------------------


def test_hugo_import_then_build_gives_back_the_human_translation(tmp_path: Path) -> None:
    root = hugo_site(tmp_path / "site")
    variant = root / "content/posts/hallo.en.md"
    human = variant.read_bytes()

    result = invoke("import", "--root", root)
    assert result.exit_code == 0, result.output
    shown = root / "content/posts/hallo.en.md"
    assert f"imported 11 of 11 segments from {shown}\n" in result.stdout
    assert variant.read_bytes() == human  # import only reads the variant
    po = catalogue(root)
    entries = [e for e in po if not e.obsolete]
    assert len(entries) == 11
    assert po.find("Name").msgstr == "Name"  # the same in both: the translator's choice
    for entry in entries:
        assert entry.fuzzy and entry.msgstr, entry
        assert entry.tcomment == "imported from content/posts/hallo.en.md"
        assert imported(entry)
    assert po.find("Farbe").msgstr == "Colour"
    assert po.find("Hallo Welt", msgctxt="title").msgstr == "Hello World"
    assert msgfmt_check(root / "locales/en/LC_MESSAGES/hallo.po").returncode == 0

    # A plain build uses the imported (published, human) text: the variant comes back as
    # the translator wrote it, byte for byte (its structure and wrapping are the source's).
    result = invoke("build", "--root", root)
    assert result.exit_code == 0, result.output
    assert variant.read_bytes() == human

    out = sitebuild.hugo_build(root, tmp_path / "public")
    english = (out / "en/posts/hallo/index.html").read_text(encoding="utf-8")
    german = (out / "posts/hallo/index.html").read_text(encoding="utf-8")
    assert "<h1>Hello World</h1>" in english
    assert "A second paragraph with <em>emphasis</em> and 42 things." in english
    assert "<td>Colour</td>" in english and "<td>Blue</td>" in english
    assert "Dies ist" not in english
    assert "<h1>Hallo Welt</h1>" in german and "This is" not in german


def test_import_then_sync_keeps_the_human_text(tmp_path: Path) -> None:
    root = hugo_site(tmp_path / "site")
    variant = root / "content/posts/hallo.en.md"
    human = variant.read_bytes()
    assert invoke("import", "--root", root).exit_code == 0
    result = invoke("sync", "--root", root)
    assert result.exit_code == 0, result.output
    assert variant.read_bytes() == human
    # Entries stay fuzzy and imported: a translator confirms them by removing the flag.
    assert all(imported(e) for e in catalogue(root) if e.msgstr and not e.obsolete)


def test_an_imported_text_whose_source_changed_is_no_longer_used(tmp_path: Path) -> None:
    root = hugo_site(tmp_path / "site")
    assert invoke("import", "--root", root).exit_code == 0
    source = root / "content/posts/hallo.md"
    source.write_text(HUGO_SOURCE.replace("und 42 Dingen.", "und 43 Dingen."), encoding="utf-8")
    assert invoke("sync", "--root", root).exit_code == 0
    entry = catalogue(root).find("Ein zweiter Absatz mit *Betonung* und 43 Dingen.")
    assert entry.msgstr == "A second paragraph with *emphasis* and 42 things."
    assert entry.previous_msgid and not imported(entry) and not usable(entry)
    variant = (root / "content/posts/hallo.en.md").read_text(encoding="utf-8")
    assert "Ein zweiter Absatz mit *Betonung* und 43 Dingen." in variant
    assert "This is the first paragraph" in variant  # the others stay in use


def test_machine_drafts_stay_out_of_a_plain_build() -> None:
    draft = polib.POEntry(
        msgid="a", msgstr="b", flags=["fuzzy"], tcomment="machine draft: pseudo 2026-01-01"
    )
    human = polib.POEntry(
        msgid="a", msgstr="b", flags=["fuzzy"], tcomment="imported from content/posts/x.en.md"
    )
    assert not usable(draft) and usable(draft, include_fuzzy=True)
    assert usable(human) and imported(human)
    assert not imported(
        polib.POEntry(
            msgid="a",
            msgstr="b",
            flags=["fuzzy"],
            tcomment="imported from somewhere?\nx",
            previous_msgid="c",
        )
    )


# --- structure differences, options, existing translations --------------------------------


def test_a_split_paragraph_and_an_added_item_are_reported(tmp_path: Path) -> None:
    root = hugo_site(tmp_path / "site", HUMAN_EN_CHANGED)
    result = invoke("import", "--root", root)
    assert result.exit_code == 0, result.output
    shown = root / "content/posts/hallo.en.md"
    # Source line 6 (the paragraph split in the translation) is left, and so are the
    # translation's halves (line 6) and its added item (line 15, not the first).
    assert (
        f"imported 10 of 11 segments from {shown} (1 left: source line 6, translation line 6)\n"
    ) in result.stdout
    # What a build would do to the rest of the file is said before it happens.
    assert result.stderr == (
        f"warning: {shown}: build will rewrite this file: 1 source segment(s) get the "
        "source's text and 3 block(s) of its own are not in the catalogue (from line 6); "
        "translate what is left first, or set threshold = 100 to keep the file until then\n"
    )
    po = catalogue(root)
    assert (
        po.find(
            "Dies ist der erste Absatz des Beitrags, mit [einem Link](https://example.org/a)."
        ).msgstr
        == ""
    )
    # Around the difference the blocks still pair, the added item aside.
    assert po.find("Zweiter Punkt mit `code`").msgstr == "Second item with `code`"
    assert po.find("Erster Punkt der Liste").msgstr == "First item of the list"
    assert "An item the translator added" not in {e.msgstr for e in po}


def test_threshold_100_keeps_a_partly_imported_variant_as_it_is(tmp_path: Path) -> None:
    # What is left would get the source's text: with threshold = 100 build waits for it.
    root = hugo_site(tmp_path / "site", HUMAN_EN_CHANGED)
    config = root / "postlingo.toml"
    config.write_text(config.read_text() + "threshold = 100\n")
    result = invoke("import", "--root", root)
    assert result.exit_code == 0 and not result.stderr  # (no warning: the file is kept)
    variant = root / "content/posts/hallo.en.md"
    result = invoke("sync", "--root", root)
    assert result.exit_code == 0, result.output
    assert "below the threshold of 100%: kept as it was" in result.stderr
    assert variant.read_text(encoding="utf-8") == HUMAN_EN_CHANGED

    # Once the translator has translated what was left, the variant is built.
    path = root / "locales/en/LC_MESSAGES/hallo.po"
    po = polib.pofile(str(path))
    po.find(
        "Dies ist der erste Absatz des Beitrags, mit [einem Link](https://example.org/a)."
    ).msgstr = "This is the first paragraph, with [a link](https://example.org/a)."
    po.save(str(path))
    result = invoke("sync", "--root", root)
    assert result.exit_code == 0, result.output
    built = variant.read_text(encoding="utf-8")
    assert "This is the first paragraph, with [a link](https://example.org/a).\n" in built
    assert "An item the translator added" not in built  # (not in the catalogue)


def test_existing_translations_are_never_overwritten(tmp_path: Path) -> None:
    root = hugo_site(tmp_path / "site")
    # The catalogue made while the variant was away (update leaves alone a variant it
    # did not write), then translated in part.
    variant = root / "content/posts/hallo.en.md"
    variant.rename(tmp_path / "away.md")
    assert invoke("extract", "--root", root).exit_code == 0
    assert invoke("update", "--root", root).exit_code == 0
    (tmp_path / "away.md").rename(variant)
    path = root / "locales/en/LC_MESSAGES/hallo.po"
    po = polib.pofile(str(path))
    po.find("Eine Überschrift").msgstr = "Our Own Heading"
    po.find("Farbe").msgstr = "Paint"
    po.find("Farbe").flags.append("fuzzy")  # a fuzzy translation is a translation too
    po.save(str(path))

    result = invoke("import", "--root", root)
    assert result.exit_code == 0, result.output
    assert "imported 11 of 11 segments" in result.stdout
    assert "; 2 kept: already translated" in result.stdout
    po = polib.pofile(str(path))
    assert po.find("Eine Überschrift").msgstr == "Our Own Heading"
    assert not po.find("Eine Überschrift").tcomment
    assert po.find("Farbe").msgstr == "Paint"
    assert po.find("Wert").msgstr == "Value"

    # A second import changes nothing: every entry has its translation now.
    before = path.read_bytes()
    result = invoke("import", "--root", root)
    assert "10 kept: already translated; 1 same as the source" in result.stdout
    assert path.read_bytes() == before


def test_lang_and_post_choose_what_is_imported(tmp_path: Path) -> None:
    root = hugo_site(tmp_path / "site")
    config = root / "postlingo.toml"
    config.write_text(config.read_text().replace('languages = ["en"]', 'languages = ["en", "fr"]'))
    posts = root / "content/posts"
    (posts / "hallo.fr.md").write_text(
        HUMAN_EN.replace("Hello World", "Bonjour le monde"), encoding="utf-8"
    )
    (posts / "zweiter.md").write_text(HUGO_SOURCE, encoding="utf-8")
    (posts / "zweiter.en.md").write_text(HUMAN_EN, encoding="utf-8")

    result = invoke("import", "--root", root, "--lang", "fr")
    assert result.exit_code == 0, result.output
    assert re.findall(r"segments from (\S+)", result.stdout) == [str(posts / "hallo.fr.md")]
    assert catalogue(root, language="fr").find("Hallo Welt").msgstr == "Bonjour le monde"
    assert not (root / "locales/en").exists()

    result = invoke("import", "--root", root, "--post", "zweit*")
    assert result.exit_code == 0, result.output
    assert str(posts / "zweiter.en.md") in result.stdout
    assert "hallo" not in result.stdout
    assert (root / "locales/en/LC_MESSAGES/zweiter.po").exists()
    assert not (root / "locales/en/LC_MESSAGES/hallo.po").exists()


def test_nothing_aligned_makes_no_catalogue(tmp_path: Path) -> None:
    # An empty catalogue would hand the human variant over to build: none is made.
    root = hugo_site(tmp_path / "site", '---\ntitle: ""\n---\n```\nonly code\n```\n')
    result = invoke("import", "--root", root)
    assert result.exit_code == 0, result.output
    assert "imported 0 of 11 segments" in result.stdout
    assert not (root / "locales/en").exists()


def test_an_unreadable_variant_is_one_error_line(tmp_path: Path) -> None:
    root = hugo_site(tmp_path / "site", "---\ntitle: [unclosed\n---\nText.\n")
    result = invoke("import", "--root", root)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert "hallo.en.md" in lines[0] and "Traceback" not in result.output
    assert not (root / "locales").exists()


def test_hostile_imported_text_is_refused_by_build(tmp_path: Path) -> None:
    hostile = HUMAN_EN.replace(
        "A second paragraph with *emphasis* and 42 things.",
        "A second paragraph with *emphasis* and 42 things.<script>steal()</script>",
    )
    root = hugo_site(tmp_path / "site", hostile)
    result = invoke("import", "--root", root)
    assert result.exit_code == 0, result.output
    entry = catalogue(root).find("Ein zweiter Absatz mit *Betonung* und 42 Dingen.")
    assert "<script>" in entry.msgstr and imported(entry)

    result = invoke("build", "--root", root)
    assert result.exit_code == 1
    assert re.search(r"hallo\.po:\d+: .*script", result.stderr), result.stderr
    variant = (root / "content/posts/hallo.en.md").read_text(encoding="utf-8")
    assert "<script>" not in variant
    assert "This is the first paragraph" in variant  # the rest of the import is used
    # check judges what build uses: imported entries too, though fuzzy.
    report = invoke("check", "--root", root)
    assert report.exit_code == 1
    assert re.search(r"hallo\.po:\d+: .*script", report.output), report.output


# --- Jekyll with polyglot -----------------------------------------------------------------

POLYGLOT_CONFIG = """\
title: "Import test"
lang: de
plugins:
  - jekyll-polyglot
languages: ["de", "en"]
default_lang: "de"
parallel_localization: false
permalink: /:year/:month/:day/:title.html
exclude: [locales, postlingo.toml]
"""

JEKYLL_SOURCE = """\
---
layout: default
title: Ein Titel
---
Ein Absatz mit Text und 7 Zahlen.

> Ein Zitat mit [Verweis](/a/b.html).
"""

JEKYLL_HUMAN = """\
---
layout: default
title: A Title
lang: en
---
A paragraph with text and 7 numbers.

> A quotation with [a reference](/a/b.html).
"""


def test_jekyll_polyglot_import_then_build(tmp_path: Path) -> None:
    root = tmp_path / "site"
    (root / "content/_posts/en").mkdir(parents=True)
    (root / "content/_layouts").mkdir()
    (root / "content/_layouts/default.html").write_text(
        "<html><body><h1>{{ page.title }}</h1>{{ content }}</body></html>\n"
    )
    (root / "content/_config.yml").write_text(POLYGLOT_CONFIG)
    (root / "postlingo.toml").write_text(
        'source_language = "de"\nlanguages = ["en"]\nposts = ["content/_posts/**/*.md"]\n'
        'layout = "jekyll-polyglot"\n'
    )
    (root / "content/_posts/2024-01-02-hallo.md").write_text(JEKYLL_SOURCE)
    variant = root / "content/_posts/en/2024-01-02-hallo.md"
    variant.write_text(JEKYLL_HUMAN)

    result = invoke("import", "--root", root)
    assert result.exit_code == 0, result.output
    assert f"imported 3 of 3 segments from {variant}\n" in result.stdout
    assert variant.read_text() == JEKYLL_HUMAN

    result = invoke("build", "--root", root)
    assert result.exit_code == 0, result.output
    # Byte for byte: the human variant's shape is the source's, with the `lang: en` line
    # postlingo writes where polyglot needs it.
    assert variant.read_text() == JEKYLL_HUMAN

    out = sitebuild.jekyll_build(root / "content", tmp_path / "out")
    english = (out / "en/2024/01/02/hallo.html").read_text(encoding="utf-8")
    assert "<h1>A Title</h1>" in english
    assert (
        'A quotation with <a href="/en/a/b.html">a reference</a>.' in english
        or 'A quotation with <a href="/a/b.html">a reference</a>.' in english
    )
    assert "Absatz" not in english


# --- real pairs: the Kubernetes website ---------------------------------------------------

# (Shortcodes read as Hugo reads them: {{% capture %}}'s content aligns as its own text, a
# {{< note >}} pair's content is copied, not a segment, unless shortcode_prose names it.)
PAIRS = {"proxies": 38 / 38, "controller": 35 / 37, "cgroups": 53 / 54}


@pytest.fixture
def kubernetes(tmp_path: Path) -> Path:
    """The real German/English pages of tests/data/bilingual as a Hugo site's content."""
    root = tmp_path / "k8s"
    (root / "content/docs").mkdir(parents=True)
    for name in PAIRS:
        for suffix in (".md", ".en.md"):
            shutil.copy2(BILINGUAL / f"{name}{suffix}", root / "content/docs")
    (root / "postlingo.toml").write_text(
        'source_language = "de"\nlanguages = ["en"]\nposts = ["content/docs/*.md"]\n'
        'layout = "hugo"\n'
    )
    return root


def test_real_pairs_are_imported_and_rebuilt(kubernetes: Path) -> None:
    root = kubernetes
    result = invoke("import", "--root", root)
    assert result.exit_code == 0, result.output
    found = {
        m.group(3): int(m.group(1)) / int(m.group(2))
        for m in re.finditer(
            r"imported (\d+) of (\d+) segments from \S*/(\w+)\.en\.md", result.stdout
        )
    }
    assert found == pytest.approx(PAIRS)

    # Every pair made is the translation of its source: the aligned English texts are, in
    # order, the English page's texts (no block taken out of its place).
    for name in PAIRS:
        english = words((root / f"content/docs/{name}.en.md").read_text())
        at = 0
        for entry in catalogue(root, name):
            if entry.msgstr and not entry.obsolete:
                at = english.find(words(entry.msgstr), at)
                assert at >= 0, (name, entry.msgstr)

    # build gives back each imported text it does not refuse (links and shortcodes the
    # English pages changed are refused: they are not the German source's).
    result = invoke("build", "--root", root, "--keep-going")
    refused = {
        (m.group(1), int(m.group(2)))
        for m in re.finditer(r"LC_MESSAGES/(\w+)\.po:(\d+): not used", result.stderr)
    }
    for name in PAIRS:
        built = words((root / f"content/docs/{name}.en.md").read_text())
        for entry in catalogue(root, name):
            if entry.msgstr and not entry.obsolete and (name, entry.linenum) not in refused:
                assert words(entry.msgstr) in built, (name, entry.msgstr)


def test_a_post_too_large_to_align_is_one_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import postlingo.site.importer

    monkeypatch.setattr(postlingo.site.importer, "MAX_CELLS", 11 * 11 - 1)
    root = hugo_site(tmp_path / "site")
    result = invoke("import", "--root", root)
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"error: {root / 'content/posts/hallo.en.md'}: too many "
        "segments to align (11 and 11): not imported"
    )
    assert not (root / "locales").exists()


def test_a_variant_linked_out_of_the_site_is_not_read(tmp_path: Path) -> None:
    # A symbolic link would bring a file from outside (a key, say) into a catalogue.
    root = hugo_site(tmp_path / "site")
    secret = tmp_path / "secret.md"
    secret.write_text(HUMAN_EN, encoding="utf-8")
    variant = root / "content/posts/hallo.en.md"
    variant.unlink()
    variant.symlink_to(secret)
    result = invoke("import", "--root", root)
    assert result.exit_code != 0
    assert result.stderr.startswith(f"error: {root / 'content/posts/hallo.md'}: ")
    assert "outside the project" in result.stderr
    assert not (root / "locales").exists()


def test_a_repeated_source_text_takes_its_first_translation(tmp_path: Path) -> None:
    source = HUGO_SOURCE + "\nEin zweiter Absatz mit *Betonung* und 42 Dingen.\n"
    human = HUMAN_EN + "\nA second paragraph, once more, with *emphasis* and 42 things.\n"
    root = hugo_site(tmp_path / "site", human)
    (root / "content/posts/hallo.md").write_text(source, encoding="utf-8")
    result = invoke("import", "--root", root)
    assert result.exit_code == 0, result.output
    assert "imported 12 of 12 segments" in result.stdout and "kept" not in result.stdout
    entry = catalogue(root).find("Ein zweiter Absatz mit *Betonung* und 42 Dingen.")
    assert entry.msgstr == "A second paragraph with *emphasis* and 42 things."
