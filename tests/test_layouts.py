"""Where variants go (postlingo.variant.layouts), how build places them, and what the real site
generators make of them: Debian's jekyll with and without jekyll-polyglot, and hugo."""

from __future__ import annotations

import contextlib
import dataclasses
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import polib
import pytest
import yaml

import sitebuild
from conftest import fill_catalogue, make_site
from postlingo.config import Config, load_config
from postlingo.errors import ConfigError
from postlingo.incremental import sync
from postlingo.outcome import Outcome
from postlingo.pipeline import build
from postlingo.site.sources import find_sources, orphan_variants, variant_path
from postlingo.variant.layouts import layout_for, slugify

SITES = Path(__file__).parent / "fixtures" / "sites"

# --- helpers ------------------------------------------------------------------------------


def copy_fixture(name: str, dest: Path) -> Path:
    shutil.copytree(SITES / name, dest)
    return dest


def make_project(root: Path, config: str, posts: dict[str, str]) -> Path:
    """A project at ``root`` with ``postlingo.toml`` and posts (paths relative to the root)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "postlingo.toml").write_text(config, encoding="utf-8")
    for relative, text in posts.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def translate_all(root: Path, translate: Callable[[polib.POEntry], str]) -> None:
    """Fill every English catalogue of the project: msgstr := translate(entry)."""
    catalogues = sorted((root / "locales/en/LC_MESSAGES").rglob("*.po"))
    assert catalogues, f"no catalogue below {root}"
    for path in catalogues:
        fill_catalogue(path, translate)


def table(translations: dict[str, str]) -> Callable[[polib.POEntry], str]:
    """A translator that knows every msgid of a fixture (a missing one fails the test)."""
    return lambda entry: translations[entry.msgid]


def synced(root: Path, **overrides: object) -> Config:
    """The project's configuration after a clean ``sync``."""
    config = load_config(root, **overrides)
    outcome = sync(config)
    assert outcome.ok, outcome.errors
    return config


def built(config: Config, prune: bool = False) -> Outcome:
    outcome = build(config, prune=prune)
    assert outcome.ok, outcome.errors
    return outcome


def front_matter(path: Path) -> dict[str, object]:
    text = path.read_text(encoding="utf-8")
    match = re.match(r"---\r?\n(.*?\r?\n)---\r?\n", text, re.S)
    assert match, text[:200]
    loaded = yaml.safe_load(match.group(1))
    assert isinstance(loaded, dict)
    return loaded


# --- real generators ----------------------------------------------------------------------

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
# What Jekyll (`Conflict: The following destination is shared by multiple files.`), Hugo
# (`WARN … Duplicate target paths`) and jekyll-polyglot print when two pages collide or
# something is off; sitebuild fails only on errors.
_TROUBLE = re.compile(r"conflict|warn|duplicate|deprecat", re.I)


@contextlib.contextmanager
def generator_log() -> Iterator[list[str]]:
    """Collect every line the generator prints (stdout and stderr) while it builds."""
    lines: list[str] = []
    run = sitebuild._run

    def logged(*args: object, **kwargs: object) -> object:
        proc = run(*args, **kwargs)  # type: ignore[arg-type]
        lines.extend(_ANSI.sub("", proc.stderr + proc.stdout).splitlines())
        return proc

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sitebuild, "_run", logged)
        yield lines


def trouble(log: list[str]) -> list[str]:
    return [line for line in log if _TROUBLE.search(line)]


@dataclass(frozen=True)
class Site:
    """A fixture site built before postlingo touched it and after sync + translation."""

    before: Path
    after: Path
    log: list[str]  # the generator's output for the build after


def _build_twice(
    root: Path,
    site_dir: Path,
    builder: Callable[..., Path],
    translate: Callable[[polib.POEntry], str],
    **build_args: object,
) -> Site:
    out = root.parent
    before = builder(site_dir, out / "before", **build_args)
    synced(root)
    translate_all(root, translate)
    built(load_config(root))
    with generator_log() as log:
        after = builder(site_dir, out / "after", **build_args)
    return Site(before, after, log)


POLYGLOT_EN = {
    "Erfolgreiche Kundeninteraktionen": "Successful Customer Interactions",
    "Die Herausforderungen": "The Challenges",
}


