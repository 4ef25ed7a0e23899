"""Bad input and unexpected failures: postlingo reports each problem as one line naming the
file (``error: <file>:<line>: <message>``, no traceback unless ``--debug``), exits 1 (2 for
the configuration), goes on with the other files, and leaves every file as it was or
completely rewritten. Hypothesis feeds arbitrary bytes and texts to the readers and the
segment → build round trip (bounded, for CI)."""

from __future__ import annotations

import json
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import polib
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import (
    CATALOGUE,
    POSTS,
    TEMPLATE,
    invoke,
    make_site,
    msgfmt_check,
    publish_untranslated,
)
from postlingo import pipeline as project
from postlingo.catalogue.po import Translation, load_catalogue, render, same_template
from postlingo.catalogue.poformat import entry_content
from postlingo.config import load_config
from postlingo.errors import InputError, PostlingoError, TranslationError
from postlingo.incremental import sync
from postlingo.site.sources import Source
from postlingo.source import markdown
from postlingo.source.front_matter import front_matter_segments
from postlingo.source.post import parse_post, read_post
from postlingo.variant.build import build_variant
from postlingo.variant.security import unsafe_additions

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

BAD = Path(__file__).parent / "fixtures" / "bad"
EXPECTED = tomllib.loads((BAD / "expected.toml").read_text(encoding="utf-8"))
GOOD = POSTS / "2024-02-02-gut.md"
GOOD_OUTPUTS = (
    Path("locales/templates/2024-02-02-gut.pot"),
    Path("locales/en/LC_MESSAGES/2024-02-02-gut.po"),
    POSTS / "en/2024-02-02-gut.md",
)
FRONT = "---\ntitle: Ein Titel\n---\n"


@dataclass(frozen=True)
class Case:
    """One malformed input: where it goes, what it holds, what postlingo must say."""

    kind: str  # posts, catalogues, templates, config
    name: str
    data: bytes
    line: int  # 0: the message names no line
    message: str

    def target(self, root: Path) -> Path:
        if self.kind == "posts":
            return root / POSTS / f"2021-03-03-{Path(self.name).stem}.md"
        return (
            root
            / {"catalogues": CATALOGUE, "templates": TEMPLATE, "config": Path("postlingo.toml")}[
                self.kind
            ]
        )


def file_cases() -> list[Case]:
    return [
        Case(kind, name, (BAD / kind / name).read_bytes(), want["line"], want["message"])
        for kind, table in EXPECTED.items()
        for name, want in table.items()
    ]


DEEP = 10_000
NESTED = "Markdown nested too deeply (over 20 levels of block quotes, lists and list items)"


