"""The example site after `postlingo sync`, built by Debian's jekyll with jekyll-polyglot."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import invoke, make_site
from sitebuild import jekyll_build

PAGE = "arbeitskultur/werkzeuge/2021/01/05/erfolgreiche-kundeninteraktionen.html"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One Jekyll build (about half a second) shared by the tests below."""
    root = make_site(tmp_path_factory.mktemp("jekyll") / "site")
    result = invoke("sync", "--root", root)
    assert result.exit_code == 0, result.output
    return jekyll_build(root / "content", root.parent / "_site")


def html_lang(html: str) -> str:
    match = re.search(r'<html lang="([^"]*)">', html)
    assert match, html[:300]
    return match.group(1)


def title(html: str) -> str:
    match = re.search(r"<title>(.*?)</title>", html, re.S)
    assert match, html[:300]
    return match.group(1).strip()


def test_english_page_is_english(built: Path) -> None:
    html = (built / "en" / PAGE).read_text(encoding="utf-8")
    assert html_lang(html) == "en"
    assert title(html) == "Successful Customer Interactions"
    assert "<h1>Successful Customer Interactions</h1>" in html
    assert "How have you been engaging with your customers up to now?" in html
    assert '<h3 id="the-challenges">The Challenges</h3>' in html
    assert "Wie haben Sie bisher" not in html
    assert "Die Herausforderungen" not in html


def test_german_page_stays_german(built: Path) -> None:
    html = (built / PAGE).read_text(encoding="utf-8")
    assert html_lang(html) == "de"
    assert title(html) == "Erfolgreiche Kundeninteraktionen"
    assert "Wie haben Sie bisher mit Ihren Kunden agiert?" in html
    assert '<h3 id="die-herausforderungen">Die Herausforderungen</h3>' in html
    assert "How have you been" not in html


def test_each_index_links_its_own_language(built: Path) -> None:
    english = (built / "en/index.html").read_text(encoding="utf-8")
    german = (built / "index.html").read_text(encoding="utf-8")
    assert html_lang(english) == "en" and html_lang(german) == "de"
    assert f'href="/en/{PAGE}" hreflang="en">Successful Customer Interactions</a>' in english
    assert f'href="/{PAGE}" hreflang="de">Erfolgreiche Kundeninteraktionen</a>' in german
    # One post per language: the variant is not listed as a second German post.
    assert german.count("<li>") == 1 and english.count("<li>") == 1
