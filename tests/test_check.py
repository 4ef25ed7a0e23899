"""postlingo check: every rule fires where it must (file, line, exit code) and nowhere else."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import polib
import pytest
import yaml

from conftest import CATALOGUE, POST_NAME, REPO, SOURCE, TEMPLATE, VARIANT, invoke
from postlingo.catalogue.locales import catalogue_path
from postlingo.config import load_config
from postlingo.incremental import sync
from postlingo.pipeline import build, extract, update
from postlingo.qa import check as check_module
from postlingo.qa.check import RULES, Options, check, msgfmt_like, run_msgfmt
from postlingo.source.segment import yaml_scalar

FIXTURES = Path(__file__).parent / "fixtures" / "check"
ENTRY_CASES = sorted(FIXTURES.glob("*.po"))
ENTRY_RULES = {name for name, rule in RULES.items() if rule.entry is not None}


# --- sites -----------------------------------------------------------------------------------


def _header_lines(po: polib.POFile, key: str) -> list[str]:
    prefix = f"{key}: "
    return [line[len(prefix) :] for line in po.header.splitlines() if line.startswith(prefix)]


def post_from(po: polib.POFile) -> str:
    """A post holding exactly the fixture's msgids: msgctxt entries in the front matter,
    the rest as paragraphs, then the ``# post:`` lines."""
    front = [f"{e.msgctxt}: {yaml_scalar(e.msgid)}\n" for e in po if e.msgctxt]
    body = [e.msgid for e in po if not e.msgctxt]
    return "---\n" + "".join(front) + "---\n" + "\n\n".join(body + _header_lines(po, "post")) + "\n"


def fixture_site(tmp_path: Path, fixture: Path) -> tuple[Path, Path]:
    """A site whose one post is written from ``fixture``, with the fixture as its English
    catalogue after extract and update, and its variant built where build allows."""
    po = polib.pofile(str(fixture))
    root = tmp_path / "site"
    (root / "content/_posts").mkdir(parents=True)
    config_lines = [
        'project = "postlingo check fixtures"',
        'languages = ["en"]',
        'front_matter = ["title", "description"]',
        *_header_lines(po, "config"),
    ]
    (root / "postlingo.toml").write_text("\n".join(config_lines) + "\n", encoding="utf-8")
    shutil.copy2(FIXTURES / "glossary.csv", root / "glossary.csv")
    (root / "content/_posts/post.md").write_text(post_from(po), encoding="utf-8")
    config = load_config(root)
    assert extract(config).ok
    path = catalogue_path(config.locales_dir, "post", "en")
    path.parent.mkdir(parents=True)
    shutil.copy2(fixture, path)
    assert update(config).ok
    build(config)  # the build fixture's translation is rejected: no variant then
    return root, path


def expected(path: Path) -> set[tuple[str, int]]:
    """(rule, line) for every ``# expect:`` comment of the catalogue at ``path``."""
    found = set()
    for entry in polib.pofile(str(path)):
        assert not entry.obsolete, f"fixture entry not in the post: {entry.msgid!r}"
        for line in entry.tcomment.splitlines():
            if line.startswith("expect:"):
                found |= {(rule.strip(), entry.linenum) for rule in line[7:].split(",")}
    return found


def findings_at(root: Path, **options: object) -> set[tuple[str, int | None]]:
    report = check(load_config(root), Options(**options))  # type: ignore[arg-type]
    return {(f.rule, f.line) for f in report.findings}


# --- entry rules, from the fixture catalogues ------------------------------------------------