def generated_cases() -> list[Case]:
    """Inputs too big or too repetitive to keep as files."""
    body_line = FRONT.count("\n") + 1
    posts = {
        "10-mb.md": (
            FRONT + "Ein Satz. " * 1_000_000,
            0,
            "10.0 MB: larger than max_post_size (2 MB), not read",
        ),
        "quotes.md": (FRONT + "> " * DEEP + "Tief.\n", body_line, NESTED),
        "quotes-unspaced.md": (FRONT + ">" * DEEP + " Tief.\n", body_line, NESTED),
        "bullets.md": (FRONT + "- " * DEEP + "Tief.\n", body_line, NESTED),
        "ordered.md": (FRONT + "1. " * DEEP + "Tief.\n", body_line, NESTED),
        "quotes-and-lists.md": (FRONT + "> - " * (DEEP // 2) + "Tief.\n", body_line, NESTED),
        "indented-lists.md": (
            FRONT + "".join("  " * i + "- Punkt\n" for i in range(200)),
            body_line + 9,
            NESTED,
        ),
        "yaml-flow-lists.md": (
            "---\ntitle: " + "[" * DEEP + "]" * DEEP + "\n---\nText.\n",
            2,
            "front matter: collections nested too deeply",
        ),
        "yaml-flow-maps.md": (
            "---\ntitle: " + "{a: " * DEEP + "b" + "}" * DEEP + "\n---\n",
            2,
            "front matter: collections nested too deeply",
        ),
        "yaml-billion-laughs.md": (
            "---\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
            + "".join(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 9))
            + "title: *a8\n---\nText.\n",
            2,
            "front matter: its aliases expand to more than",
        ),
        "toml-arrays.md": (
            "+++\ntitle = 'x'\nlist = " + "[" * DEEP + "]" * DEEP + "\n+++\n",
            0,
            "nested too deeply to be read",
        ),
        "yaml-deep-block.md": (
            "---\n" + "".join(" " * i + f"k{i}:\n" for i in range(400)) + "---\nText.\n",
            2,
            "front matter: collections nested too",
        ),
    }
    cases = [
        Case("posts", name, text.encode("utf-8"), line, message)
        for name, (text, line, message) in posts.items()
    ]
    cases.append(
        Case(
            "config",
            "deep-arrays.toml",
            ("languages = ['en']\nx = " + "[" * DEEP + "]" * DEEP + "\n").encode(),
            0,
            "invalid TOML: nested too deeply",
        )
    )
    cases.append(
        Case(
            "catalogues",
            "10000-continuations.po",
            _catalogue_header() + b'msgid "Eins"\nmsgstr ""\n' + b'"x\\q"\n' * DEEP,
            19,
            "invalid PO file: unknown escape sequence '\\q'",
        )
    )
    return cases


def _catalogue_header() -> bytes:
    text = (BAD / "catalogues/duplicate-msgid.po").read_bytes()
    return text[: text.index(b"\n\n") + 2]


CASES = file_cases() + generated_cases()


def test_at_least_a_hundred_malformed_inputs() -> None:
    assert len(CASES) >= 100
    assert set(EXPECTED["posts"]) == {path.name for path in (BAD / "posts").iterdir()}
    for kind in ("catalogues", "templates", "config"):
        assert set(EXPECTED[kind]) == {path.name for path in (BAD / kind).iterdir()}, kind


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example site and a second post, synced: nothing left to do."""
    # The good post and the odd ones stay untranslated: their variants are identity builds.
    root = publish_untranslated(make_site(tmp_path_factory.mktemp("synced") / "site"))
    (root / GOOD).write_text("---\ntitle: Gut\n---\nEin guter Absatz.\n", encoding="utf-8")
    assert sync(load_config(root)).ok
    return root


def prepared(synced: Path, tmp_path: Path, case: Case) -> tuple[Path, Path]:
    """A copy of the synced site with the malformed input in place, and the good post
    changed, so that a run that goes on must write its files anew."""
    root = tmp_path / "site"
    shutil.copytree(synced, root)
    with (root / GOOD).open("a", encoding="utf-8") as handle:
        handle.write("\nEin neuer Absatz.\n")
    bad = case.target(root)
    bad.write_bytes(case.data)
    return root, bad


def snapshot(root: Path) -> dict[Path, bytes]:
    return {path.relative_to(root): path.read_bytes() for path in root.rglob("*") if path.is_file()}


def assert_complete(path: Path) -> None:
    """A file postlingo wrote is a whole one of its kind."""
    if path.suffix in (".po", ".pot"):
        polib.pofile(str(path))
        assert msgfmt_check(path).returncode == 0, msgfmt_check(path).stderr
    elif path.suffix == ".md":
        post = read_post(path, path.stem)
        assert post.front_matter is not None and "lang: en" in post.text
    elif path.suffix == ".json":
        json.loads(path.read_bytes())
    else:  # pragma: no cover - nothing else is written
        raise AssertionError(f"unexpected file {path}")


def assert_one_error(stderr: str, bad: Path, case: Case) -> None:
    errors = [line for line in stderr.splitlines() if not line.startswith("warning: ")]
    assert len(errors) == 1, stderr
    where = f"{bad}:{case.line}: " if case.line else f"{bad}: "
    assert errors[0].startswith(f"error: {where}{case.message}"), (errors[0], where)


@pytest.mark.parametrize("case", CASES, ids=[f"{case.kind}/{case.name}" for case in CASES])
def test_malformed_input_is_one_error_line_and_changes_nothing_else(
    synced: Path, tmp_path: Path, case: Case
) -> None:
    root, bad = prepared(synced, tmp_path, case)
    before = snapshot(root)
    result = invoke("update" if case.kind == "templates" else "sync", "--root", root)
    after = snapshot(root)
    assert result.exit_code == (2 if case.kind == "config" else 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert_one_error(result.stderr, bad, case)
    assert set(before) <= set(after), "a file was removed"
    changed = {path for path in after if before.get(path) != after[path]}
    assert bad.relative_to(root) not in changed
    if case.kind == "config":
        assert changed == set()
        return
    if case.kind != "templates":  # update only merges: the changed post needs extract
        assert set(GOOD_OUTPUTS) <= changed, "the other posts were not processed"
    for path in changed:
        assert_complete(root / path)


@pytest.mark.parametrize("name", sorted(EXPECTED["templates"]))
def test_a_broken_template_is_written_anew_from_its_post(
    synced: Path, tmp_path: Path, name: str
) -> None:
    case = next(case for case in CASES if case.kind == "templates" and case.name == name)
    root, bad = prepared(synced, tmp_path, case)
    result = invoke("sync", "--root", root)
    assert result.exit_code == 0, result.output
    assert same_template(load_catalogue(bad), load_catalogue(synced / TEMPLATE))


# --- odd but valid input: correct results ----------------------------------------------------


VALID = {
    "utf8-bom.md": "\ufeff" + FRONT + "Ein Absatz.\n",
    "crlf.md": (FRONT + "Ein Absatz,\nzwei Zeilen.\n").replace("\n", "\r\n"),
    "cr-only.md": (FRONT + "Ein Absatz.\n").replace("\n", "\r"),
    "no-final-newline.md": FRONT + "Ein Absatz.",
    "no-front-matter.md": "Nur ein Absatz.\n",
    "emphasis-10000.md": FRONT + "*" * DEEP + "Tief" + "*" * DEEP + "\n",
    "brackets-10000.md": FRONT + "[" * DEEP + "Tief" + "]" * DEEP + "\n",
    "links-10000.md": FRONT + "[a](" * 500 + "x" + ")" * 500 + " Text\n",
    "html-10000.md": FRONT + "<span>" * 2000 + "Tief" + "</span>" * 2000 + "\n",
    "quotes-19.md": FRONT + "> " * 19 + "Tief, aber nicht zu tief.\n",
    "one-long-line.md": FRONT + "Wort " * 200_000 + "\n",
    "alias-title.md": "---\ntitle: &t Ein Titel\ndescription: *t\n---\nText.\n",
    "title-not-a-string.md": "---\ntitle: {a: b}\ndescription: [1, 2]\n---\nText.\n",
    "python-tag-value.md": "---\ntitle: !!python/object/apply:os.system ['touch pwned']\n"
    "---\nText.\n",
    "unicode-line-separators.md": FRONT + "Eins\u2028zwei\u2029drei\x85vier.\n",
    "bidi-controls.md": FRONT + "Text \u202eesrever\u202c und \u200b.\n",
}


@pytest.mark.parametrize("name", sorted(VALID))
def test_odd_but_valid_posts_build_byte_exact(synced: Path, tmp_path: Path, name: str) -> None:
    root = tmp_path / "site"
    shutil.copytree(synced, root)
    post = root / POSTS / f"2021-03-03-{Path(name).stem}.md"
    post.write_bytes(VALID[name].encode("utf-8"))
    result = invoke("sync", "--root", root)
    assert result.exit_code == 0, result.output
    variant = (root / POSTS / "en" / post.name).read_bytes()
    source = post.read_bytes()
    assert variant.startswith(source[:3]) if source.startswith(b"\xef\xbb\xbf") else True
    eol = b"\r\n" if b"\r\n" in source else b"\r" if b"\r" in source else b"\n"
    if source.lstrip(b"\xef\xbb\xbf").startswith(b"---"):
        assert variant.replace(b"lang: en" + eol, b"", 1) == source
    else:
        assert variant == b"---" + eol + b"lang: en" + eol + b"---" + eol + source
    assert not (root / "pwned").exists()


def test_an_alias_is_translated_once_where_its_anchor_is(bare_site: Path) -> None:
    post = bare_site / POSTS / "2021-03-03-alias.md"
    post.write_text("---\ntitle: &t Ein Titel\ndescription: *t\n---\nText.\n", encoding="utf-8")
    parsed = read_post(post, "alias")
    segments = front_matter_segments(parsed, ["title", "description"])
    assert [(s.context, s.msgid) for s in segments] == [("title", "Ein Titel")]
    found = {(s.context, s.msgid): Translation("A title", Path("x.po"), 1) for s in segments}
    variant = build_variant(parsed, segments, found, "en", {"lang": "en"})
    assert variant.text == "---\ntitle: &t A title\ndescription: *t\nlang: en\n---\nText.\n"


def test_a_catalogue_with_a_bom_is_read_and_written_without_it(
    synced: Path, tmp_path: Path
) -> None:
    root = tmp_path / "site"
    shutil.copytree(synced, root)
    good = (root / CATALOGUE).read_bytes()
    (root / CATALOGUE).write_bytes(b"\xef\xbb\xbf" + good)  # what Notepad does; gettext chokes
    assert msgfmt_check(root / CATALOGUE).returncode != 0
    result = invoke("update", "--root", root)
    assert result.exit_code == 0, result.output
    assert (root / CATALOGUE).read_bytes() == good


def test_gettext_escapes_polib_does_not_know_are_read_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "escapes.po"
    path.write_text(
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "a"\nmsgstr "\\a \\101 \\x41 \\042 \\\\a"\n',
        encoding="utf-8",
    )
    po = load_catalogue(path)
    assert po[0].msgstr == '\a A A " \\a'
    again = tmp_path / "again.po"
    again.write_text(render(po, 79), encoding="utf-8")
    assert load_catalogue(again)[0].msgstr == po[0].msgstr
    assert msgfmt_check(again).returncode == 0


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("lang:", "lang: en"),
        ("lang: # Sprache", "lang: en # Sprache"),
        ("lang: ~", "lang: en"),
    ],
)
def test_an_empty_language_value_is_set(tmp_path: Path, line: str, expected: str) -> None:
    """Found by fuzz/fuzz_roundtrip.py: an empty value crashed the comparison."""
    post = parse_post(f"---\ntitle: x\n{line}\n---\nA.\n", tmp_path / "p.md", "p")
    variant = build_variant(post, [], {}, "en", {"lang": "en"})
    assert variant.text == f"---\ntitle: x\n{expected}\n---\nA.\n"


def test_a_catalogue_reads_the_same_after_postlingo_wrote_it(tmp_path: Path) -> None:
    """Found by fuzz/fuzz_catalogue.py: a "#|" line before an obsolete entry was attached
    to it, written as "#~|" and lost on the next read. GNU gettext refuses such a file
    ("inconsistent use of #~"), and so does postlingo now; "#~|" is read and dropped."""
    path = tmp_path / "odd.po"
    path.write_text(
        'msgid ""\nmsgstr "Language: en\\n"\n\n#, fuzzy\n#| msgid "Alt"\n\n'
        '#~ msgid "Weg"\n#~ msgstr "Gone"\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="inconsistent use of #~") as caught:
        load_catalogue(path)
    assert caught.value.line == 7
    path.write_text(
        'msgid ""\nmsgstr "Language: en\\n"\n\n#, fuzzy\n#~| msgid "Alt"\n\n'
        '#~ msgid "Weg"\n#~ msgstr "Gone"\n',
        encoding="utf-8",
    )
    po = load_catalogue(path)
    again = tmp_path / "again.po"
    again.write_text(render(po, 79), encoding="utf-8")
    assert [entry_content(e) for e in load_catalogue(again)] == [entry_content(e) for e in po]


def test_a_broken_plural_formula_is_reported_in_one_line(tmp_path: Path) -> None:
    """Found by fuzz/fuzz_catalogue.py: the parser's message held the line break it found."""
    path = tmp_path / "plural.po"
    path.write_text(
        'msgid ""\nmsgstr ""\n"Plural-Forms: nplurals=2; plural=(n\\n= 1);\\n"\n', encoding="utf-8"
    )
    with pytest.raises(InputError) as caught:
        load_catalogue(path)
    assert caught.value.line == 3 and "\n" not in caught.value.message


# --- unexpected exceptions ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("failure", "message"),
    [
        (RecursionError("maximum recursion depth exceeded"), "nested too deeply to be read"),
        (MemoryError(), "too large to be read (out of memory)"),
        (UnicodeError("something odd"), "cannot be read: UnicodeError: something odd"),
        (KeyError("token"), "cannot be read: KeyError: 'token'"),
    ],
)
def test_an_unexpected_exception_names_the_post_and_the_others_go_on(
    synced: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: Exception, message: str
) -> None:
    root = tmp_path / "site"
    shutil.copytree(synced, root)
    with (root / GOOD).open("a", encoding="utf-8") as handle:
        handle.write("\nEin neuer Absatz.\n")
    bad = root / POSTS / "2021-03-03-boom.md"
    bad.write_text(FRONT + "Bumm.\n", encoding="utf-8")
    real = markdown.body_segments

    def exploding(post: object) -> object:
        if "Bumm" in post.text:  # type: ignore[attr-defined]
            raise failure
        return real(post)  # type: ignore[arg-type]

    monkeypatch.setattr(project, "body_segments", exploding)
    result = invoke("sync", "--root", root)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"error: {bad}: {message}"]
    assert (root / GOOD_OUTPUTS[2]).read_text(encoding="utf-8").endswith("Ein neuer Absatz.\n")
    debug = invoke("--debug", "sync", "--root", root)
    assert debug.stderr.startswith(f"error: {bad}: {message}\nTraceback (most recent call")
    assert type(failure).__name__ in debug.stderr


