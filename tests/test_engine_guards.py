"""Engines as an attacker would run one: a real HTTP server on 127.0.0.1 (``libre_server``)
that answers too much, too slowly, asks to wait an hour, echoes the key or injects Liquid and
kramdown; and a draft cache that a crash cut short, or that a symbolic link or the
configuration sends out of the site. Every test ends within a few seconds (one deadline of
at most 1 s, servers that stop when the test ends) and counts the requests it caused."""

from __future__ import annotations

import base64
import dataclasses
import json
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from urllib.parse import quote, quote_plus

import polib
import pytest

from conftest import CATALOGUE, VARIANT, invoke, snapshot, write_post
from libre_server import HUGE, FakeServer, capitals
from postlingo.config import load_config
from postlingo.drafts.draft import DraftOptions, draft
from postlingo.drafts.engines import DeeplEngine, EngineError, LibreEngine, make_engine
from postlingo.errors import ConfigError
from postlingo.lock import LockError
from postlingo.pipeline import extract, update
from sitebuild import jekyll_build

SECRET = "k3y-Secret/Value+42=="  # characters a URL escapes, a base64-looking tail
KEY_ENV = "POSTLINGO_TEST_LIBRE_KEY"
TODAY = date(2024, 5, 6)
CACHE = Path("locales/.cache/drafts/libre.jsonl")
TIMEOUT = 1.0  # engine_timeout of these tests, seconds
SLACK = 3.0  # seconds a cut-off request may take beyond its deadline on a busy machine


def libre(server: FakeServer, **policy: object) -> LibreEngine:
    settings = {
        "timeout": TIMEOUT,
        "retries": 2,
        "backoff": 0.0,
        "environ": {"LIBRE_API_KEY": SECRET},
        **policy,
    }
    engine = make_engine("libre", {"url": server.url}, **settings)
    assert isinstance(engine, LibreEngine)
    return engine


def deepl(server: FakeServer, **policy: object) -> DeeplEngine:
    settings = {
        "timeout": TIMEOUT,
        "retries": 2,
        "backoff": 0.0,
        "environ": {"DEEPL_AUTH_KEY": SECRET},
        **policy,
    }
    engine = make_engine("deepl", {"url": server.url}, **settings)
    assert isinstance(engine, DeeplEngine)
    return engine


def configure(site: Path, server: FakeServer, extra: str = "") -> Path:
    """The site drafts with libre at ``server`` (key in KEY_ENV); catalogues exist."""
    with (site / "postlingo.toml").open("a", encoding="utf-8") as handle:
        handle.write(
            f'engine = "libre"\nengine_timeout = {TIMEOUT}\nengine_retries = 1\n'
            f'{extra}[engines.libre]\nurl = "{server.url}"\nkey_env = "{KEY_ENV}"\n'
        )
    config = load_config(site)
    assert extract(config).ok and update(config).ok
    return site


