"""Strict input: a catalogue GNU gettext rejects is an error naming its line (never half
read), only regular files are read, and configuration values stay in sane ranges and paths
inside the site. (The fixtures in tests/fixtures/bad/ are run by test_reliability.py.)"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CATALOGUE, POSTS, SOURCE, TEMPLATE, VARIANT, invoke, msgfmt_check
from postlingo.catalogue.po import load_catalogue
from postlingo.errors import InputError, PostlingoError
from postlingo.fileio import DEFAULT_CATALOGUE_LIMIT, read_text, set_catalogue_limit

# --- the attack of issue 15 ---------------------------------------------------------------


def test_an_unquoted_msgstr_is_an_error_naming_its_line_and_nothing_is_built(site: Path) -> None:
    """polib read ``msgstr The Challenges`` as "he Challenge" and the page got it."""
    path = site / CATALOGUE
    lines = path.read_text(encoding="utf-8").split("\n")
    number = lines.index('msgstr "The Challenges"') + 1
    lines[number - 1] = "msgstr The Challenges"
    path.write_text("\n".join(lines), encoding="utf-8")
    assert msgfmt_check(path).returncode != 0  # GNU gettext refuses it as well
    before = path.read_bytes()
    result = invoke("build", "--root", site)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert (
        f"error: {path}:{number}: invalid PO file: 'The' is not a keyword: text must be "
        "in double quotes"
    ) in result.stderr
    variant = site / VARIANT
    assert not variant.exists() or "he Challenge" not in variant.read_text(encoding="utf-8")
    assert path.read_bytes() == before


# --- msgfmt -c decides what is syntax ------------------------------------------------------

_HEADER = (
    '# Header comment.\nmsgid ""\nmsgstr ""\n"Project-Id-Version: x\\n"\n'
    '"Language: en\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
    '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n'
)
# msgfmt's complaints that are about content, not syntax: postlingo may judge them
# otherwise (it reads catalogues without plural forms in their header, for instance).
_NOT_SYNTAX = re.compile(
    r"nplurals|plural forms|Plural-Forms|header|msgid_plural|"
    r"'msgid' and 'msgstr'|format specification|duplicate message"
)

_text = st.text(st.sampled_from('abc XYZ äß€\\"\t#:[]'), max_size=12)


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t") + '"'


@st.composite
def _entry(draw: st.DrawFn, number: int) -> list[str]:
    lines = draw(
        st.lists(
            st.sampled_from(["# note", "#. extracted", "#: a.md:3", "#, fuzzy", '#| msgid "old"']),
            max_size=3,
            unique=True,
        )
    )
    lines = sorted(lines, key=lambda line: line.startswith("#|"))  # #| before the msgid
    prefix = "#~ " if draw(st.booleans()) and not any(x.startswith("#|") for x in lines) else ""
    if draw(st.booleans()):
        lines.append(f"{prefix}msgctxt {_quoted(draw(_text))}")
    lines.append(f"{prefix}msgid {_quoted(f'id{number} ' + draw(_text))}")
    if draw(st.booleans()):
        lines += [
            f'{prefix}msgstr ""',
            *(f"{prefix}{_quoted(draw(_text))}" for _ in range(draw(st.integers(1, 3)))),
        ]
    else:
        lines.append(f"{prefix}msgstr {_quoted(draw(_text))}")
    return lines


_MUTATIONS = [
    "unquote",
    "drop quote",
    "garbage after",
    "garbage line",
    "swap",
    "delete",
    "duplicate",
    "obsolete",
    "unobsolete",
    "comment inside",
    "bracket",
    "plural",
    "escape",
    "indent",
    "join",
    "keyword alone",
    "comment after",
    "previous",
]


@st.composite
def _catalogue(draw: st.DrawFn) -> str:
    lines = _HEADER.rstrip("\n").split("\n")
    for number in range(draw(st.integers(1, 4))):
        lines += ["", *draw(_entry(number))]
    for _ in range(draw(st.integers(0, 2))):
        _mutate(
            lines,
            draw(st.sampled_from(_MUTATIONS)),
            draw(st.integers(0, 10**6)),
            draw(
                st.sampled_from(
                    [
                        "The Challenges",
                        "x",
                        "msgstring",
                        "]",
                        "[0]",
                        "\\q",
                        "\\x41 ",
                        "\\101",
                        "#",
                        '"',
                        "msgid",
                    ]
                )
            ),
        )
    return "\n".join(lines) + "\n"


def _mutate(lines: list[str], how: str, seed: int, word: str) -> None:
    at = 8 + seed % max(1, len(lines) - 8)  # (the header stays mostly whole)
    at = min(at, len(lines) - 1)
    line = lines[at]
    changes = {
        "unquote": lambda: line.replace('"', "", 2),
        "drop quote": lambda: line[:-1] if line.endswith('"') else line + '"',
        "garbage after": lambda: f"{line} {word}",
        "swap": lambda: lines[at - 1],
        "obsolete": lambda: "#~ " + line,
        "unobsolete": lambda: line.removeprefix("#~ "),
        "bracket": lambda: line.replace("msgstr ", f"msgstr[{seed % 3}] ", 1),
        "escape": lambda: line.replace('"', f'"{word}', 1) if '"' in line else line,
        "indent": lambda: "  \t" + line,
        "keyword alone": lambda: line.replace(' "', '\n"', 1),
        "comment after": lambda: f"{line} # {word}",
        "previous": lambda: "#| " + line.removeprefix("#~ "),
    }
    if how in changes:
        if how == "swap":
            lines[at - 1] = line
        lines[at] = changes[how]()
    elif how == "garbage line":
        lines.insert(at, word)
    elif how == "delete":
        del lines[at]
    elif how == "duplicate":
        lines.insert(at, line)
    elif how == "comment inside":
        lines.insert(at, "# " + word)
    elif how == "plural":
        lines.insert(at, f'msgid_plural "{word}"')
    elif how == "join" and at + 1 < len(lines):
        lines[at : at + 2] = [lines[at] + lines[at + 1]]


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(text=_catalogue())
def test_postlingo_refuses_what_msgfmt_refuses_and_reads_what_it_reads(
    tmp_path: Path, text: str
) -> None:
    path = tmp_path / "fuzz.po"
    path.write_text(text, encoding="utf-8")
    gnu = msgfmt_check(path)
    complaints = [
        line
        for line in gnu.stderr.splitlines()
        if "warning" not in line
        and not line.startswith("msgfmt: found")
        and not line.startswith(" ")
    ]
    try:
        load_catalogue(path)
        refused = None
    except InputError as exc:
        refused = exc
    if gnu.returncode != 0 and not any(_NOT_SYNTAX.search(line) for line in complaints):
        assert refused is not None, (text, complaints)
        assert refused.line is not None and refused.line >= 1, (text, refused)
    if gnu.returncode == 0:
        assert refused is None, (text, refused)


def test_layouts_gettext_allows_are_read_as_gettext_reads_them(tmp_path: Path) -> None:
    """Tokens may be spread over lines or share one, comments may follow a string, marks
    need no space: msgcat reads each entry as the plain one beside it."""
    odd = (
        'msgid\n"a"\nmsgstr "b" "c" # a comment\n\n#~msgid "o"\n#~msgstr "p"\n\n'
        '#:x.md:3\n#,fuzzy\n#|msgid "q0"\nmsgid "q"msgstr"r\\x41\\101"\n'
    )
    plain = (
        'msgid "a"\nmsgstr "bc"\n\n#: x.md:3\n#, fuzzy\n#| msgid "q0"\nmsgid "q"\n'
        'msgstr "rAA"\n\n#~ msgid "o"\n#~ msgstr "p"\n'
    )
    (tmp_path / "odd.po").write_text(_HEADER + "\n" + odd, encoding="utf-8")
    (tmp_path / "plain.po").write_text(_HEADER + "\n" + plain, encoding="utf-8")
    assert msgfmt_check(tmp_path / "odd.po").returncode == 0
    gnu = subprocess.run(
        ["msgcat", str(tmp_path / "odd.po")], capture_output=True, text=True, check=True
    ).stdout

    def content(po: object) -> list[tuple[object, ...]]:
        return sorted(
            (
                e.obsolete,
                e.msgctxt,
                e.msgid,
                e.msgstr,
                tuple(e.flags),
                tuple(e.occurrences),
                e.previous_msgid,
            )
            for e in po
        )  # type: ignore[attr-defined]

    (tmp_path / "gnu.po").write_text(gnu, encoding="utf-8")
    read = load_catalogue(tmp_path / "odd.po")
    assert content(read) == content(load_catalogue(tmp_path / "plain.po"))
    assert content(read) == content(load_catalogue(tmp_path / "gnu.po"))


# --- only regular files ------------------------------------------------------------------


def _postlingo(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """The CLI in a process of its own, with a deadline: a read that blocks fails the test
    instead of hanging it."""
    return subprocess.run(
        [sys.executable, "-m", "postlingo", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("where", "command", "message"),
    [
        (CATALOGUE, "sync", "not a regular file (a FIFO)"),
        (TEMPLATE, "update", "not a regular file (a FIFO)"),
        (Path("postlingo.toml"), "sync", "not a regular file (a FIFO)"),
        (Path("terms.csv"), "check", "glossary file not found"),  # (check.py's own words)
    ],
)
def test_a_fifo_is_an_error_naming_it_never_a_hang(
    site: Path, where: Path, command: str, message: str
) -> None:
    if where.name == "terms.csv":
        with (site / "postlingo.toml").open("a", encoding="utf-8") as config:
            config.write('glossary = "terms.csv"\n')
    path = site / where
    path.unlink(missing_ok=True)
    os.mkfifo(path)
    result = _postlingo(command, "--root", site)
    assert result.returncode in (1, 2), result.stderr
    assert f"{path}: {message}" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_a_fifo_among_the_posts_is_passed_over_never_read(site: Path) -> None:
    """The posts glob takes regular files only (sources.py): a FIFO is not a post."""
    fifo = site / POSTS / "2021-03-03-fifo.md"
    os.mkfifo(fifo)
    result = _postlingo("sync", "--root", site)
    assert result.returncode == 0, result.stderr
    assert not list((site / "locales").rglob("*fifo*"))


@pytest.mark.parametrize(
    ("device", "kind"), [("/dev/zero", "a character device"), ("/dev/null", "a character device")]
)
def test_a_device_is_never_read(device: str, kind: str) -> None:
    with pytest.raises(InputError, match=f"not a regular file \\({kind}\\)"):
        read_text(Path(device))


def test_a_compendium_that_is_a_fifo_is_reported(site: Path) -> None:
    from postlingo.config import load_config
    from postlingo.drafts.memory import load_memory

    os.mkfifo(site / "shared.po")
    with (site / "postlingo.toml").open("a", encoding="utf-8") as config:
        config.write('compendia = ["shared.po"]\n')
    try:
        memory = load_memory(load_config(site), "en")
    except PostlingoError as exc:  # (memory.py: "compendium not found"; named, no hang)
        problems = [exc]
    else:
        problems = memory.problems
    assert [p.path for p in problems] == [site / "shared.po"]


# --- configuration -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("lock_wait = inf", "configuration key 'lock_wait' must be a finite number, not inf"),
        ("lock_wait = nan", "configuration key 'lock_wait' must be a finite number, not nan"),
        ("engine_timeout = inf", "'engine_timeout' must be a finite number"),
        ("threshold = -inf", "'threshold' must be a finite number"),
        ("min_percent = 100.5", "'min_percent' must be in [0, 100]"),
        ("wrap_width = 99999999999", "'wrap_width' must be from 0 to 2147483646"),
        ("wrap_width = -1", "'wrap_width' must be from 0 to"),
        ("max_catalogue_size = 0", "'max_catalogue_size' must be more than 0"),
        ('posts = ["../../x/*.md"]', "'posts' pattern '../../x/*.md' leads out of the site's root"),
        ('posts = ["content/../../*.md"]', "leads out of the site's root"),
        ('posts = ["/etc/*.md"]', "must be relative to the site's root"),
        ('draft_cache = "../../x"', "configuration key 'draft_cache': '../../x' leads out"),
        ('draft_cache = "/tmp/cache"', "'draft_cache': '/tmp/cache' must be relative"),
        ('glossary = "a/../../g.csv"', "configuration key 'glossary': 'a/../../g.csv' leads out"),
        ('compendia = ["../{lang}.po"]', "configuration key 'compendia': '../{lang}.po' leads"),
        ('locales = "../elsewhere"', "configuration key 'locales': '../elsewhere' leads out"),
    ],
)
def test_config_values_out_of_range_are_errors_naming_the_key(
    site: Path, setting: str, message: str
) -> None:
    config = site / "postlingo.toml"
    key = setting.split()[0]
    kept = [
        line
        for line in config.read_text(encoding="utf-8").splitlines()
        if not line.startswith(f"{key} ")
    ]
    config.write_text("\n".join([*kept, setting]) + "\n", encoding="utf-8")
    before = sorted(p for p in site.rglob("*"))
    result = invoke("sync", "--root", site)
    assert result.exit_code == 2, result.output
    assert message in result.stderr, result.stderr
    assert result.stderr.startswith(f"error: {config}:")
    assert sorted(p for p in site.rglob("*")) == before


@pytest.mark.parametrize("key", ["draft_cache", "glossary", "compendia", "locales"])
def test_a_configured_path_through_a_symlink_out_of_the_site_is_an_error(
    site: Path, tmp_path: Path, key: str
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (site / "door").symlink_to(outside, target_is_directory=True)
    value = '["door/x.po"]' if key == "compendia" else '"door/x"'
    config = site / "postlingo.toml"
    kept = [
        line
        for line in config.read_text(encoding="utf-8").splitlines()
        if not line.startswith(f"{key} ")
    ]
    config.write_text("\n".join([*kept, f"{key} = {value}"]) + "\n", encoding="utf-8")
    result = invoke("sync", "--root", site)
    assert result.exit_code == 2, result.output
    assert f"configuration key '{key}'" in result.stderr
    assert "through a symbolic link" in result.stderr
    assert list(outside.iterdir()) == []


def test_a_catalogue_larger_than_the_limit_is_an_error_naming_it(site: Path) -> None:
    with (site / "postlingo.toml").open("a", encoding="utf-8") as config:
        config.write("max_catalogue_size = 2000\n")
    try:
        result = invoke("sync", "--root", site)
    finally:  # (the limit is the process's: later tests read catalogues without a config)
        set_catalogue_limit(DEFAULT_CATALOGUE_LIMIT)
    assert result.exit_code == 1, result.output
    size = (site / CATALOGUE).stat().st_size
    assert (
        f"error: {site / CATALOGUE}: {size:,} bytes: larger than max_catalogue_size = "
        "2,000 allows (not read)"
    ) in result.stderr
    assert (site / SOURCE).exists()


def test_nplurals_out_of_range_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "huge.po"
    path.write_text(
        _HEADER.replace("nplurals=2", "nplurals=99999999999") + '\nmsgid "a"\nmsgstr "b"\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="nplurals=99999999999: a language has from 1 to 6"):
        load_catalogue(path)
