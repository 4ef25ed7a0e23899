"""`postlingo init` on sites made from scratch as their users make them, then the README's
"Start on your own site" steps run verbatim, then a real build (Debian's jekyll with
jekyll-polyglot, hugo): the English page is there, the German one is still German, and
neither postlingo.toml nor a catalogue is published."""

from __future__ import annotations

import difflib
import re
import shlex
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import REPO, fill_catalogue, invoke
from postlingo.cli import app
from postlingo.config import load_config
from postlingo.errors import ConfigError
from sitebuild import hugo_build, jekyll_build

NO_CONFIG = "error: no postlingo.toml here (postlingo init writes one)\n"
ENGLISH = {
    "Hallo Welt": "Hello world",
    "Ein erster Beitrag": "A first post",
    "Das ist **mein** erster Beitrag.": "This is **my** first post.",
    "Los geht's": "Here we go",
    "Es geht los.": "Off we go.",
}

POST = """---
layout: post
title: Hallo Welt
description: Ein erster Beitrag
date: 2024-01-02 10:00:00 +0100
tags: [Anfang, Blog]
---
Das ist **mein** erster Beitrag.
"""
PERMALINK_POST = """---
layout: post
title: Los geht's
permalink: /losgehts
---
Es geht los.
"""
LAYOUT = """<!DOCTYPE html>
<html lang="{{ page.lang | default: site.lang }}"><body>{{ content }}</body></html>
"""
POST_LAYOUT = """---
layout: default
---
<article><h1>{{ page.title }}</h1>{{ content }}</article>
"""
HUGO_SINGLE = (
    '<html lang="{{ .Language.Lang }}"><body><article><h1>{{ .Title }}</h1>'
    "{{ .Content }}</article></body></html>\n"
)
HUGO_LIST = '{{ range .Pages }}<a href="{{ .RelPermalink }}">link</a>{{ end }}\n'


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def jekyll_site(root: Path) -> Path:
    """A standard Jekyll site: _config.yml and _posts/ at the root, a Gemfile."""
    return write(
        root,
        {
            "Gemfile": 'source "https://rubygems.org"\ngem "jekyll", "~> 4.3"\n',
            "_config.yml": (
                "# Mein Blog\ntitle: Mein Blog\nlang: de\nmarkdown: kramdown\n"
                "timezone: Europe/Berlin\nexclude:\n  - Gemfile\n  - Gemfile.lock\n"
            ),
            "_layouts/default.html": LAYOUT,
            "_layouts/post.html": POST_LAYOUT,
            "index.md": "---\nlayout: default\n---\nWillkommen.\n",
            "_posts/2024-01-02-hallo.md": POST,
            "_posts/2024-01-03-losgehts.md": PERMALINK_POST,
        },
    )


def polyglot_site(root: Path) -> Path:
    """A Jekyll site that uses jekyll-polyglot but has not set up its languages yet."""
    return write(
        root,
        {
            "Gemfile": (
                'source "https://rubygems.org"\ngem "jekyll", "~> 4.3"\n'
                'group :jekyll_plugins do\n  gem "jekyll-polyglot"\nend\n'
            ),
            "_config.yml": (
                "title: Mein Blog\ntimezone: Europe/Berlin\nplugins: [jekyll-polyglot]\n"
                "parallel_localization: false\n"
            ),
            "_layouts/default.html": LAYOUT.replace(
                "page.lang | default: site.lang", "site.active_lang"
            ),
            "_layouts/post.html": POST_LAYOUT,
            "index.md": "---\nlayout: default\n---\nHallo.\n",
            "_posts/2024-01-02-hallo.md": POST,
        },
    )


def hugo_site(root: Path, by_directory: bool = False) -> Path:
    """A Hugo site without languages: a post file and a page bundle below content/posts/
    (or content/de/posts/)."""
    posts = "content/de/posts" if by_directory else "content/posts"
    return write(
        root,
        {
            "hugo.toml": (
                'baseURL = "https://example.org/"\ntitle = "Mein Blog"\n\n'
                '[params]\n  author = "Jemand"\n'
            ),
            "layouts/_default/single.html": HUGO_SINGLE,
            "layouts/_default/list.html": HUGO_LIST,
            f"{posts}/hallo.md": POST.replace("layout: post\n", ""),
            f"{posts}/losgehts/index.md": PERMALINK_POST.replace("permalink: /losgehts\n", ""),
        },
    )


