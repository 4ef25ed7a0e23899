"""``postlingo draft`` on the example site, against a LibreTranslate-compatible server on
127.0.0.1 through deep-translator's real LibreTranslator."""

from __future__ import annotations

import dataclasses
import shutil
from datetime import date
from pathlib import Path
from urllib.parse import quote, quote_plus

import polib
import pytest

from conftest import (
    CATALOGUE,
    VARIANT,
    invoke,
    msgfmt_check,
    snapshot,
    write_post,
)
from libre_server import FakeServer, capitals
from postlingo.config import Config, load_config
from postlingo.drafts.draft import DraftOptions, DraftReport, draft, pieces
from postlingo.drafts.engines import NoTranslation
from postlingo.drafts.pseudo import pseudo_translate
from postlingo.pipeline import build, extract, update

TODAY = date(2024, 5, 6)
COMMENT = "machine draft: libre 2024-05-06"
SECRET = "top-secret/Key+42"
CODE_POST = "2024-01-01-code.md"
CODE_PARAGRAPH = "Nutze `git log` und [die Doku](https://git-scm.com/docs) heute."


def configure(site: Path, server: FakeServer, extra: str = "", retries: int = 1) -> Path:
    """The site drafts with libre at ``server``; its catalogues exist, nothing translated."""
    with (site / "postlingo.toml").open("a", encoding="utf-8") as handle:
        handle.write(
            f'engine = "libre"\nengine_timeout = 0.5\nengine_retries = {retries}\n'
            f'{extra}[engines.libre]\nurl = "{server.url}"\n'
            'key_env = "POSTLINGO_TEST_LIBRE_KEY"\n'
        )
    config = load_config(site)
    assert extract(config).ok and update(config).ok
    return site


