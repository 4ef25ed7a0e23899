"""check and status reuse what their last run found for the posts whose files did not
change (postlingo.qa.cache), and never serve a stale result: after any edit, by a postlingo
command or by hand, a cached run says exactly what a run without the cache says."""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import polib
import pytest

import postlingo.qa.check as checking
import postlingo.qa.status as statuses
import postlingo.variant.links as links
from conftest import CATALOGUE, SOURCE, fill_catalogue, invoke
from postlingo.qa.cache import SETTLE_NS, msgfmt_many
from postlingo.qa.check import run_msgfmt
from test_init import write
from test_links import HUGO_POSTS, JEKYLL_POSTS, translate_all_but_ohne

sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))
from sitegen import generate

CACHE = Path("locales/.cache")


def check(root: Path, *options: str) -> tuple[int, str]:
    result = invoke("check", "--root", root, "--format", "json", *options)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout


def status(root: Path, cached: bool = True) -> tuple[int, str]:
    if not cached:
        (root / CACHE / "status-results.json").unlink(missing_ok=True)
    result = invoke("status", "--root", root, "--format", "json")
    return result.exit_code, result.stdout


def same_as_cold(root: Path) -> tuple[int, str]:
    """check with its cache, then without, then without sync's state either (what check
    takes from it: templates and catalogues as sync left them): they must agree (the first
    is returned); status with and without its cache too."""
    cached = check(root)
    assert cached == check(root, "--no-cache")
    state = root / CACHE / "sync-state.json"
    if state.exists():
        hidden = state.with_name("hidden")
        state.rename(hidden)
        try:
            assert cached == check(root, "--no-cache")
        finally:
            hidden.rename(state)
    assert status(root) == status(root, cached=False)
    return cached


