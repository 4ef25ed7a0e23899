"""Catalogue grouping (issue 20, item 3): ``catalogues = "post" | "directory" | "site"``.

Each grouping holds the same translations in other files: a site built in any grouping is
byte for byte the site built one catalogue per post (identity and pseudo translations),
every file is where the documentation says and GNU gettext accepts it, ``check`` and
``status`` say what they say per post, and switching from one grouping to another with
``postlingo update`` keeps every translation.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polib
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sitebuild
from conftest import fill_catalogue, invoke, make_site, msgfmt_check
from test_adoption import HUMAN_HALLO

sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))
from sitegen import generate

GROUPINGS = ("post", "directory", "site")
REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "sites"
GNU_ENV = {**os.environ, "LC_ALL": "C.UTF-8", "LANGUAGE": ""}


# --- helpers ---------------------------------------------------------------------------------


def ok(*args: str | Path) -> str:
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    return result.output


def set_grouping(root: Path, grouping: str) -> None:
    """Set ``catalogues`` in the site's postlingo.toml, as a user edits it (a top-level key:
    it goes first, before any table)."""
    config = root / "postlingo.toml"
    lines = config.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith("catalogues =")]
    config.write_text(f'catalogues = "{grouping}"\n' + "".join(kept), encoding="utf-8")


def add_config(root: Path, line: str) -> None:
    config = root / "postlingo.toml"
    config.write_text(line + "\n" + config.read_text(encoding="utf-8"), encoding="utf-8")


def gettext_files(root: Path) -> list[Path]:
    """Every template and catalogue below the locales folder (not postlingo's cache)."""
    locales = root / "locales"
    return sorted(
        path
        for path in locales.rglob("*")
        if path.suffix in {".po", ".pot"} and ".cache" not in path.relative_to(locales).parts
    )


def group_name(grouping: str, post: str, posts_dir: str) -> str:
    """Where the spec puts a post (root-relative path) in each grouping."""
    path = Path(post)
    if grouping == "post":
        return path.relative_to(posts_dir).with_suffix("").as_posix()
    if grouping == "directory":
        folder = path.parent.parent if path.name == "index.md" else path.parent
        return folder.as_posix()
    return "site"


def expected_files(
    root: Path, grouping: str, posts: list[str], posts_dir: str, taxonomy: bool
) -> set[Path]:
    groups = {group_name(grouping, post, posts_dir) for post in posts}
    if taxonomy:
        groups.add("taxonomy")
    locales = root / "locales"
    return {locales / "templates" / f"{group}.pot" for group in groups} | {
        locales / "en/LC_MESSAGES" / f"{group}.po" for group in groups
    }


def find(po: polib.POFile, msgid: str, msgctxt: str | None = None) -> polib.POEntry:
    entry = po.find(msgid, msgctxt=msgctxt if msgctxt is not None else False)
    assert entry is not None, msgid
    return entry


def references(path: Path) -> dict[tuple[str | None, str], set[str]]:
    """Each live entry's posts, from its ``#:`` lines."""
    po = polib.pofile(str(path))
    return {
        (entry.msgctxt, entry.msgid): {file for file, _ in entry.occurrences}
        for entry in po
        if not entry.obsolete
    }


def content(root: Path) -> dict[str, bytes]:
    """Every file below content/: the sources and the variants built."""
    base = root / "content"
    return {
        path.relative_to(base).as_posix(): path.read_bytes()
        for path in sorted(base.rglob("*"))
        if path.is_file()
    }


def po_files(root: Path) -> list[Path]:
    return [path for path in gettext_files(root) if path.suffix == ".po"]


def clear_msgstr(entry: polib.POEntry) -> str:
    return ""


def fill_all(root: Path, translate: Callable[[polib.POEntry], str]) -> None:
    """Set every msgstr with polib, as a translator's tool would."""
    for path in po_files(root):
        fill_catalogue(path, translate)


CheckSummary = tuple[int, int, int, Counter[tuple[str, str, str]]]  # exit, errors, warnings


def check_summary(root: Path, *extra: str) -> CheckSummary:
    result = invoke("check", "--root", root, "--format", "json", *extra)
    assert result.exit_code in (0, 1), result.output
    data = json.loads(result.stdout)
    findings = Counter(
        (finding["rule"], finding["level"], finding["message"]) for finding in data["findings"]
    )
    return result.exit_code, data["errors"], data["warnings"], findings


def status_summary(root: Path, *extra: str) -> dict[str, Any]:
    """status --format json without the catalogue paths (those differ by grouping)."""
    result = invoke("status", "--root", root, "--format", "json", *extra)
    assert result.exit_code in (0, 1), result.output
    data = json.loads(result.stdout)

    def strip(row: dict[str, Any]) -> dict[str, Any]:
        return {key: value for key, value in row.items() if key != "catalogue"}

    return {
        "exit": result.exit_code,
        "rows": sorted(
            (json.dumps(strip(row), sort_keys=True) for row in data["catalogues"]),
        ),
        "languages": {lang: strip(row) for lang, row in data["languages"].items()},
        "total": strip(data["total"]),
        "without_source": data["without_source"],
    }


def gnu_accepts(paths: list[Path]) -> None:
    """msgfmt -c accepts each file, and msgcat writes it back byte for byte."""
    for path in paths:
        checked = msgfmt_check(path)
        assert checked.returncode == 0, (path, checked.stderr)
        cat = subprocess.run(["msgcat", str(path)], capture_output=True, check=True, env=GNU_ENV)
        assert cat.stdout == path.read_bytes(), path


def status_html(root: Path) -> str:
    out = root.parent / f"{root.name}-status.html"
    result = invoke("status", "--root", root, "--format", "html", "--output", out)
    assert result.exit_code in (0, 1), result.output
    return out.read_text(encoding="utf-8")


@dataclass
class Cycle:
    """What one grouping produced: the built site after a pseudo and after an identity
    translation, and what check and status said of each."""

    pseudo: dict[str, bytes]
    identity: dict[str, bytes]
    check_pseudo: CheckSummary | None
    check_identity: CheckSummary
    status_pseudo: dict[str, Any] | None
    status_identity: dict[str, Any]
    taxonomy: dict[str, bytes]  # its files' entries


def cycle(
    root: Path,
    grouping: str,
    posts: list[str],
    posts_dir: str,
    *,
    taxonomy: bool,
    gnu_sample: int | None = None,
    full: bool = True,
) -> Cycle:
    """sync in ``grouping``; every msgstr cleared, pseudo drafts, build with them; then
    every msgstr = msgid, build. Files, GNU tools and references are checked on the way
    (GNU's on ``gnu_sample`` files at each end of the list, if given). Not ``full``: check
    and status only on the identity translation, no HTML status page (a big site's time)."""

    def sample(paths: list[Path]) -> list[Path]:
        return paths if gnu_sample is None else paths[:gnu_sample] + paths[-gnu_sample:]

    set_grouping(root, grouping)
    ok("sync", "--root", root)
    files = gettext_files(root)
    assert set(files) == expected_files(root, grouping, posts, posts_dir, taxonomy)
    if grouping != "post":
        # Each group file names exactly the posts of its group, each entry once.
        for template in (path for path in files if path.suffix == ".pot"):
            if template.stem == "taxonomy":
                continue
            named = set().union(*references(template).values())
            group = template.relative_to(root / "locales/templates").with_suffix("").as_posix()
            assert named == {p for p in posts if group_name(grouping, p, posts_dir) == group}

    gnu_accepts(sample(files))  # the files as postlingo wrote them
    if not full:  # one build: half the texts as their own translation, half pseudo-drafted
        return _mixed_cycle(root, files, sample)
    fill_all(root, clear_msgstr)
    ok("draft", "--engine", "pseudo", "--root", root)
    gnu_accepts(sample(po_files(root)))
    assert any(
        entry.fuzzy and entry.msgstr for path in po_files(root) for entry in polib.pofile(path)
    )
    ok("build", "--include-fuzzy", "--root", root)
    pseudo = content(root)
    check_pseudo = check_summary(root, "--strict") if full else None
    status_pseudo = status_summary(root, "--include-fuzzy") if full else None

    fill_all(root, lambda entry: entry.msgid)
    ok("build", "--root", root)
    identity = content(root)
    check_identity = check_summary(root, "--strict")
    status_identity = status_summary(root)
    if full:  # the HTML page is written in every grouping, and names every post
        page = status_html(root)
        for post in posts:
            assert group_name("post", post, posts_dir).rsplit("/", 1)[-1] in page

    msgfmt_accepts(sample(po_files(root)))  # (after polib saved them)
    return Cycle(
        pseudo,
        identity,
        check_pseudo,
        check_identity,
        status_pseudo,
        status_identity,
        taxonomy_entries(root, files),
    )


def msgfmt_accepts(paths: list[Path]) -> None:
    for path in paths:
        checked = msgfmt_check(path)
        assert checked.returncode == 0, (path, checked.stderr)


def taxonomy_entries(root: Path, files: list[Path]) -> dict[str, bytes]:
    """The taxonomy files' entries, byte for byte (the header has the time of writing)."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes().split(b"\n\n", 1)[1]
        for path in files
        if path.stem == "taxonomy"
    }


def _mixed_cycle(
    root: Path, files: list[Path], sample: Callable[[list[Path]], list[Path]]
) -> Cycle:
    """A big site's cycle in one build: every other text (by its msgid's digest) gets its
    own text as translation, the rest pseudo drafts; built with the drafts, checked once."""

    def half(entry: polib.POEntry) -> str:
        return entry.msgid if hashlib.blake2b(entry.msgid.encode()).digest()[0] % 2 else ""

    fill_all(root, half)
    ok("draft", "--engine", "pseudo", "--root", root)
    po = po_files(root)
    msgfmt_accepts(sample(po))  # (polib wrote some lines: msgcat's wrapping is not asked)
    translated = [entry for path in po for entry in polib.pofile(path) if entry.msgstr]
    assert any(e.fuzzy for e in translated) and any(not e.fuzzy for e in translated)
    ok("build", "--include-fuzzy", "--root", root)
    built = content(root)
    check = check_summary(root, "--strict", "--include-fuzzy")
    status = status_summary(root, "--include-fuzzy")
    return Cycle(built, built, check, check, status, status, taxonomy_entries(root, files))


def same_site(got: Cycle, want: Cycle, *, exact_counts: bool) -> None:
    assert got.pseudo.keys() == want.pseudo.keys()
    for name in want.pseudo:  # one file at a time: a failure names it
        assert got.pseudo[name] == want.pseudo[name], name
    assert got.identity.keys() == want.identity.keys()
    for name in want.identity:
        assert got.identity[name] == want.identity[name], name
    assert got.status_pseudo == want.status_pseudo
    assert got.status_identity == want.status_identity
    for mine, theirs in (
        (got.check_pseudo, want.check_pseudo),
        (got.check_identity, want.check_identity),
    ):
        if mine is None or theirs is None:
            assert mine is None and theirs is None
            continue
        assert mine[0] == theirs[0]  # the exit code
        if exact_counts:
            assert mine == theirs
        else:  # an entry several posts share is one entry, found once
            assert set(mine[3]) == set(theirs[3])
    assert got.taxonomy.keys() == want.taxonomy.keys()
    for name in want.taxonomy:  # the taxonomy's files do not depend on the grouping
        assert got.taxonomy[name] == want.taxonomy[name], name


# --- the example site, each grouping -----------------------------------------------------------

EXAMPLE_POSTS = ["content/_posts/2021-01-05-erfolgreiche-kundeninteraktionen.md"]


def _example(root: Path) -> Path:
    """The repository's example site, its translations included, with the taxonomy."""
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(REPO / "locales", root / "locales")
    shutil.copy2(REPO / "postlingo.toml", root / "postlingo.toml")
    add_config(root, 'taxonomy = ["tags", "categories"]')
    return root


