"""Configuration: postlingo.toml or [tool.postlingo] in pyproject.toml, checked strictly."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import CATALOGUE, POSTS, TEMPLATE, VARIANT, invoke, write_post
from postlingo.config import Config, load_config
from postlingo.errors import ConfigError

COMMANDS = ["extract", "update", "build", "sync", "status"]


def use_pyproject(root: Path, table: str) -> None:
    (root / "pyproject.toml").write_text(
        f'[project]\nname = "blog"\n\n[tool.postlingo]\n{table}\n', encoding="utf-8"
    )


def test_defaults_of_an_empty_configuration(tmp_path: Path) -> None:
    (tmp_path / "postlingo.toml").write_text("", encoding="utf-8")
    config = load_config(tmp_path)
    assert config == Config(root=tmp_path)
    assert config.source_language == "de"
    assert config.languages == ["en"]
    assert config.posts == ["content/_posts/**/*.md"]
    assert config.locales == "locales"
    assert config.layout == "jekyll-polyglot"
    assert config.front_matter == ["title", "description", "excerpt", "subtitle", "summary"]


def test_pyproject_without_a_postlingo_table_is_no_configuration(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "blog"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"^no postlingo.toml here \(postlingo init"):
        load_config(tmp_path)


def test_pyproject_table_is_read(tmp_path: Path) -> None:
    use_pyproject(tmp_path, 'languages = ["fr", "it"]\nlocales = "i18n"')
    config = load_config(tmp_path)
    assert config.languages == ["fr", "it"]
    assert config.locales == "i18n"


def test_postlingo_toml_wins_over_pyproject(tmp_path: Path) -> None:
    use_pyproject(tmp_path, 'languages = ["fr"]\nnot_a_key = 1')
    (tmp_path / "postlingo.toml").write_text('languages = ["it"]\n', encoding="utf-8")
    config = load_config(tmp_path)
    assert config.languages == ["it"]
    assert config.locales == "locales"  # not merged with pyproject's table


def test_pyproject_configuration_drives_the_commands(site: Path) -> None:
    (site / "postlingo.toml").unlink()
    # No French translation yet: threshold 0 publishes the (untranslated) variant too.
    use_pyproject(site, 'languages = ["fr"]\nlocales = "i18n"\nthreshold = 0')
    result = invoke("sync", "--root", site)
    assert result.exit_code == 0, result.output
    assert (site / "i18n/templates" / TEMPLATE.name).is_file()
    assert (site / "i18n/fr/LC_MESSAGES" / CATALOGUE.name).is_file()
    assert (site / POSTS / "fr" / VARIANT.name).is_file()
    assert not (site / POSTS / "en").exists()


def test_postlingo_toml_drives_the_commands_when_both_exist(bare_site: Path) -> None:
    use_pyproject(bare_site, 'languages = ["fr"]')
    result = invoke("sync", "--root", bare_site)
    assert result.exit_code == 0, result.output
    assert (bare_site / CATALOGUE).is_file()
    assert not (bare_site / "locales/fr").exists()


def test_custom_posts_glob_and_front_matter_keys(tmp_path: Path) -> None:
    (tmp_path / "postlingo.toml").write_text(
        # threshold 0: the untranslated variant is published, its place is checked below
        'posts = ["blog/*.md"]\nfront_matter = ["title", "author"]\nthreshold = 0\n',
        encoding="utf-8",
    )
    (tmp_path / "blog").mkdir()
    (tmp_path / "blog/eins.md").write_text(
        "---\ntitle: Eins\nauthor: Anna\n---\nText.\n", encoding="utf-8"
    )
    result = invoke("sync", "--root", tmp_path)
    assert result.exit_code == 0, result.output
    pot = (tmp_path / "locales/templates/eins.pot").read_text(encoding="utf-8")
    assert 'msgctxt "author"\nmsgid "Anna"' in pot
    assert (tmp_path / "blog/en/eins.md").is_file()


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("where", ["postlingo.toml", "pyproject.toml"])
def test_unknown_key_is_a_one_line_usage_error(tmp_path: Path, command: str, where: str) -> None:
    if where == "postlingo.toml":
        (tmp_path / where).write_text('languages = ["en"]\ncolour = "blue"\n', encoding="utf-8")
    else:
        use_pyproject(tmp_path, 'colour = "blue"')
    result = invoke(command, "--root", tmp_path)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    text = (tmp_path / where).read_text(encoding="utf-8").splitlines()
    line = next(number for number, row in enumerate(text, 1) if row.startswith("colour"))
    assert lines[0].startswith(f"error: {tmp_path / where}:{line}: "), lines[0]
    assert "'colour'" in lines[0]


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        ("/srv/blog/*.md", "must be relative"),
        ("", "names no files"),
        (".", "names no files"),
        ("content/_posts/a**/*.md", "'**' only as a whole part"),
    ],
)
def test_a_posts_pattern_that_is_no_glob_of_the_site_is_refused(
    tmp_path: Path, pattern: str, problem: str
) -> None:
    (tmp_path / "postlingo.toml").write_text(
        f'languages = ["en"]\nposts = ["{pattern}"]\n', encoding="utf-8"
    )
    result = invoke("sync", "--root", tmp_path)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(
        f"error: {tmp_path / 'postlingo.toml'}:2: 'posts' pattern {pattern!r} "
    ), result.stderr
    assert problem in result.stderr and len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize(
    ("setting", "key"),
    [
        ('languages = "en"', "languages"),
        ("languages = [1]", "languages"),
        ('source_language = ["de"]', "source_language"),
        ('posts = "content/_posts/*.md"', "posts"),
        ("locales = 1", "locales"),
        ("layout = true", "layout"),
        ('front_matter = "title"', "front_matter"),
        ('wrap_width = "79"', "wrap_width"),
        ("wrap_width = true", "wrap_width"),
        ('fuzzy_threshold = "high"', "fuzzy_threshold"),
    ],
)
def test_wrong_type_is_a_one_line_usage_error_naming_the_key(
    tmp_path: Path, setting: str, key: str
) -> None:
    (tmp_path / "postlingo.toml").write_text(setting + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    assert f"'{key}'" in str(caught.value)
    result = invoke("sync", "--root", tmp_path)
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert f"'{key}'" in lines[0] and lines[0].startswith("error: "), lines[0]


@pytest.mark.parametrize(
    "setting",
    [
        'layout = "hugo-nonsense"',
        'source_language = "xx-nonsense"',
        'languages = ["de"]',
        "fuzzy_threshold = 0",
        "wrap_width = -1",
    ],
)
def test_invalid_values_are_usage_errors(tmp_path: Path, setting: str) -> None:
    (tmp_path / "postlingo.toml").write_text(setting + "\n", encoding="utf-8")
    result = invoke("sync", "--root", tmp_path)
    assert result.exit_code == 2, result.output
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr.startswith("error: "), result.stderr


def test_invalid_toml_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "postlingo.toml").write_text('languages = ["en"]\nlocales = \n', encoding="utf-8")
    result = invoke("extract", "--root", tmp_path)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"error: {tmp_path / 'postlingo.toml'}:2: "), result.stderr
    assert "Traceback" not in result.output


# --- --root ------------------------------------------------------------------------------

PREREQUISITES = {
    "extract": [],
    "update": ["extract"],
    "build": ["extract", "update"],
    "sync": [],
    "status": ["sync"],
}
EFFECT = {"extract": TEMPLATE, "update": CATALOGUE, "build": VARIANT, "sync": VARIANT}


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_takes_root(bare_site: Path, command: str) -> None:
    assert Path.cwd() != bare_site
    for earlier in PREREQUISITES[command]:
        result = invoke(earlier, "--root", bare_site)
        assert result.exit_code == 0, result.output
    result = invoke(command, "--root", bare_site)
    assert result.exit_code == 0, result.output
    if command in EFFECT:
        assert (bare_site / EFFECT[command]).is_file()
    else:
        assert " en " in result.stdout, result.stdout
    assert [path.name for path in Path.cwd().iterdir()] == ["site"]  # nothing written here


def test_root_defaults_to_the_current_folder(
    bare_site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(bare_site)
    result = invoke("sync")
    assert result.exit_code == 0, result.output
    for path in (TEMPLATE, CATALOGUE, VARIANT):
        assert (bare_site / path).is_file()


@pytest.mark.parametrize("command", COMMANDS)
def test_missing_root_is_a_usage_error(tmp_path: Path, command: str) -> None:
    result = invoke(command, "--root", tmp_path / "nowhere")
    assert result.exit_code == 2, result.output
    assert "nowhere" in result.stderr
    assert len(result.stderr.splitlines()) == 1, result.stderr


@pytest.mark.parametrize("lang", ["de", "xx-nonsense"])
def test_bad_lang_option_is_a_usage_error(site: Path, lang: str) -> None:
    result = invoke("update", "--root", site, "--lang", lang)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: "), result.stderr


def test_lang_option_adds_a_language(bare_site: Path) -> None:
    result = invoke("sync", "--root", bare_site, "--lang", "fr")
    assert result.exit_code == 0, result.output
    assert (bare_site / "locales/fr/LC_MESSAGES" / CATALOGUE.name).is_file()
    assert not (bare_site / CATALOGUE).exists()


def test_region_language_uses_gettext_form(bare_site: Path) -> None:
    (bare_site / "postlingo.toml").write_text('languages = ["pt-BR"]\n', encoding="utf-8")
    result = invoke("sync", "--root", bare_site)
    assert result.exit_code == 0, result.output
    po = (bare_site / "locales/pt_BR/LC_MESSAGES" / CATALOGUE.name).read_text(encoding="utf-8")
    assert '"Language: pt_BR\\n"' in po


def test_no_posts_is_an_error_naming_the_glob(empty_site: Path) -> None:
    result = invoke("sync", "--root", empty_site)
    assert result.exit_code == 2, result.output
    assert "'posts' pattern 'content/_posts/**/*.md' matches no post" in result.stderr
    assert not (empty_site / "locales").exists()


def test_a_post_dropped_from_the_globs_is_not_processed(bare_site: Path) -> None:
    shutil.move(bare_site / POSTS, bare_site / "elsewhere")
    write_post(bare_site, "keep.md", "Text.\n")
    result = invoke("sync", "--root", bare_site)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (bare_site / "locales/templates").iterdir()) == ["keep.pot"]


# --- issue 17: the schema comes from Config, names from the modules' registries ------------


def test_the_schema_is_config_s_fields_with_their_annotated_types() -> None:
    import dataclasses

    from postlingo.config import schema

    types = schema()
    assert set(types) == {item.name for item in dataclasses.fields(Config)} - {"root"}
    assert types["languages"] == (list, str)
    assert types["threshold"] == (float, None)
    assert types["check"] == (dict, str)
    assert types["engines"] == (dict, dict)


def test_a_new_field_is_checked_without_a_table_to_update(tmp_path: Path) -> None:
    # Every key of Config, given a value of the wrong kind, is refused with its name.
    import dataclasses

    for item in dataclasses.fields(Config):
        if item.name == "root":
            continue
        (tmp_path / "postlingo.toml").write_text(
            f"{item.name} = {{ x = 1 }}\n"
            if item.name not in ("engines",)
            else f"{item.name} = 3\n",
            encoding="utf-8",
        )
        with pytest.raises(ConfigError, match=rf"'{item.name}' must be"):
            load_config(tmp_path)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('check = { nonsense = "off" }', "unknown rule 'nonsense' in 'check' (known: "),
        ('engine = "babelfish"', "unknown engine 'babelfish' in 'engine' (known: "),
        ('allow_unsafe = ["magic"]', "unknown kind 'magic' in 'allow_unsafe' (known: liquid, "),
        ('layout = "wordpress"', "configuration key 'layout' must be one of jekyll-polyglot, "),
    ],
)
def test_names_are_checked_against_what_the_modules_register(
    tmp_path: Path, table: str, message: str
) -> None:
    (tmp_path / "postlingo.toml").write_text(table + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    assert caught.value.message.startswith(message)
    assert caught.value.line == 1


def test_a_registry_knows_what_its_module_registers() -> None:
    from postlingo.config import RULE_NAMES, Registry

    assert "placeholders" in RULE_NAMES.names() or len(RULE_NAMES.names()) > 10
    fresh = Registry("widget", "postlingo.errors")  # a module that registers nothing
    assert fresh.problem("any", "widget") is None  # (it restricts nothing then)
    fresh.register(["a", "b"])
    assert fresh.problem("a", "widget") is None
    assert fresh.problem("c", "widget") == "unknown widget 'c' in 'widget' (known: a, b)"
