"""``postlingo init``: a ``postlingo.toml`` for the site it stands in, from what it finds.

It tells Jekyll (with or without jekyll-polyglot), Hugo (suffix files, page bundles or a
content folder per language) and anything else (a ``custom`` layout) apart, finds the posts
and the front-matter keys that hold prose in them, writes the configuration (never over an
existing one), and says what the generator's own config still needs
(``postlingo.site.generators``); with ``apply`` it makes those edits itself, changing only the
lines it must and checking that the file then reads as intended.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomlkit
import yaml

from ..config import CONFIG_FILE, Config, load_config
from ..errors import ConfigError, InputError, PostlingoError
from ..fileio import read_text, write_atomic
from ..source.post import front_matter_handlers, read_post
from .generators import (
    HUGO_CONFIGS,
    JEKYLL_CONFIGS,
    Finding,
    Fix,
    Site,
    generator_findings,
    read_site_config,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

# Front-matter keys that hold prose where sites use them; only those the posts fill with
# text are configured (a key that holds a date or a list would be an error to translate).
PROSE_KEYS = (
    "title",
    "subtitle",
    "linkTitle",
    "description",
    "excerpt",
    "summary",
    "teaser",
    "lead",
    "intro",
    "abstract",
)
_NESTED_PROSE = ("alt", "caption")  # image.alt and the like
_SAMPLE = 500  # posts read to find the prose keys
_SKIPPED = {"node_modules", "vendor", "_site", "public", "resources", "locales"}
_LANG_SUFFIX = re.compile(r"\.([a-z]{2,3}(?:-[A-Za-z]{2,4})?)\.(?:md|markdown)$")


@dataclass
class Detected:
    """What ``init`` found: the generator, its config, and the settings it implies."""

    generator: str  # "Jekyll", "Jekyll with jekyll-polyglot", "Hugo", "no known generator"
    site: Site | None
    settings: dict[str, Any]
    notes: list[str] = field(default_factory=list)


@dataclass
class InitReport:
    """What ``init`` found, wrote and changed, and what is left for the user."""

    detected: Detected
    written: list[Path] = field(default_factory=list)
    edited: list[Path] = field(default_factory=list)  # generator configs --apply changed
    needed: list[Finding] = field(default_factory=list)  # generator edits still to make
    problems: list[PostlingoError] = field(default_factory=list)  # --apply could not edit


def init(
    root: Path, source_language: str = "de", languages: list[str] | None = None, apply: bool = False
) -> InitReport:
    """Write ``postlingo.toml`` for the site at ``root`` and, with ``apply``, the edits of
    the generator's config; ``ConfigError`` if postlingo is configured there already."""
    root = Path(root)
    if not root.is_dir():
        raise ConfigError(f"--root {root}: not a folder")
    _refuse_existing(root)
    for code in [source_language, *(languages or [])]:
        if not _is_language(code):
            raise ConfigError(f"unknown language code {code!r}")
    detected = detect(root, source_language, languages)
    report = InitReport(detected)
    path = root / CONFIG_FILE
    _create(path, render(detected.settings))
    report.written.append(path)
    config = load_config(root)  # (what init wrote must read back as it meant it)
    report.needed = generator_findings(config)
    if apply and report.needed:
        report.edited = apply_fixes(report.needed, report.problems)
        report.needed = generator_findings(config)
    return report


def _refuse_existing(root: Path) -> None:
    own = root / CONFIG_FILE
    if own.exists():
        raise ConfigError("exists already; init never overwrites it", own)
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        try:
            tool = tomllib.loads(read_text(pyproject)).get("tool", {})
        except (tomllib.TOMLDecodeError, InputError):
            return
        if isinstance(tool, dict) and "postlingo" in tool:
            raise ConfigError(
                "[tool.postlingo] configures postlingo here already; init never overwrites it",
                pyproject,
            )