@pytest.mark.parametrize("grouping", ["directory", "site"])
def test_example_site_builds_the_same_in_each_grouping(tmp_path: Path, grouping: str) -> None:
    want = cycle(
        _example(tmp_path / "post"), "post", EXAMPLE_POSTS, "content/_posts", taxonomy=True
    )
    got = cycle(
        _example(tmp_path / grouping), grouping, EXAMPLE_POSTS, "content/_posts", taxonomy=True
    )
    same_site(got, want, exact_counts=True)


# --- a generated site of 1,000 posts, each grouping -------------------------------------------


def _generated(root: Path) -> list[str]:
    """bench/sitegen's 1,000 posts, those of 2020 and later moved to a folder per year (so
    that ``directory`` makes several groups, one of them the parent of the others)."""
    generate(root, 1000, ["en"])
    add_config(root, 'taxonomy = ["tags"]')
    posts_dir = root / "content/_posts"
    for path in sorted(posts_dir.glob("*.md")):
        year = path.name[:4]
        if year >= "2020":
            (posts_dir / year).mkdir(exist_ok=True)
            path.rename(posts_dir / year / path.name)
    return sorted(path.relative_to(root).as_posix() for path in posts_dir.rglob("*.md"))


@pytest.fixture(scope="module")
def generated_post_mode(tmp_path_factory: pytest.TempPathFactory) -> Cycle:
    root = tmp_path_factory.mktemp("generated") / "post"
    posts = _generated(root)
    return cycle(root, "post", posts, "content/_posts", taxonomy=True, gnu_sample=10, full=False)