def readme_steps() -> list[str]:
    """The commands of the README's "Start on your own site", as printed there."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Start on your own site\n", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert block, "no sh block in the README's section"
    return [line for line in block.group(1).splitlines() if line.strip()]


def run_steps(
    site: Path,
    generator: str,
    monkeypatch: pytest.MonkeyPatch,
    only: Callable[[list[str]], bool] = lambda words: True,
) -> Path | None:
    """Run the README's steps in ``site``; returns the built site's folder."""
    monkeypatch.chdir(site)
    built = None
    for line in readme_steps():
        command, _, alternative = line.partition("# or:")
        if generator == "hugo" and alternative.strip():
            command = alternative
        words = shlex.split(command)
        if not only(words):
            continue
        if words[0] == "postlingo":
            result = invoke(*words[1:])
            assert result.exit_code == 0, (line, result.output)
        elif words == ["jekyll", "build"] and generator == "jekyll":
            built = jekyll_build(site, site / "_site")
        elif words == ["hugo"] and generator == "hugo":
            built = hugo_build(site, site / "public")
        else:
            raise AssertionError(f"README step not understood: {line!r}")
    return built


def translate(site: Path) -> None:
    catalogues = sorted((site / "locales/en/LC_MESSAGES").rglob("*.po"))
    assert catalogues
    for path in catalogues:
        fill_catalogue(path, lambda entry: ENGLISH.get(entry.msgid, entry.msgid))


def readme_then_translated(site: Path, generator: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    run_steps(site, generator, monkeypatch)
    # Nothing translated yet: below the default threshold (80), no variant is published.
    assert variants(site) == []
    translate(site)  # the translator's part, then the README's sync and build again
    built = run_steps(
        site,
        generator,
        monkeypatch,  # (init once: it never overwrites)
        only=lambda words: words[0] != "pip" and words[:2] != ["postlingo", "init"],
    )
    assert built is not None
    assert variants(site)
    return built


def variants(site: Path) -> list[str]:
    """The English posts postlingo wrote in ``site`` (any layout), outside the built site."""
    return [
        p.relative_to(site).as_posix()
        for p in site.rglob("*.md")
        if not {"_site", "public"} & set(p.relative_to(site).parts)
        and ("en" in p.relative_to(site).parts or p.name.endswith(".en.md"))
    ]


def page(built: Path, relative: str) -> str:
    path = built / relative
    assert path.is_file(), sorted(str(p.relative_to(built)) for p in built.rglob("*.html"))
    return path.read_text(encoding="utf-8")


def assert_pair(built: Path, german: str, english: str) -> None:
    de, en = page(built, german), page(built, english)
    assert "Hallo Welt" in de and "<strong>mein</strong>" in de and "Hello" not in de
    assert "Hello world" in en and "<strong>my</strong>" in en and "Das ist" not in en


def assert_unpublished(built: Path) -> None:
    published = [p.relative_to(built).as_posix() for p in built.rglob("*")]
    assert not [
        p
        for p in published
        if p.endswith(("postlingo.toml", ".po", ".pot")) or "locales" in p.split("/")
    ], published


# --- the README's steps on three kinds of site -------------------------------------------


def test_readme_steps_on_a_standard_jekyll_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = jekyll_site(tmp_path / "blog")
    built = readme_then_translated(site, "jekyll", monkeypatch)
    assert_pair(built, "2024/01/02/hallo.html", "en/2024/01/02/hallo.html")
    # The post with its own permalink: the variant gets its own, the German page stays.
    assert "Es geht los." in page(built, "losgehts.html")
    assert "Off we go." in page(built, "en/losgehts.html")
    assert_unpublished(built)
    result = invoke("check")
    assert result.exit_code == 0 and "generator" not in result.output, result.output


def test_readme_steps_on_a_polyglot_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = polyglot_site(tmp_path / "blog")
    built = readme_then_translated(site, "jekyll", monkeypatch)
    assert_pair(built, "2024/01/02/hallo.html", "en/2024/01/02/hallo.html")
    assert '<html lang="de">' in page(built, "2024/01/02/hallo.html")
    assert_unpublished(built)
    assert "generator" not in invoke("check").output


@pytest.mark.parametrize("by_directory", [False, True], ids=["suffix", "directory"])
def test_readme_steps_on_a_hugo_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, by_directory: bool
) -> None:
    site = hugo_site(tmp_path / "blog", by_directory)
    built = readme_then_translated(site, "hugo", monkeypatch)
    assert_pair(built, "posts/hallo/index.html", "en/posts/hallo/index.html")
    assert "Off we go." in page(built, "en/posts/losgehts/index.html")
    assert "Es geht los." in page(built, "posts/losgehts/index.html")
    variant = "content/en/posts/hallo.md" if by_directory else "content/posts/hallo.en.md"
    assert (site / variant).is_file()
    assert_unpublished(built)
    assert "generator" not in invoke("check").output


# --- what init writes and prints -----------------------------------------------------------


def test_init_writes_what_it_found_and_prints_what_the_generator_needs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = jekyll_site(tmp_path / "blog")
    before = (site / "_config.yml").read_bytes()
    result = invoke("init", "--root", site)
    assert result.exit_code == 0, result.output
    assert "found: Jekyll (_config.yml)" in result.stdout
    assert "exclude: [locales, postlingo.toml]" in result.stdout
    assert "postlingo init --apply" in result.stdout
    assert (site / "_config.yml").read_bytes() == before  # without --apply: only advice
    config = load_config(site)
    assert (config.layout, config.posts, config.languages) == ("jekyll", ["_posts/**/*.md"], ["en"])
    # Only the keys that hold text in these posts (no summary, excerpt...; not the tags).
    assert config.front_matter == ["title", "description"]


def test_existing_configuration_is_never_overwritten(tmp_path: Path) -> None:
    site = jekyll_site(tmp_path / "blog")
    (site / "postlingo.toml").write_text('languages = ["fr"]\n', encoding="utf-8")
    result = invoke("init", "--root", site, "--apply")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "exists already" in result.stderr
    assert (site / "postlingo.toml").read_text(encoding="utf-8") == 'languages = ["fr"]\n'
    assert b"locales" not in (site / "_config.yml").read_bytes()
    pyproject = tmp_path / "py"
    pyproject.mkdir()
    (pyproject / "pyproject.toml").write_text('[tool.postlingo]\nlanguages = ["fr"]\n')
    result = invoke("init", "--root", pyproject)
    assert result.exit_code == 2 and "[tool.postlingo]" in result.stderr
    assert not (pyproject / "postlingo.toml").exists()


def test_options_and_a_bad_language(tmp_path: Path) -> None:
    site = hugo_site(tmp_path / "blog")
    result = invoke("init", "--root", site, "--source-language", "de", "--languages", "fr, en")
    assert result.exit_code == 0, result.output
    assert load_config(site).languages == ["fr", "en"]
    other = hugo_site(tmp_path / "other")
    result = invoke("init", "--root", other, "--languages", "xx-nonsense")
    assert result.exit_code == 2 and "unknown language code" in result.stderr
    assert not (other / "postlingo.toml").exists()


def test_hugo_translations_already_there_give_the_languages(tmp_path: Path) -> None:
    site = hugo_site(tmp_path / "blog")
    write(site, {"content/posts/hallo.fr.md": "---\ntitle: Bonjour\n---\nC'est moi.\n"})
    result = invoke("init", "--root", site)
    assert result.exit_code == 0, result.output
    assert "existing translations: fr" in result.stdout
    assert load_config(site).languages == ["fr"]


def test_polyglot_named_only_in_the_gemfile_is_found(tmp_path: Path) -> None:
    site = polyglot_site(tmp_path / "blog")
    config = site / "_config.yml"
    config.write_text(config.read_text().replace("plugins: [jekyll-polyglot]\n", ""))
    result = invoke("init", "--root", site)
    assert "found: Jekyll with jekyll-polyglot" in result.stdout, result.output
    assert "jekyll-polyglot is not among the plugins" in result.stdout


def test_a_folder_of_markdown_without_a_generator_gets_the_custom_layout(tmp_path: Path) -> None:
    site = write(
        tmp_path / "notes",
        {"texte/2024/eins.md": POST, "texte/zwei.md": POST, "README.md": "# Notizen\n"},
    )
    result = invoke("init", "--root", site)
    assert result.exit_code == 0, result.output
    config = load_config(site)
    assert (config.layout, config.posts) == ("custom", ["texte/**/*.md"])
    result = invoke("sync", "--root", site)
    assert result.exit_code == 0, result.output
    assert variants(site) == []  # untranslated: below the default threshold (80)
    translate(site)
    result = invoke("sync", "--root", site)
    assert result.exit_code == 0, result.output
    assert sorted(variants(site)) == ["texte/2024/en/eins.md", "texte/en/zwei.md"]
    assert (site / "texte/2024/en/eins.md").read_text().count("lang: en") == 1


def test_prose_keys_are_those_with_text(tmp_path: Path) -> None:
    site = jekyll_site(tmp_path / "blog")
    write(
        site,
        {
            "_posts/2024-02-01-bild.md": (
                "---\ntitle: Bild\nsummary: 3\nexcerpt: ''\n"
                "image:\n  path: /a.png\n  alt: Ein Bild\n---\n"
                "Text.\n"
            )
        },
    )
    assert invoke("init", "--root", site).exit_code == 0
    assert load_config(site).front_matter == ["title", "description", "image.alt"]


# --- --apply changes only the lines it must -------------------------------------------------


def changes(old: bytes, new: bytes) -> list[tuple[list[bytes], list[bytes]]]:
    """The (removed, added) lines between two versions of a file."""
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    return [
        (a[i1:i2], b[j1:j2])
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes()
        if tag != "equal"
    ]


def test_apply_adds_lines_to_a_jekyll_config_and_changes_no_other(tmp_path: Path) -> None:
    site = jekyll_site(tmp_path / "blog")
    before = (site / "_config.yml").read_bytes()
    assert invoke("init", "--root", site, "--apply").exit_code == 0
    after = (site / "_config.yml").read_bytes()
    assert changes(before, after) == [([], [b"  - locales\n", b"  - postlingo.toml\n"])]


def test_apply_edits_a_flow_list_in_its_line(tmp_path: Path) -> None:
    site = polyglot_site(tmp_path / "blog")
    config = site / "_config.yml"
    config.write_bytes(
        b"title: Blog\r\nexclude: [Gemfile]  # ours\r\nplugins: [jekyll-polyglot]"
        b'\r\nlanguages: ["de"]\r\ndefault_lang: en # polyglot\r\nkeep: 1'
    )
    before = config.read_bytes()
    assert invoke("init", "--root", site, "--apply").exit_code == 0
    assert changes(before, config.read_bytes()) == [
        (
            [b"exclude: [Gemfile]  # ours\r\n"],
            [b"exclude: [Gemfile, locales, postlingo.toml]  # ours\r\n"],
        ),
        (
            [b'languages: ["de"]\r\n', b"default_lang: en # polyglot\r\n"],
            [b'languages: ["de", en]\r\n', b"default_lang: de # polyglot\r\n"],
        ),
    ]  # (and the last line still has no line ending)


def test_apply_adds_hugo_languages_and_changes_no_other_line(tmp_path: Path) -> None:
    site = hugo_site(tmp_path / "blog")
    before = (site / "hugo.toml").read_bytes()
    assert invoke("init", "--root", site, "--apply").exit_code == 0
    found = changes(before, (site / "hugo.toml").read_bytes())
    assert [removed for removed, _ in found] == [[], []]
    added = b"".join(line for _, lines in found for line in lines)
    assert added == (
        b'defaultContentLanguage = "de"\n'
        b"\n[languages.de]\nweight = 1\n\n[languages.en]\nweight = 2\n"
    )


def test_apply_leaves_a_config_it_cannot_edit_safely_and_says_so(tmp_path: Path) -> None:
    site = polyglot_site(tmp_path / "blog")
    config = site / "_config.yml"
    config.write_text("title: Blog\nplugins: [jekyll-polyglot]\nlanguages: de\n")
    before = config.read_bytes()
    result = invoke("init", "--root", site, "--apply")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert "edit it by hand" in result.stderr and "_config.yml" in result.stderr
    assert config.read_bytes() == before
    assert (site / "postlingo.toml").is_file()  # the configuration is written all the same


# --- no configuration, no posts: not success -------------------------------------------


def test_every_command_but_init_refuses_to_run_without_a_configuration(tmp_path: Path) -> None:
    names = [
        command.name or command.callback.__name__.removesuffix("_command")
        for command in app.registered_commands
    ]
    assert "init" in names and "sync" in names
    for name in names:
        if name == "init":
            continue
        result = invoke(name, "--root", tmp_path)
        assert (result.exit_code, result.stderr) == (2, NO_CONFIG), name
    assert invoke("--help").exit_code == 0
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ConfigError, match=r"^no postlingo\.toml here"):
        load_config(tmp_path)


def test_a_posts_glob_that_matches_nothing_names_the_glob(tmp_path: Path) -> None:
    site = jekyll_site(tmp_path / "blog")
    (site / "postlingo.toml").write_text(
        'layout = "jekyll"\nposts = ["_posts/**/*.md", "posts/*.md"]\n', encoding="utf-8"
    )
    for command in ("sync", "status", "check", "extract"):
        result = invoke(command, "--root", site)
        assert result.exit_code == 2, result.output
        assert result.stderr == (
            f"error: {site / 'postlingo.toml'}:2: 'posts' pattern 'posts/*.md' matches no post\n"
        )
    assert not (site / "locales").exists()