def _create(path: Path, text: str) -> None:
    """Write ``path`` complete or not at all, and never over a file that appeared since."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        try:
            os.link(tmp, path)  # fails if the name exists: no overwrite, even in a race
        except FileExistsError:
            raise ConfigError("exists already; init never overwrites it", path) from None
    finally:
        os.unlink(tmp)


# --- detection -------------------------------------------------------------------------------


def detect(root: Path, source_language: str = "de", languages: list[str] | None = None) -> Detected:
    """The generator of the site at ``root`` and the configuration that fits it."""
    for folder in _candidates(root):
        if any((folder / name).is_file() for name in JEKYLL_CONFIGS):
            return _jekyll(root, folder, source_language, languages)
        if any((folder / name).is_file() for name in HUGO_CONFIGS):
            return _hugo(root, folder, source_language, languages)
    return _custom(root, source_language, languages)


def _candidates(root: Path) -> list[Path]:
    """The root, then its folders (a site kept in ``content/`` or ``docs/``)."""
    try:
        below = sorted(
            p
            for p in root.iterdir()
            if p.is_dir() and p.name[:1] not in "._" and p.name not in _SKIPPED
        )
    except OSError:
        below = []
    return [root, *below]


def _site_config(folder: Path, names: tuple[str, ...], kind: str) -> Site:
    path = next(folder / name for name in names if (folder / name).is_file())
    try:
        return read_site_config(path, kind)
    except InputError as exc:
        raise ConfigError(exc.message, exc.path, exc.line) from None


def _prefix(root: Path, folder: Path) -> str:
    relative = folder.relative_to(root).as_posix()
    return "" if relative == "." else f"{relative}/"


def _jekyll(root: Path, folder: Path, source: str, languages: list[str] | None) -> Detected:
    site = _site_config(folder, JEKYLL_CONFIGS, "jekyll")
    plugins = [str(p) for key in ("plugins", "gems") for p in _list(site.get(key))]
    gemfiles = [folder / "Gemfile", root / "Gemfile"]
    polyglot = "jekyll-polyglot" in plugins or any(
        f.is_file() and "jekyll-polyglot" in read_text(f) for f in gemfiles
    )
    posts = _globs(root, f"{_prefix(root, folder)}_posts")
    declared = [str(code) for code in _list(site.get("languages")) if str(code) != source]
    targets = languages or (declared if polyglot and declared else ["en"])
    settings = _settings(source, targets, posts, "jekyll-polyglot" if polyglot else "jekyll")
    detected = Detected("Jekyll with jekyll-polyglot" if polyglot else "Jekyll", site, settings)
    _describe_posts(root, detected)
    return detected


def _hugo(root: Path, folder: Path, source: str, languages: list[str] | None) -> Detected:
    site = _site_config(folder, HUGO_CONFIGS, "hugo")
    content = folder / str(site.get("contentDir") or "content")
    prefix = _prefix(root, content)
    by_directory = (content / source).is_dir()
    if by_directory:
        posts = _globs(root, f"{prefix}{source}")
        found = sorted(
            p.name
            for p in content.iterdir()
            if p.is_dir() and p.name != source and _is_language(p.name)
        )
    else:
        posts = _globs(root, prefix.rstrip("/") or ".")
        found = _suffix_languages(content, source)
    targets = languages or found or ["en"]
    settings = _settings(source, targets, posts, "hugo")
    settings["hugo_content"] = "directory" if by_directory else "suffix"
    detected = Detected("Hugo", site, settings)
    if found:
        detected.notes.append(
            f"existing translations: {', '.join(found)} (postlingo leaves "
            "files it did not write alone)"
        )
    _describe_posts(root, detected)
    return detected


def _custom(root: Path, source: str, languages: list[str] | None) -> Detected:
    counts = Counter(p.parent for p in _markdown_files(root))
    folder = max(counts, key=lambda f: (counts[f], -len(f.parts)), default=root / "posts")
    settings = _settings(
        source,
        languages or ["en"],
        _globs(root, _prefix(root, folder).rstrip("/") or "."),
        "custom",
    )
    settings["path"] = "{dir}/{lang}/{stem}{ext}"
    settings["metadata"] = {"lang": "{lang}"}
    detected = Detected("no known generator", None, settings)
    detected.notes.append(
        "layout 'custom': each variant goes to <folder>/<lang>/<file> with "
        "'lang: <lang>'; change 'path' and 'metadata' to suit your site"
    )
    _describe_posts(root, detected)
    return detected


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value] if isinstance(value, str) else []


def _is_language(code: str) -> bool:
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(code.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return False
    return True


def _suffix_languages(content: Path, source: str) -> list[str]:
    codes = {
        match.group(1)
        for path in _markdown_files(content)
        if (match := _LANG_SUFFIX.search(path.name))
    }
    return sorted(code for code in codes if code != source and _is_language(code))


def _markdown_files(folder: Path) -> list[Path]:
    found = []
    for top, folders, files in os.walk(folder):
        folders[:] = sorted(f for f in folders if f[:1] != "." and f not in _SKIPPED)
        found += [
            Path(top, name)
            for name in sorted(files)
            if name.endswith((".md", ".markdown")) and name.lower() != "readme.md"
        ]
    return found


def _globs(root: Path, folder: str) -> list[str]:
    """The posts globs of ``folder``: ``.md``, and ``.markdown`` where there are such files
    (a glob that matches nothing is an error)."""
    files = _markdown_files(root / folder)
    prefix = "" if folder == "." else f"{folder}/"
    globs = [
        f"{prefix}**/*{ext}"
        for ext in (".md", ".markdown")
        if any(f.name.endswith(ext) for f in files)
    ]
    return globs or [f"{prefix}**/*.md"]


def _settings(source: str, languages: list[str], posts: list[str], layout: str) -> dict[str, Any]:
    return {
        "source_language": source,
        "languages": [c for c in languages if c != source],
        "posts": posts,
        "layout": layout,
        "locales": "locales",
    }


def _describe_posts(root: Path, detected: Detected) -> None:
    settings = detected.settings
    config = Config(root=root, **settings)
    try:
        from .sources import find_sources

        sources = find_sources(config)
    except PostlingoError:
        sources = []
    settings["front_matter"] = prose_keys([root / s.relative for s in sources[:_SAMPLE]])
    if not sources:
        detected.notes.append(
            f"no posts yet: {', '.join(settings['posts'])} matches none "
            "(postlingo sync says so until there is one)"
        )
    else:
        count = f"{len(sources)} post{'' if len(sources) == 1 else 's'}"
        detected.notes.append(f"{count} ({', '.join(settings['posts'])})")


def prose_keys(paths: list[Path]) -> list[str]:
    """The keys of ``PROSE_KEYS`` (and ``<key>.alt``, ``<key>.caption``) that hold text in
    the front matter of any of the posts at ``paths``, in ``PROSE_KEYS``' order."""
    seen: set[str] = set()
    for path in paths:
        seen |= _text_keys(_front_matter(path))
    nested = sorted(key for key in seen if "." in key)
    return [key for key in PROSE_KEYS if key in seen] + nested