@pytest.mark.parametrize("fixture", ENTRY_CASES, ids=[p.stem for p in ENTRY_CASES])
def test_entry_rule_fires_exactly_where_expected(tmp_path: Path, fixture: Path) -> None:
    root, po_path = fixture_site(tmp_path, fixture)
    wanted = expected(po_path)
    entries = [e for e in polib.pofile(str(po_path)) if e.msgstr]
    assert wanted and len(entries) > len({line for _, line in wanted}), "needs a clean entry"
    report = check(load_config(root))
    assert {(f.rule, f.line) for f in report.findings} == wanted, report.findings
    assert {f.path for f in report.findings} == {po_path}
    result = invoke("check", "--root", root)
    error = any(RULES[rule].level == "error" for rule, _ in wanted)
    assert result.exit_code == (1 if error else 0), result.output
    for rule, line in wanted:
        assert f"{po_path}:{line}: {rule}: " in result.stdout, result.stdout


def test_every_entry_rule_has_a_fixture() -> None:
    covered = set()
    for fixture in ENTRY_CASES:
        for entry in polib.pofile(str(fixture)):
            covered |= {
                rule.strip()
                for line in entry.tcomment.splitlines()
                if line.startswith("expect:")
                for rule in line[7:].split(",")
            }
    assert ENTRY_RULES | {"build"} <= covered


def test_messages_say_what_is_wrong(tmp_path: Path) -> None:
    root, _ = fixture_site(tmp_path, FIXTURES / "numbers.po")
    messages = {f.message for f in check(load_config(root)).findings}
    assert "'3,5' is a different number in en: write '3.5'" in messages
    assert "the number '44' of the source is missing" in messages
    assert "the number '45' is not in the source" in messages


def test_liquid_messages(tmp_path: Path) -> None:
    root, _ = fixture_site(tmp_path, FIXTURES / "liquid.po")
    messages = [f.message for f in check(load_config(root)).findings]
    assert "adds the Liquid tag '{% include ad.html %}', which would run on the site" in messages
    assert "adds the Liquid tag '{{ site.secret }}', which would run on the site" in messages
    assert "drops the Liquid tag '{{ site.author }}' of the source" in messages
    assert any("unclosed Liquid tag" in message for message in messages)


def test_rules_can_be_switched_off_or_made_errors(tmp_path: Path) -> None:
    root, po_path = fixture_site(tmp_path, FIXTURES / "numbers.po")
    assert invoke("check", "--root", root).exit_code == 0
    with (root / "postlingo.toml").open("a", encoding="utf-8") as handle:
        handle.write('[check]\nnumbers = "error"\n')
    result = invoke("check", "--root", root)
    assert result.exit_code == 1, result.output
    assert f"{po_path}:" in result.stdout and ": numbers: " in result.stdout
    (root / "postlingo.toml").write_text(
        (root / "postlingo.toml").read_text().replace('"error"', '"off"'), encoding="utf-8"
    )
    result = invoke("check", "--root", root)
    assert (result.exit_code, result.stdout) == (0, ""), result.output


def test_fuzzy_translations_are_checked_only_when_build_uses_them(example: Path) -> None:
    po = polib.pofile(str(example / CATALOGUE))
    entry = po[2]
    entry.msgstr = "The [challenges](https://example.com/x)"
    entry.flags.append("fuzzy")
    po.save()
    assert build(load_config(example)).ok
    assert findings_at(example) == set()
    line = polib.pofile(str(example / CATALOGUE))[2].linenum
    assert ("links", line) in findings_at(example, include_fuzzy=True)


# --- fuzzy, untranslated, completeness ---------------------------------------------------------


def test_example_site_passes_strict(example: Path) -> None:
    result = invoke("check", "--root", example, "--strict")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "no problems in 1 catalogue" in result.stderr


def _change_entry(root: Path, index: int, *, msgstr: str | None = None, fuzzy: bool = False) -> int:
    """Change one live entry of the example catalogue, rebuild, return the entry's line."""
    po = polib.pofile(str(root / CATALOGUE))
    entry = po[index]
    if msgstr is not None:
        entry.msgstr = msgstr
    if fuzzy:
        entry.flags.append("fuzzy")
    po.save()
    assert build(load_config(root)).ok
    return polib.pofile(str(root / CATALOGUE))[index].linenum