@pytest.fixture
def drafting(bare_site: Path, server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("POSTLINGO_TEST_LIBRE_KEY", SECRET)
    return configure(bare_site, server)


def run(site: Path, **options: object) -> DraftReport:
    settings = {"today": TODAY, "backoff": 0.0, **options}
    return draft(load_config(site), DraftOptions(**settings))  # type: ignore[arg-type]


def catalogue(site: Path, path: Path = CATALOGUE) -> polib.POFile:
    return polib.pofile(str(site / path))


def live(po: polib.POFile) -> list[polib.POEntry]:
    return [entry for entry in po if not entry.obsolete]


# --- splitting ------------------------------------------------------------------------------


def test_pieces_keep_hard_breaks_and_cut_long_lines_at_sentences() -> None:
    text = "Eins zwei. Drei „vier.“ Fünf sechs! Acht?\nZweite Zeile. Noch was."
    assert pieces(text, 100) == [
        ("Eins zwei. Drei „vier.“ Fünf sechs! Acht?", "\n"),
        ("Zweite Zeile. Noch was.", ""),
    ]
    cut = pieces(text, 24)
    assert cut[:2] == [("Eins zwei. Drei „vier.“", " "), ("Fünf sechs! Acht?", "\n")]
    assert "".join(piece + gap for piece, gap in cut) == text
    assert all(len(piece) <= 24 for piece, _ in cut)
    with pytest.raises(NoTranslation, match="longer than the engine's limit of 8"):
        pieces(text, 8)


# --- drafting ---------------------------------------------------------------------------------


def test_drafts_fill_only_untranslated_entries(drafting: Path, server: FakeServer) -> None:
    po = catalogue(drafting)
    reviewed, flagged = live(po)[0], live(po)[2]
    reviewed.msgstr = "Successful Customer Interactions"
    flagged.msgstr, flagged.flags = "Old guess", ["fuzzy", *flagged.flags]
    po.save()
    report = run(drafting)
    assert report.ok and report.drafted == len(live(po)) - 2
    assert report.requests == len(server.requests) == report.drafted
    after = live(catalogue(drafting))
    assert (after[0].msgstr, after[0].fuzzy, after[0].tcomment) == (reviewed.msgstr, False, "")
    assert (after[2].msgstr, after[2].tcomment) == ("Old guess", "")
    for entry in after[1:2] + after[3:]:
        assert entry.fuzzy and entry.tcomment == COMMENT
        assert entry.msgstr == capitals(entry.msgid)
    assert msgfmt_check(drafting / CATALOGUE).returncode == 0
    assert report.written == [drafting / CATALOGUE]


def test_build_ignores_drafts_unless_asked(drafting: Path) -> None:
    run(drafting)
    config = load_config(drafting)
    assert build(config).ok
    assert "DIE HERAUSFORDERUNGEN" not in (drafting / VARIANT).read_text(encoding="utf-8")
    assert build(config, include_fuzzy=True).ok
    assert "### DIE HERAUSFORDERUNGEN" in (drafting / VARIANT).read_text(encoding="utf-8")


def code_post(site: Path) -> Path:
    write_post(site, CODE_POST, f"---\ntitle: Code\n---\n{CODE_PARAGRAPH}\n\nEin Satz.\n")
    config = load_config(site)
    assert extract(config).ok and update(config).ok
    return Path("locales/en/LC_MESSAGES") / CODE_POST.replace(".md", ".po")


@pytest.mark.parametrize(
    ("behaviour", "reason"),
    [
        ("drop", "placeholder for '`git log`' missing"),
        ("mangle", "placeholder for '`git log`' missing"),
        ("brackets", "the Markdown changed: lost link_open 'https://git-scm.com/docs'"),
    ],
)
def test_a_draft_that_breaks_protected_material_is_not_written(
    drafting: Path, server: FakeServer, behaviour: str, reason: str
) -> None:
    path = code_post(drafting)
    server.then([], default=behaviour)
    report = run(drafting, post=CODE_POST)
    entries = {entry.msgid: entry for entry in catalogue(drafting, path)}
    broken = entries[CODE_PARAGRAPH]
    assert (broken.msgstr, broken.fuzzy) == ("", False)
    assert broken.tcomment.startswith(f"machine draft failed: libre 2024-05-06: {reason}")
    assert [(f.path, f.line) for f in report.failed] == [(drafting / path, broken.linenum)]
    assert report.failed[0].reason.startswith(reason)
    assert entries["Ein Satz."].msgstr == "EIN SATZ."
    # The next run asks again (a refused answer is not cached) and replaces the comment.
    server.then([], default="normal")
    assert run(drafting, post=CODE_POST).drafted == 1
    fixed = {entry.msgid: entry for entry in catalogue(drafting, path)}[CODE_PARAGRAPH]
    assert fixed.msgstr == "NUTZE `git log` UND [DIE DOKU](https://git-scm.com/docs) HEUTE."
    assert fixed.tcomment == COMMENT


def test_long_texts_are_sent_in_sentences_within_the_limit(
    bare_site: Path, server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POSTLINGO_TEST_LIBRE_KEY", SECRET)
    site = configure(bare_site, server)
    (site / "postlingo.toml").write_text(
        (site / "postlingo.toml").read_text(encoding="utf-8") + "max_chars = 300\n",
        encoding="utf-8",
    )
    report = run(site)
    assert report.ok
    assert max(len(text) for text in server.texts) <= 300
    assert len(server.texts) > report.drafted  # long paragraphs went in several pieces
    for entry in live(catalogue(site)):
        assert entry.msgstr == capitals(entry.msgid)


def test_an_interrupted_run_resumes_without_resending(drafting: Path, server: FakeServer) -> None:
    server.then(["normal", "normal"], default="500")
    report = run(drafting, batch=1)
    assert report.stopped is not None and report.drafted == 2
    assert "libre: HTTP 500 from the server (2 attempts); stopped" in str(report.stopped)
    assert sum(entry.fuzzy for entry in live(catalogue(drafting))) == 2
    first = [r.text for r in server.requests if r.behaviour == "normal"]
    server.requests.clear()
    server.then([], default="normal")
    report = run(drafting)
    assert report.ok and report.drafted == len(live(catalogue(drafting))) - 2
    assert not set(first) & set(server.texts)
    assert all(entry.fuzzy for entry in live(catalogue(drafting)))


class Interrupt:
    """A progress display whose user presses Ctrl-C after ``after`` segments."""

    def __init__(self, after: int):
        self.after, self.done = after, 0

    def start(self, total: int) -> None:
        pass

    def advance(self, segments: int, characters: int) -> None:
        self.done += segments
        if self.done == self.after:
            raise KeyboardInterrupt


def test_ctrl_c_keeps_what_is_finished(drafting: Path, server: FakeServer) -> None:
    with pytest.raises(KeyboardInterrupt):
        draft(load_config(drafting), DraftOptions(today=TODAY, batch=2), Interrupt(3))
    assert sum(entry.fuzzy for entry in live(catalogue(drafting))) == 3
    server.requests.clear()
    assert run(drafting).drafted == len(live(catalogue(drafting))) - 3
    assert len(server.requests) == len(live(catalogue(drafting))) - 3


def test_nothing_is_paid_for_twice(drafting: Path, server: FakeServer) -> None:
    fresh = (drafting / CATALOGUE).read_bytes()
    first = run(drafting)
    drafted = (drafting / CATALOGUE).read_bytes()
    (drafting / CATALOGUE).write_bytes(fresh)
    server.requests.clear()
    again = run(drafting)
    assert (again.requests, again.cached, len(server.requests)) == (0, first.requests, 0)
    assert (drafting / CATALOGUE).read_bytes() == drafted


def test_the_cache_is_per_engine_server(drafting: Path, server: FakeServer) -> None:
    run(drafting)
    config = load_config(drafting)
    moved: Config = dataclasses.replace(
        config, engines={"libre": {**config.engines["libre"], "url": server.url + "other/"}}
    )
    shutil.rmtree(drafting / "locales/en")
    assert update(config).ok
    server.requests.clear()
    report = draft(moved, DraftOptions(today=TODAY, backoff=0.0))
    assert report.cached == 0 and len(server.requests) == report.requests > 0


# --- the command line -----------------------------------------------------------------------


def test_dry_run_sends_and_writes_nothing(drafting: Path, server: FakeServer) -> None:
    before = snapshot(drafting)
    result = invoke("draft", "--root", drafting, "--dry-run")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    entries = live(catalogue(drafting))
    characters = sum(len(entry.msgid) for entry in entries)
    assert lines[0] == "memory: 0 segments would be drafted from memory, 0 characters sent"
    assert (
        lines[1] == f"libre: {len(entries)} segments, {characters:,} characters in "
        f"{len(entries)} requests would be sent; cost estimate: set price in [engines.libre] "
        "(per million characters)"
    )
    # then each segment the configured engine would be sent, with its characters
    listed = [line for line in lines if line.startswith("  ")]
    assert [int(line.split(": ")[1].split()[0].replace(",", "")) for line in listed] == [
        len(entry.msgid.strip()) for entry in entries
    ]
    assert all(f"{CATALOGUE}:" in line for line in listed)
    assert any(line.startswith("mymemory: ") for line in lines)  # every remote engine
    assert any(line.startswith("google: ") for line in lines)
    assert server.requests == [] and snapshot(drafting) == before
    only = invoke("draft", "--root", drafting, "--dry-run", "--engine", "memory")
    assert only.stdout == "memory: 0 segments would be drafted from memory, 0 characters sent\n"


def test_dry_run_counts_the_cache(drafting: Path, server: FakeServer) -> None:
    fresh = (drafting / CATALOGUE).read_bytes()
    run(drafting, limit=2)
    (drafting / CATALOGUE).write_bytes(fresh)
    result = invoke("draft", "--root", drafting, "--dry-run", "--engine", "libre")
    entries = len(live(catalogue(drafting)))
    assert result.stdout.startswith(f"libre: {entries} segments, ")
    assert f"in {entries - 2} requests would be sent (2 from the cache)" in result.stdout


def test_limit_post_and_lang_choose_what_is_drafted(drafting: Path, server: FakeServer) -> None:
    code_post(drafting)
    result = invoke("draft", "--root", drafting, "--limit", "1", "--post", "2024-*")
    assert result.exit_code == 0, result.output
    assert len(server.requests) == 1 and server.texts[0] in ("Code", CODE_PARAGRAPH)
    assert not any(entry.fuzzy for entry in catalogue(drafting))
    missing = invoke("draft", "--root", drafting, "--lang", "fr", "--post", "2024-*")
    assert missing.exit_code == 1
    assert "run 'postlingo update" in missing.stderr and "fr" in missing.stderr


def test_repeated_failures_stop_the_command_cleanly(drafting: Path, server: FakeServer) -> None:
    server.then(["normal"], default="500")
    result = invoke("draft", "--root", drafting)
    assert result.exit_code == 1
    assert f"drafted {drafting / CATALOGUE}" in result.stdout
    assert "libre: 1 drafted; " in result.stderr
    # The command's backoff (1 s) does not fit in engine_timeout (0.5 s): no second try.
    assert (
        "error: libre: HTTP 500 from the server (1 attempt, the next attempt would wait "
        "1 s; engine_timeout leaves 0." in result.stderr
    )
    assert len(server.requests) == 2


def test_an_engine_that_never_answers_ends_the_command(drafting: Path, server: FakeServer) -> None:
    server.then([], default="hang")
    result = invoke("draft", "--root", drafting)
    assert result.exit_code == 1
    assert "no complete answer within engine_timeout (0.5 s, 1 attempt); stopped" in result.stderr
    assert len(server.requests) == 1


def test_the_key_is_never_shown_or_written(drafting: Path, server: FakeServer) -> None:
    outputs = []
    for script in (["normal"] * 3 + ["403"], ["hang", "bad-json", "500", "500"]):
        server.then(script, default="normal")
        result = invoke("draft", "--root", drafting, "--limit", "3")
        outputs += [result.stdout, result.stderr]
    outputs.append(invoke("draft", "--root", drafting, "--dry-run").stdout)
    assert server.requests[0].key == SECRET  # the key was used
    forms = {SECRET, quote(SECRET, safe=""), quote_plus(SECRET)}
    for text in outputs:
        assert not any(form in text for form in forms), text
    files = [path for path in drafting.rglob("*") if path.is_file()]
    assert any(".cache" in path.parts for path in files)
    for path in files:
        data = path.read_bytes()
        assert not any(form.encode() in data for form in forms), path


def test_pseudo_engine_drafts_offline_for_layout_checks(bare_site: Path) -> None:
    config = load_config(bare_site)
    assert extract(config).ok and update(config).ok
    result = invoke("draft", "--root", bare_site, "--engine", "pseudo")
    assert result.exit_code == 0, result.output
    assert all(
        entry.fuzzy and "machine draft: pseudo " in entry.tcomment
        for entry in live(catalogue(bare_site))
    )
    built = invoke("build", "--root", bare_site, "--include-fuzzy")
    assert built.exit_code == 0, built.output
    heading = f"### {pseudo_translate('Die Herausforderungen')}"
    assert heading in (bare_site / VARIANT).read_text(encoding="utf-8")


def test_the_glossary_is_applied_to_drafts(
    bare_site: Path, server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POSTLINGO_TEST_LIBRE_KEY", SECRET)
    (bare_site / "glossary.csv").write_text(
        "source,target\nMicrosoft Teams,\nWerkzeug,tool\n", encoding="utf-8"
    )
    site = configure(bare_site, server, extra='glossary = "glossary.csv"\n')
    assert run(site).ok
    assert not any("Microsoft Teams" in text or "Werkzeug " in text for text in server.texts)
    drafts = " ".join(entry.msgstr for entry in live(catalogue(site)))
    assert "VON Microsoft Teams SEIT" in drafts  # kept as written, not in capitals
    assert "DAS EINE tool UND" in drafts
    assert "WERKZEUGE" in drafts  # another word: the engine's business


def test_drafts_survive_update(drafting: Path) -> None:
    run(drafting)
    outcome = update(load_config(drafting), check=True)
    assert outcome.ok and outcome.written == []


def test_an_unknown_engine_is_a_usage_error(drafting: Path) -> None:
    result = invoke("draft", "--root", drafting, "--engine", "babelfish")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: unknown engine 'babelfish' (known: deepl, google")
