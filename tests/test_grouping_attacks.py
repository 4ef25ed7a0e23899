"""Catalogue grouping (issue 20, item 3) attacked: what a careless or hostile translator
does to a shared ``site.po``, migrations that meet conflicts or are interrupted, posts that
move, and names that collide with the groups' files.

The first sections hold behaviour that is right (these tests pass). The last section,
"Known bugs", holds tests that assert the correct behaviour where the code does not (yet)
have it: they fail until the code is fixed, on purpose (no xfail).
"""

from __future__ import annotations

import random
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import polib

from conftest import REPO, invoke, msgfmt_check, snapshot
from postlingo.fileio import TEMP_SUFFIX

sys.path.insert(0, str(REPO / "bench"))
from sitegen import generate

POSTS = "content/_posts"
EINS = f"{POSTS}/2024-01-01-eins.md"
ZWEI = f"{POSTS}/2024-01-02-zwei.md"
SHARED = "Geteilter Absatz hier."
CONFIG = """\
catalogues = "{grouping}"
threshold = 0
source_language = "de"
languages = [{languages}]
posts = ["content/_posts/**/*.md"]
locales = "locales"
layout = "jekyll-polyglot"
"""


# --- helpers ---------------------------------------------------------------------------------


def output(*args: str | Path) -> tuple[int, str]:
    """Run the CLI on ``--root``: its exit code and its output, paths relative to the root."""
    result = invoke(*args)
    assert "Traceback" not in result.output
    root = str(args[args.index("--root") + 1])
    return result.exit_code, result.output.replace(root + "/", "")


def ok(*args: str | Path) -> str:
    code, text = output(*args)
    assert code == 0, text
    return text


def failed(*args: str | Path) -> list[str]:
    """Run a command that must fail cleanly; its ``error:`` lines."""
    code, text = output(*args)
    assert code == 1, text
    return [line for line in text.splitlines() if line.startswith("error:")]


def entry_line(path: Path, msgid: str) -> int:
    """The line where the entry of ``msgid`` starts (as messages name it)."""
    return next(e.linenum or 0 for e in polib.pofile(str(path)) if e.msgid == msgid)


def without_cache(files: dict[Path, tuple[bytes, int]]) -> dict[Path, tuple[bytes, int]]:
    # sync's own record (locales/.cache) is forgotten after a failed run, by design.
    return {path: data for path, data in files.items() if ".cache" not in path.parts}


def configure(root: Path, grouping: str, languages: tuple[str, ...] = ("en",)) -> None:
    listed = ", ".join(f'"{language}"' for language in languages)
    text = CONFIG.format(grouping=grouping, languages=listed)
    root.mkdir(parents=True, exist_ok=True)
    (root / "postlingo.toml").write_text(text, encoding="utf-8")


def post(root: Path, rel: str, title: str, *paragraphs: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    body = "\n\n".join(paragraphs)
    path.write_text(f"---\ntitle: {title}\n---\n{body}\n", encoding="utf-8")


def two_posts(root: Path, grouping: str, languages: tuple[str, ...] = ("en",)) -> Path:
    """Two posts that share one paragraph, synced once (nothing translated)."""
    configure(root, grouping, languages)
    post(root, EINS, "Eins", SHARED, "Nur in eins.")
    post(root, ZWEI, "Zwei", SHARED, "Nur in zwei.")
    ok("sync", "--root", root)
    return root


def site_po(root: Path, language: str = "en") -> Path:
    return root / f"locales/{language}/LC_MESSAGES/site.po"


def variant(root: Path, rel: str, language: str = "en") -> str:
    path = root / POSTS / language / Path(rel).relative_to(POSTS)
    return path.read_text(encoding="utf-8")


def edit(path: Path, change: Callable[[str], str]) -> None:
    """Edit a PO file as text, as a translator does in an editor."""
    text = path.read_text(encoding="utf-8")
    changed = change(text)
    assert changed != text, "the edit must change the file"
    path.write_text(changed, encoding="utf-8")


def translate(msgid: str, msgstr: str) -> Callable[[str], str]:
    def change(text: str) -> str:
        return text.replace(f'msgid "{msgid}"\nmsgstr ""', f'msgid "{msgid}"\nmsgstr "{msgstr}"')

    return change


def line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if needle in line)


