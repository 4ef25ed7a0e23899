"""``status --format html``: the page, as headless Chromium loads it (with and without
JavaScript), and its screenshot."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import lxml.html
import polib
import pytest

from conftest import CATALOGUE, POST_NAME, SOURCE, invoke, write_post
from postlingo.drafts.draft import MARK
from postlingo.qa.html import word_diff
from postlingo.qa.status import MACHINE_DRAFT

HOSTILE = (
    '<script>document.title="pwned"</script><img src=x '
    "onerror=\"document.title='pwned'\"></td></tr></table><h1>fake</h1>"
)
NEWS, SHORT = "2024-03-01-neuigkeiten", "2024-03-02-kurz"
DRAFT = "A second paragraph, drafted by a machine."


def _ok(*args: str | Path) -> None:
    result = invoke(*args)
    assert result.exit_code == 0, result.output


def _catalogue(root: Path, name: str, language: str = "en") -> Path:
    return root / "locales" / language / "LC_MESSAGES" / f"{name}.po"


def make_report_site(site: Path) -> Path:
    """The example site with two languages and a post in every state: published (short),
    outdated (the example), below the threshold (news, and every French one); entries
    translated, fuzzy with a changed source, machine-drafted, hostile and untranslated."""
    toml = site / "postlingo.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace('languages = ["en"]', 'languages = ["en", "fr"]')
        + "\nthreshold = 50\n",
        encoding="utf-8",
    )
    write_post(
        site,
        f"{NEWS}.md",
        "---\ntitle: Neuigkeiten\n---\nEin erster Absatz.\n\n"
        "Ein zweiter Absatz.\n\nEin dritter Absatz.\n\nEin vierter Absatz.\n",
    )
    write_post(site, f"{SHORT}.md", "---\ntitle: Kurz\n---\nNur ein Absatz.\n")
    text = (site / SOURCE).read_text(encoding="utf-8")
    (site / SOURCE).write_text(
        text.replace("Wie haben Sie bisher", "Wie haben Sie früher"), encoding="utf-8"
    )
    _ok("extract", "--root", site)
    _ok("update", "--root", site)
    news = polib.pofile(str(_catalogue(site, NEWS)))
    news[0].msgstr = "News"
    news[1].msgstr = "A first paragraph."
    news[2].msgstr, news[2].flags = DRAFT, ["fuzzy"]
    news[2].tcomment = f"{MARK}: pseudo 2026-12-05"
    news[3].msgstr, news[3].flags = HOSTILE, ["fuzzy"]
    news.save()
    short = polib.pofile(str(_catalogue(site, SHORT)))
    short[0].msgstr, short[1].msgstr = "Short", "Only one paragraph."
    short.save()
    _ok("build", "--root", site, "--keep-going")
    example = polib.pofile(str(_catalogue(site, POST_NAME)))
    title = next(entry for entry in example if entry.msgctxt == "title")
    title.msgstr = "Successful Customer Interactions, revised"
    example.save()  # after the build: its variant is outdated
    return site


@pytest.fixture
def report_site(site: Path) -> Path:
    return make_report_site(site)


def _report(root: Path) -> Path:
    path = root / "report.html"
    result = invoke("status", "--root", root, "--format", "html", "--output", path)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    return path


def chromium(*args: str) -> str:
    found = shutil.which("chromium")
    assert found, "Debian's chromium is needed"
    run = subprocess.run(
        [found, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return run.stdout


def _dom(path: Path, script: bool = True) -> lxml.html.HtmlElement:
    if not script:
        # Chromium's --dump-dom needs JavaScript itself: the copy's own policy blocks the
        # page's script instead, as a browser without JavaScript would not run it.
        page = path.read_text(encoding="utf-8")
        blocked = path.with_name("no-script.html")
        blocked.write_text(
            re.sub(r"script-src 'sha256-[^']+'", "script-src 'none'", page), encoding="utf-8"
        )
        path = blocked
    return lxml.html.fromstring(chromium("--dump-dom", path.as_uri()))


def _words(path: Path) -> dict[str, int]:
    """The words of a catalogue's msgids by kind, counted here from polib."""
    counts = dict.fromkeys(("translated", "fuzzy", "machine", "untranslated"), 0)
    for entry in polib.pofile(str(path)):
        if entry.obsolete:
            continue
        n = len(entry.msgid.split())
        if not entry.msgstr:
            counts["untranslated"] += n
        elif not entry.fuzzy:
            counts["translated"] += n
        else:
            counts["machine" if MACHINE_DRAFT in (entry.tcomment or "") else "fuzzy"] += n
    return counts


