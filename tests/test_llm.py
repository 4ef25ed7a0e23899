"""The ``openai`` engine against a real chat-completions server on 127.0.0.1: batches, the
protocol, ids that go missing or astray, broken answers, slow and hostile servers, changed
entries revised, memory first, and what a build publishes afterwards."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import polib
import pytest

from conftest import CATALOGUE, invoke, snapshot, write_post
from llm_server import HANG_LIMIT, ChatServer, capitals
from postlingo.config import load_config
from postlingo.drafts.draft import DraftOptions, draft
from postlingo.drafts.engines import make_engine
from postlingo.errors import ConfigError
from postlingo.pipeline import extract, update
from sitebuild import jekyll_build

TODAY = date(2024, 5, 6)
KEY_ENV = "LLM_TEST_KEY"
SECRET = "sk-test-0123456789abcdef"
MODEL = "test-model-7b"
MARK = f"machine draft: openai {MODEL} 2024-05-06"


def mark(day: date) -> str:
    return f"machine draft: openai {MODEL} {day.isoformat()}"


@pytest.fixture
def server() -> Iterator[ChatServer]:
    with ChatServer() as running:
        yield running


def configure(
    site: Path, server: ChatServer, options: str = "", top: str = "", key: bool = True
) -> Path:
    key_env = f'key_env = "{KEY_ENV}"\n' if key else ""
    with (site / "postlingo.toml").open("a", encoding="utf-8") as handle:
        handle.write(
            f'engine = "openai"\nengine_timeout = 1.0\nengine_retries = 2\n{top}'
            f'[engines.openai]\nurl = "{server.url}"\nmodel = "{MODEL}"\n'
            f"{key_env}{options}"
        )
    config = load_config(site)
    assert extract(config).ok and update(config).ok
    return site


@pytest.fixture
def drafting(bare_site: Path, server: ChatServer, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(KEY_ENV, SECRET)
    return configure(bare_site, server)


def live(site: Path, catalogue: Path = CATALOGUE) -> list[polib.POEntry]:
    return [entry for entry in polib.pofile(str(site / catalogue)) if not entry.obsolete]


def run(site: Path) -> object:
    return draft(load_config(site), DraftOptions(today=TODAY, backoff=0.0))


def assert_key_nowhere(site: Path, *outputs: str) -> None:
    for path in site.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path
    for output in outputs:
        assert SECRET not in output


# --- the protocol ---------------------------------------------------------------------------


def test_a_batch_of_n_segments_costs_one_request(drafting: Path, server: ChatServer) -> None:
    result = invoke("draft", "--root", drafting)
    assert result.exit_code == 0, result.output
    entries = live(drafting)
    assert len(entries) > 5 and len(server.calls) == 1  # not one request an entry
    for entry in entries:
        assert entry.fuzzy and entry.tcomment == mark(date.today()), entry
        assert entry.msgstr.strip() == capitals(entry.msgid).strip() or "[" in entry.msgid
    assert f"openai: {len(entries)} drafted; " in result.stderr
    assert "characters sent in 1 request" in result.stderr
    call = server.calls[0]
    assert call.authorization == f"Bearer {SECRET}"
    assert call.body["model"] == MODEL and call.body["temperature"] == 0.0
    assert call.body["response_format"]["type"] == "json_schema"
    payload = call.payload
    assert (payload["source_language"], payload["target_language"]) == ("de", "en")
    assert [s["id"] for s in payload["segments"]] == [str(n) for n in range(1, len(entries) + 1)]
    assert payload["title"]  # context: the post's title
    system = call.body["messages"][0]["content"]
    assert "[X1X]" in system and "placeholder" in system.lower()
    assert_key_nowhere(drafting, result.output)


def test_max_segments_sets_the_batch_size(
    bare_site: Path, server: ChatServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(KEY_ENV, SECRET)
    configure(bare_site, server, "max_segments = 2\n")
    assert run(bare_site).ok  # type: ignore[attr-defined]
    entries = live(bare_site)
    assert len(server.calls) == math.ceil(len(entries) / 2)
    assert all(len(call.segments) <= 2 for call in server.calls)
    assert all(entry.tcomment == MARK for entry in entries)


def test_concurrent_batches_draft_the_same(
    bare_site: Path, server: ChatServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(KEY_ENV, SECRET)
    configure(bare_site, server, "max_segments = 2\nconcurrency = 3\n")
    assert run(bare_site).ok  # type: ignore[attr-defined]
    entries = live(bare_site)
    assert all(entry.tcomment == MARK for entry in entries)
    sent = sorted(s["text"] for call in server.calls for s in call.segments)
    assert len(sent) == len(entries)


@pytest.mark.parametrize("behaviour", ["reorder", "extra", "fenced"])
def test_reordered_extra_or_fenced_answers_are_matched_by_id(
    drafting: Path, server: ChatServer, behaviour: str
) -> None:
    server.then([behaviour])
    assert run(drafting).ok  # type: ignore[attr-defined]
    entries = live(drafting)
    assert all(entry.tcomment == MARK for entry in entries)
    for entry in entries:
        assert "INVENTED" not in entry.msgstr and "ANOTHER TEXT" not in entry.msgstr
        if "[" not in entry.msgid:
            assert entry.msgstr.strip() == capitals(entry.msgid).strip()
    # the first id, given twice with two texts, was asked again alone
    assert len(server.calls) == (2 if behaviour == "extra" else 1)


def test_a_missing_id_is_asked_alone_once(drafting: Path, server: ChatServer) -> None:
    server.then(["missing"])
    assert run(drafting).ok  # type: ignore[attr-defined]
    assert len(server.calls) == 2 and len(server.calls[1].segments) == 1
    assert server.calls[1].segments[0] == server.calls[0].segments[-1]
    assert all(entry.tcomment == MARK for entry in live(drafting))


def test_an_id_missing_twice_is_left_untranslated_with_a_comment(
    drafting: Path, server: ChatServer
) -> None:
    server.then(["missing", "none"])
    report = run(drafting)
    assert report.ok  # type: ignore[attr-defined]
    entries = live(drafting)
    left = [entry for entry in entries if not entry.msgstr]
    assert len(left) == 1 and len(server.calls) == 2
    assert left[0].tcomment == (
        "machine draft failed: openai test-model-7b 2024-05-06: "
        "openai gave no translation (asked twice)"
    )
    assert sum(entry.tcomment == MARK for entry in entries) == len(entries) - 1


@pytest.mark.parametrize("behaviour", ["bad-json", "html"])
def test_an_invalid_answer_is_retried_then_stops_the_run(
    drafting: Path, server: ChatServer, behaviour: str
) -> None:
    before = snapshot(drafting)
    server.then([], default=behaviour)
    report = run(drafting)
    assert str(report.stopped) == (
        "openai: the answer was not the JSON asked for "  # type: ignore[attr-defined]
        "(3 attempts); stopped"
    )
    assert len(server.calls) == 3
    assert snapshot(drafting) == before  # nothing drafted, nothing cached


def test_429_with_retry_after_and_500s_are_retried(drafting: Path, server: ChatServer) -> None:
    server.then(["429", "500"])
    assert run(drafting).ok  # type: ignore[attr-defined]
    assert len(server.calls) == 3
    assert all(entry.tcomment == MARK for entry in live(drafting))


def test_a_long_retry_after_stops_at_once(drafting: Path, server: ChatServer) -> None:
    server.then(["429-long"])
    result = invoke("draft", "--root", drafting)
    assert result.exit_code == 1 and len(server.calls) == 1
    assert "the server asks to wait 3600 s (postlingo waits at most 60 s)" in result.stderr


def test_a_refused_key_stops_the_run_without_showing_it(drafting: Path, server: ChatServer) -> None:
    server.then([], default="401")
    result = invoke("draft", "--root", drafting)
    assert result.exit_code != 0 and len(server.calls) == 1
    assert f"openai: HTTP 401: the server refused the key in {KEY_ENV}" in result.stderr
    assert_key_nowhere(drafting, result.output)


@pytest.mark.parametrize("behaviour", ["hang", "trickle"])
def test_a_hanging_or_trickling_server_ends_at_the_deadline(
    drafting: Path, server: ChatServer, behaviour: str
) -> None:
    server.then([], default=behaviour)
    start = time.monotonic()
    result = invoke("draft", "--root", drafting)
    elapsed = time.monotonic() - start
    assert result.exit_code == 1 and len(server.calls) == 1
    assert "no complete answer within engine_timeout (1 s, 1 attempt); stopped" in result.stderr
    assert elapsed < HANG_LIMIT / 2  # cut at the deadline, not when the server gives up


def test_an_answer_echoing_the_key_is_never_written(drafting: Path, server: ChatServer) -> None:
    server.then([], default="echo-key")
    result = invoke("draft", "--root", drafting)
    assert result.exit_code == 1
    assert f"openai: the answer holds the value of {KEY_ENV} (a secret)" in result.stderr
    assert all(not entry.msgstr for entry in live(drafting))
    assert_key_nowhere(drafting, result.output)


INJECTIONS = [
    " {% include secret.html %}",
    " {{ site.title }}",
    " {::nomarkdown}<script>alert(1)</script>{:/}",
    " <img src=x onerror=alert(1)>",
]


def test_injected_liquid_or_kramdown_is_never_built(
    drafting: Path, server: ChatServer, tmp_path: Path
) -> None:
    server.appendix = "".join(INJECTIONS)
    server.then([], default="append")
    assert run(drafting).ok  # type: ignore[attr-defined]
    for entry in live(drafting):
        assert not entry.msgstr
        assert entry.tcomment.startswith(
            (
                "machine draft failed: openai test-model-7b 2024-05-06: the answer adds ",
                "machine draft failed: openai test-model-7b "
                "2024-05-06: the Markdown changed: gained ",
            )
        )
    assert invoke("build", "--root", drafting, "--include-fuzzy").exit_code == 0
    (drafting / "content/_includes").mkdir()
    (drafting / "content/_includes/secret.html").write_text("SECRET-INCLUDED\n")
    out = jekyll_build(drafting / "content", tmp_path / "out")
    pages = [path.read_text(encoding="utf-8") for path in (out / "en").rglob("*.html")]
    assert pages
    for page in pages:
        for word in ("SECRET-INCLUDED", "onerror", "<script>alert", "nomarkdown"):
            assert word not in page


# --- markup through placeholders ------------------------------------------------------------

MARKUP_POST = """---
title: Ein Beitrag mit Markup
layout: post
lang: de
---