@pytest.mark.parametrize(
    ("rule", "change"),
    [
        ("fuzzy", {"fuzzy": True}),
        ("untranslated", {"msgstr": ""}),
    ],
)
def test_fuzzy_and_untranslated_fail_with_strict(
    example: Path, rule: str, change: dict[str, object]
) -> None:
    line = _change_entry(example, 3, **change)  # type: ignore[arg-type]
    assert invoke("check", "--root", example).exit_code == 0
    result = invoke("check", "--root", example, "--strict")
    assert result.exit_code == 1, result.output
    assert result.stdout.splitlines() == [
        f"{example / CATALOGUE}:{line}: {rule}: " + result.stdout.split(f": {rule}: ", 1)[1].strip()
    ]


def test_completeness_global_threshold(example: Path) -> None:
    _change_entry(example, 3, msgstr="")  # 5 of 6 translated: 83.3 %
    result = invoke("check", "--root", example, "--min-percent", "90")
    assert result.exit_code == 1, result.output
    assert result.stdout == (
        "completeness: 83.3% of all entries translated, below the minimum of 90%\n"
    )
    assert invoke("check", "--root", example, "--min-percent", "80").exit_code == 0
    (example / "postlingo.toml").write_text(
        (example / "postlingo.toml").read_text() + "min_percent = 85\n", encoding="utf-8"
    )
    assert invoke("check", "--root", example).exit_code == 1
    assert invoke("check", "--root", example, "--min-percent", "50").exit_code == 0


@pytest.mark.parametrize(
    ("key", "where"),
    [
        ("min_percent_post", CATALOGUE),
        ("min_percent_language", Path("locales/en")),
    ],
)
def test_completeness_per_post_and_language(example: Path, key: str, where: Path) -> None:
    _change_entry(example, 3, msgstr="")
    config = example / "postlingo.toml"
    text = config.read_text()
    config.write_text(text + f"{key} = 80\n", encoding="utf-8")
    assert invoke("check", "--root", example).exit_code == 0
    config.write_text(text + f"{key} = 90\n", encoding="utf-8")
    result = invoke("check", "--root", example)
    assert result.exit_code == 1, result.output
    assert result.stdout.startswith(f"{example / where}: completeness: "), result.stdout
    assert f"below {key} = 90" in result.stdout
    config.write_text(text + f'{key} = 90\n[check]\ncompleteness = "warning"\n', encoding="utf-8")
    result = invoke("check", "--root", example)
    assert result.exit_code == 0, result.output
    assert ": completeness: warning: " in result.stdout


def test_a_missing_catalogue_counts_as_untranslated(example: Path) -> None:
    config = example / "postlingo.toml"
    config.write_text(config.read_text().replace('["en"]', '["en", "fr"]'), encoding="utf-8")
    result = invoke("check", "--root", example, "--min-percent", "60")
    assert result.exit_code == 1, result.output
    fr = example / "locales/fr/LC_MESSAGES" / f"{POST_NAME}.po"
    assert f"{fr}: catalogue-outdated: no catalogue: run 'postlingo update'" in result.stdout
    assert "completeness: 50.0% of all entries translated" in result.stdout


# --- out of date -------------------------------------------------------------------------------


def test_catalogue_outdated_after_a_source_edit(example: Path) -> None:
    source = example / SOURCE
    source.write_text(
        source.read_text(encoding="utf-8").replace(
            "### Die Herausforderungen", "### Die großen Herausforderungen"
        ),
        encoding="utf-8",
    )
    findings = check(load_config(example)).findings
    outdated = {(f.path, f.line) for f in findings if f.rule == "catalogue-outdated"}
    pot_line = next(
        e.linenum
        for e in polib.pofile(str(example / TEMPLATE))
        if e.msgid == "Die Herausforderungen"
    )
    po_line = next(
        e.linenum
        for e in polib.pofile(str(example / CATALOGUE))
        if e.msgid == "Die Herausforderungen"
    )
    assert outdated == {(example / TEMPLATE, pot_line), (example / CATALOGUE, po_line)}
    assert invoke("check", "--root", example).exit_code == 1
    assert sync(load_config(example)).ok
    result = invoke("check", "--root", example)
    assert result.exit_code == 0, result.output
    assert invoke("check", "--root", example, "--strict").exit_code == 1  # now fuzzy


