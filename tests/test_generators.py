"""Generator configurations that would publish the wrong thing: each is a `check` finding
(rule `generator`, the config file and line, what to change) and a warning of `sync`; each
fires on a site that has it and is silent once the site is right. Where it matters, the
real build shows what the finding is about."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import fill_catalogue, invoke
from postlingo.config import load_config
from postlingo.site.generators import generator_findings
from sitebuild import hugo_build, jekyll_build
from test_init import hugo_site, jekyll_site, polyglot_site, write

JEKYLL = 'layout = "jekyll"\nposts = ["_posts/**/*.md"]\n'
POLYGLOT = 'layout = "jekyll-polyglot"\nposts = ["_posts/**/*.md"]\n'
HUGO = 'layout = "hugo"\nposts = ["content/**/*.md"]\n'
HUGO_DIRECTORY = 'layout = "hugo"\nhugo_content = "directory"\nposts = ["content/de/**/*.md"]\n'
GOOD_JEKYLL = "exclude: [locales, postlingo.toml]\n"
GOOD_POLYGLOT = GOOD_JEKYLL + "languages: [de, en]\ndefault_lang: de\n"
HUGO_LANGUAGES = (
    'defaultContentLanguage = "de"\n[languages.de]\nweight = 1\n[languages.en]\nweight = 2\n'
)


HUGO_HEAD = 'baseURL = "https://example.org/"\ntitle = "Mein Blog"\n'
DIRECTORY_LANGUAGES = (
    'defaultContentLanguage = "de"\n[languages.de]\ncontentDir = "content/de"\n'
    '[languages.en]\ncontentDir = "content/en"\n'
)


def configured(site: Path, toml: str, extra: str = "", name: str = "_config.yml") -> Path:
    """``site`` with ``toml`` as postlingo.toml and ``extra`` added to its generator config
    (a Hugo config is its head and ``extra``: top-level keys come before tables)."""
    (site / "postlingo.toml").write_text(toml, encoding="utf-8")
    path = site / name
    if name.endswith(".toml"):
        path.write_text(HUGO_HEAD + extra, encoding="utf-8")
    else:
        original = path.with_suffix(".original")
        if not original.exists():
            original.write_bytes(path.read_bytes())
        path.write_text(original.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return site


def lines_of(site: Path) -> list[str]:
    """The generator findings `check` prints, each without the site's folder."""
    result = invoke("check", "--root", site)
    return [
        line.removeprefix(f"{site}/")
        for line in result.stdout.splitlines()
        if ": generator: " in line
    ]