@pytest.mark.parametrize("grouping", ["directory", "site"])
def test_a_generated_site_builds_the_same_in_each_grouping(
    tmp_path: Path, generated_post_mode: Cycle, grouping: str
) -> None:
    root = tmp_path / grouping
    posts = _generated(root)
    got = cycle(root, grouping, posts, "content/_posts", taxonomy=True, full=False)
    same_site(got, generated_post_mode, exact_counts=False)


def test_a_paragraph_in_many_posts_is_one_entry_with_every_reference(tmp_path: Path) -> None:
    root = tmp_path / "site"
    posts = _generated_small(root, 3)
    set_grouping(root, "site")
    ok("sync", "--root", root)
    refs = references(root / "locales/templates/site.pot")
    shared = refs[(None, SHARED)]
    assert shared == set(posts)
    po = polib.pofile(str(root / "locales/en/LC_MESSAGES/site.po"))
    assert sum(entry.msgid == SHARED for entry in po) == 1


# --- migrating between groupings -------------------------------------------------------------

SHARED = "Dieser Absatz steht in mehreren Beiträgen."


def _generated_small(root: Path, count: int) -> list[str]:
    """A few short posts in two folders, each with the shared paragraph, one of them twice
    with another paragraph of its own, and a title entry."""
    posts = []
    for index in range(count):
        folder = "content/_posts" if index % 2 == 0 else "content/_posts/2024"
        path = root / folder / f"2024-0{index + 1}-01-beitrag-{index}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        body = [f"Absatz {index} gehört nur diesem Beitrag.", SHARED]
        if index % 3 == 0:
            body.append(f"Noch ein Absatz, der *{index}* heißt.")
        path.write_text(
            f"---\ntitle: Beitrag {index % 2}\ntags: [Kultur]\n---\n" + "\n\n".join(body) + "\n",
            encoding="utf-8",
        )
        posts.append(path.relative_to(root).as_posix())
    (root / "postlingo.toml").write_text(
        'languages = ["en"]\nthreshold = 0\ntaxonomy = ["tags"]\n', encoding="utf-8"
    )
    return sorted(posts)