def test_catalogue_formatting_alone_is_not_out_of_date(example: Path) -> None:
    po = polib.pofile(str(example / CATALOGUE), wrapwidth=40)
    po.save()
    assert (example / CATALOGUE).read_bytes() != (REPO / CATALOGUE).read_bytes()
    result = invoke("check", "--root", example, "--strict")
    assert result.exit_code == 0, result.output


def test_variant_outdated_names_the_first_changed_line(example: Path) -> None:
    variant = example / VARIANT
    lines = variant.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[13] = "### Edited by hand\n"
    variant.write_text("".join(lines), encoding="utf-8")
    result = invoke("check", "--root", example)
    assert result.exit_code == 1, result.output
    assert result.stdout == (
        f"{variant}:14: variant-outdated: 'postlingo build' would change this variant\n"
    )
    variant.unlink()
    result = invoke("check", "--root", example)
    assert result.stdout == f"{variant}: variant-outdated: missing: run 'postlingo build'\n"


def test_orphan_catalogues_are_warnings(example: Path) -> None:
    old = example / "locales/en/LC_MESSAGES/2020-alt.po"
    shutil.copy2(example / CATALOGUE, old)
    old_pot = example / "locales/templates/2020-alt.pot"
    shutil.copy2(example / TEMPLATE, old_pot)
    result = invoke("check", "--root", example, "--strict")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"{old}: orphan: warning: no source post has this name",
        f"{old_pot}: orphan: warning: no source post has this name",
    ]


def test_unreadable_catalogue(example: Path) -> None:
    (example / CATALOGUE).write_text('msgid "a"\nmsgstr "b"\ngarbage\n', encoding="utf-8")
    result = invoke("check", "--root", example)
    assert result.exit_code == 1, result.output
    assert result.stdout.startswith(f"{example / CATALOGUE}:3: unreadable: invalid PO file")


# --- msgfmt ------------------------------------------------------------------------------------


