"""What the site generator's own configuration must say for the variants to be published
beside their sources, and not instead of them (``check``'s ``generator`` rule, ``sync``'s
warnings, ``init``'s advice and ``--apply``).

Each finding names the generator's config file and line (or ``postlingo.toml``'s) and what
to change. The traps, all seen on real sites: a Hugo site without the target language in
``languages`` publishes ``x.en.md`` *instead of* ``x.md``; polyglot's ``default_lang`` is
``en`` unless set; plain Jekyll gives a variant the source's URL when the site's
``permalink`` has no ``:categories``; Jekyll publishes every file it is not told to
``exclude`` (catalogues, postlingo.toml); translated categories move ``:categories`` URLs.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import yaml

from ..config import CONFIG_FILE, Config, config_file, key_line
from ..errors import InputError, PostlingoError, toml_problem
from ..fileio import fixed_prefix, read_text

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

JEKYLL_CONFIGS = ("_config.yml", "_config.yaml", "_config.toml")
HUGO_CONFIGS = (
    "hugo.toml",
    "hugo.yaml",
    "hugo.yml",
    "hugo.json",
    "config.toml",
    "config.yaml",
    "config.yml",
    "config.json",
    "config/_default/hugo.toml",
    "config/_default/config.toml",
    "config/_default/hugo.yaml",
    "config/_default/config.yaml",
)
# Jekyll's named permalink styles all begin with /:categories.
_NAMED_PERMALINKS = ("date", "pretty", "ordinal", "weekdate", "none")
_CATEGORY_KEYS = ("categories", "category")


@dataclass(frozen=True)
class Fix:
    """An edit ``init --apply`` can make: ``values`` to have in the config's ``key``."""

    key: str  # exclude, languages, default_lang, plugins; hugo: languages, defaultContentLanguage
    values: tuple[str, ...]


@dataclass(frozen=True)
class Finding:
    """One thing the generator's config gets wrong, where, and what to change."""

    message: str
    path: Path
    line: int | None = None
    fix: Fix | None = None

    def error(self) -> PostlingoError:
        return PostlingoError(self.message, self.path, self.line)


@dataclass(frozen=True)
class Site:
    """A generator's configuration as read: its file, values and folder (the source)."""

    kind: str  # "jekyll" or "hugo"
    path: Path
    values: dict[str, Any]

    @property
    def folder(self) -> Path:
        folder = self.path.parent
        return folder.parent.parent if folder.name == "_default" else folder

    def line(self, key: str) -> int | None:
        """The line of the top-level ``key`` (YAML ``key:``, TOML ``key =``, JSON ``"key":``)."""
        name = re.escape(key)
        pattern = re.compile(rf"^(?:[\"']?{name}[\"']?\s*[:=]|\[{name}[.\]])", re.IGNORECASE)
        try:
            lines = read_text(self.path).splitlines()
        except (OSError, InputError):
            return None
        return next((n for n, text in enumerate(lines, 1) if pattern.match(text)), None)

    def get(self, key: str) -> Any:
        """A top-level value; Hugo's keys are case-insensitive."""
        if self.kind == "jekyll":
            return self.values.get(key)
        return next((v for k, v in self.values.items() if k.lower() == key.lower()), None)


def read_site_config(path: Path, kind: str) -> Site:
    """The generator config at ``path``; ``InputError`` naming it if it cannot be read."""
    text = read_text(path).removeprefix("\ufeff")
    try:
        if path.suffix == ".toml":
            values: Any = tomllib.loads(text)
        elif path.suffix == ".json":
            values = json.loads(text)
        else:
            values = yaml.safe_load(text)
    except tomllib.TOMLDecodeError as exc:
        message, line = toml_problem(exc)
        raise InputError(f"invalid TOML: {message}", path, line) from None
    except (yaml.YAMLError, ValueError) as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(
            f"cannot be read: {' '.join(str(exc).split())}", path, mark.line + 1 if mark else None
        ) from None
    return Site(kind, path, values if isinstance(values, dict) else {})


def find_site(config: Config) -> Site | None:
    """The generator config of the site the posts belong to: the nearest folder, from the
    posts' folder up to the project root, holding one (Jekyll's for the jekyll layouts,
    Hugo's for hugo); None for a custom layout or when there is none."""
    if config.layout == "custom":
        return None
    kind, names = ("hugo", HUGO_CONFIGS) if config.layout == "hugo" else ("jekyll", JEKYLL_CONFIGS)
    root = config.root.resolve()
    for pattern in config.posts:
        folder = (root / fixed_prefix(pattern)).resolve()
        while folder.is_relative_to(root):
            for name in names:
                if (folder / name).is_file():  # (named from the root, as the user does)
                    return read_site_config(config.root / folder.relative_to(root) / name, kind)
            if folder == root:
                break
            folder = folder.parent
    return None


def generator_findings(config: Config) -> list[Finding]:
    """Everything in the generator's config that would publish the wrong thing."""
    try:
        site = find_site(config)
    except InputError as exc:
        return [Finding(exc.message, exc.path or config.root, exc.line)]
    found = _category_urls(config, site)
    if site is None:
        return found
    if site.kind == "hugo":
        return found + _hugo(config, site)
    found += _published(config, site)
    if config.layout == "jekyll-polyglot":
        found += _polyglot(config, site)
    else:
        found += _plain_jekyll(site)
    return found


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [str(item) for item in value] if isinstance(value, list) else []