def test_an_unexpected_exception_outside_any_file_is_one_line(
    bare_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **options: object) -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr("postlingo.pipeline.extract", broken)
    result = invoke("extract", "--root", bare_site)
    assert result.exit_code == 1
    assert result.stderr == (
        "error: unexpected ZeroDivisionError: division by zero (--debug shows where)\n"
    )
    debug = invoke("--debug", "extract", "--root", bare_site)
    assert "Traceback (most recent call last)" in debug.stderr
    assert 'raise ZeroDivisionError("division by zero")' in debug.stderr


def test_a_problem_met_twice_is_reported_once(synced: Path, tmp_path: Path) -> None:
    root = tmp_path / "site"
    shutil.copytree(synced, root)
    (root / CATALOGUE).write_bytes(b"")  # met by update and by build
    result = invoke("sync", "--root", root)
    assert result.exit_code == 1
    assert len(result.stderr.splitlines()) == 1, result.stderr


def test_a_symlinked_post_leading_out_of_the_site_is_not_read(synced: Path, tmp_path: Path) -> None:
    root = tmp_path / "site"
    shutil.copytree(synced, root)
    secret = tmp_path / "secret.md"
    secret.write_text("---\ntitle: Geheim\n---\nGeheimer Text.\n", encoding="utf-8")
    (root / POSTS / "2021-03-03-link.md").symlink_to(secret)
    (root / POSTS / "outside").symlink_to(tmp_path, target_is_directory=True)
    result = invoke("sync", "--root", root)
    assert result.exit_code == 0, result.output
    assert not list((root / "locales").rglob("*link*"))
    assert "Geheim" not in "".join(
        p.read_text(encoding="utf-8", errors="replace")
        for p in root.rglob("*")
        if p.is_file() and not p.is_symlink()
    )


