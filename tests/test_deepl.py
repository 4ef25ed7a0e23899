"""DeepL through its official client, pointed (``url`` -> ``server_url``) at a loopback
server speaking DeepL's API: batches, XML tag handling for placeholders, formality, context
and glossaries made from the project's glossary CSV (once per content, reused, the stale
ones deleted)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import polib
import pytest

from conftest import CATALOGUE, write_post
from deepl_server import DeeplServer
from postlingo.config import load_config
from postlingo.drafts.draft import DraftOptions, draft
from postlingo.pipeline import extract, update

TODAY = date(2024, 5, 6)
KEY = "deepl-test-key-0123456789:fx"


@pytest.fixture
def server() -> Iterator[DeeplServer]:
    with DeeplServer() as running:
        yield running


def configure(site: Path, server: DeeplServer, glossary: str | None, options: str = "") -> Path:
    top = 'glossary = "glossary.csv"\n' if glossary is not None else ""
    if glossary is not None:
        (site / "glossary.csv").write_text(glossary, encoding="utf-8")
    with (site / "postlingo.toml").open("r+", encoding="utf-8") as handle:
        text = handle.read()
        handle.seek(0)
        handle.write(
            top + text + f'engine = "deepl"\nengine_timeout = 5\n'
            f'[engines.deepl]\nurl = "{server.url}"\n{options}'
        )
    config = load_config(site)
    assert extract(config).ok and update(config).ok
    return site


@pytest.fixture
def drafting(bare_site: Path, server: DeeplServer, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DEEPL_AUTH_KEY", KEY)
    return bare_site


def run(site: Path) -> None:
    report = draft(load_config(site), DraftOptions(today=TODAY, backoff=0.0))
    assert report.ok, report


def reset(site: Path) -> None:
    """Every entry untranslated again, the draft cache gone: the next run asks DeepL."""
    po = polib.pofile(str(site / CATALOGUE))
    for entry in po:
        entry.msgstr, entry.flags, entry.tcomment = "", [], ""
    po.save()
    shutil.rmtree(site / "locales/.cache")


def live(site: Path) -> list[polib.POEntry]:
    return [entry for entry in polib.pofile(str(site / CATALOGUE)) if not entry.obsolete]


GLOSSARY = "source,target\nKunden,clients\nKundeninteraktion,customer interaction\n"


def test_texts_go_in_batches_with_tags_formality_and_context(
    drafting: Path, server: DeeplServer
) -> None:
    configure(drafting, server, None, 'formality = "prefer_less"\n')
    run(drafting)
    entries = live(drafting)
    sent = server.calls("POST", "/v2/translate")
    assert len(sent) == 1  # every text of the post in one request (at most 50)
    body = sent[0].body
    assert len(body["text"]) == len(entries)
    assert body["tag_handling"] == "xml" and body["ignore_tags"] == ["x"]
    assert body["formality"] == "prefer_less"
    assert (body["source_lang"], body["target_lang"]) == ("DE", "EN-GB")
    assert body["context"].startswith(entries[0].msgid)  # the title, not billed
    for entry in entries:
        assert entry.fuzzy and entry.tcomment == "machine draft: deepl 2024-05-06"
    assert "glossary_id" not in body and not server.calls("POST", "/v2/glossaries")


def test_placeholders_travel_as_xml_tags(drafting: Path, server: DeeplServer) -> None:
    write_post(
        drafting,
        "2024-05-01-markup.md",
        "---\ntitle: Markup & mehr\nlayout: post\n"
        "lang: de\n---\n\nEin [Link](https://example.org) mit `Code` & a < b.\n",
    )
    configure(drafting, server, None)
    run(drafting)
    texts = [text for seen in server.calls("POST", "/v2/translate") for text in seen.body["text"]]
    assert 'Ein [Link]<x i="1"/> mit <x i="2"/> &amp; a &lt; b.' in texts
    po = polib.pofile(str(drafting / "locales/en/LC_MESSAGES/2024-05-01-markup.po"))
    drafted = {entry.msgid: entry.msgstr for entry in po}
    assert (
        drafted["Ein [Link](https://example.org) mit `Code` & a < b."]
        == "EIN [LINK](https://example.org) MIT `Code` & A < B."
    )


def test_a_glossary_is_made_once_and_reused(drafting: Path, server: DeeplServer) -> None:
    configure(drafting, server, GLOSSARY)
    run(drafting)
    made = server.calls("POST", "/v2/glossaries")
    assert len(made) == 1
    assert made[0].body["name"].startswith("postlingo de-en ")
    assert (made[0].body["source_lang"], made[0].body["target_lang"]) == ("DE", "EN")
    assert made[0].body["entries"] == "Kunden\tclients\nKundeninteraktion\tcustomer interaction"
    glossary = next(iter(server.glossaries))
    translate = server.calls("POST", "/v2/translate")
    assert translate and all(seen.body["glossary_id"] == glossary for seen in translate)
    # a second run finds the same glossary by its name: none made
    reset(drafting)
    server.requests.clear()
    run(drafting)
    assert server.calls("GET", "/v2/glossaries") and not server.calls("POST", "/v2/glossaries")
    assert server.calls("POST", "/v2/translate")[0].body["glossary_id"] == glossary


def test_a_changed_glossary_replaces_the_stale_one(drafting: Path, server: DeeplServer) -> None:
    configure(drafting, server, GLOSSARY)
    run(drafting)
    stale = next(iter(server.glossaries))
    server.glossaries["other"] = {
        **server.glossaries[stale],
        "glossary_id": "other",
        "name": "the team's own glossary",
    }
    (drafting / "glossary.csv").write_text(GLOSSARY + "Beitrag,post\n", encoding="utf-8")
    reset(drafting)
    run(drafting)
    assert stale not in server.glossaries  # deleted: its content is no longer the CSV's
    assert "other" in server.glossaries  # not postlingo's: never touched
    assert len(server.calls("POST", "/v2/glossaries")) == 2
    assert len(server.calls("DELETE", f"/v2/glossaries/{stale}")) == 1
    new = [g for g in server.glossaries.values() if g["name"].startswith("postlingo ")]
    assert len(new) == 1 and new[0]["entries"]["Beitrag"] == "post"


def test_glossary_false_sends_none(drafting: Path, server: DeeplServer) -> None:
    configure(drafting, server, GLOSSARY, "glossary = false\n")
    run(drafting)
    assert not server.calls("GET", "/v2/glossaries") and not server.glossaries
    assert all("glossary_id" not in seen.body for seen in server.calls("POST", "/v2/translate"))