def _bar(row: lxml.html.HtmlElement) -> dict[str, int]:
    return {
        rect.get("data-kind"): int(rect.get("data-words"))
        for rect in row.iter("{http://www.w3.org/2000/svg}rect", "rect")
    }


def test_the_page_in_chromium(report_site: Path) -> None:
    path = _report(report_site)
    dom = _dom(path)
    assert dom.findtext(".//title") == "Translation status: postlingo example site"
    # Self-contained: no element loads anything.
    assert not dom.xpath("//*[@src or @href] | //link | //iframe | //object")
    # Real tables with captions and header cells.
    for table in ("languages", "posts", "review"):
        node = dom.get_element_by_id(table)
        assert node.find("caption") is not None and node.xpath("thead/tr/th[@scope='col']")
        assert all(row.xpath("th[@scope='row']") for row in node.xpath("tbody/tr"))
    # The language bars count what the catalogues hold.
    languages = {
        row.get("data-language"): row
        for row in dom.get_element_by_id("languages").xpath("tbody/tr")
    }
    assert set(languages) == {"en", "fr"}
    for language, row in languages.items():
        expected = dict.fromkeys(("translated", "fuzzy", "machine", "untranslated"), 0)
        for name in (POST_NAME, NEWS, SHORT):
            for kind, n in _words(_catalogue(report_site, name, language)).items():
                expected[kind] += n
        assert _bar(row) == expected, language
        svg = row.xpath(".//*[local-name()='svg']")[0]
        assert svg.get("role") == "img" and svg.get("aria-label").startswith(f"{language}: ")
    assert _bar(languages["en"])["machine"] == len(["Ein", "zweiter", "Absatz."])
    assert languages["fr"].xpath("td[@data-kind='translated']")[0].text == "0"
    # Per post and language: the words and the variant's state.
    states = {
        (row.get("data-post"), row.get("data-language")): row.xpath("td[@data-state]")[0].get(
            "data-state"
        )
        for row in dom.get_element_by_id("posts").xpath("tbody/tr")
    }
    assert states == {
        (POST_NAME, "en"): "outdated",
        (SHORT, "en"): "published",
        (NEWS, "en"): "below threshold",
        (POST_NAME, "fr"): "below threshold",
        (SHORT, "fr"): "below threshold",
        (NEWS, "fr"): "below threshold",
    }
    # To review: each fuzzy entry with its file and line; the hostile draft is text.
    review = dom.get_element_by_id("review").xpath("tbody/tr")
    where = {row.xpath("th")[0].text_content(): row for row in review}
    example = polib.pofile(str(report_site / CATALOGUE))
    changed = next(entry for entry in example if entry.fuzzy)
    row = where[f"{CATALOGUE.as_posix()}:{changed.linenum}"]
    assert row.xpath(".//del")[0].text.strip() == "bisher"
    assert row.xpath(".//ins")[0].text.strip() == "früher"
    news = {entry.msgid: entry for entry in polib.pofile(str(_catalogue(report_site, NEWS)))}
    hostile_where = f"locales/en/LC_MESSAGES/{NEWS}.po:{news['Ein dritter Absatz.'].linenum}"
    assert where[hostile_where].xpath("td[contains(@class,'draft')]")[0].text_content() == HOSTILE
    drafted = where[f"locales/en/LC_MESSAGES/{NEWS}.po:{news['Ein zweiter Absatz.'].linenum}"]
    assert drafted.get("data-kind") == "machine draft"
    assert len(review) == 3
    # The hostile text made no element: one script (the page's own), no image, one h1.
    assert len(dom.xpath("//script")) == 1 and not dom.xpath("//img")
    assert len(dom.xpath("//h1")) == 1
    # With JavaScript (allowed by the page's hash): sort buttons and a filter field.
    assert dom.xpath("//table[@id='posts']/thead/tr/th/button[@class='sort']")
    assert dom.xpath("//label/input[@type='search'][@aria-controls='posts']")