def test_writes_through_a_symlink_out_of_the_site_are_refused(synced: Path, tmp_path: Path) -> None:
    root = tmp_path / "site"
    shutil.copytree(synced, root)
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.rmtree(root / "locales/en")
    shutil.rmtree(root / POSTS / "en")  # (else the variants, now without catalogue, stop it)
    (root / "locales/en").symlink_to(outside, target_is_directory=True)
    result = invoke("sync", "--root", root)
    assert result.exit_code == 1
    assert "its folder leads outside the project" in result.stderr
    assert list(outside.iterdir()) == []


# --- fuzzing (bounded, for CI) --------------------------------------------------------------

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
# Bytes that make posts and catalogues interesting: structure, quotes, escapes, odd encodings.
PIECES = st.sampled_from(
    [
        b"---\n",
        b"+++\n",
        b"...\n",
        b"title: ",
        b"msgid ",
        b"msgstr ",
        b"msgctxt ",
        b'"',
        b"'",
        b"\\",
        b"\\n",
        b"#~ ",
        b"#| ",
        b"#, fuzzy\n",
        b"[",
        b"]",
        b"{",
        b"}",
        b"{{ x }}",
        b"{% y %}",
        b"> ",
        b"- ",
        b"1. ",
        b"    ",
        b"\t",
        b"\n",
        b"\r\n",
        b"\r",
        b"\xef\xbb\xbf",
        b"\x00",
        b"\xff\xfe",
        b"\xc3",
        b"\xa4",
        b"&a ",
        b"*a",
        b"!!python/name:os.system ",
        b"<script>",
        b"| a | b |\n|---|---|\n",
        b"```\n",
        b"Wort ",
        b"\xe2\x80\xa8",
    ]
)
FUZZ_BYTES = st.one_of(st.binary(max_size=300), st.lists(PIECES, max_size=40).map(b"".join))