Key = tuple[str | None, str]
State = tuple[str, bool, str, str | None]  # msgstr, fuzzy, translator comment, previous msgid


def translations(path: Path) -> dict[Key, State]:
    return {
        (entry.msgctxt, entry.msgid): (
            entry.msgstr,
            entry.fuzzy,
            entry.tcomment,
            entry.previous_msgid,
        )
        for entry in polib.pofile(str(path))
        if not entry.obsolete
    }


@st.composite
def states(draw: st.DrawFn) -> Callable[[Key], State]:
    """A translation for each (msgctxt, msgid): empty, translated or fuzzy, some with a
    translator comment, fuzzy ones some with a previous msgid. One state per key, whatever
    the post: no conflicting translations."""
    table: dict[Key, State] = {}
    kinds = draw(st.lists(st.sampled_from(["empty", "done", "fuzzy"]), min_size=12, max_size=12))
    comments = draw(st.lists(st.booleans(), min_size=12, max_size=12))

    def state(key: Key) -> State:
        if key not in table:
            index = len(table) % 12
            kind, comment = kinds[index], comments[index]
            text = "" if kind == "empty" else f"EN[{key[1]}]"
            note = f"note {index}" if comment and kind != "empty" else ""
            previous = f"Alt {index}" if kind == "fuzzy" and comment else None
            table[key] = (text, kind == "fuzzy", note, previous)
        return table[key]

    return state