def _front_matter(path: Path) -> dict[str, Any]:
    try:
        post = read_post(path, path.stem)
        front = post.front_matter
        if front is None:
            return {}
        content = post.text[front.content_start : front.content_end]
        values = front_matter_handlers()[front.format].load(content)  # (read, never written)
    except (OSError, PostlingoError, yaml.YAMLError, tomllib.TOMLDecodeError, ValueError):
        return {}  # (sync reports an unreadable post, naming its line)
    return values if isinstance(values, dict) else {}


def _text_keys(values: dict[str, Any]) -> set[str]:
    keys = {key for key in PROSE_KEYS if isinstance(values.get(key), str) and values[key].strip()}
    for key, value in values.items():
        if isinstance(value, dict):
            keys |= {
                f"{key}.{inner}"
                for inner in _NESTED_PROSE
                if isinstance(value.get(inner), str) and value[inner].strip()
            }
    return keys


def render(settings: dict[str, Any]) -> str:
    """``postlingo.toml`` for ``settings``, with a comment on where its keys are explained."""
    doc = tomlkit.document()
    doc.add(
        tomlkit.comment(
            "postlingo's configuration, written by postlingo init (README: Configuration)."
        )
    )
    for key in (
        "source_language",
        "languages",
        "posts",
        "layout",
        "hugo_content",
        "path",
        "locales",
        "front_matter",
    ):
        if key in settings:
            doc.add(key, settings[key])
    if "metadata" in settings:
        doc.add("metadata", settings["metadata"])
    return tomlkit.dumps(doc)