@FUZZ
@given(data=FUZZ_BYTES)
def test_any_bytes_as_a_post_read_or_fail_cleanly(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "post.md"
    path.write_bytes(data)
    try:
        post, segments = project.read_segments(load_config(_fuzz_site(tmp_path)), _source(path))
    except PostlingoError as exc:
        assert exc.path is not None and "\n" not in exc.message
        return
    # Whatever was read builds back to itself, byte for byte.
    variant = build_variant(post, segments, {}, "en", {})
    assert variant.text.encode("utf-8") == data


@FUZZ
@given(data=FUZZ_BYTES)
def test_any_bytes_as_a_catalogue_load_or_fail_cleanly(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "any.po"
    path.write_bytes(data)
    try:
        po = load_catalogue(path, language="en")
    except InputError as exc:
        assert exc.path == path and "\n" not in exc.message
        return
    assert isinstance(po, polib.POFile)


HOSTILE = st.one_of(
    st.text(max_size=60),
    st.lists(
        st.sampled_from(
            [
                "Text",
                " ",
                "\n",
                "\n\n",
                "*",
                "_",
                "`",
                "[",
                "](",
                ")",
                "<",
                ">",
                "#",
                "- ",
                "1. ",
                "{{ site.x }}",
                "{% include a %}",
                "<script>",
                "<img src=x onerror=alert(1)>",
                "javascript:",
                "[a](javascript:alert(1))",
                "|",
                "\\",
                "---",
                "&#106;",
                "\t",
                "'",
                '"',
                ": ",
                "!!python/name:x",
                "&a",
                "*a",
            ]
        ),
        max_size=12,
    ).map("".join),
)
SOURCE_POST = (
    "---\ntitle: Ein Titel\ntags: [Eins, Zwei]\n---\n# Eine Überschrift\n\n"
    "Ein Absatz mit *Betonung* und [Link](https://example.com/).\n\n"
    "> Ein Zitat.\n\n- Ein Punkt\n- Noch einer\n\n| A | B |\n|---|---|\n"
    "| Zelle | Noch eine |\n"
)


@FUZZ
@given(translations=st.lists(HOSTILE, min_size=7, max_size=7))
def test_any_translation_builds_the_same_structure_without_added_code(
    translations: list[str],
) -> None:
    post = parse_post(SOURCE_POST, Path("post.md"), "post")
    segments = front_matter_segments(post, ["title", "tags"]) + markdown.body_segments(post)
    found = {
        segment.key: Translation(text, Path("en.po"), number)
        for number, (segment, text) in enumerate(zip(segments, translations, strict=False))
        if text.strip()
    }
    try:
        variant = build_variant(post, segments, found, "en", {"lang": "en"})
    except TranslationError as exc:
        assert exc.path is not None and "\n" not in exc.message
        return
    rebuilt = parse_post(variant.text, Path("variant.md"), "post")
    assert unsafe_additions(post.text, variant.text) == []
    assert len(markdown.body_segments(rebuilt)) >= 1


def _fuzz_site(tmp_path: Path) -> Path:
    config = tmp_path / "postlingo.toml"
    if not config.exists():
        config.write_text('languages = ["en"]\nposts = ["*.md"]\n', encoding="utf-8")
    return tmp_path


def _source(path: Path) -> Source:
    from pathlib import PurePosixPath

    return Source(PurePosixPath(path.name), PurePosixPath("."), path.stem)