def po_files(root: Path) -> list[str]:
    locales = root / "locales"
    return sorted(
        path.relative_to(locales).as_posix()
        for path in locales.rglob("*")
        if path.suffix in {".po", ".pot"}
    )


def fill(path: Path, translate_entry: Callable[[polib.POEntry], str]) -> None:
    po = polib.pofile(str(path))
    for entry in po:
        if not entry.obsolete:
            entry.msgstr = translate_entry(entry)
    po.save()


# --- a translator's edits of the shared file -------------------------------------------------


def test_a_hostile_shared_translation_is_refused_in_both_posts_and_reported_once(
    tmp_path: Path,
) -> None:
    root = two_posts(tmp_path / "site", "site")
    catalogue = site_po(root)
    edit(catalogue, translate(SHARED, "Shared <script>alert(document.cookie)</script>"))
    line = entry_line(catalogue, SHARED)
    code, text = output("check", "--root", root)
    assert code == 1, text
    security = [row for row in text.splitlines() if "security" in row]
    assert security == [
        f"{catalogue.relative_to(root)}:{line}: security: adds the HTML element <script>,"
        " which could run code on the site"
    ]
    invoke("build", "--root", root)
    for rel in (EINS, ZWEI):
        text = variant(root, rel)
        assert "<script>" not in text
        assert SHARED in text  # the source text stays where the translation was refused


def test_references_a_translator_removed_come_back_and_the_translation_stays(
    tmp_path: Path,
) -> None:
    root = two_posts(tmp_path / "site", "site")
    catalogue = site_po(root)
    edit(catalogue, translate(SHARED, "Shared paragraph."))
    edit(catalogue, lambda text: re.sub(r"#: [^\n]*:4 [^\n]*:4\n", "", text))
    ok("sync", "--root", root)
    entry = next(e for e in polib.pofile(str(catalogue)) if e.msgid == SHARED)
    assert entry.msgstr == "Shared paragraph."
    assert {file for file, _ in entry.occurrences} == {EINS, ZWEI}
    assert "Shared paragraph." in variant(root, EINS)
    assert "Shared paragraph." in variant(root, ZWEI)
    assert "catalogue-outdated" not in output("check", "--root", root)[1]


def test_a_duplicated_entry_is_one_error_line_naming_file_and_line(tmp_path: Path) -> None:
    root = two_posts(tmp_path / "site", "site")
    catalogue = site_po(root)
    before = without_cache(snapshot(root))
    with catalogue.open("a", encoding="utf-8") as file:
        file.write(f'\n#: {ZWEI}:6\nmsgid "Nur in zwei."\nmsgstr "dup"\n')
    rel = catalogue.relative_to(root)
    for command in ("check", "sync", "build", "update"):
        errors = failed(command, "--root", root)
        assert len(errors) == 1, (command, errors)
        assert re.match(
            rf"error: {re.escape(str(rel))}:\d+: duplicate message definition", errors[0]
        )
    after = without_cache(snapshot(root))
    assert {path for path in after if after[path] != before.get(path)} == {rel}


def test_a_broken_catalogue_of_one_language_leaves_the_other_built(tmp_path: Path) -> None:
    root = two_posts(tmp_path / "site", "site", ("en", "fr"))
    edit(site_po(root, "en"), translate("Nur in zwei.", "Only in two."))
    broken = site_po(root, "fr")
    with broken.open("a", encoding="utf-8") as file:
        file.write('msgid "unterminated\n')
    errors = failed("sync", "--root", root)
    assert errors == [
        f"error: {broken.relative_to(root)}:{line_of(broken, 'unterminated')}: invalid PO file: "
        "unterminated or malformed string: no closing double quote on its line"
    ]
    assert "Only in two." in variant(root, ZWEI, "en")