@pytest.mark.parametrize(
    ("make", "toml", "extra", "expected", "fixed"),
    [
        (
            jekyll_site,
            JEKYLL,
            "",
            "_config.yml:6: generator: Jekyll would publish locales and postlingo.toml: "
            "add exclude: [locales, postlingo.toml]",
            GOOD_JEKYLL,
        ),
        (
            polyglot_site,
            POLYGLOT,
            GOOD_JEKYLL + "default_lang: de\n",
            "_config.yml: generator: jekyll-polyglot is not among the plugins: every variant would "
            "replace its source's page; add jekyll-polyglot to plugins",
            None,
        ),
        (
            polyglot_site,
            POLYGLOT,
            GOOD_JEKYLL + "languages: [de]\ndefault_lang: de\n",
            "_config.yml:6: generator: polyglot's languages lack en: "
            "add them (languages: [de, en])",
            GOOD_POLYGLOT,
        ),
        (
            polyglot_site,
            POLYGLOT,
            GOOD_JEKYLL + "languages: [de, en]\n",
            "_config.yml: generator: polyglot's default_lang is 'en', not the posts' language: set "
            "default_lang: de",
            GOOD_POLYGLOT,
        ),
        (
            jekyll_site,
            JEKYLL,
            GOOD_JEKYLL + "permalink: /:year/:title/\n",
            "_config.yml:10: generator: permalink '/:year/:title/' has no :categories: "
            "every variant would get its source's URL and replace its page; "
            "begin it with /:categories",
            GOOD_JEKYLL + "permalink: /:categories/:year/:title/\n",
        ),
        (
            polyglot_site,
            POLYGLOT + 'taxonomy = ["tags", "categories"]\n',
            GOOD_POLYGLOT,
            "postlingo.toml:3: generator: 'categories' is translated (taxonomy) while the "
            "permalink ('date') holds :categories: each variant's URL would move; remove "
            "'categories' from taxonomy, or use a permalink without :categories",
            GOOD_POLYGLOT + "permalink: /:year/:month/:title/\n",
        ),
        (
            hugo_site,
            HUGO,
            'defaultContentLanguage = "de"\n',
            "hugo.toml: generator: Hugo's languages lack de, en: each variant would replace its "
            "source's page; add [languages.de]",
            HUGO_LANGUAGES,
        ),
        (
            hugo_site,
            HUGO,
            "[languages.de]\n[languages.en]\n",
            "hugo.toml: generator: Hugo's defaultContentLanguage is 'en', not the posts' language: "
            'set defaultContentLanguage = "de"',
            HUGO_LANGUAGES,
        ),
        (
            lambda root: hugo_site(root, by_directory=True),
            HUGO_DIRECTORY,
            DIRECTORY_LANGUAGES.replace('contentDir = "content/en"\n', ""),
            'hugo.toml:4: generator: Hugo\'s [languages.en] needs contentDir = "content/en" (posts '
            "by directory)",
            DIRECTORY_LANGUAGES,
        ),
    ],
    ids=[
        "jekyll-exclude",
        "polyglot-plugin",
        "polyglot-languages",
        "polyglot-default",
        "jekyll-permalink",
        "categories",
        "hugo-languages",
        "hugo-default",
        "hugo-content-dir",
    ],
)
def test_finding_fires_and_is_silent_once_fixed(
    tmp_path: Path,
    make: Callable[[Path], Path],
    toml: str,
    extra: str,
    expected: str,
    fixed: str | None,
) -> None:
    site = make(tmp_path / "site")
    name = "hugo.toml" if (site / "hugo.toml").exists() else "_config.yml"
    if fixed is None:  # (the plugin is missing: take it out of the site's config)
        path = site / name
        path.write_text(path.read_text().replace("plugins: [jekyll-polyglot]\n", ""))
        fixed = extra + "plugins: [jekyll-polyglot]\nlanguages: [de, en]\n"
        extra += "languages: [de, en]\n"
    configured(site, toml, extra, name)
    assert lines_of(site) == [expected]
    result = invoke("sync", "--root", site)
    assert result.exit_code == 0, result.output
    shown = expected.replace(": generator: ", ": ", 1)
    assert f"warning: {site}/{shown}\n" in result.stderr
    configured(site, toml, fixed, name)
    assert lines_of(site) == [], (site / name).read_text()


def test_the_example_site_is_right(example: Path) -> None:
    assert generator_findings(load_config(example)) == []
    assert lines_of(example) == []


def test_translated_categories_in_front_matter_too(tmp_path: Path) -> None:
    site = configured(
        polyglot_site(tmp_path / "site"),
        POLYGLOT + 'front_matter = ["title", "categories"]\n',
        GOOD_POLYGLOT,
    )
    assert [line.split(": generator: ")[1].split(" while")[0] for line in lines_of(site)] == [
        "'categories' is translated (front_matter)"
    ]


def test_a_check_level_turns_it_into_a_warning(tmp_path: Path) -> None:
    site = configured(
        hugo_site(tmp_path / "site"), HUGO + '[check]\ngenerator = "warning"\n', name="hugo.toml"
    )
    assert invoke("sync", "--root", site).exit_code == 0
    result = invoke("check", "--root", site)
    assert result.exit_code == 0, result.output
    assert [line.split(": ")[1] for line in lines_of(site)] == ["generator"] * 2
    assert "2 warnings" in result.stderr


# --- what the findings are about, in real builds -------------------------------------------


def english(site: Path) -> None:
    for path in sorted((site / "locales/en/LC_MESSAGES").rglob("*.po")):
        fill_catalogue(
            path, lambda entry: {"Hallo Welt": "Hello world"}.get(entry.msgid, entry.msgid)
        )