@pytest.fixture
def judged(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the posts check and status judge (not taken from the cache). Sites
    this small are judged in this process (parallel_map), so the calls are seen here."""
    names: list[str] = []
    for module, name in ((checking, "_check_source"), (statuses, "_post_status")):
        original = getattr(module, name)

        def spy(*args: object, original: Callable[..., object] = original) -> object:
            source = next(a for a in args if hasattr(a, "relative"))
            names.append(source.name)  # type: ignore[attr-defined]
            return original(*args)

        monkeypatch.setattr(module, name, spy)
    return names


def sitegen_site(tmp_path: Path, posts: int = 6) -> Path:
    root = tmp_path / "gen"
    generate(root, posts, ["en"])
    assert invoke("sync", "--root", root).exit_code == 0
    return root


# --- reuse -----------------------------------------------------------------------------------


def test_nothing_changed_nothing_judged_one_post_changed_one_judged(
    tmp_path: Path, judged: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = sitegen_site(tmp_path)
    cold = check(root)
    cold_status = status(root)
    assert sorted(judged) == sorted(2 * [p.stem for p in (root / "content/_posts").glob("*.md")])
    judged.clear()
    assert check(root) == cold and status(root) == cold_status
    assert judged == []  # both served every post from their caches
    post = sorted((root / "content/_posts").glob("*.md"))[2]
    post.write_text(post.read_text(encoding="utf-8") + "\nEin neuer Absatz.\n", encoding="utf-8")
    built = []  # (these posts link to no other post: the link targets are not read for them)
    find_targets = links._find_targets
    monkeypatch.setattr(links, "_find_targets", lambda *a: built.append(a) or find_targets(*a))
    code, output = check(root)
    assert judged == [post.stem] and built == []
    assert code == 1 and "catalogue-outdated" in output and post.stem in output
    assert (code, output) == check(root, "--no-cache")


def test_cache_files_sit_beside_syncs_state(tmp_path: Path) -> None:
    root = sitegen_site(tmp_path, 2)
    check(root)
    status(root)
    names = sorted(path.name for path in (root / CACHE).iterdir())
    assert names == [
        ".gitignore",
        "check-results.json",
        "msgfmt-results.json",
        "status-results.json",
        "sync-state.json",
    ]


def test_a_broken_cache_file_is_a_cold_run(tmp_path: Path, judged: list[str]) -> None:
    root = sitegen_site(tmp_path, 3)
    cold = check(root)
    for name in ("check-results.json", "msgfmt-results.json"):
        (root / CACHE / name).write_text('{"key": [1, 2', encoding="utf-8")
    judged.clear()
    assert check(root) == cold
    assert len(judged) == 3


# --- what invalidates a post's result ---------------------------------------------------------


def test_posts_edited_since_the_sync_have_their_template_and_catalogues_judged(
    tmp_path: Path,
) -> None:
    """A post whose files are what sync left has the template and catalogues sync wrote
    (check takes them for current without comparing); any other post's are compared."""
    root = sitegen_site(tmp_path, 3)
    assert check(root, "--no-cache")[0] == 0
    post = sorted((root / "content/_posts").glob("*.md"))[1]
    text = post.read_text(encoding="utf-8")
    post.write_text(text.replace("title: ", "title: Neu ", 1), encoding="utf-8")
    other = sorted((root / "locales/en/LC_MESSAGES").glob("*.po"))[2]
    with other.open("a", encoding="utf-8") as handle:  # an entry no template has
        handle.write('\nmsgid "Nirgends"\nmsgstr "Nowhere"\n')
    code, output = check(root, "--no-cache")
    assert code == 1 and "'postlingo extract' would change this template" in output
    assert f"templates/{post.stem}.pot" in output
    assert "'postlingo update' would change this catalogue" in output
    assert f"LC_MESSAGES/{other.name}" in output


def test_a_hand_edit_restoring_size_and_mtime_is_seen(example: Path) -> None:
    # (files written in the last second are racy, their digests read on every run: these
    # must have settled, so that only their ctime tells the edit)
    time.sleep(SETTLE_NS / 1e9 + 0.1)
    before = same_as_cold(example)
    path = example / CATALOGUE
    text = path.read_text(encoding="utf-8")
    stat = path.stat()
    # The same number of bytes, a translation changed: the variant is out of date.
    edited = text.replace("side\u2019s tool?", "side\u2019s toil?")
    assert edited != text and len(edited.encode()) == len(text.encode())
    path.write_text(edited, encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size and path.stat().st_mtime_ns == stat.st_mtime_ns
    after = same_as_cold(example)
    assert after != before and '"variant-outdated"' in after[1]


def test_a_rule_level_in_the_configuration(example: Path) -> None:
    po = polib.pofile(str(example / CATALOGUE))
    next(entry for entry in po if entry.msgstr and not entry.obsolete).flags.append("fuzzy")
    po.save(str(example / CATALOGUE))
    before = same_as_cold(example)
    assert '"fuzzy"' not in before[1]
    config = example / "postlingo.toml"
    config.write_text(config.read_text() + '\n[check]\nfuzzy = "error"\n', encoding="utf-8")
    after = same_as_cold(example)
    assert after[0] == 1 and '"fuzzy"' in after[1]


def test_a_glossary_edit(example: Path) -> None:
    config = example / "postlingo.toml"
    config.write_text(config.read_text() + 'glossary = "terms.csv"\n', encoding="utf-8")
    glossary = example / "terms.csv"
    glossary.write_text("source,target\n", encoding="utf-8")
    before = same_as_cold(example)
    entry = next(e for e in polib.pofile(str(example / CATALOGUE)) if e.msgctxt == "title")
    word = entry.msgid.split()[0]
    glossary.write_text(f"source,target\n{word},Quetzalcoatl\n", encoding="utf-8")
    after = same_as_cold(example)
    assert after != before and '"glossary"' in after[1] and "Quetzalcoatl" in after[1]


def test_a_write_by_sync_and_a_post_added_and_removed(tmp_path: Path) -> None:
    root = sitegen_site(tmp_path, 4)
    before = same_as_cold(root)
    new = root / "content/_posts/2030-01-01-neu.md"
    new.write_text("---\ntitle: Ganz neu\n---\nEin neuer Beitrag.\n", encoding="utf-8")
    added = same_as_cold(root)
    assert added != before and "2030-01-01-neu" in added[1]
    assert invoke("sync", "--root", root).exit_code == 0
    synced = same_as_cold(root)
    assert synced[0] == 0
    new.unlink()
    removed = same_as_cold(root)
    assert '"orphan"' in removed[1] and "2030-01-01-neu" in removed[1]


def test_another_posts_translated_slug_changes_a_linking_posts_result(tmp_path: Path) -> None:
    """Hugo: zweiter links to /posts/hallo/; its variant leads to hallo's English URL, made
    from the translated title. Only hallo's files change: zweiter's result must change."""
    files = {
        **HUGO_POSTS,
        "postlingo.toml": 'layout = "hugo"\nposts = ["content/**/*.md"]\n'
        'slug = "translate"\nthreshold = 80\n',
    }
    root = write(tmp_path / "site", files)
    assert invoke("sync", "--root", root).exit_code == 0
    catalogues = root / "locales/en/LC_MESSAGES"
    for path in sorted(catalogues.rglob("*.po")):
        if "ohne" not in path.name:
            fill_catalogue(
                path, lambda e: "Hello world" if e.msgid == "Hallo Welt" else "EN " + e.msgid
            )
    assert invoke("sync", "--root", root).exit_code == 0
    zweiter = root / "content/posts/zweiter.en.md"
    assert "](/en/posts/hello-world/)" in zweiter.read_text()
    before = same_as_cold(root)
    assert "zweiter.en.md" not in before[1]
    # hallo's title translated anew, its variant not built yet: its URL will be the new one.
    hallo = next(catalogues.rglob("hallo.po"))
    fill_catalogue(hallo, lambda e: "Hello earth" if e.msgid == "Hallo Welt" else e.msgstr)
    (root / "content/posts/hallo.en.md").unlink()
    after = same_as_cold(root)
    assert "zweiter.en.md" in after[1] and '"variant-outdated"' in after[1]
    # (sync skips zweiter, whose files did not change: build writes what check expects)
    assert invoke("build", "--root", root).exit_code == 0
    assert "](/en/posts/hello-earth/)" in zweiter.read_text()
    assert "zweiter.en.md" not in same_as_cold(root)[1]


def test_another_post_published_changes_a_linking_posts_result(tmp_path: Path) -> None:
    """Plain Jekyll: zweiter's {% post_url 2024-01-04-ohne %} leads to the English post
    once ohne's catalogue is translated (above the threshold)."""
    files = {
        **JEKYLL_POSTS,
        "postlingo.toml": 'layout = "jekyll"\nposts = ["_posts/**/*.md"]\nthreshold = 80\n',
    }
    root = write(tmp_path / "site", files)
    assert invoke("sync", "--root", root).exit_code == 0
    translate_all_but_ohne(root)
    assert invoke("sync", "--root", root).exit_code == 0
    before = same_as_cold(root)
    assert "2024-01-03-zweiter.md" not in before[1]
    fill_catalogue(root / "locales/en/LC_MESSAGES/2024-01-04-ohne.po", lambda e: "EN " + e.msgid)
    after = same_as_cold(root)
    assert "en/_posts/2024-01-03-zweiter.md" in after[1], after[1]


def test_sharded_runs_agree_with_their_cold_runs(tmp_path: Path) -> None:
    root = sitegen_site(tmp_path, 6)
    post = sorted((root / "content/_posts").glob("*.md"))[1]
    post.write_text(post.read_text(encoding="utf-8") + "\nNoch ein Absatz.\n", encoding="utf-8")
    for shard in ("1/2", "2/2", "1/2"):
        assert check(root, "--shard", shard) == check(root, "--shard", shard, "--no-cache")
    assert same_as_cold(root)[0] == 1


# --- random edits: cached and cold agree ------------------------------------------------------


def _edits(root: Path, rng: random.Random) -> Callable[[], None]:
    posts = sorted((root / "content/_posts").glob("*.md"))
    catalogues = sorted((root / "locales/en/LC_MESSAGES").glob("*.po"))
    variants = sorted((root / "content/_posts/en").glob("*.md"))
    config = root / "postlingo.toml"

    def append_to_post() -> None:
        post = rng.choice(posts)
        if post.exists():
            post.write_text(post.read_text(encoding="utf-8") + "\nMehr Text hier.\n")

    def translate() -> None:
        path = rng.choice(catalogues)
        if path.exists():
            fill_catalogue(path, lambda e: rng.choice([e.msgid, "EN " + e.msgid, "x", ""]))

    def same_size_edit() -> None:
        path = rng.choice(catalogues + variants)
        if not path.exists():
            return
        data = bytearray(path.read_bytes())
        stat = path.stat()
        at = data.rfind(b"e")
        if at > 0:
            data[at : at + 1] = b"a"
            path.write_bytes(bytes(data))
            os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))

    def remove_one() -> None:
        path = rng.choice(catalogues + variants + posts)
        path.unlink(missing_ok=True)

    def threshold() -> None:
        text = re.sub(
            r"threshold = \d+", f"threshold = {rng.choice([0, 50, 100])}", config.read_text()
        )
        config.write_text(text)

    def sync() -> None:
        invoke("sync", "--root", root)

    def build() -> None:
        invoke("build", "--root", root)

    return rng.choice(
        [append_to_post, translate, same_size_edit, remove_one, threshold, sync, build]
    )


