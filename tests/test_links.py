"""Links between posts stay in the reader's language: plain Jekyll, jekyll-polyglot and
Hugo sites, checked on the HTML the generators build."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import fill_catalogue, invoke
from sitebuild import hugo_build, jekyll_build
from test_init import write

LAYOUT = "<html><body>{{ content }}</body></html>\n"
JEKYLL_POSTS = {
    "_posts/2024-01-02-hallo.md": "---\ntitle: Hallo Welt\n---\nDer erste Beitrag hier.\n",
    "_posts/2024-01-04-ohne.md": "---\ntitle: Ohne Übersetzung\n---\nNur auf Deutsch da.\n",
    "_posts/2024-01-03-zweiter.md": (
        "---\ntitle: Der zweite Beitrag\n---\n"
        "Siehe [den ersten Beitrag]({% post_url 2024-01-02-hallo %}) und\n"
        "[noch einmal]({% link _posts/2024-01-02-hallo.md %}), aber\n"
        "[diesen hier]({% post_url 2024-01-04-ohne %}) gibt es nur auf Deutsch.\n\n"
        "So schreibt man es: `{% raw %}{% post_url 2024-01-02-hallo %}{% endraw %}`.\n"
    ),
}


def translate_all_but_ohne(root: Path) -> None:
    for path in sorted((root / "locales/en/LC_MESSAGES").rglob("*.po")):
        if "ohne" not in path.name:
            fill_catalogue(path, lambda entry: "EN " + entry.msgid)


def synced(root: Path) -> None:
    assert invoke("sync", "--root", root).exit_code == 0
    translate_all_but_ohne(root)
    result = invoke("sync", "--root", root)
    assert result.exit_code == 0, result.output


def hrefs(page: Path) -> list[str]:
    return re.findall(r'href="([^"]*)"', page.read_text())


def test_plain_jekyll_post_url_and_link_lead_to_the_english_post(tmp_path: Path) -> None:
    root = write(
        tmp_path / "site",
        {
            **JEKYLL_POSTS,
            "_layouts/post.html": LAYOUT,
            "_config.yml": "title: Blog\ntimezone: Europe/Berlin\n"
            "exclude: [locales, postlingo.toml]\n",
            "postlingo.toml": 'layout = "jekyll"\nposts = ["_posts/**/*.md"]\nthreshold = 80\n',
        },
    )
    synced(root)
    variant = (root / "en/_posts/2024-01-03-zweiter.md").read_text()
    assert "{% post_url en/2024-01-02-hallo %}" in variant
    assert "{% link en/_posts/2024-01-02-hallo.md %}" in variant
    assert "{% post_url 2024-01-04-ohne %}" in variant  # no English variant: the German one
    assert "{% raw %}{% post_url 2024-01-02-hallo %}{% endraw %}" in variant  # an example
    assert not (root / "en/_posts/2024-01-04-ohne.md").exists()
    po = (root / "locales/en/LC_MESSAGES/2024-01-03-zweiter.po").read_text()
    assert "{% post_url 2024-01-02-hallo %}" in po and "en/2024" not in po  # msgid: source
    built = jekyll_build(root)
    assert hrefs(built / "en/2024/01/03/zweiter.html") == [
        "/en/2024/01/02/hallo.html",
        "/en/2024/01/02/hallo.html",
        "/2024/01/04/ohne.html",
    ]
    assert hrefs(built / "2024/01/03/zweiter.html") == [
        "/2024/01/02/hallo.html",
        "/2024/01/02/hallo.html",
        "/2024/01/04/ohne.html",
    ]
    assert (built / "en/2024/01/02/hallo.html").is_file()


def test_localize_links_false_leaves_them_and_check_reports_them(tmp_path: Path) -> None:
    root = write(
        tmp_path / "site",
        {
            **JEKYLL_POSTS,
            "postlingo.toml": 'layout = "jekyll"\nposts = ["_posts/**/*.md"]\n'
            "localize_links = false\nthreshold = 0\n",
        },
    )
    synced(root)
    variant = (root / "en/_posts/2024-01-03-zweiter.md").read_text()
    assert "{% post_url 2024-01-02-hallo %}" in variant and "en/2024" not in variant
    result = invoke("check", "--root", root)
    found = [line for line in result.output.splitlines() if ": language-links: warning: " in line]
    # (threshold 0: the untranslated post's variant is published too)
    assert [line.split(": language-links: ")[0][-33:] for line in found] == [
        "en/_posts/2024-01-03-zweiter.md:6",
        "en/_posts/2024-01-03-zweiter.md:7",
        "en/_posts/2024-01-03-zweiter.md:8",
    ], result.output
    assert "link to 2024-01-02-hallo leads out of en" in found[0]
    assert "(en/2024-01-02-hallo)" in found[0]
    configure = root / "postlingo.toml"
    configure.write_text(configure.read_text().replace("localize_links = false\n", ""))
    assert invoke("sync", "--root", root).exit_code == 0
    assert ": language-links: " not in invoke("check", "--root", root).output


def test_polyglot_gets_the_variant_named_and_relativizes_it_once(tmp_path: Path) -> None:
    root = write(
        tmp_path / "site",
        {
            **JEKYLL_POSTS,
            "_layouts/post.html": LAYOUT,
            "_config.yml": "title: Blog\ntimezone: Europe/Berlin\nplugins: [jekyll-polyglot]\n"
            "languages: [de, en]\ndefault_lang: de\nparallel_localization: false\n"
            "exclude: [locales, postlingo.toml]\n",
            "postlingo.toml": 'layout = "jekyll-polyglot"\nposts = ["_posts/**/*.md"]\n'
            "threshold = 80\n",
        },
    )
    synced(root)
    variant = (root / "_posts/en/2024-01-03-zweiter.md").read_text()
    # Named as the variant: polyglot's English build has no German post where an English
    # one exists ({% link %} to it would fail the build), and relativizes the URL itself.
    assert "{% post_url en/2024-01-02-hallo %}" in variant
    assert "{% link _posts/en/2024-01-02-hallo.md %}" in variant
    assert "{% post_url 2024-01-04-ohne %}" in variant
    built = jekyll_build(root)
    page = built / "en/2024/01/03/zweiter.html"
    assert "EN Siehe" in page.read_text()
    # (polyglot relativizes the German post's URL too, and serves its copy of the German
    # post there: the reader stays under /en/, with German text marked lang="de")
    assert hrefs(page) == [
        "/en/2024/01/02/hallo.html",
        "/en/2024/01/02/hallo.html",
        "/en/2024/01/04/ohne.html",
    ]
    assert "Nur auf Deutsch da." in (built / "en/2024/01/04/ohne.html").read_text()


HUGO_CONFIG = (
    'baseURL = "https://example.org/"\ntitle = "Blog"\ndefaultContentLanguage = "de"\n'
    'disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]\n'
    "[languages.de]\nweight = 1\n[languages.en]\nweight = 2\n"
)
HUGO_POSTS = {
    "hugo.toml": HUGO_CONFIG,
    "layouts/_default/single.html": "<html><body>{{ .Content }}</body></html>\n",
    "layouts/_default/list.html": "<html><body></body></html>\n",
    "content/posts/hallo.md": "---\ntitle: Hallo Welt\n---\nDer erste Beitrag hier.\n",
    "content/posts/ohne.md": "---\ntitle: Ohne Übersetzung\n---\nNur auf Deutsch da.\n",
    "content/posts/zweiter.md": (
        "---\ntitle: Der zweite Beitrag\n---\n"
        "Siehe [den ersten Beitrag](/posts/hallo/), [mit Anker](/posts/hallo/#oben),\n"
        '[per ref]({{< ref "hallo.md" >}}), [als Datei](hallo.md) und\n'
        "[diesen hier](/posts/ohne/), den es nur auf Deutsch gibt.\n\n"
        "[def]: /posts/hallo/\n\n"
        "Als Beispiel: `[x](/posts/hallo/)` und\n\n```\n[y](/posts/hallo/)\n```\n"
    ),
}


def test_hugo_hard_coded_urls_and_file_links_lead_to_the_english_post(tmp_path: Path) -> None:
    root = write(
        tmp_path / "site",
        {
            **HUGO_POSTS,
            "postlingo.toml": 'layout = "hugo"\nposts = ["content/**/*.md"]\nthreshold = 80\n',
        },
    )
    synced(root)
    variant = (root / "content/posts/zweiter.en.md").read_text()
    assert "](/en/posts/hallo/)" in variant and "](/en/posts/hallo/#oben)" in variant
    assert '({{< ref "hallo.md" >}})' in variant  # Hugo resolves it per language already
    assert "](hallo.en.md)" in variant
    assert "](/posts/ohne/)" in variant and "[def]: /en/posts/hallo/\n" in variant
    assert "`[x](/posts/hallo/)`" in variant and "\n[y](/posts/hallo/)\n" in variant  # code
    built = hugo_build(root)
    assert hrefs(built / "en/posts/zweiter/index.html") == [
        "/en/posts/hallo/",
        "/en/posts/hallo/#oben",
        "https://example.org/en/posts/hallo/",
        "hallo.en.md",
        "/posts/ohne/",
    ]
    assert (built / "en/posts/hallo/index.html").is_file()


def test_hugo_translated_slugs_are_followed(tmp_path: Path) -> None:
    root = write(
        tmp_path / "site",
        {
            **HUGO_POSTS,
            "postlingo.toml": 'layout = "hugo"\nposts = ["content/**/*.md"]\n'
            'slug = "translate"\nthreshold = 80\n',
        },
    )
    assert invoke("sync", "--root", root).exit_code == 0
    for path in sorted((root / "locales/en/LC_MESSAGES").rglob("*.po")):
        if "ohne" not in path.name:
            fill_catalogue(
                path, lambda e: "Hello world" if e.msgid == "Hallo Welt" else "EN " + e.msgid
            )
    assert invoke("sync", "--root", root).exit_code == 0
    variant = (root / "content/posts/zweiter.en.md").read_text()
    assert "](/en/posts/hello-world/)" in variant
    built = hugo_build(root)
    links = hrefs(built / "en/posts/en-der-zweite-beitrag/index.html")
    assert links[:3] == [
        "/en/posts/hello-world/",
        "/en/posts/hello-world/#oben",
        "https://example.org/en/posts/hello-world/",
    ]
    assert (built / "en/posts/hello-world/index.html").is_file()


def test_plain_jekyll_translated_slugs_are_followed(tmp_path: Path) -> None:
    root = write(
        tmp_path / "site",
        {
            **JEKYLL_POSTS,
            "_layouts/post.html": LAYOUT,
            "_config.yml": "title: Blog\ntimezone: Europe/Berlin\n"
            "exclude: [locales, postlingo.toml]\n",
            "postlingo.toml": 'layout = "jekyll"\nposts = ["_posts/**/*.md"]\nthreshold = 80\n'
            'slug = "translate"\n',
        },
    )
    assert invoke("sync", "--root", root).exit_code == 0
    for path in sorted((root / "locales/en/LC_MESSAGES").rglob("*.po")):
        if "ohne" not in path.name:
            fill_catalogue(
                path, lambda e: "Hello world" if e.msgid == "Hallo Welt" else "EN " + e.msgid
            )
    assert invoke("sync", "--root", root).exit_code == 0
    assert "slug: hello-world" in (root / "en/_posts/2024-01-02-hallo.md").read_text()
    built = jekyll_build(root)
    assert hrefs(built / "en/2024/01/03/en-der-zweite-beitrag.html") == [
        "/en/2024/01/02/hello-world.html",
        "/en/2024/01/02/hello-world.html",
        "/2024/01/04/ohne.html",
    ]


HARD_CODED = {
    "_posts/2024-01-02-hallo.md": "---\ntitle: Hallo Welt\n---\nDer erste Beitrag hier.\n",
    "_posts/2024-01-04-ohne.md": "---\ntitle: Ohne Übersetzung\n---\nNur auf Deutsch da.\n",
    "_posts/2024-01-05-eigen.md": "---\ntitle: Eigen\npermalink: /ueber/eigen/\n---\nEigen.\n",
    "_posts/2024-01-03-zweiter.md": "---\ntitle: Der zweite Beitrag\n---\n"
    "Siehe [den ersten](URL_HALLO), [mit Anker](URL_HALLO#oben),\n"
    '<a href="URL_HALLO">als HTML</a>, [eigen](/ueber/eigen/) und\n'
    "[diesen hier](URL_OHNE), den es nur auf Deutsch gibt.\n\n"
    "[def]: URL_HALLO\n\nAls Beispiel: `[x](URL_HALLO)`.\n",
    "_layouts/post.html": LAYOUT,
}


@pytest.mark.parametrize(
    ("permalink", "front", "hallo", "ohne"),
    [
        ("", "", "/2024/01/02/hallo.html", "/2024/01/04/ohne.html"),
        ("permalink: pretty\n", "", "/2024/01/02/hallo/", "/2024/01/04/ohne/"),
        (
            "permalink: /:categories/:year/:title:output_ext\n",
            "",
            "/2024/hallo.html",
            "/2024/ohne.html",
        ),
        # (front matter categories come after the folder's: /en/reise/notizen/…)
        (
            "",
            "categories: Reise Notizen\n",
            "/reise/notizen/2024/01/02/hallo.html",
            "/2024/01/04/ohne.html",
        ),
    ],
)
def test_plain_jekyll_hard_coded_post_urls_follow_the_permalink(
    tmp_path: Path, permalink: str, front: str, hallo: str, ohne: str
) -> None:
    posts = {
        name: text.replace("URL_HALLO", hallo)
        .replace("URL_OHNE", ohne)
        .replace("title: Hallo Welt\n", "title: Hallo Welt\n" + front)
        for name, text in HARD_CODED.items()
    }
    root = write(
        tmp_path / "site",
        {
            **posts,
            "_config.yml": "title: Blog\ntimezone: Europe/Berlin\n"
            + permalink
            + "exclude: [locales, postlingo.toml]\n",
            "postlingo.toml": 'layout = "jekyll"\nposts = ["_posts/**/*.md"]\nthreshold = 80\n',
        },
    )
    synced(root)
    english = "/en" + hallo
    variant = (root / "en/_posts/2024-01-03-zweiter.md").read_text()
    assert f"[def]: {english}\n" in variant
    assert f"`[x]({hallo})`" in variant  # code: an example
    po = (root / "locales/en/LC_MESSAGES/2024-01-03-zweiter.po").read_text()
    assert hallo in po and english not in po  # msgid: the source's URL
    built = jekyll_build(root)
    page = next(p for p in built.rglob("*.html") if "zweiter" in str(p) and "/en/" in str(p))
    assert hrefs(page) == [english, english + "#oben", english, "/en/ueber/eigen/", ohne]
    for url in (english, "/en/ueber/eigen/", ohne):
        assert (built / url.lstrip("/")).with_suffix(".html").is_file() or (
            built / url.lstrip("/") / "index.html"
        ).is_file(), url
    assert (
        "EN Der erste"
        in (
            (built / english.lstrip("/")) / "index.html"
            if english.endswith("/")
            else built / english.lstrip("/")
        ).read_text()
    )
    assert ": language-links: " not in invoke("check", "--root", root).output
    configure = root / "postlingo.toml"
    configure.write_text(configure.read_text() + "localize_links = false\n")
    assert invoke("sync", "--root", root).exit_code == 0
    found = [
        line.split(": language-links: ")[0].rsplit("zweiter.md:", 1)[1]
        for line in invoke("check", "--root", root).output.splitlines()
        if ": language-links: " in line
    ]
    lines = (root / "en/_posts/2024-01-03-zweiter.md").read_text().splitlines()
    definition = str(next(n for n, line in enumerate(lines, 1) if line.startswith("[def]:")))
    # not: ohne (no variant), the code span
    assert found == ["6", "7", "7", "8", definition]


def test_polyglot_relativizes_hard_coded_post_urls_itself(tmp_path: Path) -> None:
    posts = {
        name: text.replace("URL_HALLO", "/2024/01/02/hallo.html").replace(
            "URL_OHNE", "/2024/01/04/ohne.html"
        )
        for name, text in HARD_CODED.items()
    }
    root = write(
        tmp_path / "site",
        {
            **posts,
            "_config.yml": "title: Blog\ntimezone: Europe/Berlin\nplugins: [jekyll-polyglot]\n"
            "languages: [de, en]\ndefault_lang: de\nparallel_localization: false\n"
            "exclude: [locales, postlingo.toml]\n",
            "postlingo.toml": 'layout = "jekyll-polyglot"\nposts = ["_posts/**/*.md"]\n'
            "threshold = 80\n",
        },
    )
    synced(root)
    variant = (root / "_posts/en/2024-01-03-zweiter.md").read_text()
    assert "[def]: /2024/01/02/hallo.html\n" in variant  # not rewritten: polyglot does it
    built = jekyll_build(root)
    english = "/en/2024/01/02/hallo.html"
    assert hrefs(built / "en/2024/01/03/zweiter.html") == [
        english,
        english + "#oben",
        english,
        "/en/ueber/eigen/",
        "/en/2024/01/04/ohne.html",  # (polyglot's copy of the German post, under /en/)
    ]
    assert "EN Der erste" in (built / english.lstrip("/")).read_text()
    assert "EN Eigen" in (built / "en/ueber/eigen/index.html").read_text()


def test_hugo_permalinks_of_the_site_config_are_followed(tmp_path: Path) -> None:
    root = write(
        tmp_path / "site",
        {
            **HUGO_POSTS,
            "hugo.toml": HUGO_CONFIG.replace(
                "[languages.de]", '[permalinks]\nposts = "/:year/:slug/"\n[languages.de]'
            ),
            "content/posts/hallo.md": "---\ntitle: Hallo Welt\ndate: 2021-01-05\nslug: hallo\n"
            "---\nDer erste Beitrag hier.\n",
            "content/posts/ohne.md": "---\ntitle: Nur Deutsch\ndate: 2021-01-06\n---\n"
            "Nur auf Deutsch da.\n",
            "content/posts/teil.md": "---\ntitle: Dritter Teil\ndate: 2021-01-07\n---\nDrei.\n",
            "content/posts/zweiter.md": "---\ntitle: Der zweite Beitrag\ndate: 2021-01-08\n---\n"
            "Siehe [den ersten](/2021/hallo/), [mit Anker](/2021/hallo/#oben),\n"
            '[per ref]({{< ref "hallo.md" >}}), [den dritten](/2021/dritter-teil/) und\n'
            "[diesen hier](/2021/nur-deutsch/), den es nur auf Deutsch gibt.\n",
            "postlingo.toml": 'layout = "hugo"\nposts = ["content/**/*.md"]\nthreshold = 80\n',
        },
    )
    synced(root)
    variant = (root / "content/posts/zweiter.en.md").read_text()
    assert "](/en/2021/hallo/)" in variant and "](/2021/nur-deutsch/)" in variant
    built = hugo_build(root)
    assert hrefs(built / "en/2021/en-der-zweite-beitrag/index.html") == [
        "/en/2021/hallo/",
        "/en/2021/hallo/#oben",
        "https://example.org/en/2021/hallo/",
        "/en/2021/en-dritter-teil/",
        "/2021/nur-deutsch/",
    ]
    assert "EN Der erste" in (built / "en/2021/hallo/index.html").read_text()
    assert "EN Drei" in (built / "en/2021/en-dritter-teil/index.html").read_text()
    assert "Nur auf Deutsch" in (built / "2021/nur-deutsch/index.html").read_text()


def test_targets_are_read_once_per_command_even_across_worker_copies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker gets a new copy of the configuration with every chunk of posts: the targets
    must not be read again for each (they were: half of a check's time); a new command
    reads them afresh."""
    import pickle

    from postlingo.config import Config
    from postlingo.variant import links

    calls: list[str] = []
    monkeypatch.setattr(
        links, "_find_targets", lambda config, language: calls.append(language) or {}
    )
    config = Config(root=tmp_path)
    links.forget()
    links._targets(config, "en")
    links._targets(pickle.loads(pickle.dumps(config)), "en")  # as a worker's chunk sees it
    assert calls == ["en"]
    links.forget()  # where a command starts
    links._targets(config, "en")
    assert calls == ["en", "en"]