def _polyglot_translation(entry: polib.POEntry) -> str:
    return POLYGLOT_EN.get(entry.msgid, f"EN: {entry.msgid}")


PLAIN_EN = {
    "Hallo Welt": "Hello World",
    "Ein erster Beitrag": "A first post",
    "Dies ist der erste Absatz des Beitrags.": "This is the first paragraph of the post.",
    "Eine Überschrift": "A Heading",
    "Ein zweiter Absatz mit *Betonung*.": "A second paragraph with *emphasis*.",
}

HUGO_EN = {
    **PLAIN_EN,
    "Ein Beitrag als einzelne Datei": "A post in a single file",
    "Ein Bündel": "A Bundle",
    "Ein Beitrag als Seitenbündel": "A post as a page bundle",
    "Dieser Beitrag liegt in einem Seitenbündel.": "This post lives in a page bundle.",
    "Zweiter Absatz des Bündels.": "Second paragraph of the bundle.",
}


@pytest.fixture(scope="module")
def polyglot(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """The repository's example site (jekyll-polyglot), from no catalogue to a translation."""
    root = make_site(tmp_path_factory.mktemp("polyglot") / "site")
    shutil.rmtree(root / "locales")
    return _build_twice(root, root / "content", sitebuild.jekyll_build, _polyglot_translation)


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Site:
    root = copy_fixture("jekyll-plain", tmp_path_factory.mktemp("plain") / "site")
    return _build_twice(root, root / "content", sitebuild.jekyll_build, table(PLAIN_EN))


@pytest.fixture(scope="module")
def hugo(tmp_path_factory: pytest.TempPathFactory) -> Site:
    root = copy_fixture("hugo", tmp_path_factory.mktemp("hugo") / "site")
    # --printPathWarnings: Hugo reports two pages at one address only when asked.
    return _build_twice(
        root, root, sitebuild.hugo_build, table(HUGO_EN), extra_args=["--printPathWarnings"]
    )


@dataclass(frozen=True)
class Page:
    """One post as a generator publishes it: its German and English pages."""

    site: str  # fixture name
    german: str  # output path of the German page
    english: str
    title_de: str
    title_en: str
    body_de: str  # a sentence of the body
    body_en: str


POLYGLOT_PAGE = "arbeitskultur/werkzeuge/2021/01/05/erfolgreiche-kundeninteraktionen.html"
PAGES = [
    Page(
        "polyglot",
        POLYGLOT_PAGE,
        f"en/{POLYGLOT_PAGE}",
        "Erfolgreiche Kundeninteraktionen",
        "Successful Customer Interactions",
        '<h3 id="die-herausforderungen">Die Herausforderungen</h3>',
        '<h3 id="the-challenges">The Challenges</h3>',
    ),
    Page(
        "plain",
        "2021/03/01/hallo-welt/index.html",
        "en/2021/03/01/hallo-welt/index.html",
        "Hallo Welt",
        "Hello World",
        "<p>Ein zweiter Absatz mit <em>Betonung</em>.</p>",
        "<p>A second paragraph with <em>emphasis</em>.</p>",
    ),
    Page(
        "hugo",
        "posts/hallo/index.html",
        "en/posts/hallo/index.html",
        "Hallo Welt",
        "Hello World",
        "<p>Ein zweiter Absatz mit <em>Betonung</em>.</p>",
        "<p>A second paragraph with <em>emphasis</em>.</p>",
    ),
    Page(
        "hugo",
        "posts/buendel/index.html",
        "en/posts/buendel/index.html",
        "Ein Bündel",
        "A Bundle",
        "<p>Dieser Beitrag liegt in einem Seitenbündel.</p>",
        "<p>This post lives in a page bundle.</p>",
    ),
]


def _site(request: pytest.FixtureRequest, name: str) -> Site:
    site = request.getfixturevalue(name)
    assert isinstance(site, Site)
    return site


def html_lang(html: str) -> str:
    match = re.search(r'<html lang="([^"]*)">', html)
    assert match, html[:300]
    return match.group(1)


def html_title(html: str) -> str:
    match = re.search(r"<title>(.*?)</title>", html, re.S)
    assert match, html[:300]
    return match.group(1).strip()


def without_nav(html: str) -> str:
    """The page without its links to other languages (which gain the new variant), blank
    lines collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<nav>.*?</nav>", "", html, flags=re.S))


@pytest.mark.parametrize("page", PAGES, ids=lambda page: f"{page.site}-{page.german}")
def test_english_page_carries_the_translation(request: pytest.FixtureRequest, page: Page) -> None:
    site = _site(request, page.site)
    html = (site.after / page.english).read_text(encoding="utf-8")
    assert html_lang(html) == "en"
    assert html_title(html) == page.title_en
    assert page.body_en in html
    assert page.title_de not in without_nav(html)  # the nav links the German page
    assert page.body_de not in html


@pytest.mark.parametrize("page", PAGES, ids=lambda page: f"{page.site}-{page.german}")
def test_german_page_is_unchanged(request: pytest.FixtureRequest, page: Page) -> None:
    site = _site(request, page.site)
    before = (site.before / page.german).read_text(encoding="utf-8")
    after = (site.after / page.german).read_text(encoding="utf-8")
    assert html_lang(after) == "de" and html_title(after) == page.title_de
    assert page.body_de in after
    assert without_nav(after) == without_nav(before)


@pytest.mark.parametrize("name", ["polyglot", "plain", "hugo"])
def test_generator_reports_no_conflicts(request: pytest.FixtureRequest, name: str) -> None:
    site = _site(request, name)
    assert site.log, "no generator output captured"
    assert trouble(site.log) == []


def test_conflict_check_sees_a_conflict(tmp_path: Path) -> None:
    """The log check above is live: two posts at one address make Jekyll warn."""
    root = copy_fixture("jekyll-plain", tmp_path / "site")
    post = root / "content/_posts/2021-03-01-hallo-welt.md"
    shutil.copy(post, post.with_suffix(".markdown"))
    with generator_log() as log:
        sitebuild.jekyll_build(root / "content", tmp_path / "out")
    assert any("Conflict" in line for line in trouble(log)), log


def test_polyglot_variant_is_not_a_second_german_post(polyglot: Site) -> None:
    german = (polyglot.after / "index.html").read_text(encoding="utf-8")
    english = (polyglot.after / "en/index.html").read_text(encoding="utf-8")
    assert german.count("<li>") == 1 and english.count("<li>") == 1
    assert "Successful Customer Interactions" in english
    assert "Successful Customer Interactions" not in german


def test_plain_jekyll_publishes_both_languages_at_distinct_urls(plain: Site) -> None:
    pages = sorted(str(p.relative_to(plain.after)) for p in plain.after.rglob("*.html"))
    assert pages == [
        "2021/03/01/hallo-welt/index.html",
        "en/2021/03/01/hallo-welt/index.html",
        "index.html",
    ]


def test_plain_jekyll_links_the_languages_by_ref(plain: Site) -> None:
    german = (plain.after / PAGES[1].german).read_text(encoding="utf-8")
    english = (plain.after / PAGES[1].english).read_text(encoding="utf-8")
    assert '<a href="/en/2021/03/01/hallo-welt/" hreflang="en">Hello World</a>' in german
    assert '<a href="/2021/03/01/hallo-welt/" hreflang="de">Hallo Welt</a>' in english


@pytest.mark.parametrize("page", PAGES[2:], ids=lambda page: page.german)
def test_hugo_links_the_translations(hugo: Site, page: Page) -> None:
    german = (hugo.after / page.german).read_text(encoding="utf-8")
    english = (hugo.after / page.english).read_text(encoding="utf-8")
    english_url = "/" + page.english.removesuffix("index.html")
    german_url = "/" + page.german.removesuffix("index.html")
    assert f'<a href="{english_url}" hreflang="en">{page.title_en}</a>' in german
    assert f'<a href="{german_url}" hreflang="de">{page.title_de}</a>' in english


# --- variant paths ------------------------------------------------------------------------


def _config(**values: object) -> Config:
    return Config(root=Path("/site"), **values)  # type: ignore[arg-type]


POSTS_DIR = PurePosixPath("content/_posts")
HUGO_POSTS = PurePosixPath("content/posts")
PATHS = [
    (_config(), POSTS_DIR, "content/_posts/2021-01-05-a.md", "content/_posts/en/2021-01-05-a.md"),
    (_config(), POSTS_DIR, "content/_posts/2021/b.markdown", "content/_posts/en/2021/b.markdown"),
    (
        _config(layout="jekyll"),
        POSTS_DIR,
        "content/_posts/2021-01-05-a.md",
        "content/en/_posts/2021-01-05-a.md",
    ),
    (
        _config(layout="jekyll"),
        PurePosixPath("blog/_posts"),
        "blog/_posts/x/2021-01-05-a.md",
        "blog/en/_posts/x/2021-01-05-a.md",
    ),
    (_config(layout="hugo"), HUGO_POSTS, "content/posts/hallo.md", "content/posts/hallo.en.md"),
    (_config(layout="hugo"), HUGO_POSTS, "content/posts/hallo.de.md", "content/posts/hallo.en.md"),
    (_config(layout="hugo"), HUGO_POSTS, "content/posts/b/index.md", "content/posts/b/index.en.md"),
    (
        _config(layout="hugo", hugo_content="directory"),
        PurePosixPath("content/de/posts"),
        "content/de/posts/b/index.md",
        "content/en/posts/b/index.md",
    ),
    (
        _config(layout="custom", path="{dir}/{stem}.{lang}{ext}"),
        POSTS_DIR,
        "content/_posts/2021-01-05-a.md",
        "content/_posts/2021-01-05-a.en.md",
    ),
    (
        _config(layout="custom", path="i18n/{lang}/{name}{ext}"),
        POSTS_DIR,
        "content/_posts/sub/2021-01-05-a.md",
        "i18n/en/sub/2021-01-05-a.md",
    ),
    (
        _config(layout="custom", path="out/{lang}/{slug}{ext}"),
        POSTS_DIR,
        "content/_posts/2021-01-05-a.md",
        "out/en/a.md",
    ),
]


@pytest.mark.parametrize(
    ("config", "posts_dir", "source", "variant"),
    PATHS,
    ids=[f"{c.layout}-{s}" for c, _, s, _ in PATHS],
)
def test_variant_path(config: Config, posts_dir: PurePosixPath, source: str, variant: str) -> None:
    layout = layout_for(config)
    found = layout.variant_path(PurePosixPath(source), posts_dir, "en")
    assert found == PurePosixPath(variant)
    # A variant is never taken for a source, and a source never for a variant.
    assert layout.is_variant(found.as_posix(), posts_dir, ["en"])
    assert not layout.is_variant(source, posts_dir, ["en"])


@pytest.mark.parametrize(
    ("config", "source"),
    [
        (_config(layout="jekyll"), "content/posts/a.md"),
        (_config(layout="hugo", hugo_content="directory"), "content/posts/a.md"),
    ],
)
def test_layout_refuses_a_source_it_cannot_place(config: Config, source: str) -> None:
    with pytest.raises(ConfigError):
        layout_for(config).variant_path(PurePosixPath(source), PurePosixPath("content"), "en")


@pytest.mark.parametrize(
    "template",
    ["../{lang}/{stem}{ext}", "{dir}/../../../{lang}/{stem}{ext}", "ABSOLUTE/{lang}/{stem}{ext}"],
)
def test_variant_never_leaves_the_root(tmp_path: Path, template: str) -> None:
    template = template.replace("ABSOLUTE", (tmp_path / "elsewhere").as_posix())
    root = make_project(
        tmp_path / "site",
        f'layout = "custom"\npath = "{template}"\n',
        {"content/_posts/2021-01-05-a.md": "---\ntitle: A\n---\nText.\n"},
    )
    outcome = sync(load_config(root))
    assert outcome.errors
    assert all("outside the project" in error.message for error in outcome.errors)
    assert sorted(tmp_path.rglob("*.md")) == [root / "content/_posts/2021-01-05-a.md"]


# --- build in each layout -----------------------------------------------------------------

POST = """\
---
title: Grüße aus München
date: 2021-01-05 10:00:00 +0100
---
Ein Absatz.
"""
POST_EN = {"Grüße aus München": "Greetings from Munich", "Ein Absatz.": "A paragraph."}


@pytest.mark.parametrize(
    ("config", "variant", "metadata"),
    [
        ("", "content/_posts/en/2021-01-05-gruss.md", {"lang": "en"}),
        (
            'layout = "jekyll"\n',
            "content/en/_posts/2021-01-05-gruss.md",
            {"lang": "en", "ref": "2021-01-05-gruss"},
        ),
        ('layout = "hugo"\n', "content/_posts/2021-01-05-gruss.en.md", {}),
        (
            'layout = "custom"\npath = "translated/{lang}/{stem}{ext}"\n'
            'metadata = { locale = "{lang}", translation_of = "{key}" }\n',
            "translated/en/2021-01-05-gruss.md",
            {"locale": "en", "translation_of": "2021-01-05-gruss"},
        ),
    ],
    ids=["jekyll-polyglot", "jekyll", "hugo", "custom"],
)
def test_build_writes_the_variant_with_its_metadata(
    tmp_path: Path, config: str, variant: str, metadata: dict[str, str]
) -> None:
    root = make_project(tmp_path / "site", config, {"content/_posts/2021-01-05-gruss.md": POST})
    synced(root)
    translate_all(root, table(POST_EN))
    outcome = built(load_config(root))
    assert outcome.written == [root / variant]
    meta = front_matter(root / variant)
    assert meta.pop("date") == front_matter(root / "content/_posts/2021-01-05-gruss.md")["date"]
    assert meta == {"title": "Greetings from Munich", **metadata}
    text = (root / variant).read_text(encoding="utf-8")
    assert text.endswith("---\nA paragraph.\n")
    assert [s.relative for s in find_sources(load_config(root))] == [
        PurePosixPath("content/_posts/2021-01-05-gruss.md")
    ]


def test_hugo_directory_mode_mirrors_the_content_tree(tmp_path: Path) -> None:
    root = make_project(
        tmp_path / "site",
        'layout = "hugo"\nhugo_content = "directory"\nposts = ["content/de/posts/**/*.md"]\n',
        {"content/de/posts/gruss.md": POST, "content/de/posts/b/index.md": POST},
    )
    synced(root)
    translate_all(root, table(POST_EN))
    built(load_config(root))
    for name in ("gruss.md", "b/index.md"):
        variant = root / "content/en/posts" / name
        assert front_matter(variant)["title"] == "Greetings from Munich"
    assert sorted(p.relative_to(root).as_posix() for p in root.glob("content/**/*.md")) == [
        "content/de/posts/b/index.md",
        "content/de/posts/gruss.md",
        "content/en/posts/b/index.md",
        "content/en/posts/gruss.md",
    ]


def test_hugo_directory_site_builds(tmp_path: Path) -> None:
    """Hugo links content/de/… and content/en/… by their equal paths."""
    root = copy_fixture("hugo", tmp_path / "site")
    (root / "content/de").mkdir()
    shutil.move(root / "content/posts", root / "content/de/posts")
    config = (root / "hugo.toml").read_text(encoding="utf-8")
    config = config.replace("weight = 1", 'weight = 1\ncontentDir = "content/de"')
    config = config.replace("weight = 2", 'weight = 2\ncontentDir = "content/en"')
    (root / "hugo.toml").write_text(config, encoding="utf-8")
    (root / "postlingo.toml").write_text(
        'layout = "hugo"\nhugo_content = "directory"\nposts = ["content/de/posts/**/*.md"]\n',
        encoding="utf-8",
    )
    synced(root)
    translate_all(root, table(HUGO_EN))
    built(load_config(root))
    with generator_log() as log:
        out = sitebuild.hugo_build(root, tmp_path / "out", extra_args=["--printPathWarnings"])
    assert trouble(log) == []
    for page in PAGES[2:]:
        english = (out / page.english).read_text(encoding="utf-8")
        assert html_title(english) == page.title_en and page.body_en in english
        german_url = "/" + page.german.removesuffix("index.html")
        assert f'<a href="{german_url}" hreflang="de">{page.title_de}</a>' in english


def test_custom_layout_fills_metadata_placeholders(tmp_path: Path) -> None:
    root = make_project(
        tmp_path / "site",
        'layout = "custom"\npath = "{dir}/{lang}/{stem}{ext}"\nslug = "translate"\n'
        'metadata = { language = "{lang}", key = "{key}", permalink = "/{lang}/{slug}/" }\n',
        {"content/_posts/2021-01-05-gruss.md": POST},
    )
    synced(root)
    translate_all(root, table(POST_EN))
    built(load_config(root))
    meta = front_matter(root / "content/_posts/en/2021-01-05-gruss.md")
    assert meta["language"] == "en" and meta["key"] == "2021-01-05-gruss"
    assert meta["permalink"] == "/en/greetings-from-munich/"


# --- slugs --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Grüße aus München", "gruesse-aus-muenchen"),
        ("Straße & Fluss", "strasse-fluss"),
        ("ÄÖÜ äöü ß", "aeoeue-aeoeue-ss"),
        ("Crème brûlée, s'il vous plaît!", "creme-brulee-s-il-vous-plait"),
        ("  --Hello--World--  ", "hello-world"),
        ("日本語", ""),
    ],
)
def test_slugify(text: str, slug: str) -> None:
    assert slugify(text) == slug


SLUG_LAYOUTS = [
    ("", "content/_posts/en/2021-01-05-gruss.md"),
    ('layout = "jekyll"\n', "content/en/_posts/2021-01-05-gruss.md"),
    ('layout = "hugo"\n', "content/_posts/2021-01-05-gruss.en.md"),
]


@pytest.mark.parametrize(
    ("config", "variant"), SLUG_LAYOUTS, ids=["jekyll-polyglot", "jekyll", "hugo"]
)
def test_translated_slug_is_stable(tmp_path: Path, config: str, variant: str) -> None:
    root = make_project(
        tmp_path / "site",
        config + 'slug = "translate"\n',
        {"content/_posts/2021-01-05-gruss.md": POST},
    )
    synced(root)
    translate_all(root, table({**POST_EN, "Grüße aus München": "Straße & Grüße"}))
    built(load_config(root))
    assert front_matter(root / variant)["slug"] == "strasse-gruesse"
    translate_all(root, table(POST_EN))  # the title is translated anew
    built(load_config(root))
    meta = front_matter(root / variant)
    assert meta["title"] == "Greetings from Munich"
    assert meta["slug"] == "strasse-gruesse"  # a published URL does not move


def test_slug_keep_writes_no_slug(tmp_path: Path) -> None:
    root = make_project(tmp_path / "site", "", {"content/_posts/2021-01-05-gruss.md": POST})
    synced(root)
    translate_all(root, table(POST_EN))
    built(load_config(root))
    assert "slug" not in front_matter(root / "content/_posts/en/2021-01-05-gruss.md")


@pytest.mark.parametrize(
    ("name", "site_dir", "builder", "german", "english"),
    [
        (
            "jekyll-plain",
            "content",
            sitebuild.jekyll_build,
            "/2021/03/01/hallo-welt/",
            "/en/2021/03/01/hello-world/",
        ),
        ("hugo", "", sitebuild.hugo_build, "/posts/hallo/", "/en/posts/hello-world/"),
    ],
)
def test_translated_slug_moves_the_url_and_keeps_the_link(
    tmp_path: Path,
    name: str,
    site_dir: str,
    builder: Callable[..., Path],
    german: str,
    english: str,
) -> None:
    root = copy_fixture(name, tmp_path / "site")
    synced(root, slug="translate")
    translate_all(root, table(HUGO_EN))
    built(load_config(root, slug="translate"))
    with generator_log() as log:
        out = builder(root / site_dir, tmp_path / "out")
    assert trouble(log) == []
    english_html = (out / english.strip("/") / "index.html").read_text(encoding="utf-8")
    german_html = (out / german.strip("/") / "index.html").read_text(encoding="utf-8")
    assert html_title(english_html) == "Hello World"
    assert f'<a href="{german}" hreflang="de">Hallo Welt</a>' in english_html
    assert f'<a href="{english}" hreflang="en">Hello World</a>' in german_html
    assert not (out / "en" / german.strip("/")).exists()  # no German fallback copy


def test_translated_slug_replaces_the_source_slug(tmp_path: Path) -> None:
    post = POST.replace("title:", "slug: gruesse-aus-muenchen\ntitle:")
    root = make_project(
        tmp_path / "site", 'slug = "translate"\n', {"content/_posts/2021-01-05-gruss.md": post}
    )
    synced(root)  # the catalogue is empty: the variant is the source plus `lang`
    translate_all(root, table(POST_EN))
    built(load_config(root))
    variant = root / "content/_posts/en/2021-01-05-gruss.md"
    assert front_matter(variant)["slug"] == "greetings-from-munich"
    translate_all(root, table({**POST_EN, "Grüße aus München": "Regards from Munich"}))
    built(load_config(root))
    assert front_matter(variant)["title"] == "Regards from Munich"
    assert front_matter(variant)["slug"] == "greetings-from-munich"


def test_translated_slug_replaces_a_toml_source_slug(tmp_path: Path) -> None:
    post = '+++\ntitle = "Grüße aus München"\nslug = "gruss"\n+++\nEin Absatz.\n'
    root = make_project(
        tmp_path / "site",
        'layout = "hugo"\nslug = "translate"\n',
        {"content/_posts/gruss.md": post},
    )
    config = synced(root)  # the catalogue is empty: the variant copies the source's slug
    translate_all(root, table(POST_EN))
    built(config)
    assert 'slug = "greetings-from-munich"' in (root / "content/_posts/gruss.en.md").read_text(
        encoding="utf-8"
    )


# --- thresholds ---------------------------------------------------------------------------

FOUR = "---\ntitle: Eins\n---\nZwei.\n\nDrei.\n\nVier.\n"
FOUR_EN = {"Eins": "One", "Zwei.": "Two.", "Drei.": "Three.", "Vier.": "Four."}
VARIANT_FOUR = "content/_posts/en/2021-01-05-vier.md"


def _partly(count: int) -> Callable[[polib.POEntry], str]:
    """Translate the first ``count`` of the four entries of FOUR, leave the rest empty."""
    known = dict(list(FOUR_EN.items())[:count])
    return lambda entry: known.get(entry.msgid, "")


def _threshold_site(tmp_path: Path, below: str) -> Config:
    root = make_project(
        tmp_path / "site",
        f'threshold = 50\nbelow_threshold = "{below}"\n',
        {"content/_posts/2021-01-05-vier.md": FOUR},
    )
    return synced(root)


def test_below_threshold_a_new_variant_is_not_written(tmp_path: Path) -> None:
    config = _threshold_site(tmp_path, "keep")
    assert not (config.root / VARIANT_FOUR).exists()  # sync: 0 % translated
    translate_all(config.root, _partly(1))
    outcome = built(config)
    assert outcome.written == [] and outcome.warnings == []
    assert not (config.root / VARIANT_FOUR).exists()
    translate_all(config.root, _partly(2))  # 50 %: at the threshold
    assert built(config).written == [config.root / VARIANT_FOUR]


def test_below_threshold_an_existing_variant_is_kept_with_a_warning(tmp_path: Path) -> None:
    config = _threshold_site(tmp_path, "keep")
    translate_all(config.root, _partly(3))
    built(config)
    published = (config.root / VARIANT_FOUR).read_bytes()
    translate_all(config.root, _partly(1))
    outcome = built(config)
    assert (config.root / VARIANT_FOUR).read_bytes() == published
    assert outcome.written == []
    assert [w.path for w in outcome.warnings] == [config.root / VARIANT_FOUR]
    assert "below the threshold" in outcome.warnings[0].message


def test_below_threshold_an_existing_variant_is_unpublished(tmp_path: Path) -> None:
    config = _threshold_site(tmp_path, "unpublish")
    translate_all(config.root, _partly(3))
    built(config)
    assert "published" not in front_matter(config.root / VARIANT_FOUR)
    translate_all(config.root, _partly(1))
    built(config)
    assert front_matter(config.root / VARIANT_FOUR)["published"] is False
    translate_all(config.root, _partly(4))  # translated again: published again
    built(config)
    assert "published" not in front_matter(config.root / VARIANT_FOUR)


def test_unpublished_variants_are_not_published_by_hugo(tmp_path: Path) -> None:
    """Hugo honours `published: false` (YAML) and `published = false` (TOML), as Jekyll
    honours `published: false`."""
    root = copy_fixture("hugo", tmp_path / "site")
    with (root / "postlingo.toml").open("a", encoding="utf-8") as file:
        file.write('threshold = 60\nbelow_threshold = "unpublish"\n')
    synced(root)
    translate_all(root, table(HUGO_EN))
    built(load_config(root))
    translate_all(root, lambda entry: HUGO_EN[entry.msgid] if entry.msgctxt == "title" else "")
    built(load_config(root))
    assert front_matter(root / "content/posts/hallo.en.md")["published"] is False
    bundle = (root / "content/posts/buendel/index.en.md").read_text(encoding="utf-8")
    assert "\npublished = false\n" in bundle
    out = sitebuild.hugo_build(root, tmp_path / "out")
    for page in PAGES[2:]:
        assert (out / page.german).is_file()
        assert not (out / page.english).exists()


# --- orphans ------------------------------------------------------------------------------

ORPHAN_LAYOUTS = [
    ("", "content/_posts/en/2021-01-05-{}.md"),
    ('layout = "jekyll"\n', "content/en/_posts/2021-01-05-{}.md"),
    ('layout = "hugo"\n', "content/_posts/2021-01-05-{}.en.md"),
    (
        'layout = "custom"\npath = "{{dir}}/{{lang}}/{{stem}}{{ext}}"\n',
        "content/_posts/en/2021-01-05-{}.md",
    ),
    ('layout = "custom"\npath = "i18n/{{lang}}/{{name}}{{ext}}"\n', "i18n/en/2021-01-05-{}.md"),
]


@pytest.mark.parametrize(
    ("config", "variant"),
    ORPHAN_LAYOUTS,
    ids=["jekyll-polyglot", "jekyll", "hugo", "custom-dir", "custom-name"],
)
def test_orphan_variant_is_reported_then_pruned(tmp_path: Path, config: str, variant: str) -> None:
    # Untranslated posts: threshold 0 publishes their variants, the orphans to be.
    root = make_project(
        tmp_path / "site",
        "threshold = 0\n" + config.format(),
        {
            "content/_posts/2021-01-05-bleibt.md": POST,
            "content/_posts/2021-01-05-geht.md": POST,
        },
    )
    project = synced(root)
    kept, gone = root / variant.format("bleibt"), root / variant.format("geht")
    assert kept.is_file() and gone.is_file()
    assert orphan_variants(project) == []
    (root / "content/_posts/2021-01-05-geht.md").unlink()
    assert orphan_variants(project) == [gone]
    outcome = built(project)
    assert [(w.path, "without a source" in w.message) for w in outcome.warnings] == [(gone, True)]
    assert gone.is_file()  # reported, not removed
    outcome = built(project, prune=True)
    assert outcome.removed == [gone]
    assert not gone.exists() and kept.is_file()
    assert built(project).warnings == []


def test_prune_leaves_other_files_in_variant_folders(tmp_path: Path) -> None:
    root = make_project(
        tmp_path / "site",
        'layout = "custom"\npath = "{dir}/{lang}/{stem}{ext}"\n',
        {
            "content/_posts/2021-01-05-a.md": POST,
            "assets/en/logo.png": "png",
            "content/_posts/en/notes.txt": "not a post",
        },
    )
    project = synced(root)
    assert orphan_variants(project) == []
    built(project, prune=True)
    assert (root / "assets/en/logo.png").is_file()
    assert (root / "content/_posts/en/notes.txt").is_file()


def test_prune_keeps_a_hand_written_english_post(tmp_path: Path) -> None:
    """A post in a variant folder without a catalogue is the author's, not an orphan."""
    english_only = "---\ntitle: English only\nlang: en\n---\nHand-written.\n"
    root = make_project(
        tmp_path / "site",
        "",
        {
            "content/_posts/2021-01-05-gruss.md": POST,
            "content/_posts/en/2021-02-01-english-only.md": english_only,
        },
    )
    project = synced(root)
    outcome = built(project, prune=True)
    assert (root / "content/_posts/en/2021-02-01-english-only.md").is_file()
    assert outcome.removed == [] and outcome.warnings == []


def test_variant_path_of_a_source(tmp_path: Path) -> None:
    root = make_project(
        tmp_path / "site", 'layout = "jekyll"\n', {"content/_posts/2021-01-05-gruss.md": POST}
    )
    config = load_config(root)
    [source] = find_sources(config)
    assert variant_path(config, source, "en") == root / "content/en/_posts/2021-01-05-gruss.md"
    fr = dataclasses.replace(config, languages=["en", "fr"])
    assert variant_path(fr, source, "fr") == root / "content/fr/_posts/2021-01-05-gruss.md"
