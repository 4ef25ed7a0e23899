"""Hugo shortcodes: copied byte for byte, prose parameters and Markdown content translated,
link definitions with shortcode targets kept; checked on what Debian's hugo builds."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import polib
import pytest

from conftest import REPO, fill_catalogue, invoke, write_post
from postlingo.source.shortcodes import calls
from sitebuild import hugo_build

FIXTURE = REPO / "tests/fixtures/sites/hugo-shortcodes"
POSTS = ("kurzcodes", "erster-eindruck")
PROSE = ("title", "alt", "caption", "attr", "summary")


def shortcode_site(tmp_path: Path) -> Path:
    root = tmp_path / "hugo"
    shutil.copytree(FIXTURE, root)
    return root


def source(root: Path, name: str = "kurzcodes") -> Path:
    return root / f"content/posts/{name}.md"


def variant(root: Path, name: str = "kurzcodes") -> Path:
    return root / f"content/posts/{name}.en.md"


def catalogue(root: Path, name: str = "kurzcodes") -> Path:
    return root / f"locales/en/LC_MESSAGES/{name}.po"


def translate(root: Path, texts: dict[str, str], name: str = "kurzcodes") -> None:
    """Each msgid keeps itself as translation, except those ``texts`` names."""
    fill_catalogue(catalogue(root, name), lambda entry: texts.get(entry.msgid, entry.msgid))


def test_identity_round_trip_is_byte_exact(tmp_path: Path) -> None:
    root = shortcode_site(tmp_path)
    assert invoke("sync", "--root", root).exit_code == 0
    for name in POSTS:
        translate(root, {}, name)
    result = invoke("sync", "--root", root)
    assert result.exit_code == 0, result.output
    for name in POSTS:
        assert variant(root, name).read_bytes() == source(root, name).read_bytes()


def test_catalogue_holds_prose_parameters_and_no_shortcode_lines(tmp_path: Path) -> None:
    root = shortcode_site(tmp_path)
    assert invoke("sync", "--root", root).exit_code == 0
    pot = polib.pofile(str(root / "locales/templates/kurzcodes.pot"))
    params = {(e.msgctxt, e.msgid) for e in pot if e.msgctxt and "." in e.msgctxt}
    assert params == {
        ("figure.title", "Ein Elefant bei Sonnenuntergang"),
        ("figure.alt", "Ein grauer Elefant"),
        ("figure.caption", 'Eine Giraffe mit "langem" Hals'),
        ("figure.attr", "Foto: Anna"),
        ("outer.title", "Äußerer Rahmen"),
        ("inner.caption", "Innere Beschriftung"),
        ("figure.caption", "Ein Bild in der Liste"),  # in a list item
        ("media/audio.title", "Folge zweiundvierzig"),  # a shortcode in a subfolder
        ("details.summary", "Mehr erfahren"),
    }
    body = {e.msgid for e in pot if e.msgctxt is None}
    # Lines of calls never join a paragraph; Markdown inside {{% %}} and configured {{< >}}
    # pairs is segmented; other {{< >}} content and the definitions are copied.
    assert (
        "Ein Absatz vor den Kurzcodes mit einem [Verweis][1] und einem [zweiten "
        "Verweis][2]." in body
    )
    # A call between lines of text is inside the paragraph, as Hugo renders it.
    assert (
        'Andere Teile der {{< glossary text="Steuerungsebene" term="control-plane" >}} '
        "reagieren darauf, in einem Satz." in body
    )
    assert "Markdown **innen** wird übersetzt, mit `Code`." in body
    assert "Ein kurzer *Hinweis* auf einer Zeile." in body
    assert "Dieser Hinweis ist **Prosa** und wird übersetzt." in body
    assert "Hier steht **mehr** zum Thema." in body
    assert 'Ein zweiter Punkt mit {{% param "description" %}} im Text.' in body
    assert not [
        m
        for m in body
        if "[1]:" in m
        or "Hallo Welt" in m
        or "zitierten" in m
        or "Benannter" in m
        or m.startswith("{{")
    ]


def pseudo_site(tmp_path: Path) -> Path:
    root = shortcode_site(tmp_path)
    assert invoke("sync", "--root", root).exit_code == 0
    result = invoke("draft", "--root", root, "--engine", "pseudo")
    assert result.exit_code == 0, result.output
    result = invoke("build", "--root", root, "--include-fuzzy")
    assert result.exit_code == 0, result.output
    return root


def test_pseudo_translation_keeps_every_call(tmp_path: Path) -> None:
    root = pseudo_site(tmp_path)
    german, english = source(root).read_text(), variant(root).read_text()
    assert english != german
    shape = [
        (
            c.delim,
            c.name,
            c.closing,
            c.self_closing,
            c.escaped,
            [(p.name, p.value if p.name not in PROSE else "") for p in c.params],
        )
        for c in calls(german)
    ]
    assert [
        (
            c.delim,
            c.name,
            c.closing,
            c.self_closing,
            c.escaped,
            [(p.name, p.value if p.name not in PROSE else "") for p in c.params],
        )
        for c in calls(english)
    ] == shape
    # The definitions and the copied pairs are the source's own lines.
    for line in (
        '[1]: {{< ref "erster-eindruck.md" >}} "Erster Eindruck"\n',
        '[2]: {{< relref "erster-eindruck.md" >}}\n',
        "{{< myshortcode >}}<p>Hallo <strong>Welt, schön hier</strong></p>{{< /myshortcode >}}\n",
    ):
        assert line in english
    assert 'caption="⟦Ḗīƞḗ Ɠīřȧffḗ ḿīŧ \\"ŀȧƞɠḗḿ\\" Ħȧŀş⟧"' in english


def hrefs(page: Path) -> list[str]:
    html = page.read_text()
    main = html.split("<nav>")[0]  # (the language switcher links the other language)
    return re.findall(r'href="([^"]*)"', main)


def test_both_languages_build_and_references_stay_in_the_language(tmp_path: Path) -> None:
    root = pseudo_site(tmp_path)
    built = hugo_build(root)
    german = built / "posts/kurzcodes/index.html"
    english = built / "en/posts/kurzcodes/index.html"
    assert sorted(set(hrefs(german))) == [
        "/posts/erster-eindruck/",
        "https://example.org/posts/erster-eindruck/",
    ]
    assert sorted(set(hrefs(english))) == [
        "/en/posts/erster-eindruck/",
        "https://example.org/en/posts/erster-eindruck/",
    ]
    assert len(hrefs(english)) == 4  # [Verweis][1], [zweiten Verweis][2], two inline links
    page = english.read_text()
    assert 'title="Erster Eindruck">Vḗřẇḗīş</a>' in page  # the definition's title: copied
    assert "<h4>⟦Ḗīƞ Ḗŀḗfȧƞŧ ƀḗī Şǿƞƞḗƞŭƞŧḗřɠȧƞɠ⟧</h4>" in page
    assert '<section class="outer" title="⟦Äŭßḗřḗř Řȧħḿḗƞ⟧">' in page
    assert "<strong>īƞƞḗƞ</strong>" in page  # {{% %}} content rendered as Markdown
    assert "<strong>Ƥřǿşȧ</strong>" in page  # configured {{< >}} prose
    assert "Hallo <strong>Welt, schön hier</strong>" in page  # copied {{< >}} content


def test_parameter_values_are_quoted_as_hugo_reads_them(tmp_path: Path) -> None:
    root = shortcode_site(tmp_path)
    assert invoke("sync", "--root", root).exit_code == 0
    translate(
        root,
        {
            "Ein grauer Elefant": 'A "grey" elephant',
            "Ein Elefant bei Sonnenuntergang": "An elephant \\o/ at sunset",
            "Foto: Anna": "Photo: `Anna`",
        },
    )
    result = invoke("build", "--root", root)
    assert result.exit_code == 0, result.output
    text = variant(root).read_text()
    assert 'title=`An elephant \\o/ at sunset` alt="A \\"grey\\" elephant"' in text
    assert 'attr="Photo: `Anna`"' in text  # a backtick leaves the raw string
    page = (hugo_build(root) / "en/posts/kurzcodes/index.html").read_text()
    assert 'alt="A &#34;grey&#34; elephant"' in page
    assert "<h4>An elephant \\o/ at sunset</h4>" in page


def test_translations_that_touch_shortcodes_are_refused(tmp_path: Path) -> None:
    root = shortcode_site(tmp_path)
    assert invoke("sync", "--root", root).exit_code == 0
    paragraph = next(
        e.msgid for e in polib.pofile(str(catalogue(root))) if e.msgid.startswith("Im Fließtext")
    )
    translate(
        root,
        {
            paragraph: paragraph.replace("{{< param description >}}", "the description"),
            "Ein grauer Elefant": 'A grey {{< param "x" >}} elephant',
            "Ein kurzer *Hinweis* auf einer Zeile.": "A {{% /notice %}} short note.",
        },
    )
    result = invoke("build", "--root", root)
    assert result.exit_code == 1
    text = variant(root).read_text()
    german = source(root).read_text()
    for kept in (
        "Im Fließtext steht ein Kurzcode {{< param description >}}",
        'alt="Ein grauer Elefant"',
        "{{% notice %}}Ein kurzer *Hinweis* auf einer Zeile.{{% /notice %}}",
    ):
        assert kept in german and kept in text
    assert result.output.count("not used, the variant keeps the source text") >= 3
    hugo_build(root)  # and the site still builds


def test_jekyll_sites_read_no_shortcodes(site: Path) -> None:
    # In Jekyll {{ opens Liquid output: a post quoting Hugo syntax is read as before.
    write_post(
        site,
        "2021-02-01-hugo.md",
        '---\ntitle: "Hugo"\n---\nEin Absatz über Hugo.\n'
        '{{< figure caption="Eine Beschriftung" >}}\nNoch ein Satz dazu.\n',
    )
    assert invoke("sync", "--root", site).exit_code == 0
    pot = polib.pofile(str(site / "locales/templates/2021-02-01-hugo.pot"))
    assert [(e.msgctxt, e.msgid) for e in pot] == [
        ("title", "Hugo"),
        (
            None,
            'Ein Absatz über Hugo. {{< figure caption="Eine Beschriftung" >}} Noch ein Satz dazu.',
        ),
    ]


def test_postlingo_off_covers_parameters_too(tmp_path: Path) -> None:
    root = shortcode_site(tmp_path)
    post = source(root)
    post.write_text(
        post.read_text()
        .replace(
            '{{< outer title="Äußerer Rahmen" >}}',
            '<!-- postlingo: off -->\n\n{{< outer title="Äußerer Rahmen" >}}',
        )
        .replace("{{< myshortcode />}}", "{{< myshortcode />}}\n\n<!-- postlingo: on -->")
    )
    assert invoke("sync", "--root", root).exit_code == 0
    pot = polib.pofile(str(root / "locales/templates/kurzcodes.pot"))
    contexts = {e.msgctxt for e in pot}
    assert "outer.title" not in contexts and "inner.caption" not in contexts
    assert "figure.caption" in contexts and "details.summary" in contexts


@pytest.mark.parametrize(
    "call",
    [
        '{{< figure src="a.jpg" title="Ä \\u00e4" >}}',  # an escape Hugo reads in "…"
        "{{< figure src=\"a.jpg\" alt='Ein Bild' >}}",  # single quotes: no quotes to Hugo
        '{{< figure src="a.jpg" caption=`Ein "rohes" Bild` >}}',
    ],
)
def test_a_parameter_rendered_back_unchanged_keeps_its_bytes(call: str) -> None:
    from postlingo.config import Config
    from postlingo.source import shortcodes
    from postlingo.source.markdown import body_segments
    from postlingo.source.post import parse_post

    shortcodes.configure(Config(layout="hugo"))
    try:
        text = f"---\ntitle: x\n---\n{call}\n"
        post = parse_post(text, Path("x.md"), "x")
        params = [seg for seg in body_segments(post) if seg.context]
        assert params
        for segment in params:
            assert segment.render(segment.msgid) == text[segment.start : segment.end]
    finally:
        shortcodes.configure(Config())