def _translate(root: Path, state: Callable[[Key], State]) -> None:
    for path in po_files(root):
        po = polib.pofile(str(path))
        for entry in sorted(po, key=lambda e: (e.msgctxt or "", e.msgid)):
            if entry.obsolete:
                continue
            text, fuzzy, note, previous = state((entry.msgctxt, entry.msgid))
            entry.msgstr = text
            entry.flags = ["fuzzy"] if fuzzy else []
            entry.tcomment = note
            entry.previous_msgid = previous
        po.save(str(path))


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    state=states(),
    path=st.lists(
        st.tuples(st.sampled_from(GROUPINGS), st.sampled_from(["update", "sync"])),
        min_size=1,
        max_size=3,
    ),
    count=st.integers(min_value=3, max_value=5),
)
def test_switching_groupings_keeps_every_translation(
    tmp_path_factory: pytest.TempPathFactory,
    state: Callable[[Key], State],
    path: list[tuple[str, str]],
    count: int,
) -> None:
    root = tmp_path_factory.mktemp("migrate") / "site"
    posts = _generated_small(root, count)
    set_grouping(root, "post")
    ok("sync", "--root", root)
    _translate(root, state)
    ok("update", "--root", root)  # what post mode itself makes of the translations
    ok("build", "--root", root)
    start = {p.relative_to(root): translations(p) for p in po_files(root)}
    built = content(root)
    for grouping, command in [*path, ("post", "update")]:
        set_grouping(root, grouping)
        ok(command, "--root", root)
        assert set(gettext_files(root)) == expected_files(
            root, grouping, posts, "content/_posts", taxonomy=True
        )
        ok("build", "--root", root)
        assert content(root) == built, grouping
    assert {p.relative_to(root): translations(p) for p in po_files(root)} == start


def test_different_translations_of_one_text_keep_the_most_used(tmp_path: Path) -> None:
    root = tmp_path / "site"
    posts = _generated_small(root, 5)
    ok("sync", "--root", root)
    chosen = {posts[0]: "Most", posts[1]: "Other", posts[2]: "Most", posts[3]: "Third"}
    for post, text in chosen.items():
        name = Path(post).relative_to("content/_posts").with_suffix("").as_posix()
        po = polib.pofile(str(root / "locales/en/LC_MESSAGES" / f"{name}.po"))
        find(po, SHARED).msgstr = text
        po.save()
    set_grouping(root, "site")
    result = invoke("update", "--root", root)
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if "warning" in line.lower()]
    assert len(warnings) == 1, result.output
    entry = find(polib.pofile(str(root / "locales/en/LC_MESSAGES/site.po")), SHARED)
    assert entry.msgstr == "Most"
    assert "Other" in entry.tcomment and "Third" in entry.tcomment
    assert "Most" not in entry.tcomment
    assert set(gettext_files(root)) == expected_files(
        root, "site", posts, "content/_posts", taxonomy=True
    )


def test_a_tie_keeps_the_first_post_in_path_order(tmp_path: Path) -> None:
    root = tmp_path / "site"
    _generated_small(root, 1)
    for name in ("b-zweiter", "a-erster"):  # one folder: path order is name order
        (root / "content/_posts" / f"2024-09-09-{name}.md").write_text(
            f"---\ntitle: {name}\n---\n{SHARED}\n", encoding="utf-8"
        )
    ok("sync", "--root", root)
    for name, text in (("b-zweiter", "Second"), ("a-erster", "First")):
        po = polib.pofile(str(root / f"locales/en/LC_MESSAGES/2024-09-09-{name}.po"))
        find(po, SHARED).msgstr = text
        po.save()
    set_grouping(root, "site")
    result = invoke("sync", "--root", root)
    assert result.exit_code == 0, result.output
    entry = find(polib.pofile(str(root / "locales/en/LC_MESSAGES/site.po")), SHARED)
    assert entry.msgstr == "First" and "Second" in entry.tcomment
    assert "warning" in result.output.lower()


# --- what gets published ---------------------------------------------------------------------