def _published(config: Config, site: Site) -> list[Finding]:
    """The catalogues and postlingo.toml, if inside Jekyll's source and not excluded."""
    source = site.folder.resolve()
    wanted = [config.locales_dir.resolve()]
    own = config_file(config.root)
    if own is not None and own.name == CONFIG_FILE:
        wanted.append(own.resolve())
    excluded = _strings(site.get("exclude"))
    missing = []
    for path in wanted:
        if not path.is_relative_to(source) or path == source:
            continue
        relative = path.relative_to(source).as_posix()
        if any(part[:1] in "_." for part in relative.split("/")):
            continue  # Jekyll skips such names by itself
        if not any(_excludes(entry, relative) for entry in excluded):
            missing.append(relative)
    if not missing:
        return []
    return [
        Finding(
            f"Jekyll would publish {' and '.join(missing)}: add exclude: [{', '.join(missing)}]",
            site.path,
            site.line("exclude"),
            Fix("exclude", tuple(missing)),
        )
    ]


def _excludes(entry: str, relative: str) -> bool:
    entry = entry.strip().strip("/")
    return bool(entry) and (
        relative == entry or relative.startswith(entry + "/") or fnmatch(relative, entry)
    )


def _polyglot(config: Config, site: Site) -> list[Finding]:
    found = []
    plugins = _strings(site.get("plugins")) + _strings(site.get("gems"))
    if "jekyll-polyglot" not in plugins:
        found.append(
            Finding(
                "jekyll-polyglot is not among the plugins: every variant would "
                "replace its source's page; add jekyll-polyglot to plugins",
                site.path,
                site.line("plugins"),
                Fix("plugins", ("jekyll-polyglot",)),
            )
        )
    languages = _strings(site.get("languages"))
    missing = [
        code for code in [config.source_language, *config.languages] if code not in languages
    ]
    if missing:
        found.append(
            Finding(
                f"polyglot's languages lack {', '.join(missing)}: add them "
                f"(languages: {_flow([*languages, *missing])})",
                site.path,
                site.line("languages"),
                Fix("languages", tuple(missing)),
            )
        )
    default = site.get("default_lang") or "en"  # polyglot's default
    if default != config.source_language:
        found.append(
            Finding(
                f"polyglot's default_lang is {default!r}, not the posts' "
                f"language: set default_lang: {config.source_language}",
                site.path,
                site.line("default_lang"),
                Fix("default_lang", (config.source_language,)),
            )
        )
    return found


def _flow(values: list[str]) -> str:
    return f"[{', '.join(values)}]"


def _site_permalink(site: Site | None) -> str:
    value = site.get("permalink") if site is not None else None
    return value if isinstance(value, str) and value else "date"


def _plain_jekyll(site: Site) -> list[Finding]:
    permalink = _site_permalink(site)
    if permalink in _NAMED_PERMALINKS or ":categories" in permalink:
        return []
    return [
        Finding(
            f"permalink {permalink!r} has no :categories: every variant would get its "
            "source's URL and replace its page; begin it with /:categories",
            site.path,
            site.line("permalink"),
        )
    ]


def _category_urls(config: Config, site: Site | None) -> list[Finding]:
    """Translated categories move the URLs of a Jekyll permalink with :categories."""
    if config.layout not in ("jekyll", "jekyll-polyglot"):
        return []
    permalink = _site_permalink(site)
    if permalink not in _NAMED_PERMALINKS and ":categories" not in permalink:
        return []
    found = []
    for setting in ("taxonomy", "front_matter"):
        for key in _CATEGORY_KEYS:
            if key in getattr(config, setting):
                own = config_file(config.root) or config.root / CONFIG_FILE
                found.append(
                    Finding(
                        f"'{key}' is translated ({setting}) while the permalink "
                        f"({permalink!r}) holds :categories: each variant's URL would move; "
                        f"remove '{key}' from {setting}, or use a permalink without :categories",
                        own,
                        key_line(own, setting),
                    )
                )
    return found


def _hugo(config: Config, site: Site) -> list[Finding]:
    declared = site.get("languages")
    languages = (
        {str(k).lower(): v for k, v in declared.items()} if isinstance(declared, dict) else {}
    )
    found = []
    missing = [
        code
        for code in [config.source_language, *config.languages]
        if code.lower() not in languages
    ]
    if missing:
        found.append(
            Finding(
                f"Hugo's languages lack {', '.join(missing)}: each variant would "
                f"replace its source's page; add [languages.{missing[0]}]",
                site.path,
                site.line("languages"),
                Fix("languages", tuple(missing)),
            )
        )
    default = str(site.get("defaultContentLanguage") or "en").lower()
    # A file without a language suffix (the source) is in the default language; and the
    # default language is the one at the site's root, where the German pages were.
    if default != config.source_language.lower():
        found.append(
            Finding(
                f"Hugo's defaultContentLanguage is {default!r}, not the posts' "
                f"language: set defaultContentLanguage = "
                f'"{config.source_language}"',
                site.path,
                site.line("defaultContentLanguage"),
                Fix("defaultContentLanguage", (config.source_language,)),
            )
        )
    if config.hugo_content == "directory":
        found += _content_dirs(config, site, languages)
    return found


def _content_dirs(config: Config, site: Site, languages: dict[str, Any]) -> list[Finding]:
    found = []
    for code in [config.source_language, *config.languages]:
        table = languages.get(code.lower())
        content_dir = table.get("contentDir") if isinstance(table, dict) else None
        wanted = f"content/{code}"
        if content_dir is None or str(content_dir).strip("/") != wanted:
            found.append(
                Finding(
                    f'Hugo\'s [languages.{code}] needs contentDir = "{wanted}" '
                    "(posts by directory)",
                    site.path,
                    site.line("languages"),
                    Fix("contentDir", (code, wanted)),
                )
            )
    return found
