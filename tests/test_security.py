"""Security: YAML read safely, output kept inside the site, hostile translations neither
built nor left unreported, API keys nowhere (postlingo.variant.security and its users)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import quote, quote_plus

import polib
import pytest

from conftest import CATALOGUE, POSTS, REPO, SOURCE, VARIANT, invoke, write_post
from libre_server import FakeServer
from postlingo.config import load_config
from postlingo.errors import TranslationError
from postlingo.incremental import sync
from postlingo.pipeline import build, extract, update
from postlingo.source.post import parse_post
from postlingo.variant.security import KINDS, active_content, unsafe_additions

# --- the detection itself --------------------------------------------------------------------

UNSAFE = [
    # (kind, msgid, msgstr)
    ("liquid", "Hallo Welt.", "Hello {{ site.github_token }} world."),
    ("liquid", "Hallo Welt.", "Hello {% include ../../_config.yml %} world."),
    ("liquid", "Hallo {{ page.title }}.", "Hello {{ page.title }} {{page.title}}."),
    ("liquid", "Hallo Welt.", "Hello `{{ site.secret }}` in code: Liquid runs first."),
    ("script", "Hallo Welt.", "Hello <script>alert(document.cookie)</script> world."),
    ("script", "Hallo Welt.", "Hello <SCRIPT SRC=//evil.example/x.js></SCRIPT>"),
    ("script", "Hallo Welt.", "Hello <iframe src=https://evil.example/></iframe>"),
    ("script", "Hallo Welt.", "Hello <style>body{display:none}</style>"),
    ("script", "Hallo Welt.", '<meta http-equiv="refresh" content="0;url=https://evil.example">'),
    ("script", "Hallo Welt.", "Hello <object data=x.swf></object>"),
    ("event-handler", "Hallo Welt.", "Hello <img src=x onerror=alert(1)> world."),
    ("script", "Hallo Welt.", "Hello <svg/onload=alert(1)> world."),
    ("event-handler", "Hallo Welt.", "Hello <b/onclick=alert(1)> world."),
    ("event-handler", "Hallo Welt.", 'Hello <a href="/x" ONMOUSEOVER="steal()">x</a>.'),
    ("event-handler", "Hallo *Welt*.", 'Hello *world*{: onclick="steal()"}.'),
    ("javascript-url", "Hallo [Welt](/welt).", "Hello [world](javascript:alert(1))."),
    ("javascript-url", "Hallo [Welt](/welt).", "Hello [world](JaVaScRiPt:alert(1))."),
    ("javascript-url", "Hallo [Welt](/welt).", "Hello [world](&#106;avascript:alert(1))."),
    ("javascript-url", "Hallo [Welt](/welt).", "Hello [world](java&#x09;script&colon;x)."),
    ("javascript-url", "Hallo [Welt](/welt).", "Hello [world]( <javascript:alert(1)> )."),
    ("javascript-url", "Hallo Welt.", "Hello <javascript:alert(1)> world."),
    ("javascript-url", "Hallo Welt.", 'Hello <a href="vbscript:msgbox(1)">world</a>.'),
    ("javascript-url", "Hallo Welt.", "Hello [world](data:text/html;base64,PHNjcmlwdD4=)."),
    ("javascript-url", "Hallo Welt.", "Hello <button formaction=javascript:x>go</button>"),
    ("javascript-url", "Hallo [Welt](/welt).", "Hello [world](java\tscript:alert(1))."),
    ("shortcode", "Hallo Welt.", "Hello {{< youtube w7Ft2ymGmfc >}} world."),
    ("extension", "Hallo Welt.", "{::nomarkdown}<{:/}b{::nomarkdown}>{:/}world"),
    ("event-handler", "Hallo *Welt*.", 'Hello *x*{: title=\\} onclick="alert(1)"}.'),
    ("attribute-list", "Hallo *Welt*.", "Hello *world*{: .hidden}."),
    ("url", "Hallo [Welt](/welt).", "Hello [world](file:///etc/passwd)."),
    ("html", "Hallo Welt.", "Hello <b>world</b>."),
]
SAFE = [
    ("Hallo {{ page.title }}.", "Hello {{page.title}}."),  # the same tag, spaced otherwise
    ('Ein <abbr title="zum Beispiel">z. B.</abbr>', 'An <abbr title="for example">e.g.</abbr>'),
    ("Über JavaScript: eine Einführung", "About JavaScript: an introduction"),
    ("Klick [hier](javascript:void(0)).", "Click [here](javascript:void(0))."),  # the source's
    ("Ein Bild ![x](data:image/png;base64,AAAA)", "A picture ![x](data:image/png;base64,AAAA)"),
    ("Die Funktion onclick = alert", "The function onclick = alert"),
    ("a < b und c > d, online=gut", "a < b and c > d, online=good"),
    ('Ein <a title="onclick=x">Link</a>', 'A <a title="onclick=x">link</a>'),
    # The same markup, its words (link text, alt, title) translated
    ('Lies [die Anleitung](/de/a "Titel").', 'Read [the guide](/de/a "Title").'),
    ('Ein ![Bild](/b.png "Titel")', 'A ![picture](/b.png "Title")'),
    ('Hallo *Welt*{: .x title="Die Welt"}', 'Hello *world*{: .x title="The world"}'),
    ('Ein <img src="/a.png" alt="Bild">', 'A <img src="/a.png" alt="picture">'),
    ("{% raw %}{{ x }}{% endraw %} und {{ y }}", "{{y}} and {% raw %}{{ x }}{% endraw %}"),
    ("Ein Video {{< youtube abc >}} hier", "A video {{< youtube abc >}} here"),
    ("Siehe <https://example.com/de>", "See <https://example.com/en>"),
    ("Schreib [uns](mailto:a@b.de)", "Write to [us](mailto:a@b.com)"),
    ('Ein <span class="hinweis">Hinweis</span>', 'A <span class="note">note</span>'),
    ("Preis: 3 < 4 und a<3", "Price: 3 < 4 and a<3"),
]


@pytest.mark.parametrize(("kind", "msgid", "msgstr"), UNSAFE)
def test_an_addition_that_runs_code_is_found(kind: str, msgid: str, msgstr: str) -> None:
    found = unsafe_additions(msgid, msgstr)
    assert found and found[0].kind == kind, found  # the first reported: build names it
    kinds = {item.kind for item in found}
    assert unsafe_additions(msgid, msgstr, allowed=kinds) == []
    assert unsafe_additions(msgid, msgstr, allowed=kinds - {kind})[0].kind == kind
    assert unsafe_additions(msgstr, msgstr) == []  # what the source has may stay


@pytest.mark.parametrize(("msgid", "msgstr"), SAFE)
def test_harmless_translations_are_not_flagged(msgid: str, msgstr: str) -> None:
    assert unsafe_additions(msgid, msgstr) == []


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("permalink", "/../../etc/"),
        ("slug", ".."),
        ("url", "https://evil.example/"),
        ("aliases", "//evil.example/x"),
        ("permalink", "/a\\..\\b"),
        ("params.url", "/x/../../y"),
        ("redirect_from", "/&#46;&#46;/x"),
    ],
)
def test_a_path_value_leading_out_of_the_site_is_found(key: str, value: str) -> None:
    assert [item.kind for item in unsafe_additions("/de/x/", value, key=key)] == ["path"]
    assert unsafe_additions("/de/x/", value, key="title") == []


def test_every_kind_is_covered_here() -> None:
    assert {kind for kind, _, _ in UNSAFE} | {"path"} == set(KINDS)


def test_counts_matter_not_order() -> None:
    source = "{{ a }} <script>x</script> {{ b }}"
    assert unsafe_additions(source, "{{ b }} <script>y</script> {{ a }}") == []
    assert [i.what for i in unsafe_additions(source, f"{source} {{{{ a }}}}")] == ["{{ a }}"]
    assert sum(active_content(source).values()) == 3


# --- YAML is never constructed --------------------------------------------------------------


PYTHON_TAGS = [
    "!!python/object/apply:os.system ['touch {marker}']",
    "!!python/object/new:os.system ['touch {marker}']",
    "!!python/name:os.system",
    "!!python/object/apply:subprocess.check_output [['touch', '{marker}']]",
]


@pytest.mark.parametrize("tag", PYTHON_TAGS)
@pytest.mark.parametrize("key", ["title", "author", "tags"])
def test_python_tags_in_front_matter_do_nothing(
    bare_site: Path, tmp_path: Path, tag: str, key: str
) -> None:
    marker = tmp_path / "pwned"
    value = tag.format(marker=marker)
    write_post(
        bare_site,
        "2021-03-03-tag.md",
        f"---\ntitle: Ein Titel\n{key}: {value}\n---\nText.\n".replace(
            f"title: Ein Titel\ntitle: {value}", f"title: {value}"
        ),
    )
    result = invoke("sync", "--root", bare_site)
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 1), result.output
    assert not marker.exists()
    assert invoke("check", "--root", bare_site).exit_code in (0, 1)
    assert not marker.exists()


def test_a_python_tag_on_the_language_key_is_an_error_not_a_call(
    bare_site: Path, tmp_path: Path
) -> None:
    marker = tmp_path / "pwned"
    bad = write_post(
        bare_site,
        "2021-03-03-tag.md",
        f"---\ntitle: x\nlang: !!python/object/apply:os.system ['touch {marker}']\n---\nText.\n",
    )
    result = invoke("sync", "--root", bare_site)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {bad}:3: front matter: postlingo sets 'lang'")
    assert not marker.exists()


def test_no_module_loads_yaml_unsafely() -> None:
    sources = "".join(
        path.read_text(encoding="utf-8") for path in (REPO / "src/postlingo").glob("*.py")
    )
    assert not re.search(
        r"yaml\.(load|load_all|full_load|unsafe_load)\(|"
        r"(Full|Unsafe)?Loader=yaml\.(Loader|FullLoader|UnsafeLoader)",
        sources,
    )


# --- outputs stay inside the site -----------------------------------------------------------


def configure(site: Path, settings: str) -> None:
    """Set the TOML ``settings`` (top-level keys, then tables) in the site's configuration,
    replacing the keys it already has."""
    path = site / "postlingo.toml"
    keys = set(re.findall(r"^(\w+)\s*=", settings, re.MULTILINE))
    kept = [
        line
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.split("=")[0].strip() not in keys
    ]
    path.write_text("\n".join(kept) + "\n" + settings, encoding="utf-8")


@pytest.mark.parametrize(
    "template",
    [
        "../outside/{lang}/{stem}{ext}",
        "/tmp/postlingo-evil/{lang}/{stem}{ext}",
        "{dir}/../../../{lang}{ext}",
    ],
)
def test_a_path_template_leading_out_of_the_site_is_refused(bare_site: Path, template: str) -> None:
    configure(bare_site, f'layout = "custom"\npath = "{template}"\n')
    result = invoke("sync", "--root", bare_site)
    assert result.exit_code == 1
    assert (
        f"error: {bare_site / SOURCE}: the en variant would be written outside the "
        "project" in result.stderr
    )
    assert not Path("/tmp/postlingo-evil").exists()
    assert not (bare_site.parent / "outside").exists()


def test_a_variant_that_is_a_symlink_out_of_the_site_is_not_written(
    bare_site: Path, tmp_path: Path
) -> None:
    target = tmp_path / "bashrc"
    target.write_text("export SAFE=1\n", encoding="utf-8")
    (bare_site / VARIANT).parent.mkdir(parents=True)
    (bare_site / VARIANT).symlink_to(target)
    result = invoke("sync", "--root", bare_site)
    assert result.exit_code == 1
    assert "would be written outside the project" in result.stderr
    assert target.read_text(encoding="utf-8") == "export SAFE=1\n"


def test_a_translated_permalink_leading_out_of_the_site_is_not_built(bare_site: Path) -> None:
    write_post(
        bare_site,
        "2021-03-03-link.md",
        "---\ntitle: Ein Titel\npermalink: /de/ein-titel/\n---\nText.\n",
    )
    configure(bare_site, 'front_matter = ["title", "permalink"]\n')
    assert invoke("sync", "--root", bare_site).exit_code == 0
    po_path = bare_site / "locales/en/LC_MESSAGES/2021-03-03-link.po"
    line = translate(po_path, {"/de/ein-titel/": "/../../../etc/cron.d/"})
    result = invoke("build", "--root", bare_site)
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"warning: {po_path}:{line}: {LEFT_OUT}'/../../../etc/cron.d/' would lead out of the site"
    )
    checked = invoke("check", "--root", bare_site)
    assert f"{po_path}:{line}: security: '/../../../etc/cron.d/' would lead out" in checked.stdout


def test_a_layout_permalink_leading_out_of_the_site_is_refused(bare_site: Path) -> None:
    configure(
        bare_site,
        'layout = "custom"\npath = "{dir}/{lang}/{stem}{ext}"\n'
        'metadata = { permalink = "/../{lang}/{slug}/" }\n',
    )
    result = invoke("sync", "--root", bare_site)
    assert result.exit_code == 1
    assert "the layout sets permalink to '/../en/" in result.stderr


def test_a_hostile_title_gives_a_harmless_slug(bare_site: Path) -> None:
    configure(bare_site, 'slug = "translate"\n')
    assert invoke("sync", "--root", bare_site).exit_code == 0
    translate(bare_site / CATALOGUE, {"Erfolgreiche Kundeninteraktionen": "../../../etc/passwd"})
    assert invoke("build", "--root", bare_site).exit_code == 0
    variant = (bare_site / VARIANT).read_text(encoding="utf-8")
    assert "slug: etc-passwd\n" in variant


# --- hostile translations: not built, reported ----------------------------------------------


def translate(path: Path, table: dict[str, str], fuzzy: bool = False) -> int:
    """Give the entries whose msgid is in ``table`` their translation; return the line of
    the last one in the saved catalogue (as postlingo reads it)."""
    po = polib.pofile(str(path))
    for entry in po:
        if entry.msgid in table:
            entry.msgstr = table[entry.msgid]
            if fuzzy:
                entry.flags.append("fuzzy")
    po.save(str(path))
    return max(entry.linenum for entry in polib.pofile(str(path)) if entry.msgid in table)


PARAGRAPH = "Ein Absatz mit [einem Link](https://example.com/) hier."
LEFT_OUT = "not used, the variant keeps the source text: "  # build's warning (item 15.2)


@pytest.fixture
def hostile(bare_site: Path) -> Path:
    write_post(
        bare_site,
        "2021-03-03-kurz.md",
        f"---\ntitle: Kurz\ndescription: Eine Beschreibung\n---\n{PARAGRAPH}\n",
    )
    assert invoke("sync", "--root", bare_site).exit_code == 0
    return bare_site


def kurz(site: Path) -> Path:
    return site / "locales/en/LC_MESSAGES/2021-03-03-kurz.po"


@pytest.mark.parametrize(
    ("kind", "msgid", "msgstr"),
    [(kind, msgid, msgstr) for kind, msgid, msgstr in UNSAFE if msgid == "Hallo Welt."],
)
def test_a_hostile_body_translation_is_not_built(
    hostile: Path, kind: str, msgid: str, msgstr: str
) -> None:
    line = translate(kurz(hostile), {PARAGRAPH: msgstr})
    variant = hostile / POSTS / "en/2021-03-03-kurz.md"
    before = variant.read_bytes()
    result = invoke("build", "--root", hostile)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        f"warning: {kurz(hostile)}:{line}: {LEFT_OUT}adds "
    ), lines
    assert variant.read_bytes() == before  # the source's text, as before
    checked = invoke("check", "--root", hostile)
    assert checked.exit_code == 1
    assert f"{kurz(hostile)}:{line}: security: adds " in checked.stdout
    assert f"{kurz(hostile)}:{line}: build: " not in checked.stdout  # reported once


@pytest.mark.parametrize(
    "value", ["<script>alert(1)</script>", "{{ site.secret }}", 'x" onmouseover="alert(1)']
)
def test_a_hostile_front_matter_translation_is_not_built(hostile: Path, value: str) -> None:
    line = translate(kurz(hostile), {"Eine Beschreibung": f"A description {value}"})
    result = invoke("build", "--root", hostile)
    if "onmouseover" in value:  # a plain string in YAML: no attribute anywhere
        assert result.exit_code == 0, result.output
        return
    assert result.exit_code == 1
    assert result.stderr.startswith(f"warning: {kurz(hostile)}:{line}: {LEFT_OUT}adds ")


def test_allow_unsafe_lets_the_kinds_it_names_through(hostile: Path) -> None:
    translate(
        kurz(hostile),
        {PARAGRAPH: "A paragraph [a link](https://example.com/) {% include note.html %} here."},
    )
    configure(hostile, 'allow_unsafe = ["liquid"]\n')
    assert invoke("build", "--root", hostile).exit_code == 0
    variant = (hostile / POSTS / "en/2021-03-03-kurz.md").read_text(encoding="utf-8")
    assert "{% include note.html %}" in variant
    assert "security:" not in invoke("check", "--root", hostile).stdout
    translate(kurz(hostile), {PARAGRAPH: "A paragraph <script>x()</script> here."})
    assert invoke("build", "--root", hostile).exit_code == 1  # not a kind it allows


def test_a_lower_check_level_does_not_let_a_build_through(hostile: Path) -> None:
    translate(kurz(hostile), {PARAGRAPH: "A paragraph <script>x()</script> here."})
    configure(hostile, '[check]\nsecurity = "warning"\n')
    checked = invoke("check", "--root", hostile)
    assert "security: warning: adds the HTML element <script>" in checked.stdout
    assert invoke("build", "--root", hostile).exit_code == 1


def test_check_reports_under_build_when_the_security_rule_is_off(hostile: Path) -> None:
    line = translate(kurz(hostile), {PARAGRAPH: "A paragraph <script>x()</script> here."})
    configure(hostile, '[check]\nsecurity = "off"\nhtml = "off"\nlinks = "off"\n')
    checked = invoke("check", "--root", hostile)
    assert checked.exit_code == 1
    assert f"{kurz(hostile)}:{line}: build: adds the HTML element <script>" in checked.stdout


def test_a_fuzzy_hostile_translation_counts_once_build_uses_it(hostile: Path) -> None:
    translate(kurz(hostile), {PARAGRAPH: "A paragraph <script>x()</script>."}, fuzzy=True)
    assert invoke("build", "--root", hostile).exit_code == 0  # fuzzy: not used
    assert invoke("build", "--root", hostile, "--include-fuzzy").exit_code == 1
    assert "security:" in invoke("check", "--root", hostile, "--include-fuzzy").stdout


def test_pieces_from_two_translations_cannot_make_a_tag(bare_site: Path) -> None:
    # Each translation alone holds what its source holds (a lone '{{', nothing): the
    # variant-wide check sees the tag they make together.
    write_post(
        bare_site,
        "2021-03-03-zwei.md",
        "---\ntitle: Zwei\n---\nErster Absatz {{\n\nZweiter Absatz.\n",
    )
    assert invoke("sync", "--root", bare_site).exit_code == 0
    po_path = bare_site / "locales/en/LC_MESSAGES/2021-03-03-zwei.po"
    translate(
        po_path, {"Erster Absatz {{": "First {{", "Zweiter Absatz.": "site.secret }} second."}
    )
    configure(bare_site, '[check]\nliquid = "off"\nbrackets = "off"\n')  # (else: left out)
    result = invoke("build", "--root", bare_site)
    assert result.exit_code == 1
    assert (
        f"error: {bare_site / POSTS / '2021-03-03-zwei.md'}: the variant in en adds the Liquid tag"
    ) in result.stderr


def test_a_hostile_taxonomy_term_is_not_built(bare_site: Path) -> None:
    configure(bare_site, 'taxonomy = ["tags", "categories"]\n')
    assert invoke("sync", "--root", bare_site).exit_code == 0
    taxonomy = bare_site / "locales/en/LC_MESSAGES/taxonomy.po"
    term = next(entry.msgid for entry in polib.pofile(str(taxonomy)))
    line = translate(taxonomy, {term: "<script>alert(1)</script>"})
    result = invoke("build", "--root", bare_site)
    assert result.exit_code == 1
    assert "adds the HTML element <script>" in result.stderr
    assert f"{taxonomy}:{line}: security: " in invoke("check", "--root", bare_site).stdout


def test_the_library_refuses_too(hostile: Path) -> None:
    config = load_config(hostile)
    translate(kurz(hostile), {PARAGRAPH: "A paragraph {{ site.secret }} here."})
    outcome = build(config)
    assert (
        outcome.ok
        and [type(problem) for problem in outcome.warnings]
        and all(isinstance(problem, TranslationError) for problem in outcome.warnings)
    )
    assert extract(config).ok and update(config).ok


# --- API keys ---------------------------------------------------------------------------------

SECRET = "sk-Secret/Key+42=="


def test_api_keys_are_in_no_output_file_cache_or_traceback(
    bare_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POSTLINGO_TEST_KEY", SECRET)
    with FakeServer(["normal"] * 3 + ["403"]) as server:
        with (bare_site / "postlingo.toml").open("a", encoding="utf-8") as handle:
            handle.write(
                f'engine = "libre"\nengine_timeout = 0.5\nengine_retries = 0\n'
                f'[engines.libre]\nurl = "{server.url}"\n'
                'key_env = "POSTLINGO_TEST_KEY"\n'
            )
        assert sync(load_config(bare_site)).ok
        outputs = []
        for args in (
            ["draft"],
            ["--debug", "draft"],
            ["draft", "--dry-run"],
            ["check"],
            ["status", "--format", "json"],
            ["--debug", "sync"],
        ):
            result = invoke(*args, "--root", bare_site)
            outputs += [result.stdout, result.stderr]
        assert server.requests and server.requests[0].key == SECRET  # the key was used
    forms = [SECRET, quote(SECRET, safe=""), quote_plus(SECRET)]
    for text in outputs:
        assert not any(form in text for form in forms), text
    files = [path for path in bare_site.rglob("*") if path.is_file()]
    assert any(".cache" in path.parts for path in files)
    for path in files:
        assert not any(form.encode() in path.read_bytes() for form in forms), path


def test_the_example_site_is_clean() -> None:
    """The repository's own catalogue passes the security rule (nothing to allow)."""
    po = polib.pofile(str(REPO / CATALOGUE))
    source = parse_post((REPO / SOURCE).read_text(encoding="utf-8"), SOURCE, SOURCE.stem)
    assert source.text
    for entry in po:
        if entry.msgstr and not entry.obsolete:
            assert unsafe_additions(entry.msgid, entry.msgstr, key=entry.msgctxt) == [], entry


@pytest.fixture(autouse=True)
def _no_leftover(tmp_path: Path) -> None:
    yield
    shutil.rmtree("/tmp/postlingo-evil", ignore_errors=True)