def test_a_paragraph_translated_once_is_published_in_both_posts(tmp_path: Path) -> None:
    root = make_site(tmp_path / "site")
    set_grouping(root, "site")
    for index in (1, 2):
        (root / "content/_posts" / f"2024-02-0{index}-geteilt-{index}.md").write_text(
            f"---\nlayout: post\ntitle: Geteilt {index}\n---\n{SHARED}\n", encoding="utf-8"
        )
    ok("sync", "--root", root)
    catalogue = root / "locales/en/LC_MESSAGES/site.po"
    po = polib.pofile(str(catalogue))
    entry = find(po, SHARED)
    assert {file for file, _ in entry.occurrences} == {
        "content/_posts/2024-02-01-geteilt-1.md",
        "content/_posts/2024-02-02-geteilt-2.md",
    }
    entry.msgstr = "This paragraph is in several posts."
    for index in (1, 2):
        find(po, f"Geteilt {index}", msgctxt="title").msgstr = f"Shared {index}"
    po.save()
    ok("build", "--root", root)
    out = sitebuild.jekyll_build(root / "content", tmp_path / "_site")
    pages = {
        page.relative_to(out).as_posix(): page.read_text(encoding="utf-8")
        for page in (out / "en").rglob("*.html")
    }
    shown = sorted(
        name for name, html in pages.items() if "This paragraph is in several posts." in html
    )
    assert len(shown) == 2, sorted(pages)
    assert any("Shared 1" in pages[name] for name in shown)
    assert any("Shared 2" in pages[name] for name in shown)


# --- variants postlingo did not write ----------------------------------------------------------


@pytest.mark.parametrize("grouping", GROUPINGS)
def test_a_human_variant_is_kept_in_each_grouping(tmp_path: Path, grouping: str) -> None:
    """tests/test_adoption.py's first case, in each grouping: in a group file, a post
    without entries has no catalogue."""
    root = tmp_path / "hugo"
    shutil.copytree(FIXTURES / "hugo", root)
    set_grouping(root, grouping)
    human = root / "content/posts/hallo.en.md"
    human.write_text(HUMAN_HALLO, encoding="utf-8")
    before = human.read_bytes()
    result = invoke("sync", "--root", root)
    assert result.exit_code == 1, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and errors[0].startswith(f"error: {human}: "), result.output
    assert "Traceback" not in result.output
    assert human.read_bytes() == before
    # The other post is processed; the human one has no entry in any catalogue.
    named = set().union(*(set().union(*references(path).values()) for path in po_files(root)))
    assert "content/posts/buendel/index.md" in named
    assert "content/posts/hallo.md" not in named
    for command in (("sync",), ("build",), ("update", "--prune"), ("build", "--prune")):
        again = invoke(*command, "--root", root)
        assert again.exit_code == 1, (command, again.output)
        assert human.read_bytes() == before, command


def test_hugo_bundles_group_by_the_bundles_folder(tmp_path: Path) -> None:
    root = tmp_path / "hugo"
    shutil.copytree(FIXTURES / "hugo", root)
    set_grouping(root, "directory")
    ok("sync", "--root", root)
    locales = root / "locales"
    assert {p.relative_to(locales).as_posix() for p in gettext_files(root)} == {
        "templates/content/posts.pot",
        "en/LC_MESSAGES/content/posts.po",
    }
    named = set().union(*references(locales / "templates/content/posts.pot").values())
    assert named == {"content/posts/hallo.md", "content/posts/buendel/index.md"}
    gnu_accepts(gettext_files(root))


# --- the other commands, each grouping against post -------------------------------------------

PostEntries = dict[tuple[str, str | None, str], tuple[str, bool]]


def per_post(root: Path) -> PostEntries:
    """Each post's entries (by its ``#:`` lines) with their translation and fuzzy flag,
    whichever file holds them (the taxonomy apart)."""
    found: PostEntries = {}
    for path in po_files(root):
        if path.stem == "taxonomy":
            continue
        for entry in polib.pofile(str(path)):
            if entry.obsolete:
                continue
            for file, _ in entry.occurrences:
                found[(file, entry.msgctxt, entry.msgid)] = (entry.msgstr, entry.fuzzy)
    return found