Ein Satz mit Fußnote[^1] und noch einer[^note].

Ein Bild ![Ein Hund](/img/hund.png "Der Hund") im Text und ein [Link](https://example.org).

Ein <abbr title="Hypertext">HTML</abbr>-Wort und <kbd>Strg</kbd> in der Zeile.

Liquid: {{ site.title }} und {% raw %}{{ roh }}{% endraw %} mitten im Satz.

[^1]: Die erste Fußnote.
[^note]: Die zweite Fußnote mit `Code`.
"""


def test_footnotes_images_html_and_liquid_draft_and_build(
    drafting: Path, server: ChatServer, tmp_path: Path
) -> None:
    write_post(drafting, "2024-05-01-markup.md", MARKUP_POST)
    assert invoke("sync", "--root", drafting).exit_code in (0, 1)
    catalogue = Path("locales/en/LC_MESSAGES/2024-05-01-markup.po")
    assert run(drafting).ok  # type: ignore[attr-defined]
    entries = live(drafting, catalogue)
    assert entries and all(entry.tcomment == MARK for entry in entries), [
        (entry.msgid, entry.tcomment) for entry in entries if entry.tcomment != MARK
    ]
    result = invoke("build", "--root", drafting, "--include-fuzzy")
    assert result.exit_code == 0, result.output
    variant = (drafting / "content/_posts/en/2024-05-01-markup.md").read_text()
    assert "FUSSNOTE[^1]" in variant and '![EIN HUND](/img/hund.png "Der Hund")' in variant
    assert '<abbr title="Hypertext">HTML</abbr>' in variant and "{{ site.title }}" in variant
    out = jekyll_build(drafting / "content", tmp_path / "out")
    page = next(path for path in (out / "en").rglob("*.html") if "markup" in str(path))
    html = page.read_text(encoding="utf-8")
    assert 'src="/img/hund.png"' in html and "footnote" in html and "DIE ERSTE" in html


def test_the_taxonomy_catalogue_is_drafted(
    bare_site: Path, server: ChatServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(KEY_ENV, SECRET)
    write_post(
        bare_site,
        "2024-05-02-tags.md",
        "---\ntitle: Mit Schlagworten\nlayout: post\n"
        "lang: de\ncategories: [Werkzeuge]\ntags: [Übersetzung, Kunden]\n---\n\nText.\n",
    )
    configure(bare_site, server, top='taxonomy = ["categories", "tags"]\n')
    taxonomy = Path("locales/en/LC_MESSAGES/taxonomy.po")
    assert live(bare_site, taxonomy)
    assert run(bare_site).ok  # type: ignore[attr-defined]
    entries = live(bare_site, taxonomy)
    assert {entry.msgstr for entry in entries} >= {"ÜBERSETZUNG", "KUNDEN"}
    assert all(entry.tcomment == MARK for entry in entries)


# --- changed entries, memory, configuration ------------------------------------------------


def test_a_changed_entry_is_revised_from_its_old_translation(
    drafting: Path, server: ChatServer
) -> None:
    po = polib.pofile(str(drafting / CATALOGUE))
    entry = next(e for e in po if not e.obsolete and e.msgctxt is None and len(e.msgid) > 40)
    old_source, old_translation = entry.msgid, "An old human translation."
    entry.msgid = old_source + " Ein neuer Satz."
    entry.previous_msgid = old_source
    entry.msgstr = old_translation
    entry.flags.append("fuzzy")
    po.save()
    assert run(drafting).ok  # type: ignore[attr-defined]
    sent = [s for call in server.calls for s in call.segments if "old_translation" in s]
    assert len(sent) == 1 and sent[0]["old_translation"] == old_translation
    assert sent[0]["old_source"] == old_source and sent[0]["text"] == entry.msgid
    revised = next(e for e in live(drafting) if e.msgid == entry.msgid)
    assert revised.fuzzy and revised.msgstr == capitals(entry.msgid)
    assert revised.tcomment == MARK + " (revised)"
    assert revised.previous_msgid == old_source


def test_memory_runs_first_and_the_engine_gets_only_the_rest(
    drafting: Path, server: ChatServer
) -> None:
    entries = live(drafting)
    known = entries[-1]
    compendium = polib.POFile()
    compendium.metadata = {"Language": "en", "Content-Type": "text/plain; charset=UTF-8"}
    compendium.append(polib.POEntry(msgid=known.msgid, msgstr="From memory."))
    compendium.save(str(drafting / "compendium.po"))
    with (drafting / "postlingo.toml").open("r+", encoding="utf-8") as handle:
        text = handle.read()
        handle.seek(0)
        handle.write('compendia = ["compendium.po"]\n' + text)
    result = invoke("draft", "--root", drafting)
    assert result.exit_code == 0, result.output
    assert f"openai: {len(entries)} drafted (1 from memory)" in result.stderr
    sent = [s["text"] for call in server.calls for s in call.segments]
    assert known.msgid.strip() not in sent and len(sent) == len(entries) - 1
    drafted = next(e for e in live(drafting) if e.msgid == known.msgid)
    assert drafted.msgstr == "From memory."
    assert drafted.tcomment.startswith("machine draft: memory 20")


def test_the_default_engine_is_memory_and_sends_nothing(
    bare_site: Path, server: ChatServer
) -> None:
    config = load_config(bare_site)
    assert config.engine == "memory"
    assert extract(config).ok and update(config).ok
    result = invoke("draft", "--root", bare_site)
    assert result.exit_code == 0, result.output
    assert "memory: 0 drafted" in result.stderr and "offline: nothing sent" in result.stderr
    assert server.calls == []


def test_per_language_instructions_go_into_the_prompt(
    bare_site: Path, server: ChatServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a key for OpenAI goes to OpenAI's server only, never to another one (a local server)
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    configure(
        bare_site,
        server,
        '[engines.openai.instructions]\nen = "British spelling; address readers informally."\n',
        key=False,
    )
    assert run(bare_site).ok  # type: ignore[attr-defined]  # no key: a local server
    system = server.calls[0].body["messages"][0]["content"]
    assert system.endswith("British spelling; address readers informally.")
    assert server.calls[0].authorization is None
    assert_key_nowhere(bare_site)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ('url = "http://127.0.0.1:1/v1"\n', "needs its server and model"),
        (
            'url = "http://127.0.0.1:1/v1"\nmodel = "m"\nmax_segments = 0\n',
            "engines.openai.max_segments must be 1 or more",
        ),
        (
            'url = "http://127.0.0.1:1/v1"\nmodel = "m"\ntemperature = "hot"\n',
            "engines.openai.temperature must be int or float",
        ),
        (
            'url = "http://127.0.0.1:1/v1"\nmodel = "m"\nresponse_format = "xml"\n',
            "engines.openai.response_format must be one of",
        ),
        (
            'url = "http://127.0.0.1:1/v1"\nmodel = "m"\napi_key = "sk-x"\n',
            "keys never go in configuration files",
        ),
    ],
)
def test_openai_configuration_errors(bare_site: Path, options: str, message: str) -> None:
    with (bare_site / "postlingo.toml").open("a", encoding="utf-8") as handle:
        handle.write(f'engine = "openai"\n[engines.openai]\n{options}')
    result = invoke("draft", "--root", bare_site)
    assert result.exit_code == 2 and message in result.stderr, result.output
    assert "Traceback" not in result.output


def test_the_engine_reads_its_json_answer_alone(server: ChatServer) -> None:
    engine = make_engine("openai", {"url": server.url, "model": MODEL}, timeout=2.0, environ={})
    assert engine.translate("Hallo [X1X] Welt", "de", "en") == "HALLO [X1X] WELT"
    assert json.loads(server.calls[0].body["messages"][1]["content"])["segments"] == [
        {"id": "1", "text": "Hallo [X1X] Welt"}
    ]
    with pytest.raises(ConfigError, match="needs its server and model"):
        make_engine("openai", {"url": server.url}, environ={})


def test_the_documented_configurations_load(
    bare_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each TOML block of docs/drafting.md's "Drafting with an LLM" is a valid configuration
    whose engine can be made."""
    text = (Path(__file__).parents[1] / "docs/drafting.md").read_text(encoding="utf-8")
    section = text.split("## Drafting with an LLM", 1)[1].split("\n## ", 1)[0]
    blocks = [block.split("```", 1)[0] for block in section.split("```toml\n")[1:]]
    assert len(blocks) == 3
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    monkeypatch.setenv("DEEPL_AUTH_KEY", SECRET)
    original = (bare_site / "postlingo.toml").read_text(encoding="utf-8")
    for block in blocks:
        top, _, tables = block.partition("\n[")
        (bare_site / "postlingo.toml").write_text(
            top + "\n" + original + ("\n[" + tables if tables else ""), encoding="utf-8"
        )
        if "glossary-{lang}" in block:
            (bare_site / "glossary-en.csv").write_text("source,target\nKunde,customer\n")
        config = load_config(bare_site)
        engine = make_engine(config.engine, config.engines.get(config.engine, {}))
        assert engine.name == config.engine in ("openai", "deepl")


def test_dry_run_lists_what_openai_would_be_sent_and_writes_nothing(
    drafting: Path, server: ChatServer
) -> None:
    with (drafting / "postlingo.toml").open("a", encoding="utf-8") as handle:
        handle.write("max_segments = 4\nprice = 150.0\n")  # into [engines.openai]
    before = snapshot(drafting)
    result = invoke("draft", "--root", drafting, "--dry-run")
    assert result.exit_code == 0, result.output
    entries = live(drafting)
    characters = sum(len(entry.msgid.strip()) for entry in entries)
    lines = result.stdout.splitlines()
    assert lines[0] == "memory: 0 segments would be drafted from memory, 0 characters sent"
    requests = math.ceil(len(entries) / 4)
    assert lines[1] == (
        f"openai: {len(entries)} segments, {characters:,} characters in "
        f"{requests} requests would be sent; cost estimate "
        f"{characters * 150 / 1e6:.2f} at 150 per million characters"
    )
    listed = [line for line in lines if line.startswith("  ")]
    assert len(listed) == len(entries)
    assert any(line.startswith("deepl: ") for line in lines)  # the others, to compare
    assert server.calls == [] and snapshot(drafting) == before