def test_msgfmt_errors_carry_its_line(example: Path) -> None:
    text = (example / CATALOGUE).read_text(encoding="utf-8")
    # Babel's trap: "60% dieser" read as a Python format with a reworded translation.
    text = text.replace('msgid ""\n"Wie haben', '#, python-format\nmsgid ""\n"Wie haben')
    text = text.replace("Around 60% of", "Around sixty percent of")
    (example / CATALOGUE).write_text(text, encoding="utf-8")
    gnu = subprocess.run(
        ["msgfmt", "-c", "--check-format", "-o", "/dev/null", str(example / CATALOGUE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert gnu.returncode == 1
    line = int(gnu.stderr.split(":")[1])
    result = invoke("check", "--root", example)
    assert result.exit_code == 1, result.output
    assert f"{example / CATALOGUE}:{line}: msgfmt: " in result.stdout, result.stdout


def test_msgfmt_warnings_are_warnings(example: Path) -> None:
    path = example / CATALOGUE
    path.write_text(
        path.read_text(encoding="utf-8").replace('"Language-Team: English\\n"\n', ""),
        encoding="utf-8",
    )
    result = invoke("check", "--root", example)
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"{path}:3: msgfmt: warning: "  # msgstr "" of the header
        "header field 'Language-Team' missing in header\n"
    )


BROKEN_PO = r"""msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\n"

msgid "a\n"
msgstr "b"

msgid "c"
msgstr "\nd"

msgid "e"
msgstr "f"
"""


def test_without_msgfmt_the_same_checks_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "broken.po"
    path.write_text(BROKEN_PO, encoding="utf-8")
    gnu = run_msgfmt(path)
    monkeypatch.setattr(check_module.shutil, "which", lambda name: None)
    ours = run_msgfmt(path)
    assert ours == msgfmt_like(polib.pofile(str(path)))
    assert sorted((w, m) for _, w, m in ours) == sorted((w, m) for _, w, m in gnu if m)
    assert [line for line, warning, _ in ours if not warning] == [5, 8]


# --- configuration and usage errors --------------------------------------------------------------


@pytest.mark.parametrize(
    "extra",
    [
        '[check]\nlinkz = "error"\n',
        '[check]\nlinks = "fatal"\n',
        "[check]\nlinks = 1\n",
        'check = "strict"\n',
        "min_percent = 120\n",
        'min_percent = "80"\n',
        'localized_urls = "yes"\n',
        'glossary = "missing.csv"\n',
        "checks = {}\n",
    ],
)
def test_configuration_errors_exit_2(example: Path, extra: str) -> None:
    config = example / "postlingo.toml"
    config.write_text(config.read_text() + extra, encoding="utf-8")
    result = invoke("check", "--root", example)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: "), result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize("args", [["--min-percent", "101"], ["--format", "xml"], ["--bogus"]])
def test_usage_errors_exit_2(example: Path, args: list[str]) -> None:
    assert invoke("check", "--root", example, *args).exit_code == 2


def test_glossary_file_errors_name_the_line(example: Path) -> None:
    (example / "terms.csv").write_text("Quelle,Ziel\nWerkzeug,tool\n", encoding="utf-8")
    config = example / "postlingo.toml"
    config.write_text(config.read_text() + 'glossary = "terms.csv"\n', encoding="utf-8")
    result = invoke("check", "--root", example)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {example / 'terms.csv'}:1: "), result.stderr
    (example / "terms.csv").write_text("source,target\n,tool\n", encoding="utf-8")
    result = invoke("check", "--root", example)
    assert result.stderr.startswith(f"error: {example / 'terms.csv'}:2: "), result.stderr


def test_glossary_per_language(example: Path) -> None:
    config = example / "postlingo.toml"
    config.write_text(
        config.read_text() + 'glossary = "locales/{lang}/glossary.csv"\n', encoding="utf-8"
    )
    assert invoke("check", "--root", example).exit_code == 0  # no file: no glossary
    (example / "locales/en/glossary.csv").write_text(
        "source,target\nKulturclash,culture shock\n", encoding="utf-8"
    )
    result = invoke("check", "--root", example)
    assert result.exit_code == 1, result.output
    assert ": glossary: 'Kulturclash' should be translated as 'culture shock'" in result.stdout


# --- output formats ------------------------------------------------------------------------------


@pytest.fixture
def faulty(tmp_path: Path) -> tuple[Path, Path]:
    """A site with three image findings on two entries."""
    return fixture_site(tmp_path, FIXTURES / "images.po")


def test_json_format(faulty: tuple[Path, Path]) -> None:
    root, po_path = faulty
    result = invoke("check", "--root", root, "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert (data["errors"], data["warnings"]) == (3, 0)
    assert data["checked"] == [str(po_path)]
    assert {(f["path"], f["line"], f["rule"], f["level"]) for f in data["findings"]} == {
        (str(po_path), line, "images", "error") for _, line in expected(po_path)
    }


def test_github_format(faulty: tuple[Path, Path]) -> None:
    root, po_path = faulty
    result = invoke("check", "--root", root, "--format", "github")
    assert result.exit_code == 1
    shown = str(po_path).replace(":", "%3A").replace(",", "%2C")
    numbers = sorted(line for _, line in expected(po_path))
    assert [line.split("::")[1] for line in result.stdout.splitlines()] == [
        f"error file={shown},line={number},title=postlingo images"
        for number in [numbers[0], numbers[0], numbers[1]]
    ]
    assert result.stderr == ""


def test_github_escapes_messages() -> None:
    from postlingo.qa.check import Finding, Report
    from postlingo.qa.report import findings_github

    report = Report([Finding("x", "warning", "50% done,\nnext: more", Path("a,b.po"), 3)], [])
    assert findings_github(report) == (
        "::warning file=a%2Cb.po,line=3,title=postlingo x::50%25 done,%0Anext: more\n"
    )


def test_junit_format(faulty: tuple[Path, Path], example: Path) -> None:
    root, po_path = faulty
    result = invoke("check", "--root", root, "--format", "junit")
    assert result.exit_code == 1
    suite = ElementTree.fromstring(result.stdout.encode("utf-8"))
    assert suite.tag == "testsuite"
    assert (suite.get("tests"), suite.get("failures")) == ("3", "3")
    failures = suite.findall("testcase/failure")
    assert {f.get("type") for f in failures} == {"images"}
    assert {case.get("file") for case in suite.iter("testcase")} == {str(po_path)}
    clean = ElementTree.fromstring(
        invoke("check", "--root", example, "--format", "junit").stdout.encode("utf-8")
    )
    assert (clean.get("tests"), clean.get("failures")) == ("1", "0")
    assert clean.find("testcase").get("name") == str(example / CATALOGUE)


def test_check_writes_nothing(example: Path) -> None:
    source = example / SOURCE
    source.write_text(source.read_text(encoding="utf-8") + "\nNeuer Absatz.\n", encoding="utf-8")

    def files() -> dict[Path, bytes]:  # (but its cache of results, locales/.cache: qa.cache)
        found = example.rglob("*")
        return {p: p.read_bytes() for p in found if p.is_file() and ".cache" not in p.parts}

    before = files()
    assert invoke("check", "--root", example).exit_code == 1
    assert files() == before


# --- shared catalogues, pre-commit ------------------------------------------------------------


def test_taxonomy_catalogue_is_checked_and_no_orphan(example: Path) -> None:
    config = example / "postlingo.toml"
    # (translated categories move this site's :categories URLs: the generator rule says so,
    # see test_generators; here only the taxonomy catalogue is looked at)
    config.write_text(
        config.read_text() + 'taxonomy = ["tags", "categories"]\n[check]\ngenerator = "off"\n',
        encoding="utf-8",
    )
    assert sync(load_config(example)).ok
    result = invoke("check", "--root", example)
    assert (result.exit_code, result.stdout) == (0, ""), result.output
    result = invoke("check", "--root", example, "--strict")
    assert result.exit_code == 1
    taxonomy = example / "locales/en/LC_MESSAGES/taxonomy.po"
    assert {line.split(": ")[0].rsplit(":", 1)[0] for line in result.stdout.splitlines()} == {
        str(taxonomy)
    }
    assert f"{taxonomy}:17: untranslated: not translated yet: 'Vertrieb'" in result.stdout


def test_pre_commit_hooks_run_real_commands(example: Path) -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [hook["id"] for hook in hooks] == ["postlingo-check", "postlingo-update-check"]
    for hook in hooks:
        program, *args = hook["entry"].split()
        assert program == "postlingo"
        assert hook["pass_filenames"] is False and hook["language"] == "python"
        assert re.search(hook["files"], f"locales/en/LC_MESSAGES/{POST_NAME}.po")
        assert re.search(hook["files"], "postlingo.toml")
        result = invoke(*args, "--root", example)
        assert result.exit_code == 0, (hook["id"], result.output)
    po = polib.pofile(str(example / CATALOGUE))
    po.remove(po[2])  # update would bring the entry back
    po.save()
    for hook in hooks:
        assert invoke(*hook["entry"].split()[1:], "--root", example).exit_code == 1, hook["id"]


def test_help_names_every_rule_and_format() -> None:
    from postlingo.cli import CheckFormat
    from postlingo.qa.report import FINDING_FORMATS

    assert [f.value for f in CheckFormat] == list(FINDING_FORMATS)
    result = invoke("check", "--help")
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    for name in RULES:
        assert re.search(rf"[ :,]{re.escape(name)}[,.]", text), name