@pytest.mark.parametrize("seed", range(6))
def test_random_edits_cached_equals_cold(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    root = sitegen_site(tmp_path, 5)
    shutil.copy2(root / "postlingo.toml", tmp_path / "postlingo.toml")
    check(root)
    status(root)
    for _ in range(5):
        _edits(root, rng)()
        same_as_cold(root)


# --- msgfmt on many catalogues at once --------------------------------------------------------

HEADER_FIELD = re.compile(r'^"Language-Team: [^"]*"\n', re.MULTILINE)


def _mutants() -> dict[str, Callable[[str], str]]:
    """Ways a catalogue gets msgfmt -c's attention (each checked to be reported alone)."""

    def entry(text: str, block: str) -> str:
        return text + "\n" + block

    return {
        "header-field-missing": lambda t: HEADER_FIELD.sub("", t),
        "header-fuzzy": lambda t: t.replace(
            'msgid ""\nmsgstr ""', '#, fuzzy\nmsgid ""\nmsgstr ""', 1
        ),
        "newline-begin": lambda t: entry(t, 'msgid "a"\nmsgstr "\\nb"\n'),
        "newline-end": lambda t: entry(t, 'msgid "a\\n"\nmsgstr "b"\n'),
        "c-format": lambda t: entry(t, '#, c-format\nmsgid "%d Dinge"\nmsgstr "%s things"\n'),
        "plural-count": lambda t: entry(
            t, 'msgid "Ding"\nmsgid_plural "Dinge"\nmsgstr[0] "thing"\n'
        ),
        "duplicate": lambda t: entry(t, 'msgid "a"\nmsgstr "b"\n\nmsgid "a"\nmsgstr "c"\n'),
        "bad-plural-forms": lambda t: re.sub(
            r"Plural-Forms: [^\\]*", "Plural-Forms: nplurals=2; plural=(n !=;", t
        ),
        "project-default": lambda t: re.sub(
            r"Project-Id-Version: [^\\]*", "Project-Id-Version: PACKAGE VERSION", t
        ),
        "domain-directive": lambda t: entry(t, 'domain "other"\nmsgid "a"\nmsgstr "b"\n'),
        "latin-1": lambda t: t.replace("charset=UTF-8", "charset=ISO-8859-1"),
        "no-final-newline": lambda t: entry(t, 'msgid "a"\nmsgstr "b\\n"').rstrip("\n"),
    }


@pytest.mark.parametrize("kind", sorted(_mutants()))
def test_msgfmt_many_says_what_msgfmt_says_of_each_file(tmp_path: Path, kind: str) -> None:
    root = sitegen_site(tmp_path, 5)
    paths = sorted((root / "locales/en/LC_MESSAGES").glob("*.po"))
    bad = paths[3]
    text = bad.read_text(encoding="utf-8")
    bad.write_text(_mutants()[kind](text), encoding="utf-8")
    assert bad.read_text(encoding="utf-8") != text
    alone = [run_msgfmt(path) for path in paths]
    assert all(result == [] for i, result in enumerate(alone) if i != 3)
    if kind not in QUIET:
        assert alone[3] != []
    together = msgfmt_many(paths, run_msgfmt)
    assert [result for _, result in together] == alone


QUIET = {"header-fuzzy", "latin-1"}  # (msgfmt -c says nothing of these)


def test_check_reports_msgfmt_findings_as_before_and_keeps_them(
    example: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = example / CATALOGUE
    path.write_text(HEADER_FIELD.sub("", path.read_text(encoding="utf-8")), encoding="utf-8")
    first = same_as_cold(example)
    assert "header field 'Language-Team' missing in header" in first[1]
    started = []  # msgfmt processes

    def no_msgfmt(*args: object, **kwargs: object) -> None:
        started.append(args)
        raise AssertionError("msgfmt started")

    monkeypatch.setattr(subprocess, "run", no_msgfmt)
    assert check(example) == first  # (from the kept msgfmt findings)
    assert started == []
    source = example / SOURCE  # a post changed: its catalogue is the same, msgfmt not run
    source.write_text(source.read_text(encoding="utf-8") + "\nNoch etwas.\n", encoding="utf-8")
    assert "header field 'Language-Team' missing in header" in check(example)[1]
    assert started == []


def test_polyglot_links_out_of_the_language_are_still_reported(tmp_path: Path) -> None:
    """check looks up the link targets of a polyglot variant only where it has post_url or
    link tags; with localize_links off, those that lead out of the language are reported."""
    files = {
        **JEKYLL_POSTS,
        "postlingo.toml": 'layout = "jekyll-polyglot"\nposts = ["_posts/**/*.md"]\n'
        "localize_links = false\nthreshold = 0\n",
    }
    root = write(tmp_path / "site", files)
    assert invoke("sync", "--root", root).exit_code == 0
    output = same_as_cold(root)[1]
    assert output.count('"rule": "language-links"') == 3, output
    assert "_posts/en/2024-01-03-zweiter.md" in output


def test_status_no_cache_looks_at_every_post_again(example: Path) -> None:
    """``status --no-cache``: a result kept in the cache (here made wrong on purpose, as a
    stale one would be) is not used; plain ``status`` uses it."""
    assert invoke("sync", "--root", example).exit_code in (0, 1)
    fresh = invoke("status", "--root", example, "--format", "json").stdout
    kept = example / "locales/.cache/status-results.json"
    assert kept.is_file()
    data = kept.read_text(encoding="utf-8")
    # (a kept row's fields: post, language, catalogue, exists, translated, fuzzy, ...)
    translated = re.search(r'"CatalogueStatus","fields":\[[^\]]*?\},true,(\d+),', data)
    assert translated is not None, data
    start, end = translated.span(1)
    kept.write_text(data[:start] + "9999" + data[end:], encoding="utf-8")
    assert "9999" in invoke("status", "--root", example, "--format", "json").stdout
    again = invoke("status", "--root", example, "--format", "json", "--no-cache").stdout
    assert again == fresh
