"""postlingo status: counts of entries and words, totals, variant states, leftovers, formats."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import polib
import pytest

from conftest import CATALOGUE, POST_NAME, TEMPLATE, VARIANT, invoke, write_post
from postlingo import workers
from postlingo.config import load_config
from postlingo.incremental import sync
from postlingo.qa import status as status_module
from postlingo.qa.check import Options, check
from postlingo.qa.status import ALL, TOTAL, orphan_catalogues, status, totals

sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))
from sitegen import generate


def words(text: str) -> int:
    return len(text.split())


def test_counts_entries_and_words(example: Path) -> None:
    po = polib.pofile(str(example / CATALOGUE))
    live = [entry for entry in po if not entry.obsolete]
    live[1].flags.append("fuzzy")
    live[2].msgstr = ""
    po.append(polib.POEntry(msgid="Alter Text", msgstr="Old text", obsolete=True))
    po.save()
    rows, errors = status(load_config(example))
    assert errors == []
    (row,) = rows
    assert (row.translated, row.fuzzy, row.untranslated, row.obsolete) == (4, 1, 1, 1)
    assert row.words == sum(words(entry.msgid) for entry in live)
    assert row.words_fuzzy == words(live[1].msgid)
    assert row.words_untranslated == words(live[2].msgid)
    assert row.words_translated == row.words - row.words_fuzzy - row.words_untranslated
    assert row.percent == pytest.approx(100 * 4 / 6)


def test_variant_states(example: Path) -> None:
    config = load_config(example)
    assert [row.variant for row in status(config)[0]] == ["current"]
    variant = example / VARIANT
    variant.write_text(variant.read_text(encoding="utf-8") + "\nvon Hand\n", encoding="utf-8")
    assert [row.variant for row in status(config)[0]] == ["outdated"]
    variant.unlink()
    assert [row.variant for row in status(config)[0]] == ["missing"]
    po = polib.pofile(str(example / CATALOGUE))
    po[2].msgstr = "The Challenges\n\nand more"
    po.save()
    rows, errors = status(config)
    assert [row.variant for row in rows] == ["fails"]
    assert [(error.path, error.line) for error in errors] == [
        (example / CATALOGUE, polib.pofile(str(example / CATALOGUE))[2].linenum)
    ]


def test_fuzzy_translations_count_for_the_variant_only_when_asked(example: Path) -> None:
    po = polib.pofile(str(example / CATALOGUE))
    po[2].flags.append("fuzzy")
    po.save()
    config = load_config(example)
    assert [row.variant for row in status(config)[0]] == ["outdated"]
    assert [row.variant for row in status(config, include_fuzzy=True)[0]] == ["current"]


def test_totals_per_language_and_overall(example: Path) -> None:
    write_post(example, "2021-02-01-kurz.md", "---\ntitle: Kurz\n---\nEin Satz.\n")
    config_file = example / "postlingo.toml"
    config_file.write_text(
        config_file.read_text().replace('["en"]', '["en", "fr"]'), encoding="utf-8"
    )
    config = load_config(example)
    assert sync(config).ok
    rows, _ = status(config)
    assert [(row.name, row.language) for row in rows] == [
        ("2021-01-05-erfolgreiche-kundeninteraktionen", "en"),
        ("2021-01-05-erfolgreiche-kundeninteraktionen", "fr"),
        ("2021-02-01-kurz", "en"),
        ("2021-02-01-kurz", "fr"),
    ]
    en = totals(rows, "en", config.locales_dir)
    assert (en.name, en.language, en.translated, en.untranslated) == (TOTAL, "en", 6, 2)
    everything = totals(rows, None, config.locales_dir)
    assert (everything.language, everything.translated, everything.total) == (ALL, 6, 16)
    assert everything.words == 2 * sum(row.words for row in rows if row.language == "en")


def test_orphans(example: Path) -> None:
    config = load_config(example)
    assert orphan_catalogues(config) == []
    old = example / "locales/en/LC_MESSAGES/2020/alt.po"
    old.parent.mkdir()
    shutil.copy2(example / CATALOGUE, old)
    other_language = example / "locales/fr/LC_MESSAGES/alt.po"  # not a configured language
    other_language.parent.mkdir(parents=True)
    shutil.copy2(example / CATALOGUE, other_language)
    pot = example / "locales/templates/alt.pot"
    shutil.copy2(example / TEMPLATE, pot)
    assert orphan_catalogues(config) == [pot, old]


# --- the command -------------------------------------------------------------------------------


def test_table_in_a_ci_log_keeps_names_whole(example: Path) -> None:
    """Output that is not a terminal (a CI log) is as wide as the table needs."""
    shutil.copy2(example / CATALOGUE, example / "locales/en/LC_MESSAGES/alt.po")
    result = invoke("status", "--root", example)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == [
        "post",
        "lang",
        "translated",
        "fuzzy",
        "untranslated",
        "obsolete",
        "words",
        "%",
        "variant",
    ]
    assert [POST_NAME, "en", "6", "0", "0", "0", "397/397", "100", "current"] in [
        line.split() for line in lines
    ]
    assert [TOTAL, "en", "6", "0", "0", "0", "397/397", "100"] in [line.split() for line in lines]
    assert lines[-2:] == [
        "Without a source post:",
        f"  {example / 'locales/en/LC_MESSAGES/alt.po'}",
    ]


def test_table_without_catalogue(example: Path) -> None:
    shutil.rmtree(example / "locales/en")
    result = invoke("status", "--root", example)
    assert result.exit_code == 0, result.output
    assert [POST_NAME, "en", "-", "-", "-", "-", "-", "-", "no", "catalogue"] in [
        line.split() for line in result.stdout.splitlines()
    ]


def test_json(example: Path) -> None:
    result = invoke("status", "--root", example, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    (row,) = data["catalogues"]
    assert row == {
        "post": POST_NAME,
        "language": "en",
        "catalogue": str(example / CATALOGUE),
        "entries": 6,
        "translated": 6,
        "fuzzy": 0,
        "untranslated": 0,
        "obsolete": 0,
        "words": 397,
        "words_translated": 397,
        "words_fuzzy": 0,
        "words_untranslated": 0,
        "percent": 100.0,
        "variant": "current",
    }
    assert data["languages"]["en"]["translated"] == 6
    assert data["total"]["language"] == ALL
    assert data["without_source"] == []


def test_csv(example: Path) -> None:
    (example / VARIANT).unlink()
    pot = example / "locales/templates/alt.pot"
    shutil.copy2(example / TEMPLATE, pot)
    result = invoke("status", "--root", example, "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["post"], r["language"], r["translated"], r["variant"]) for r in rows] == [
        (POST_NAME, "en", "6", "missing"),
        (TOTAL, "en", "6", ""),
        (TOTAL, ALL, "6", ""),
        ("(no source)", "", "", ""),
    ]
    assert rows[-1]["catalogue"] == str(pot)


def test_unknown_format_is_a_usage_error(example: Path) -> None:
    assert invoke("status", "--root", example, "--format", "xml").exit_code == 2


_PIDS: list[Path] = []  # the file where the spy below notes the processes it ran in


def _posts_status_noting_pid(*args: Any) -> Any:
    with _PIDS[0].open("a", encoding="utf-8") as handle:
        handle.write(f"{os.getpid()}\n")
    return _POSTS_STATUS(*args)


_POSTS_STATUS = status_module._posts_status


def test_status_and_check_spread_over_processes_find_what_one_process_finds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 80 posts: enough for two worker processes (workers.MIN_BATCH is 40 a worker).
    root = tmp_path / "site"
    generate(root, 80, ["en"])
    assert sync(load_config(root)).ok
    catalogue = sorted((root / "locales/en/LC_MESSAGES").glob("*.po"))[3]
    po = polib.pofile(str(catalogue))
    po[0].msgstr = "Translated, with a broken [link](http://x"  # findings of several rules
    po.save(str(catalogue))
    monkeypatch.setattr(sys.modules[__name__], "_PIDS", [tmp_path / "pids"])
    monkeypatch.setattr(status_module, "_posts_status", _posts_status_noting_pid)
    spread = (status(load_config(root)), check(load_config(root), Options(strict=True)))
    pids = set((tmp_path / "pids").read_text(encoding="utf-8").split())
    monkeypatch.setattr(workers, "MIN_BATCH", 10**9)  # now all in this process
    alone = (status(load_config(root)), check(load_config(root), Options(strict=True)))
    assert spread == alone
    assert len(spread[1].findings) > 80
    assert len(pids) == 2 and str(os.getpid()) not in pids