@pytest.fixture
def drafting(bare_site: Path, server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(KEY_ENV, SECRET)
    return configure(bare_site, server)


def live(site: Path) -> list[polib.POEntry]:
    return [entry for entry in polib.pofile(str(site / CATALOGUE)) if not entry.obsolete]


def timed(action: object) -> float:
    started = time.monotonic()
    action()  # type: ignore[operator]
    return time.monotonic() - started


# --- answers too large ----------------------------------------------------------------------


@pytest.mark.parametrize("behaviour", ["huge", "huge-unsized", "gzip-bomb"])
def test_a_huge_answer_is_refused_while_it_arrives(server: FakeServer, behaviour: str) -> None:
    server.then([behaviour])
    engine = libre(server, max_answer=100_000)
    with pytest.raises(
        EngineError,
        match=r"libre: the answer is larger than "
        r"engine_max_answer \(100,000 bytes\); refused, nothing written",
    ):
        engine.translate("Hallo", "de", "en")
    assert len(server.requests) == 1  # refused at once, not retried


def test_deepl_answers_are_limited_too(server: FakeServer) -> None:
    server.then(["huge-unsized"])
    with pytest.raises(EngineError, match="larger than engine_max_answer"):
        deepl(server, max_answer=100_000).translate("Hallo", "DE", "EN-GB")
    assert len(server.requests) == 1


def test_the_default_limit_refuses_the_18_mb_answer(drafting: Path, server: FakeServer) -> None:
    server.then(["normal", "huge"])
    before = (drafting / CATALOGUE).read_bytes()
    result = invoke("draft", "--root", drafting, "--limit", "3")
    assert result.exit_code == 1
    assert result.stderr.rstrip().endswith(
        "error: libre: the answer is larger than engine_max_answer (1,000,000 bytes); "
        "refused, nothing written; stopped"
    )
    assert len(server.requests) == 2 and HUGE > 1_000_000
    drafts = [entry for entry in live(drafting) if entry.msgstr]
    assert len(drafts) == 1 and drafts[0].msgstr == capitals(drafts[0].msgid)  # the first
    assert (drafting / CATALOGUE).read_bytes() != before
    assert all(len(line) < 1000 for line in (drafting / CACHE).read_text().splitlines())


def test_an_answer_far_longer_than_its_text_is_not_used(drafting: Path, server: FakeServer) -> None:
    server.appendix = " und so weiter" * 400  # 5,600 characters for a short title
    server.then(["append"])
    report = draft(load_config(drafting), DraftOptions(today=TODAY, backoff=0.0, limit=2))
    assert report.ok and report.drafted == 1 and len(server.requests) == 2
    assert "characters long for a text of" in report.failed[0].reason
    assert not live(drafting)[0].msgstr


def test_a_bloated_answer_in_an_old_cache_is_not_used(drafting: Path, server: FakeServer) -> None:
    fresh = (drafting / CATALOGUE).read_bytes()
    first = draft(load_config(drafting), DraftOptions(today=TODAY, backoff=0.0, limit=2))
    assert first.requests == 2
    bloated = [{**record, "text": record["text"] * 2000} for record in records(drafting)]
    (drafting / CACHE).write_text("".join(json.dumps(r) + "\n" for r in bloated))
    (drafting / CATALOGUE).write_bytes(fresh)
    again = draft(load_config(drafting), DraftOptions(today=TODAY, backoff=0.0, limit=2))
    assert (again.cached, again.drafted, len(again.failed)) == (2, 0, 2)
    assert all("characters long for a text of" in f.reason for f in again.failed)
    assert not any(entry.msgstr for entry in live(drafting))


def test_engine_max_answer_is_checked(drafting: Path) -> None:
    text = (drafting / "postlingo.toml").read_text(encoding="utf-8")
    (drafting / "postlingo.toml").write_text(f"engine_max_answer = 0\n{text}", encoding="utf-8")
    result = invoke("draft", "--root", drafting)
    assert result.exit_code == 2
    assert "'engine_max_answer' must be more than 0" in result.stderr


# --- the deadline ---------------------------------------------------------------------------


@pytest.mark.parametrize("behaviour", ["trickle", "trickle-headers", "hang"])
def test_a_slow_server_is_cut_at_the_deadline(server: FakeServer, behaviour: str) -> None:
    # A byte every 0.2 s never trips a socket timeout: 200 bytes would take 40 s.
    server.then([], default=behaviour)
    engine = libre(server)

    def translate() -> None:
        with pytest.raises(
            EngineError,
            match=r"no complete answer within engine_timeout "
            r"\(1 s, 1 attempt\); stopped",
        ):
            engine.translate("Hallo", "de", "en")

    assert timed(translate) < TIMEOUT + SLACK
    assert len(server.requests) == 1  # no time was left for another attempt


@pytest.mark.parametrize("behaviour", ["trickle", "hang"])
def test_deepl_is_cut_at_the_deadline_too(server: FakeServer, behaviour: str) -> None:
    server.then([], default=behaviour)
    engine = deepl(server)

    def translate() -> None:
        with pytest.raises(EngineError, match="no complete answer within engine_timeout"):
            engine.translate("Hallo", "DE", "EN-GB")

    assert timed(translate) < TIMEOUT + SLACK
    assert len(server.requests) == 1


def test_the_deadline_covers_retries_and_their_waits(server: FakeServer) -> None:
    # Every answer is a 500: attempts and backoff waits share the one deadline.
    server.then([], default="500")
    engine = libre(server, retries=50, backoff=0.3)

    def translate() -> None:
        with pytest.raises(
            EngineError,
            match=r"HTTP 500 from the server \(\d attempts, the "
            r"next attempt would wait [\d.]+ s; engine_timeout leaves",
        ):
            engine.translate("Hallo", "de", "en")

    assert timed(translate) < TIMEOUT + SLACK
    assert 2 <= len(server.requests) <= 3  # waits 0.3 + 0.6 fit in 1 s, 1.2 does not


@pytest.mark.parametrize(
    ("behaviour", "asked"), [("429-long", "3600 s"), ("429-date", "3[56]\\d\\d(\\.\\d+)? s")]
)
def test_a_retry_after_beyond_the_cap_stops_at_once(
    server: FakeServer, behaviour: str, asked: str
) -> None:
    server.then([behaviour])
    waits: list[float] = []
    engine = libre(server, sleep=waits.append, timeout=600.0)
    with pytest.raises(
        EngineError,
        match=f"HTTP 429: too many requests \\(1 attempt, the "
        f"server asks to wait {asked} \\(postlingo waits at most 60 s\\)\\)",
    ):
        engine.translate("Hallo", "de", "en")
    assert waits == [] and len(server.requests) == 1


def test_a_retry_after_beyond_the_deadline_stops_at_once(server: FakeServer) -> None:
    server.then(["429-5"])
    waits: list[float] = []
    with pytest.raises(
        EngineError,
        match=r"the server asks to wait 5 s; engine_timeout "
        r"leaves [01]\.\d s\); stopped",
    ):
        libre(server, sleep=waits.append).translate("Hallo", "de", "en")
    assert waits == [] and len(server.requests) == 1


def test_a_retry_after_within_cap_and_deadline_is_honoured(server: FakeServer) -> None:
    server.then(["429-5"])
    waits: list[float] = []
    assert libre(server, sleep=waits.append, timeout=30.0).translate("Hallo", "de", "en") == "HALLO"
    assert waits == [5.0] and len(server.requests) == 2


def test_deepl_honours_retry_after_from_its_answer(server: FakeServer) -> None:
    server.then(["429-long"])
    with pytest.raises(EngineError, match="the server asks to wait 3600 s"):
        deepl(server, timeout=600.0).translate("Hallo", "DE", "EN-GB")
    assert len(server.requests) == 1


def test_draft_on_a_trickling_server_ends_at_the_deadline(
    drafting: Path, server: FakeServer
) -> None:
    server.then(["normal"], default="trickle")
    before = snapshot(drafting)

    def run() -> None:
        result = invoke("draft", "--root", drafting)
        assert result.exit_code == 1
        assert (
            "error: libre: no complete answer within engine_timeout (1 s, 1 attempt); "
            "stopped" in result.stderr
        )

    assert timed(run) < TIMEOUT + SLACK + 1.0
    assert len(server.requests) == 2
    assert sum(bool(entry.msgstr) for entry in live(drafting)) == 1
    changed = {path for path, data in snapshot(drafting).items() if before.get(path) != data}
    assert changed == {CATALOGUE, CACHE, CACHE.parent / ".gitignore"}


# --- secrets --------------------------------------------------------------------------------


def secret_forms(secret: str) -> list[bytes]:
    forms = [
        secret,
        quote(secret, safe=""),
        quote_plus(secret),
        base64.b64encode(secret.encode()).decode().rstrip("="),
    ]
    return [form.encode() for form in forms]


def assert_secret_nowhere(site: Path, outputs: list[str], secret: str = SECRET) -> None:
    for text in outputs:
        assert not any(form.decode() in text for form in secret_forms(secret)), text
    for path in site.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert not any(form in data for form in secret_forms(secret)), path


@pytest.mark.parametrize(
    "behaviour", ["echo-key", "echo-key-url", "echo-key-b64", "echo-key-entities"]
)
def test_an_answer_echoing_the_key_is_never_written(
    drafting: Path, server: FakeServer, behaviour: str
) -> None:
    server.then(["normal", behaviour], default="normal")
    outputs = []
    for args in (["draft"], ["--debug", "draft"]):
        result = invoke(*args, "--root", drafting)
        assert result.exit_code == 1
        assert (
            f"error: libre: the answer holds the value of {KEY_ENV} (a secret); refused, "
            "nothing written; stopped" in result.stderr
        )
        outputs += [result.stdout, result.stderr]
        server.then([behaviour], default="normal")
    assert server.requests[1].key == SECRET and len(server.requests) == 3
    assert sum(bool(entry.msgstr) for entry in live(drafting)) == 1
    assert_secret_nowhere(drafting, outputs)


def test_an_echoed_key_in_full_width_or_split_over_lines_is_refused(server: FakeServer) -> None:
    wide = "".join(chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char for char in SECRET)
    for trick in (wide, "\u200b".join(SECRET), SECRET.upper()):
        server.appendix = f" {trick}"
        server.then(["append"])
        with pytest.raises(EngineError, match="holds the value of LIBRE_API_KEY"):
            libre(server).translate("Hallo", "de", "en")


def test_any_configured_secret_is_refused(
    drafting: Path, server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Not the key sent: another engine's key and a CI token in the environment.
    monkeypatch.setenv("DEEPL_AUTH_KEY", "deepl-secret-0123456789")
    monkeypatch.setenv("CI_DEPLOY_TOKEN", "ghp_0123456789abcdef")
    for variable, value in (
        ("DEEPL_AUTH_KEY", "deepl-secret-0123456789"),
        ("CI_DEPLOY_TOKEN", "ghp_0123456789abcdef"),
    ):
        server.appendix = f" {value}"
        server.then(["append"])
        result = invoke("draft", "--root", drafting, "--limit", "1")
        assert result.exit_code == 1
        assert f"the answer holds the value of {variable} (a secret)" in result.stderr
        assert_secret_nowhere(drafting, [result.stdout, result.stderr], value)
    assert not any(entry.msgstr for entry in live(drafting))


def test_a_key_split_over_two_pieces_of_one_entry_is_refused(
    drafting: Path, server: FakeServer
) -> None:
    # A long paragraph goes in two sentences; each answer carries half of the key, which
    # only the whole draft holds (a blank between them, as the pieces are joined).
    sentence = "Ein Satz mit " + "vielen Worten " * 14
    write_post(drafting, "2024-02-02-lang.md", f"{sentence}heute. {sentence}morgen.\n")
    with (drafting / "postlingo.toml").open("a", encoding="utf-8") as handle:
        handle.write("max_chars = 300\n")
    config = load_config(drafting)
    assert extract(config).ok and update(config).ok
    half = len(SECRET) // 2
    server.additions = [("", f" {SECRET[:half]}"), (f"{SECRET[half:]} ", "")]
    server.then([], default="wrap")
    report = draft(config, DraftOptions(today=TODAY, backoff=0.0, post="2024-02-02-*"))
    assert len(server.requests) == 2 and server.additions == []
    assert report.stopped is not None and "holds the value of" in str(report.stopped)
    assert_secret_nowhere(drafting, [str(report.stopped)])


# --- markup injected by the engine ----------------------------------------------------------

INJECTIONS = {
    "liquid": " {% include secret.html %}",
    "output": " {{ site.title }}",
    "nomarkdown": " {::nomarkdown}<{:/}img src=x onerror=alert(1){::nomarkdown}>{:/}",
    "ial": ' *x*{: onclick="alert(1)"}',
    "html": " <img src=x onerror=alert(1)>",
    "entity": " &#60;script&#62;alert(1)&#60;/script&#62;",
}


@pytest.mark.parametrize("kind", sorted(INJECTIONS))
def test_injected_markup_is_never_published(drafting: Path, server: FakeServer, kind: str) -> None:
    server.appendix = INJECTIONS[kind]
    server.then([], default="append")
    report = draft(load_config(drafting), DraftOptions(today=TODAY, backoff=0.0))
    assert report.ok and len(server.requests) == len(live(drafting))
    for entry in live(drafting):
        assert not entry.msgstr, entry  # refused: left untranslated, with the reason
        assert entry.tcomment.startswith("machine draft failed: libre 2024-05-06: the ")
    result = invoke("build", "--root", drafting, "--include-fuzzy")
    assert result.exit_code == 0, result.output
    variant = (drafting / VARIANT).read_text(encoding="utf-8")
    for word in ("secret.html", "nomarkdown", "onerror", "onclick", "&#60;", "site.title"):
        assert word not in variant


def test_injected_kramdown_is_not_in_the_built_html(
    drafting: Path, server: FakeServer, tmp_path: Path
) -> None:
    server.appendix = INJECTIONS["nomarkdown"] + INJECTIONS["liquid"]
    server.then([], default="append")
    assert draft(load_config(drafting), DraftOptions(today=TODAY, backoff=0.0)).ok
    assert invoke("build", "--root", drafting, "--include-fuzzy").exit_code == 0
    (drafting / "content/_includes").mkdir()
    (drafting / "content/_includes/secret.html").write_text("SECRET-INCLUDED\n")
    out = jekyll_build(drafting / "content", tmp_path / "out")
    pages = [path.read_text(encoding="utf-8") for path in (out / "en").rglob("*.html")]
    assert pages and any("Challenges" in page or "Herausforderungen" in page for page in pages)
    for page in pages:
        assert "onerror" not in page and "SECRET-INCLUDED" not in page


# --- the cache ------------------------------------------------------------------------------


def records(site: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in (site / CACHE).read_text().splitlines()]


def test_a_torn_last_record_is_dropped_and_swallows_nothing(
    drafting: Path, server: FakeServer
) -> None:
    fresh = (drafting / CATALOGUE).read_bytes()
    first = draft(load_config(drafting), DraftOptions(today=TODAY, backoff=0.0))
    whole = (drafting / CACHE).read_bytes()
    assert first.requests == len(records(drafting)) > 3
    # A crash cut the last record short: the journal ends inside a line.
    (drafting / CACHE).write_bytes(whole[:-25])
    (drafting / CATALOGUE).write_bytes(fresh)
    server.requests.clear()
    again = draft(load_config(drafting), DraftOptions(today=TODAY, backoff=0.0))
    assert (again.cached, again.requests, len(server.requests)) == (first.requests - 1, 1, 1)
    assert (drafting / CACHE).read_bytes() == whole  # the torn piece went, the record is new
    (drafting / CATALOGUE).write_bytes(fresh)
    server.requests.clear()
    third = draft(load_config(drafting), DraftOptions(today=TODAY, backoff=0.0))
    assert (third.cached, third.requests, len(server.requests)) == (first.requests, 0, 0)


def test_a_damaged_line_in_the_middle_costs_only_itself(drafting: Path, server: FakeServer) -> None:
    fresh = (drafting / CATALOGUE).read_bytes()
    first = draft(load_config(drafting), DraftOptions(today=TODAY, backoff=0.0))
    lines = (drafting / CACHE).read_bytes().split(b"\n")
    lines[1] = lines[1][:10]
    (drafting / CACHE).write_bytes(b"\n".join(lines))
    (drafting / CATALOGUE).write_bytes(fresh)
    again = draft(load_config(drafting), DraftOptions(today=TODAY, backoff=0.0))
    assert (again.cached, again.requests) == (first.requests - 1, 1)


def test_a_cache_folder_linked_out_of_the_site_is_refused(
    drafting: Path, server: FakeServer, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (drafting / "locales/.cache").mkdir()
    (drafting / "locales/.cache/drafts").symlink_to(outside, target_is_directory=True)
    before = snapshot(drafting)
    result = invoke("draft", "--root", drafting)
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"error: {drafting / 'locales/.cache/drafts'}: draft cache: a symbolic link; the "
        "cache is written only into real folders inside the site"
    )
    assert list(outside.iterdir()) == [] and server.requests == []
    assert snapshot(drafting) == before


def test_a_cache_file_linked_out_of_the_site_is_refused(
    drafting: Path, server: FakeServer, tmp_path: Path
) -> None:
    target = tmp_path / "elsewhere.jsonl"
    target.write_text("")
    (drafting / CACHE).parent.mkdir(parents=True)
    (drafting / CACHE).symlink_to(target)
    result = invoke("draft", "--root", drafting)
    assert result.exit_code == 1
    assert f"error: {drafting / CACHE}: draft cache: cannot be opened" in result.stderr
    assert target.read_text() == "" and server.requests == []


def test_a_fifo_as_cache_is_refused_not_waited_for(drafting: Path, server: FakeServer) -> None:
    (drafting / CACHE).parent.mkdir(parents=True)
    os.mkfifo(drafting / CACHE)
    result = invoke("draft", "--root", drafting)
    assert result.exit_code == 1
    assert f"error: {drafting / CACHE}: draft cache: not a regular file" in result.stderr
    assert server.requests == []


@pytest.mark.parametrize("value", ["../../x", "/tmp/postlingo-cache", "drafts/../../x"])
def test_a_draft_cache_outside_the_root_is_a_configuration_error(
    drafting: Path, server: FakeServer, value: str
) -> None:
    good = load_config(drafting)
    text = (drafting / "postlingo.toml").read_text(encoding="utf-8")
    (drafting / "postlingo.toml").write_text(f'draft_cache = "{value}"\n{text}', encoding="utf-8")
    before = snapshot(drafting.parent)
    for args in (["draft"], ["draft", "--dry-run"]):
        result = invoke(*args, "--root", drafting)
        assert result.exit_code == 2
        assert result.stderr.startswith(f"error: {drafting / 'postlingo.toml'}:1: ")
        assert "'draft_cache'" in result.stderr and len(result.stderr.splitlines()) == 1
    # A configuration made in Python (not read from the file) meets the same check at use.
    config = dataclasses.replace(good, draft_cache=value)
    with pytest.raises(
        ConfigError,
        match=f"configuration key 'draft_cache' must name a "
        f"folder inside the site's root, not '{value}'",
    ):
        draft(config, DraftOptions(today=TODAY, backoff=0.0))
    assert snapshot(drafting.parent) == before and server.requests == []
    assert not Path("/tmp/postlingo-cache").exists()


def test_a_draft_cache_inside_the_root_is_used(drafting: Path, server: FakeServer) -> None:
    text = (drafting / "postlingo.toml").read_text(encoding="utf-8")
    (drafting / "postlingo.toml").write_text(f'draft_cache = "cache/mt"\n{text}', encoding="utf-8")
    report = draft(load_config(drafting), DraftOptions(today=TODAY, backoff=0.0, limit=2))
    assert report.ok and len(records_at(drafting / "cache/mt/libre.jsonl")) == 2


def records_at(path: Path) -> list[str]:
    return path.read_text().splitlines()


# --- the lock -------------------------------------------------------------------------------


def test_the_library_draft_takes_the_sites_lock(drafting: Path, server: FakeServer) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\nfrom postlingo.lock import site_lock\n"
            f"with site_lock(__import__('pathlib').Path({str(drafting)!r})):\n"
            "    print('held', flush=True)\n    sys.stdin.readline()\n",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        config = load_config(drafting, lock_wait=0.2)
        with pytest.raises(LockError):
            draft(config, DraftOptions(today=TODAY, backoff=0.0))
        assert server.requests == [] and not any(entry.msgstr for entry in live(drafting))
        # A dry run writes nothing: it needs no lock.
        assert draft(config, DraftOptions(dry_run=True)).ok
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=10)
    assert draft(load_config(drafting), DraftOptions(today=TODAY, backoff=0.0, limit=1)).ok


def test_a_value_the_post_itself_shows_is_no_leak(
    drafting: Path, server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SSH_KEY names a path the post mentions: translating it is no leak, the run goes on.
    monkeypatch.setenv("SSH_KEY", "/home/autor/.ssh/id_ed25519")
    write_post(
        drafting,
        "2024-03-03-ssh.md",
        "Der Schlüssel liegt in /home/autor/.ssh/id_ed25519 bereit.\n",
    )
    config = load_config(drafting)
    assert extract(config).ok and update(config).ok
    report = draft(config, DraftOptions(today=TODAY, backoff=0.0, post="2024-03-03-*"))
    assert report.ok and report.drafted == 1 and len(server.requests) == 1