def test_a_changed_language_header_is_one_error_and_nothing_is_written(tmp_path: Path) -> None:
    root = two_posts(tmp_path / "site", "site")
    edit(site_po(root), lambda text: text.replace("Language: en", "Language: fr"))
    before = without_cache(snapshot(root))
    for command in ("sync", "check"):
        errors = failed(command, "--root", root)
        assert len(errors) == 1 and "Language header says 'fr'" in errors[0], errors
    assert without_cache(snapshot(root)) == before


def test_a_bom_and_crlf_catalogue_is_read_and_written_back_clean(tmp_path: Path) -> None:
    root = two_posts(tmp_path / "site", "site")
    catalogue = site_po(root)
    edit(catalogue, translate("Nur in zwei.", "Only in two."))
    data = catalogue.read_bytes()
    catalogue.write_bytes(b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n"))
    ok("sync", "--root", root)
    assert "Only in two." in variant(root, ZWEI)
    assert b"\r" not in catalogue.read_bytes()
    assert msgfmt_check(catalogue).returncode == 0


def test_a_translators_edit_rebuilds_only_the_posts_that_use_the_entry(tmp_path: Path) -> None:
    root = two_posts(tmp_path / "site", "site")
    edit(site_po(root), translate("Nur in zwei.", "Only in two."))
    out = ok("sync", "--root", root)
    assert out.splitlines() == [f"updated {POSTS}/en/2024-01-02-zwei.md"]
    edit(site_po(root), translate(SHARED, "Shared."))
    out = ok("sync", "--root", root)
    assert sorted(out.splitlines()) == [
        f"updated {POSTS}/en/2024-01-01-eins.md",
        f"updated {POSTS}/en/2024-01-02-zwei.md",
    ]


def test_draft_drafts_a_shared_entry_once(tmp_path: Path) -> None:
    root = two_posts(tmp_path / "site", "site")
    out = ok("draft", "--engine", "pseudo", "--root", root)
    assert "5 drafted" in out  # 2 titles, 2 own paragraphs, 1 shared: not 6
    entry = next(e for e in polib.pofile(str(site_po(root))) if e.msgid == SHARED)
    assert entry.fuzzy and entry.msgstr
    assert {file for file, _ in entry.occurrences} == {EINS, ZWEI}


# --- migrations --------------------------------------------------------------------------------


def _translated_post_site(root: Path, languages: tuple[str, ...] = ("en",)) -> Path:
    """Post grouping, both posts translated; the shared text differently; a fuzzy entry
    with a previous msgid and a comment; an obsolete entry."""
    two_posts(root, "post", languages)
    for language in languages:
        folder = root / f"locales/{language}/LC_MESSAGES"
        eins = polib.pofile(str(folder / "2024-01-01-eins.po"))
        for entry in eins:
            if entry.msgid == SHARED:
                entry.msgstr, entry.tcomment = f"{language} Shared A", "note A"
            if entry.msgid == "Nur in eins.":
                entry.msgstr = f"{language} Only one"
                entry.flags.append("fuzzy")
                entry.previous_msgid = "Nur in eins, alt."
        eins.append(polib.POEntry(msgid="Alter Text", msgstr=f"{language} Old", obsolete=True))
        eins.save()
        fill(folder / "2024-01-02-zwei.po", _prefixed(f"{language} B "))
    return root


def _prefixed(prefix: str) -> Callable[[polib.POEntry], str]:
    return lambda entry: prefix + entry.msgid


def _entries(path: Path) -> dict[tuple[str | None, str, bool], polib.POEntry]:
    return {(e.msgctxt, e.msgid, e.obsolete): e for e in polib.pofile(str(path))}


def test_migrating_to_site_keeps_fuzzy_previous_obsolete_and_comments(tmp_path: Path) -> None:
    root = _translated_post_site(tmp_path / "site")
    configure(root, "site")
    before = snapshot(root)
    code, text = output("update", "--check", "--root", root)
    assert code == 1 and "would create locales/en/LC_MESSAGES/site.po" in text, text
    assert snapshot(root) == before  # --check writes nothing, removes nothing
    ok("update", "--root", root)
    assert po_files(root) == ["en/LC_MESSAGES/site.po", "templates/site.pot"]
    entries = _entries(site_po(root))
    shared = entries[(None, SHARED, False)]
    assert shared.msgstr == "en Shared A"
    assert "postlingo: also translated as: en B Geteilter Absatz hier." in shared.tcomment
    assert "note A" in shared.tcomment
    fuzzy = entries[(None, "Nur in eins.", False)]
    assert fuzzy.fuzzy and fuzzy.msgstr == "en Only one"
    assert fuzzy.previous_msgid == "Nur in eins, alt."
    assert entries[(None, "Alter Text", True)].msgstr == "en Old"
    assert entries[(None, "Nur in zwei.", False)].msgstr == "en B Nur in zwei."
    assert msgfmt_check(site_po(root)).returncode == 0


def test_a_migration_one_language_at_a_time_loses_nothing(tmp_path: Path) -> None:
    root = _translated_post_site(tmp_path / "site", ("en", "fr"))
    configure(root, "site", ("en", "fr"))
    ok("update", "--lang", "fr", "--root", root)
    # The English catalogues are not migrated yet: they must still be there.
    assert (root / "locales/en/LC_MESSAGES/2024-01-02-zwei.po").is_file()
    ok("update", "--lang", "en", "--root", root)
    assert po_files(root) == [
        "en/LC_MESSAGES/site.po",
        "fr/LC_MESSAGES/site.po",
        "templates/site.pot",
    ]
    for language in ("en", "fr"):
        entries = _entries(site_po(root, language))
        assert entries[(None, "Nur in zwei.", False)].msgstr == f"{language} B Nur in zwei."


def test_a_post_that_fails_to_parse_keeps_its_old_files_until_it_migrates(tmp_path: Path) -> None:
    root = _translated_post_site(tmp_path / "site")
    configure(root, "site")
    good = (root / ZWEI).read_text(encoding="utf-8")
    (root / ZWEI).write_text("---\ntitle: [Zwei\n---\nNur in zwei.\n", encoding="utf-8")
    errors = failed("sync", "--root", root)
    assert len(errors) == 1 and errors[0].startswith(f"error: {ZWEI}:2: front matter"), errors
    assert (root / "locales/en/LC_MESSAGES/2024-01-02-zwei.po").is_file()
    (root / ZWEI).write_text(good, encoding="utf-8")
    ok("sync", "--root", root)
    assert po_files(root) == ["en/LC_MESSAGES/site.po", "templates/site.pot"]
    assert _entries(site_po(root))[(None, "Nur in zwei.", False)].msgstr == "en B Nur in zwei."


# --- Known bugs: these tests assert the correct behaviour and fail today ----------------------


def test_bug_an_interrupted_migration_is_finished_by_the_next_update(tmp_path: Path) -> None:
    """kill -9 after the new site.pot/site.po were written and before the post files were
    removed (the order update prints: created..., then removed...): the next update must
    finish the migration, not say "nothing to do" and leave orphans forever while check
    keeps saying that update would move them."""
    done = _translated_post_site(tmp_path / "done")
    configure(done, "site")
    ok("update", "--root", done)
    root = _translated_post_site(tmp_path / "site")
    configure(root, "site")
    for rel in ("templates/site.pot", "en/LC_MESSAGES/site.po"):
        shutil.copy2(done / "locales" / rel, root / "locales" / rel)
    ok("update", "--root", root)
    assert po_files(root) == ["en/LC_MESSAGES/site.po", "templates/site.pot"]
    assert site_po(root).read_bytes() == site_po(done).read_bytes()
    assert "orphan" not in output("check", "--root", root)[1]


def test_bug_a_post_moved_to_another_folder_keeps_its_translations(tmp_path: Path) -> None:
    """directory grouping: post mode's rename detection carries a moved post's catalogue
    (it does, for the same move, in post grouping); here the moved post's entries in the
    new folder's file are untranslated and its old variant stays."""
    root = tmp_path / "site"
    configure(root, "directory")
    post(root, f"{POSTS}/2023/2023-01-01-eins.md", "Eins", "Absatz eins hier.")
    post(root, f"{POSTS}/2023/2023-05-01-drei.md", "Drei", "Absatz drei hier.")
    post(root, f"{POSTS}/2024/2024-01-02-zwei.md", "Zwei", "Absatz zwei hier.")
    ok("sync", "--root", root)
    for path in (root / "locales/en").rglob("*.po"):
        fill(path, lambda entry: f"EN {entry.msgid}")
    ok("sync", "--root", root)
    (root / POSTS / "2023/2023-01-01-eins.md").rename(root / POSTS / "2024/2023-01-01-eins.md")
    ok("sync", "--root", root)
    moved = f"{POSTS}/2024/2023-01-01-eins.md"
    catalogue = root / "locales/en/LC_MESSAGES/content/_posts/2024.po"
    mine = [e for e in polib.pofile(str(catalogue)) if any(f == moved for f, _ in e.occurrences)]
    assert mine and all(e.msgstr == f"EN {e.msgid}" for e in mine), [
        (e.msgid, e.msgstr) for e in mine
    ]
    assert "EN Absatz eins hier." in variant(root, moved)
    assert not (root / POSTS / "en/2023/2023-01-01-eins.md").exists()  # as in post mode


def test_bug_a_reference_with_dotdot_cannot_make_prune_remove_files_outside(
    tmp_path: Path,
) -> None:
    """A ``#:`` reference is the translator's text: ``content/_posts/../../../README.md``
    names a "gone post" whose "variant" is the project's README.md, and ``build --prune``
    removed it (at 81f8c8d; no longer at 1140e79, where orphan variants come from the
    posts found). A reference outside the posts must also be an error (file:line): check
    still says "no problems"."""
    root = two_posts(tmp_path / "site", "site")
    readme = root / "README.md"
    readme.write_text("# my project\n", encoding="utf-8")
    catalogue = site_po(root)
    with catalogue.open("a", encoding="utf-8") as file:
        file.write('\n#: content/_posts/../../../README.md:1\nmsgid "x"\nmsgstr "y"\n')
    line = line_of(catalogue, "README.md")
    code, text = output("check", "--root", root)
    assert code == 1, text
    assert f"{catalogue.relative_to(root)}:{line}: unreadable: the reference" in text, text
    invoke("build", "--prune", "--root", root)
    invoke("update", "--prune", "--root", root)
    assert readme.read_text(encoding="utf-8") == "# my project\n"
    # The entry no post names keeps its translation, obsolete (as msgmerge keeps one).
    assert '#~ msgid "x"\n#~ msgstr "y"\n' in catalogue.read_text(encoding="utf-8")


def test_bug_a_post_named_taxonomy_goes_into_the_site_catalogue(tmp_path: Path) -> None:
    """site grouping: ``content/_posts/taxonomy.md`` got its catalogue entries written into
    taxonomy.po (the taxonomy terms' file) while its template entries went into site.pot;
    its translation there is never used, and check says catalogue-outdated plus orphan
    right after a sync, forever."""
    root = two_posts(tmp_path / "site", "site")
    post(root, f"{POSTS}/taxonomy.md", "Tax", "Taxonomie Absatz.")
    ok("sync", "--root", root)
    assert po_files(root) == ["en/LC_MESSAGES/site.po", "templates/site.pot"]
    edit(site_po(root), translate("Taxonomie Absatz.", "Taxonomy paragraph."))
    ok("sync", "--root", root)
    assert "Taxonomy paragraph." in variant(root, f"{POSTS}/taxonomy.md")
    code, text = output("check", "--root", root)
    assert code == 0, text


def test_bug_status_html_lists_each_fuzzy_entry_of_a_shared_file_once(tmp_path: Path) -> None:
    """qa/html.collect reads the whole shared file for every post's row: each fuzzy entry
    of site.po was listed once per post of the file (and its machine words counted as
    many times)."""
    root = two_posts(tmp_path / "site", "site")
    post(root, f"{POSTS}/2024-01-03-drei.md", "Drei", "Nur in drei.")
    ok("sync", "--root", root)
    ok("draft", "--engine", "pseudo", "--root", root)
    report = tmp_path / "report.html"
    ok("status", "--format", "html", "--output", report, "--root", root)
    html = report.read_text(encoding="utf-8")
    places = re.findall(r"site\.po:(\d+)", html)
    assert places, html[:2000]
    assert len(places) == len(set(places)), places
    fuzzy = [e for e in polib.pofile(str(site_po(root))) if e.fuzzy]
    assert len(places) == len(fuzzy)


def test_a_post_with_a_space_in_its_name_is_refused_in_a_shared_catalogue(
    tmp_path: Path,
) -> None:
    """``#: content/_posts/mein beitrag.md:4``: polib (and GNU gettext before 0.22) split
    references at spaces, so in a shared file the post would have no entries of its own
    (its translation never published, its variant taken for foreign). In post grouping
    the post works; in a shared one it gets one clear error, and the others go on."""
    rel = f"{POSTS}/2024-01-03-mein beitrag.md"
    root = two_posts(tmp_path / "post", "post")
    post(root, rel, "Leer", "Absatz mit Leerzeichen.")
    ok("sync", "--root", root)
    for path in (root / "locales/en/LC_MESSAGES").glob("*.po"):
        if "Absatz mit Leerzeichen." in path.read_text(encoding="utf-8"):
            edit(path, translate("Absatz mit Leerzeichen.", "Paragraph with spaces."))
    ok("sync", "--root", root)
    assert "Paragraph with spaces." in variant(root, rel)
    assert output("check", "--root", root)[0] == 0

    root = two_posts(tmp_path / "site", "site")
    post(root, rel, "Leer", "Absatz mit Leerzeichen.")
    errors = failed("sync", "--root", root)
    assert errors == [
        f"error: {rel}: a post whose path has a space cannot share a catalogue: gettext "
        "splits its '#:' reference at the space; rename it, or use catalogues = \"post\""
    ]
    assert "Absatz mit Leerzeichen." not in site_po(root).read_text(encoding="utf-8")
    assert "Geteilter Absatz hier." in site_po(root).read_text(encoding="utf-8")


HUMAN = "---\ntitle: Three\nlang: en\n---\nHand-written third paragraph.\n"


def test_bug_a_stray_reference_does_not_hand_a_human_variant_to_postlingo(
    tmp_path: Path,
) -> None:
    """A human-written variant is refused without --force (right); but one ``#:``
    reference to its post, pasted into any entry of site.po (by hand, or a platform's
    merge), made postlingo take the file for its own and overwrite it on the next sync.
    In post grouping it takes a whole catalogue file named after the post."""
    root = two_posts(tmp_path / "site", "site")
    post(root, f"{POSTS}/2024-01-03-drei.md", "Drei", "Dritter Absatz.")
    human = root / POSTS / "en/2024-01-03-drei.md"
    human.write_text(HUMAN, encoding="utf-8")
    errors = failed("sync", "--root", root)
    assert len(errors) == 1 and errors[0].startswith(f"error: {POSTS}/en/2024-01-03-drei.md:")
    edit(
        site_po(root),
        lambda text: text.replace(f"#: {ZWEI}:6\n", f"#: {ZWEI}:6 {POSTS}/2024-01-03-drei.md:1\n"),
    )
    invoke("sync", "--root", root)
    invoke("build", "--root", root)
    assert human.read_text(encoding="utf-8") == HUMAN


def test_bug_check_reports_a_shared_entry_that_breaks_the_build_once(tmp_path: Path) -> None:
    """A translation of the shared text that would end the paragraph: build keeps the
    source in both posts and warns once, but check reported the ``build`` finding once
    per post that uses the entry (same file, same line, two errors)."""
    root = two_posts(tmp_path / "site", "site")
    catalogue = site_po(root)
    edit(catalogue, translate(SHARED, "```\\n\\n# Broken"))
    line = entry_line(catalogue, SHARED)
    code, text = output("check", "--root", root)
    assert code == 1, text
    found = [row for row in text.splitlines() if ": build:" in row]
    assert found == [
        f"{catalogue.relative_to(root)}:{line}: build: an empty line in the translation "
        "would end the paragraph"
    ], text


def test_bug_draft_of_one_post_drafts_the_texts_it_shares(tmp_path: Path) -> None:
    """``draft --post`` on the second post of a shared text left that text untranslated
    (draft.py ``_job`` gives a shared entry only to its first referencing post, selected
    or not); in post grouping the same command drafts all three of its entries."""
    drafted = {}
    for grouping in ("post", "site"):
        root = two_posts(tmp_path / grouping, grouping)
        out = ok("draft", "--engine", "pseudo", "--post", "*zwei*", "--root", root)
        drafted[grouping] = out
        for path in (root / "locales/en/LC_MESSAGES").glob("*.po"):
            for entry in polib.pofile(str(path)):
                if any(file == ZWEI for file, _ in entry.occurrences):
                    assert entry.msgstr, (grouping, entry.msgid)
    assert "3 drafted" in drafted["post"] and "3 drafted" in drafted["site"], drafted


def test_bug_draft_reports_a_broken_shared_catalogue_once(tmp_path: Path) -> None:
    """Every other command prints a broken site.po once; draft printed it once per post."""
    root = two_posts(tmp_path / "site", "site")
    with site_po(root).open("a", encoding="utf-8") as file:
        file.write('msgid "unterminated\n')
    errors = failed("draft", "--engine", "pseudo", "--root", root)
    assert len(errors) == 1, errors


def test_bug_import_keeps_a_human_translation_of_a_shared_text(tmp_path: Path) -> None:
    """Site grouping: post eins has its shared text translated; post zwei arrives with a
    human-written variant that words it differently. import said "1 kept: already
    translated", dropped the human's wording, and the next sync rewrote the human file
    with eins's translation: the human text was nowhere any more. (Post grouping keeps it
    in zwei's own catalogue.) It must survive, e.g. as the migration's
    ``# postlingo: also translated as:`` comment, and be reported."""
    root = tmp_path / "site"
    configure(root, "site")
    post(root, EINS, "Eins", SHARED, "Nur in eins.")
    ok("sync", "--root", root)
    edit(site_po(root), translate(SHARED, "Shared A"))
    ok("sync", "--root", root)
    post(root, ZWEI, "Zwei", SHARED, "Nur in zwei.")
    human = root / POSTS / "en/2024-01-02-zwei.md"
    human.write_text(
        "---\ntitle: Two\nlang: en\n---\nShared by a human.\n\nOnly in two.\n",
        encoding="utf-8",
    )
    failed("sync", "--root", root)  # a human variant: import it first
    ok("import", "--root", root)
    ok("sync", "--root", root)
    kept = human.read_text(encoding="utf-8") + site_po(root).read_text(encoding="utf-8")
    assert "Shared by a human." in kept
    assert "Shared A" in variant(root, EINS)


def test_bug_a_migrating_sync_builds_variants_from_the_kept_translation(
    tmp_path: Path,
) -> None:
    """post -> site with ``sync``: the shared text was "en Shared A" in eins and "en B ..."
    in zwei; site.po keeps "en Shared A", but sync built zwei's variant from zwei's old
    catalogue ("en B ..."), recorded it as current, and the next sync did nothing while
    check kept failing with variant-outdated (only ``build`` repaired it)."""
    root = _translated_post_site(tmp_path / "site")
    configure(root, "site")
    ok("sync", "--root", root)
    assert "en Shared A" in variant(root, ZWEI)
    _, text = output("check", "--root", root)
    assert "variant-outdated" not in text, text


def test_bug_check_says_catalogue_outdated_once_per_shared_file(tmp_path: Path) -> None:
    """A translator removed one entry's references: check printed the finding once per
    post of the file (two lines for one file, two errors); post mode prints one per file."""
    root = two_posts(tmp_path / "site", "site")
    edit(site_po(root), lambda text: re.sub(r"#: [^\n]*:4 [^\n]*:4\n", "", text))
    outdated = [
        line
        for line in output("check", "--root", root)[1].splitlines()
        if "catalogue-outdated" in line
    ]
    assert len(outdated) == 1, outdated


# --- a migration killed at random moments (real SIGKILL) ----------------------------------------


def _translated_pairs(root: Path) -> set[tuple[str | None, str]]:
    """Every live entry translated as ``EN <msgid>`` in any catalogue of the site."""
    found: set[tuple[str | None, str]] = set()
    for path in (root / "locales/en/LC_MESSAGES").rglob("*.po"):
        for entry in polib.pofile(str(path)):
            if not entry.obsolete and entry.msgstr == f"EN {entry.msgid}":
                found.add((entry.msgctxt, entry.msgid))
    return found


def _killed_state(root: Path) -> tuple[bool, int]:
    """After a kill: every PO file whole (a temporary file a write left is allowed: the
    next run removes it); whether site.po exists, and how many per-post catalogues are
    left."""
    files = [
        p for p in (root / "locales").rglob("*") if p.is_file() and not p.name.endswith(TEMP_SUFFIX)
    ]
    for path in files:
        if path.suffix in {".po", ".pot"}:
            assert msgfmt_check(path).returncode == 0, path
    old = [p for p in files if p.suffix == ".po" and p.stem != "site"]
    return (root / "locales/en/LC_MESSAGES/site.po").is_file(), len(old)


def test_a_migration_killed_at_random_moments_loses_nothing(tmp_path: Path) -> None:
    base = tmp_path / "base"
    generate(base, 120, ["en"])
    ok("sync", "--root", base)
    for path in (base / "locales/en/LC_MESSAGES").glob("*.po"):
        fill(path, lambda entry: f"EN {entry.msgid}")
    ok("sync", "--root", base)
    wanted = _translated_pairs(base)
    assert len(wanted) > 500
    config = base / "postlingo.toml"
    config.write_text('catalogues = "site"\n' + config.read_text(encoding="utf-8"))
    command = [sys.executable, "-m", "postlingo", "update", "--root"]
    timed = tmp_path / "timed"
    shutil.copytree(base, timed)
    began = time.monotonic()
    subprocess.run([*command, str(timed)], capture_output=True, check=True, timeout=600)
    took = time.monotonic() - began
    rng = random.Random(20)
    seen = set()
    for round_ in range(5):  # bounded: five kills, each followed by a run to the end
        root = tmp_path / f"round{round_}"
        shutil.copytree(base, root)
        run = subprocess.Popen([*command, str(root)], stdout=subprocess.DEVNULL)
        time.sleep(took * rng.uniform(0.2, 0.95))
        run.send_signal(signal.SIGKILL)
        run.wait(timeout=60)
        state = _killed_state(root)
        seen.add(state)
        assert wanted <= _translated_pairs(root), state
        ok("update", "--root", root)
        assert not list(root.rglob(f"*{TEMP_SUFFIX}")), "a killed run's temporary files"
        assert wanted <= _translated_pairs(root)
        assert (root / "locales/en/LC_MESSAGES/site.po").read_bytes() == (
            timed / "locales/en/LC_MESSAGES/site.po"
        ).read_bytes()
    print("killed states (site.po written, per-post catalogues left):", sorted(seen))