# --- editing the generator's config ----------------------------------------------------------


def apply_fixes(findings: list[Finding], problems: list[PostlingoError]) -> list[Path]:
    """Make the edits of ``findings`` that carry a fix, file by file: each file is edited in
    its text, line by line, read back, and written only if it then holds what was meant."""
    edited = []
    for path in dict.fromkeys(f.path for f in findings if f.fix is not None):
        fixes = [f.fix for f in findings if f.path == path and f.fix is not None]
        try:
            text = read_text(path)
            new = _edit(path, text, fixes)
        except PostlingoError as exc:
            problems.append(exc)
            continue
        if new != text:
            write_atomic(path, new.encode("utf-8"))
            edited.append(path)
    return edited


def _edit(path: Path, text: str, fixes: list[Fix]) -> str:
    if path.suffix == ".toml" and path.name != "_config.toml":
        return _edit_hugo_toml(path, text, fixes)
    if path.suffix in (".yml", ".yaml") and path.name.startswith("_config"):
        for fix in fixes:
            text = _edit_jekyll(path, text, fix)
        return text
    raise InputError(
        f"--apply edits _config.yml and TOML configs; edit this one by hand "
        f"({', '.join(fix.key for fix in fixes)})",
        path,
    )


def _edit_jekyll(path: Path, text: str, fix: Fix) -> str:
    before = _load_yaml(path, text)
    if fix.key == "default_lang":
        new = _yaml_scalar(text, fix.key, fix.values[0])
        wanted: Any = fix.values[0]
    else:
        old = [str(item) for item in _list(before.get(fix.key))]
        add = [value for value in fix.values if value not in old]
        new = _yaml_list(text, fix.key, add)
        wanted = old + add
    after = _load_yaml(path, new) if new is not None else None
    if (
        after is None
        or after.get(fix.key) != wanted
        or {k: v for k, v in after.items() if k != fix.key}
        != {k: v for k, v in before.items() if k != fix.key}
    ):
        raise InputError(f"--apply cannot set '{fix.key}' here safely; edit it by hand", path)
    assert new is not None
    return new


def _load_yaml(path: Path, text: str) -> dict[str, Any]:
    try:
        values = yaml.safe_load(text)
    except yaml.YAMLError:
        raise InputError("cannot be read as YAML; edit it by hand", path) from None
    return values if isinstance(values, dict) else {}


def _plain(value: str) -> str:
    return value if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._/-]*", value) else json.dumps(value)


def _key_at(lines: list[str], key: str) -> int | None:
    pattern = re.compile(rf"{re.escape(key)}\s*:(\s|$)")
    return next((i for i, line in enumerate(lines) if pattern.match(line)), None)


def _appended(lines: list[str], line: str) -> str:
    eol = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += eol
    return "".join([*lines, line + eol])


def _yaml_scalar(text: str, key: str, value: str) -> str | None:
    lines = text.splitlines(keepends=True)
    at = _key_at(lines, key)
    if at is None:
        return _appended(lines, f"{key}: {_plain(value)}")
    line = lines[at]
    body = line.rstrip("\r\n")
    comment = re.search(r"\s+#.*$", body)
    lines[at] = f"{key}: {_plain(value)}{comment.group(0) if comment else ''}{line[len(body) :]}"
    return "".join(lines)