def test_hugo_without_languages_publishes_english_instead_of_german(tmp_path: Path) -> None:
    site = configured(hugo_site(tmp_path / "site"), HUGO, name="hugo.toml")
    assert invoke("sync", "--root", site).exit_code == 0
    english(site)
    assert invoke("sync", "--root", site).exit_code == 0
    built = hugo_build(site)
    assert "Hello world" in (built / "posts/hallo/index.html").read_text()  # the trap
    configured(site, HUGO, HUGO_LANGUAGES, "hugo.toml")
    assert lines_of(site) == []
    built = hugo_build(site, tmp_path / "fixed")
    assert "Hallo Welt" in (built / "posts/hallo/index.html").read_text()
    assert "Hello world" in (built / "en/posts/hallo/index.html").read_text()


def test_jekyll_without_exclude_publishes_the_catalogues(tmp_path: Path) -> None:
    site = configured(jekyll_site(tmp_path / "site"), JEKYLL)
    assert invoke("sync", "--root", site).exit_code == 0
    built = jekyll_build(site)
    assert (built / "postlingo.toml").is_file() and (built / "locales").is_dir()  # the trap
    configured(site, JEKYLL, GOOD_JEKYLL)
    assert lines_of(site) == []
    built = jekyll_build(site, tmp_path / "fixed")
    assert not (built / "postlingo.toml").exists() and not (built / "locales").exists()


# --- plain Jekyll: a post's own permalink ---------------------------------------------------


def test_plain_jekyll_variant_gets_its_own_permalink_and_keeps_it(tmp_path: Path) -> None:
    site = configured(jekyll_site(tmp_path / "site"), JEKYLL + 'slug = "translate"\n', GOOD_JEKYLL)
    write(
        site,
        {
            "_posts/2024-01-04-schon.md": (
                "---\nlayout: post\ntitle: Schon da\npermalink: /de/schon/\nlang: de\n---\nText.\n"
            )
        },
    )
    assert invoke("sync", "--root", site).exit_code == 0
    variant = site / "en/_posts/2024-01-03-losgehts.md"
    assert not variant.exists()  # untranslated: below the default threshold (80)
    english(site)  # every text as its source (100 %), the title of losgehts translated:
    losgehts = site / "locales/en/LC_MESSAGES/2024-01-03-losgehts.po"
    fill_catalogue(
        losgehts, lambda entry: "Here we go" if entry.msgid == "Los geht's" else entry.msgid
    )
    result = invoke("sync", "--root", site)
    assert result.exit_code == 0, result.output
    text = variant.read_text()
    assert "title: Here we go\n" in text and 'permalink: "/en/losgehts"\n' in text
    assert "slug: here-we-go\n" in text  # (Jekyll prefers the permalink: the URL stays)
    assert 'permalink: "/en/schon/"\n' in (site / "en/_posts/2024-01-04-schon.md").read_text()
    # A new title translation: the permalink and the slug, once written, stay.
    fill_catalogue(
        losgehts, lambda entry: "Off we go" if entry.msgid == "Los geht's" else entry.msgid
    )
    assert invoke("sync", "--root", site).exit_code == 0
    text = variant.read_text()
    assert "title: Off we go\n" in text and 'permalink: "/en/losgehts"\n' in text
    assert "slug: here-we-go\n" in text
    assert invoke("sync", "--root", site).stdout == ""  # stable: nothing to write
    built = jekyll_build(site)
    assert "Es geht los." in (built / "losgehts.html").read_text()
    assert "Off we go" in (built / "en/losgehts.html").read_text()
    assert "Schon da" in (built / "de/schon/index.html").read_text()
    assert (built / "en/schon/index.html").is_file()


def test_hugo_variant_of_a_post_with_its_own_url_gets_its_own(tmp_path: Path) -> None:
    # Hugo puts no language before a front-matter `url`: a copy would replace the German page.
    site = configured(hugo_site(tmp_path / "site"), HUGO, HUGO_LANGUAGES, "hugo.toml")
    post = site / "content/posts/hallo.md"
    post.write_text(post.read_text().replace("title:", "url: /hallo-welt/\ntitle:", 1))
    assert invoke("sync", "--root", site).exit_code == 0
    english(site)
    assert invoke("sync", "--root", site).exit_code == 0
    assert 'url: "/en/hallo-welt/"\n' in (site / "content/posts/hallo.en.md").read_text()
    built = hugo_build(site)
    assert "Hallo Welt" in (built / "hallo-welt/index.html").read_text()
    assert "Hello world" in (built / "en/hallo-welt/index.html").read_text()