def test_without_javascript_the_page_is_whole(report_site: Path) -> None:
    dom = _dom(_report(report_site), script=False)
    assert not dom.xpath("//button | //input")  # no control that would do nothing
    assert len(dom.get_element_by_id("posts").xpath("tbody/tr")) == 6
    assert len(dom.get_element_by_id("review").xpath("tbody/tr")) == 3


def test_sorting_and_filtering_where_javascript_runs(report_site: Path) -> None:
    """The page's script, driven by a test script (the copy's policy lets it run): a click
    on 'Words' sorts the posts by their word count, typing in the field hides rows."""
    page = _report(report_site).read_text(encoding="utf-8")
    policy = page[page.index('<meta http-equiv="Content-Security-Policy"') :]
    page = page.replace(policy[: policy.index(">") + 1], "")
    driver = """<script>
var th=[].slice.call(document.querySelectorAll('#posts thead th'));
th.filter(function(h){return h.textContent==='Words';})[0].querySelector('button').click();
var field=document.querySelector('input[aria-controls=posts]');
field.value='kurz';field.dispatchEvent(new Event('input'));
</script>"""
    copy = report_site / "driven.html"
    copy.write_text(page.replace("</body>", driver + "</body>"), encoding="utf-8")
    dom = _dom(copy)
    rows = dom.get_element_by_id("posts").xpath("tbody/tr")
    words = [int(row.xpath("td[@class='n']")[4].text) for row in rows]
    assert words == sorted(words) and words != [
        int(row.xpath("td[@class='n']")[4].text)
        for row in _dom(_report(report_site)).get_element_by_id("posts").xpath("tbody/tr")
    ]
    shown = [row.get("data-post") for row in rows if row.get("hidden") is None]
    assert shown == [SHORT, SHORT]


def test_screenshot(report_site: Path, tmp_path: Path) -> None:
    shot = tmp_path / "status.png"
    chromium(
        f"--screenshot={shot}",
        "--window-size=1100,900",
        "--hide-scrollbars",
        _report(report_site).as_uri(),
    )
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000


def test_word_diff_escapes_and_marks_words() -> None:
    assert word_diff("a <b> c", "a <i> c") == "a <del>&lt;b&gt;</del><ins>&lt;i&gt;</ins> c"
    assert word_diff("x y", "x y z") == "x y<ins> z</ins>"
    assert MARK == MACHINE_DRAFT  # status finds what draft writes


def test_to_stdout_and_bad_outputs(report_site: Path) -> None:
    result = invoke("status", "--root", report_site, "--format", "html")
    assert result.exit_code == 0 and result.stdout.startswith("<!DOCTYPE html>")
    bad = invoke(
        "status",
        "--root",
        report_site,
        "--format",
        "html",
        "--output",
        report_site / "postlingo.toml" / "report.html",
    )
    assert bad.exit_code == 2 and bad.stderr.startswith("error: ")
    assert len(bad.stderr.splitlines()) == 1 and "Traceback" not in bad.output
    table = invoke("status", "--root", report_site, "--output", report_site / "x.html")
    assert table.exit_code == 2 and "--format html, json or csv" in table.stderr
    assert not (report_site / "x.html").exists()
