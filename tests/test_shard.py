"""``check --shard K/N``: stable shards of the posts whose reports add up to the whole one."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import polib
import pytest

from conftest import invoke, write_post
from postlingo.qa.shard import shard_of

SHARDS = 3


def _findings(*args: str | Path) -> tuple[Counter[tuple[object, ...]], set[str]]:
    result = invoke("check", "--strict", "--format", "json", *args)
    assert result.exit_code in (0, 1), result.output
    data = json.loads(result.stdout)
    found = Counter(
        (f["path"], f["line"], f["rule"], f["level"], f["message"]) for f in data["findings"]
    )
    return found, set(data["checked"])


@pytest.fixture
def many(site: Path) -> Path:
    """The example site with 12 more posts in every state: translated, half done, fuzzy, with
    a broken translation, without a catalogue; tags in a shared taxonomy catalogue, an
    orphan catalogue, and minimums that the totals miss."""
    with (site / "postlingo.toml").open("a", encoding="utf-8") as handle:
        handle.write(
            'taxonomy = ["tags"]\nmin_percent = 90\nmin_percent_language = 90\n'
            "min_percent_post = 50\n"
        )
    for n in range(12):
        write_post(
            site,
            f"2024-01-{n + 1:02d}-beitrag-{n}.md",
            f"---\ntitle: Beitrag {n}\ntags: [Thema{n % 3}]\n---\n"
            f"Ein **erster** Absatz {n}.\n\nEin [Link](https://example.org/{n}) hier.\n\n"
            f"Noch ein Absatz mit `code` {n}.\n",
        )
    assert invoke("extract", "--root", site).exit_code == 0
    assert invoke("update", "--root", site).exit_code == 0
    for n in range(12):
        path = site / f"locales/en/LC_MESSAGES/2024-01-{n + 1:02d}-beitrag-{n}.po"
        if n % 4 == 3:
            path.unlink()  # no catalogue: counted from the template
            continue
        po = polib.pofile(str(path))
        for i, entry in enumerate(po):
            if n % 4 == 0 or i < n % 4:
                entry.msgstr = entry.msgid.replace("Absatz", "paragraph")
            if n % 4 == 1 and i == 0:
                entry.flags.append("fuzzy")
            if n % 4 == 2 and "Link" in entry.msgid:
                entry.msgstr = "A link lost."  # the link is gone: a rule finds it
        po.save(str(path))
    orphan = site / "locales/en/LC_MESSAGES/gone.po"
    orphan.write_bytes((site / "locales/en/LC_MESSAGES/2024-01-01-beitrag-0.po").read_bytes())
    return site


def test_the_shards_add_up_to_the_whole_check(many: Path) -> None:
    whole, checked = _findings("--root", many)
    rules = {rule for _, _, rule, _, _ in whole}
    # The site has findings of every kind a shard must not lose or repeat.
    assert {"completeness", "orphan", "untranslated", "fuzzy"} <= rules, rules
    assert any("taxonomy" in str(path) for path in checked)
    parts = [_findings("--root", many, "--shard", f"{k}/{SHARDS}") for k in range(1, 4)]
    union: Counter[tuple[object, ...]] = Counter()
    for found, _ in parts:
        union += found
    assert union == whole  # nothing lost, nothing twice
    assert set().union(*(part for _, part in parts)) == checked
    assert sum(len(part) for _, part in parts) == len(checked)  # each catalogue once
    # The site's totals and orphans come from shard 1 only.
    site_wide = {
        (path, rule)
        for path, _, rule, _, _ in whole
        if rule == "orphan" or (rule == "completeness" and not str(path).endswith(".po"))
    }
    assert len(site_wide) >= 3  # the orphan, the language's and the site's totals
    for found, _ in parts[1:]:
        assert not site_wide & {(path, rule) for path, _, rule, _, _ in found}
    # Each shard does part of the posts.
    assert all(part for _, part in parts)


def test_a_post_keeps_its_shard_when_others_come_and_go() -> None:
    names = [f"2024-05-{n:02d}-post" for n in range(1, 29)]
    before = {name: shard_of(name, 4) for name in names}
    after = {name: shard_of(name, 4) for name in ["2024-04-30-new", *names[5:]]}
    assert all(after[name] == before[name] for name in names[5:])
    assert set(before.values()) == {1, 2, 3, 4}  # spread over every shard
    # Fixed values: the same on every machine and Python version (not ``hash()``).
    assert [shard_of("a", 4), shard_of("b", 4), shard_of("2024-05-01-post", 7)] == [3, 3, 2]


@pytest.mark.parametrize("value", ["0/2", "3/2", "1/0", "a/b", "1", "1/2/3", "-1/2"])
def test_a_bad_shard_is_one_line(site: Path, value: str) -> None:
    result = invoke("check", "--root", site, "--shard", value)
    assert result.exit_code == 2, result.output  # the command line is wrong
    assert result.stderr.startswith("error: --shard"), result.stderr
    assert "Traceback" not in result.output