def _renames_and_prunes(root: Path, grouping: str) -> list[tuple[dict[str, bytes], PostEntries]]:
    """Translated posts renamed (in their folder and to another one), then one deleted and
    pruned: the site and each post's entries after each step."""
    _generated_small(root, 4)
    set_grouping(root, grouping)
    ok("sync", "--root", root)
    fill_all(root, lambda entry: f"EN {entry.msgid}")
    ok("sync", "--root", root)
    steps = [(content(root), per_post(root))]
    posts = root / "content/_posts"
    (posts / "2024-01-01-beitrag-0.md").rename(posts / "2024-01-01-umbenannt.md")
    (posts / "2024/2024-02-01-beitrag-1.md").rename(posts / "2024-02-01-verschoben.md")
    ok("sync", "--root", root)
    steps.append((content(root), per_post(root)))
    (posts / "2024-03-01-beitrag-2.md").unlink()
    ok("update", "--prune", "--root", root)
    ok("build", "--prune", "--root", root)
    steps.append((content(root), per_post(root)))
    return steps


@pytest.mark.parametrize("grouping", ["directory", "site"])
def test_renames_and_prunes_work_as_in_post_mode(tmp_path: Path, grouping: str) -> None:
    want = _renames_and_prunes(tmp_path / "post", "post")
    got = _renames_and_prunes(tmp_path / grouping, grouping)
    for step, (mine, theirs) in enumerate(zip(got, want, strict=True)):
        assert mine[0] == theirs[0], step
        assert mine[1] == theirs[1], step
    # The renamed posts kept their translations; the deleted one left nothing behind.
    entries = got[-1][1]
    files = {file for file, _, _ in entries}
    assert "content/_posts/2024-01-01-umbenannt.md" in files
    assert "content/_posts/2024-02-01-verschoben.md" in files
    assert not any("beitrag-2" in file or "beitrag-0" in file for file in files)
    assert all(text.startswith("EN ") for text, _ in entries.values())


def _imported(root: Path, grouping: str) -> tuple[dict[str, bytes], PostEntries]:
    shutil.copytree(FIXTURES / "hugo", root)
    set_grouping(root, grouping)
    (root / "content/posts/hallo.en.md").write_text(HUMAN_HALLO, encoding="utf-8")
    assert invoke("sync", "--root", root).exit_code == 1  # a human variant: import it first
    ok("import", "--root", root)
    ok("sync", "--root", root)
    ok("build", "--include-fuzzy", "--root", root)
    return content(root), per_post(root)


@pytest.mark.parametrize("grouping", ["directory", "site"])
def test_import_works_as_in_post_mode(tmp_path: Path, grouping: str) -> None:
    want = _imported(tmp_path / "post", "post")
    got = _imported(tmp_path / grouping, grouping)
    assert got == want
    key = ("content/posts/hallo.md", None, "Dies ist der erste Absatz des Beitrags.")
    assert got[1][key] == ("This is the post's first paragraph, translated by a person.", True)


def test_a_folder_named_like_the_taxonomy_catalogue_is_refused_for_its_posts(
    tmp_path: Path,
) -> None:
    """posts = ["**/*.md"] with posts in a folder 'taxonomy': their group file would be the
    shared taxonomy catalogue. Those posts get one error each; the others are synced."""
    root = tmp_path / "site"
    for folder, name in (("taxonomy", "a"), ("notes", "b")):
        path = root / folder / f"2024-01-01-{name}.md"
        path.parent.mkdir(parents=True)
        path.write_text(f"---\ntitle: Titel {name}\ntags: [Kultur]\n---\nText {name}.\n")
    (root / "postlingo.toml").write_text(
        'catalogues = "directory"\nposts = ["**/*.md"]\nlayout = "hugo"\n'
        'taxonomy = ["tags"]\nthreshold = 0\n',
        encoding="utf-8",
    )
    result = invoke("sync", "--root", root)
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "taxonomy/2024-01-01-a.md" in errors[0], result.output
    assert "shared taxonomy catalogue" in errors[0]
    taxonomy = polib.pofile(str(root / "locales/en/LC_MESSAGES/taxonomy.po"))
    assert [entry.msgid for entry in taxonomy] == ["Kultur"]  # the terms' catalogue intact
    notes = polib.pofile(str(root / "locales/en/LC_MESSAGES/notes.po"))
    assert {entry.msgid for entry in notes} == {"Titel b", "Text b."}