def _yaml_list(text: str, key: str, add: list[str]) -> str | None:
    """``text`` with ``add`` appended to the list of the top-level ``key``: in its flow list
    (``[a, b]``), after its last block item (``- b``), or as a new ``key: [...]`` line."""
    if not add:
        return text
    lines = text.splitlines(keepends=True)
    at = _key_at(lines, key)
    items = ", ".join(_plain(value) for value in add)
    if at is None:
        return _appended(lines, f"{key}: [{items}]")
    line = lines[at]
    rest = line[line.index(":") + 1 :].strip()
    if rest.startswith("[") and "]" in rest:
        close = line.index("]")
        inside = line[line.index("[") + 1 : close].strip()
        lines[at] = f"{line[:close].rstrip()}{', ' if inside else ''}{items}{line[close:]}"
        return "".join(lines)
    if rest and not rest.startswith("#"):
        return None  # a scalar or a list over several lines: by hand
    last, indent = at, None
    for index in range(at + 1, len(lines)):
        found = re.match(r"(\s*)-(\s|$)", lines[index])
        if found:
            last, indent = index, found.group(1)
        elif lines[index].strip() and not lines[index].lstrip().startswith("#"):
            break
    if indent is None:  # `key:` with nothing: null
        eol = line[len(line.rstrip("\r\n")) :]
        lines[at] = f"{key}: [{items}]{eol}"
        return "".join(lines)
    eol = lines[last][len(lines[last].rstrip("\r\n")) :] or "\n"
    if not lines[last].endswith(("\n", "\r")):
        lines[last] += eol
    lines[last + 1 : last + 1] = [f"{indent}- {_plain(value)}{eol}" for value in add]
    return "".join(lines)


def _edit_hugo_toml(path: Path, text: str, fixes: list[Fix]) -> str:
    try:
        doc = tomlkit.parse(text)
    except Exception:
        raise InputError("cannot be read as TOML; edit it by hand", path) from None
    for fix in fixes:
        _hugo_fix(doc, fix)
    new = tomlkit.dumps(doc)
    try:
        tomllib.loads(new)
    except tomllib.TOMLDecodeError:
        raise InputError("--apply cannot edit it safely; edit it by hand", path) from None
    return new


def _hugo_fix(doc: Any, fix: Fix) -> None:
    name = next((k for k in doc if k.lower() == fix.key.lower()), fix.key)
    if fix.key == "defaultContentLanguage":
        doc[name] = fix.values[0]
        return
    languages_key = next((k for k in doc if k.lower() == "languages"), None)
    if languages_key is None:
        languages_key = "languages"
        doc[languages_key] = tomlkit.table(is_super_table=True)
    languages = doc[languages_key]
    if fix.key == "languages":
        weight = len(languages)
        for code in fix.values:
            if any(k.lower() == code.lower() for k in languages):
                continue
            weight += 1
            table = tomlkit.table()
            table["weight"] = weight
            languages[code.lower()] = table
    elif fix.key == "contentDir":
        code, wanted = fix.values
        key = next((k for k in languages if k.lower() == code.lower()), code.lower())
        if key not in languages:
            languages[key] = tomlkit.table()
        languages[key]["contentDir"] = wanted


def report_lines(report: InitReport, applied: bool) -> list[str]:
    """What ``init`` tells the user: found, wrote, and what is left to do."""
    detected = report.detected
    where = f" ({detected.site.path.name})" if detected.site else ""
    lines = [f"found: {detected.generator}{where}", *(f"  {note}" for note in detected.notes)]
    for path in report.written:
        lines.append(f"wrote {path}")
        if path.name == CONFIG_FILE:
            lines += [f"  {line}" for line in read_text(path).splitlines()[1:]]
    lines += [f"edited {path}" for path in report.edited]
    if report.needed:
        lines.append("the site generator's config still needs:")
        lines += [f"  {finding.error()}" for finding in report.needed]
        if not applied:
            lines.append(
                "postlingo init --apply makes these edits (only those lines change); "
                "or make them by hand"
            )
    lines.append("next: postlingo sync")
    return lines
