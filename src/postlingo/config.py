"""Project configuration: ``postlingo.toml`` or ``[tool.postlingo]`` in ``pyproject.toml``."""

from __future__ import annotations

import dataclasses
import importlib
import math
import re
import sys
import typing
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any

from babel import Locale, UnknownLocaleError

from .errors import ConfigError, InputError, toml_problem
from .fileio import read_text, resolves_inside, set_catalogue_limit

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

CONFIG_FILE = "postlingo.toml"
NO_CONFIG = f"no {CONFIG_FILE} here (postlingo init writes one)"
LEVELS = ("error", "warning", "off")  # what a rule's finding is ([check] table)
NO_WRAP_WIDTH = 2**31 - 2  # the widest page gettext's int column counter allows
# Keys whose value must be one of a few words.
_CHOICES = {
    "hugo_content": ("suffix", "directory"),
    "slug": ("keep", "translate"),
    "below_threshold": ("keep", "unpublish"),
    "fallback": ("source", "previous"),
    "catalogues": ("post", "directory", "site"),
}


class Registry:
    """Names the configuration may use that other modules define: check's rules, the
    drafting engines, the unsafe kinds of security, the layouts. Each module registers its
    names (``register``) when it is imported; the configuration checks a name against the
    registry and imports the module that fills it (``provider``, by name) only then, so
    this module imports none of them and stays at the bottom of the import graph."""

    def __init__(self, what: str, provider: str) -> None:
        self.what, self.provider = what, provider
        self._names: list[Callable[[], Iterable[str]]] = []
        self.check: Callable[[Mapping[str, Any]], str | None] | None = None

    def register(
        self,
        names: Iterable[str] | Callable[[], Iterable[str]],
        check: Callable[[Mapping[str, Any]], str | None] | None = None,
    ) -> None:
        """Add ``names`` (or a function giving them, asked when needed); ``check``: what
        is wrong with the configuration table of these things, if anything."""
        if callable(names):
            self._names.append(names)
        else:
            listed = list(names)
            self._names.append(lambda: listed)
        if check is not None:
            self.check = check

    def names(self) -> list[str]:
        if not self._names:
            importlib.import_module(self.provider)
        # In the order registered (each module lists its names as its messages show them).
        return list(dict.fromkeys(name for source in self._names for name in source()))

    def problem(self, name: str, key: str) -> str | None:
        """Why ``name`` (the value of configuration key ``key``) is no registered name."""
        known = self.names()
        if name in known or not known:  # (a provider that registers nothing restricts nothing)
            return None
        return f"unknown {self.what} {name!r} in {key!r} (known: {', '.join(known)})"


RULE_NAMES = Registry("rule", "postlingo.qa.check")
ENGINE_NAMES = Registry("engine", "postlingo.drafts.engines")
UNSAFE_KINDS = Registry("kind", "postlingo.variant.security")
LAYOUT_NAMES = Registry("layout", "postlingo.variant.layouts")


@dataclass(frozen=True)
class Config:
    """Every setting, with its default; ``root`` is the site's project folder."""

    root: Path = Path(".")
    source_language: str = "de"
    languages: list[str] = field(default_factory=lambda: ["en"])
    posts: list[str] = field(default_factory=lambda: ["content/_posts/**/*.md"])
    locales: str = "locales"
    # Which posts share a template and catalogues (see postlingo.catalogue.store): "post"
    # (one each), "directory" (one per folder of posts) or "site" (one per language).
    catalogues: str = "post"
    layout: str = "jekyll-polyglot"
    # hugo: "suffix" (post.en.md, index.en.md beside the source) or "directory"
    # (content/<source>/… → content/<lang>/…)
    hugo_content: str = "suffix"
    path: str = ""  # custom layout: "{dir}/{lang}/{stem}{ext}", relative to the root
    metadata: dict[str, str] = field(default_factory=dict)  # custom: keys to add ("{lang}")
    slug: str = "keep"  # or "translate": the translated title, fixed once written
    # Percent translated below which a variant is not published; 80 as po4a's --keep, so a
    # reader does not get a page that is mostly source text under the variant's language.
    threshold: float = 80.0
    include_fuzzy: bool = False  # build, sync, check and status use fuzzy translations too
    below_threshold: str = "keep"  # an existing variant below it: "keep" or "unpublish"
    link_source: bool = False  # jekyll layout: write the shared `ref` on the source too
    front_matter: list[str] = field(
        default_factory=lambda: ["title", "description", "excerpt", "subtitle", "summary"]
    )
    project: str = ""
    wrap_width: int = 79  # PO line width, as msgcat -w; 0: no wrapping (msgcat --no-wrap)
    fuzzy_threshold: float = 0.6  # msgmerge's: how alike a changed text must be to inherit
    # Front-matter keys whose terms share one catalogue (taxonomy.po), e.g. tags, categories.
    taxonomy: list[str] = field(default_factory=list)
    # postlingo check: minimum percentage of translated entries, over the whole site,
    # per language (all its posts) and per post in each language; 0 switches it off.
    min_percent: float = 0.0
    min_percent_language: float = 0.0
    min_percent_post: float = 0.0
    localized_urls: bool = False  # translations may change link and image URLs
    glossary: str = ""  # CSV file, may hold {lang}; see postlingo.qa.check
    check: dict[str, str] = field(default_factory=dict)  # rule -> "error"|"warning"|"off"
    # postlingo draft (see postlingo.drafts.engines): the default engine, per-engine options
    # ([engines.libre] url = "…", key_env = "…"; never keys themselves), the request policy,
    # the translation memory's compendia ({lang} allowed) and threshold, the answer cache.
    engine: str = "memory"  # offline and free; a network engine only when named
    engines: dict[str, dict[str, Any]] = field(default_factory=dict)
    engine_timeout: float = 30.0  # seconds for one text: every attempt, wait and byte
    engine_retries: int = 3  # further attempts after a connection error, HTTP 429 or 5xx
    engine_max_answer: int = 1_000_000  # bytes an engine's HTTP answer may have
    compendia: list[str] = field(default_factory=list)
    memory_threshold: float = 0.75
    draft_cache: str = ""  # folder of the engines' answers; "": <locales>/.cache/drafts
    # Reliability and security (see postlingo.lock, postlingo.variant.security).
    lock_wait: float = 10.0  # seconds a command waits for another run on the site to end
    allow_unsafe: list[str] = field(default_factory=list)  # kinds translations may add
    max_post_size: int = 2_000_000  # bytes; a larger post is an error, not read
    max_catalogue_size: int = 20_000_000  # bytes; a larger PO/POT file is an error, not read
    # Hugo shortcodes (see postlingo.source.shortcodes): prose parameters per shortcode
    # name ({figure = ["caption", "title"]}), {{< >}} pairs whose content is Markdown.
    shortcode_params: dict[str, list[str]] = field(default_factory=dict)
    shortcode_prose: list[str] = field(default_factory=list)
    # What readers get of a partial translation (see postlingo.variant.partial).
    fallback: str = "source"  # a fuzzy entry's segment: "source" or "previous" translation
    status_key: str = ""  # front-matter key of the translation status map ("": none)
    localize_links: bool = True  # links to other posts lead to their variant

    @property
    def locales_dir(self) -> Path:
        return self.root / self.locales

    @property
    def project_name(self) -> str:
        """``Project-Id-Version``: the configured project, else the posts' folder name,
        which is stable wherever the site is checked out (xgettext's "PACKAGE VERSION"
        placeholder would make ``msgfmt -c`` warn about every catalogue)."""
        if self.project:
            return self.project
        return _fixed_folder(self.posts[0]) if self.posts else "posts"


def _fixed_folder(pattern: str) -> str:
    """The last folder of a glob before its first wildcard: ``_posts`` for
    ``content/_posts/**/*.md``."""
    fixed = [part for part in pattern.split("/")[:-1] if not set("*?[") & set(part)]
    return fixed[-1] if fixed else "posts"


@cache
def schema() -> dict[str, tuple[type, type | None]]:
    """What each key must hold, from ``Config``'s annotations: (type, element type of a
    list or a table's values, else None)."""
    hints = typing.get_type_hints(Config)
    found: dict[str, tuple[type, type | None]] = {}
    for item in dataclasses.fields(Config):
        if item.name == "root":
            continue
        hint = hints[item.name]
        kind = typing.get_origin(hint) or hint
        arguments = typing.get_args(hint)
        element = arguments[-1] if arguments else None
        element = typing.get_origin(element) or element
        found[item.name] = (kind, None if element is Any else element)
    return found


def load_config(root: Path | str = ".", **overrides: Any) -> Config:
    """Read the configuration of the project at ``root``; ``overrides`` win over files."""
    root = Path(root)
    if not root.is_dir():
        raise ConfigError(f"--root {root}: not a folder")
    values, source = _read_table(root)
    if source is None:  # defaults alone would sync, silently, whatever they happen to match
        raise ConfigError(NO_CONFIG)
    values.update({k: v for k, v in overrides.items() if v is not None})
    try:
        for key, value in values.items():
            _check(key, value, source)
        config = Config(root=root, **values)
        _check_semantics(config, source)
        set_catalogue_limit(config.max_catalogue_size)
    except ConfigError as exc:
        if exc.line is None and source is not None and exc.path == source:
            exc.line = _line_of_problem(source, exc.message)
        raise
    return config


def _line_of_problem(source: Path, message: str) -> int | None:
    """Where the setting a message speaks of is: the first quoted name (or check.<rule>)
    that the file sets as a key, else the first that it holds as a value."""
    words = re.findall(r"check\.([\w-]+)|'([^']+)'", message)
    names = [rule or quoted for rule, quoted in words]
    for name in names:
        line = key_line(source, name)
        if line:
            return line
    try:
        lines = read_text(source).splitlines()
    except (OSError, InputError):
        return None
    for name in names:
        for number, text in enumerate(lines, 1):
            if f'"{name}"' in text or f"'{name}'" in text:
                return number
    return None


def config_file(root: Path) -> Path | None:
    """The file the configuration of the project at ``root`` is read from, if any."""
    return _read_table(root)[1]


def _read_table(root: Path) -> tuple[dict[str, Any], Path | None]:
    own = root / CONFIG_FILE
    if own.exists():  # (a FIFO or folder of that name is read, and refused, by _parse)
        return _parse(own), own
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        tool = _parse(pyproject).get("tool", {})
        table = tool.get("postlingo") if isinstance(tool, dict) else None
        if table is not None:
            if not isinstance(table, dict):
                raise ConfigError("[tool.postlingo] must be a table", pyproject)
            return dict(table), pyproject
    return {}, None


def _parse(path: Path) -> dict[str, Any]:
    try:
        text = read_text(path).removeprefix("\ufeff")  # editors' BOM: TOML has no use for it
        return tomllib.loads(text)
    except InputError as exc:
        raise ConfigError(exc.message, path, exc.line) from None
    except tomllib.TOMLDecodeError as exc:
        message, line = toml_problem(exc)
        raise ConfigError(f"invalid TOML: {message}", path, line) from None
    except RecursionError:
        raise ConfigError("invalid TOML: nested too deeply", path) from None


def _check(key: str, value: Any, source: Path | None) -> None:
    types = schema()
    if key not in types:
        known = ", ".join(sorted(types))
        raise ConfigError(
            f"unknown configuration key {key!r} (known: {known})", source, key_line(source, key)
        )
    kind, item = types[key]
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return
    if kind is float and isinstance(value, float) and not math.isfinite(value):
        # TOML has inf and nan: a wait of inf never ends, nan passes every comparison.
        raise ConfigError(
            f"configuration key {key!r} must be a finite number, not {value!r}",
            source,
            key_line(source, key),
        )
    ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
    if ok and item is not None:
        elements = value.values() if isinstance(value, dict) else value
        ok = all(isinstance(element, item) for element in elements)
    if not ok:
        wanted = f"a list of {item.__name__}" if item else kind.__name__
        if kind is dict:
            wanted = f"a table of {item.__name__} values" if item else "a table"
        raise ConfigError(
            f"configuration key {key!r} must be {wanted}, not {value!r}",
            source,
            key_line(source, key),
        )


def _check_semantics(config: Config, source: Path | None) -> None:
    for key, choices in _CHOICES.items():
        if getattr(config, key) not in choices:
            raise ConfigError(
                f"configuration key {key!r} must be one of {', '.join(choices)}, "
                f"not {getattr(config, key)!r}",
                source,
            )
    if config.layout not in LAYOUT_NAMES.names():
        raise ConfigError(
            f"configuration key 'layout' must be one of "
            f"{', '.join(LAYOUT_NAMES.names())}, not {config.layout!r}",
            source,
        )
    if config.layout == "custom" and "{lang}" not in config.path:
        raise ConfigError("layout 'custom' needs a 'path' template holding {lang}", source)
    both = sorted(set(config.taxonomy) & set(config.front_matter))
    if both:
        raise ConfigError(
            f"{', '.join(both)}: in 'taxonomy' and in 'front_matter'; a key "
            "is translated by one of them",
            source,
        )
    if not 0 <= config.threshold <= 100:
        raise ConfigError("configuration key 'threshold' must be in [0, 100]", source)
    for pattern in config.posts:
        problem = _glob_problem(pattern)
        if problem:
            raise ConfigError(f"'posts' pattern {pattern!r} {problem}", source)
    for code in [config.source_language, *config.languages]:
        try:
            Locale.parse(code.replace("-", "_"))
        except (ValueError, UnknownLocaleError):
            raise ConfigError(f"unknown language code {code!r}", source) from None
    if config.source_language in config.languages:
        raise ConfigError("'languages' must not contain the source language", source)
    if not 0 < config.fuzzy_threshold <= 1:
        raise ConfigError("configuration key 'fuzzy_threshold' must be in (0, 1]", source)
    if not 0 <= config.wrap_width <= NO_WRAP_WIDTH:
        raise ConfigError(
            f"configuration key 'wrap_width' must be from 0 to {NO_WRAP_WIDTH}", source
        )
    for key in ("min_percent", "min_percent_language", "min_percent_post"):
        if not 0 <= getattr(config, key) <= 100:
            raise ConfigError(f"configuration key {key!r} must be in [0, 100]", source)
    _check_rule_levels(config.check, source)
    for name, keys in config.shortcode_params.items():
        if not all(isinstance(key, str) for key in keys):
            raise ConfigError(
                f"configuration key 'shortcode_params': {name} must be a list of parameter names",
                source,
            )
    _check_draft(config, source)
    _check_safety(config, source)


def _glob_problem(pattern: str) -> str | None:
    """Why ``pattern`` is no glob of files in the site, if it is not (what pathlib refuses)."""
    parts = PurePosixPath(pattern).parts
    if Path(pattern).anchor or pattern.startswith("/"):
        return "must be relative to the site's root"
    if _leaves(parts):
        return "leads out of the site's root ('..'): posts are read inside it only"
    if not parts:
        return "names no files"
    if any("**" in part and part != "**" for part in parts):
        return "may hold '**' only as a whole part (as in 'content/**/*.md')"
    return None


def _check_safety(config: Config, source: Path | None) -> None:
    if config.allow_unsafe:
        _check_kinds(config.allow_unsafe, source)
    if config.lock_wait < 0:
        raise ConfigError("configuration key 'lock_wait' must be 0 or more", source)
    for key in ("max_post_size", "max_catalogue_size"):
        if getattr(config, key) <= 0:
            raise ConfigError(f"configuration key {key!r} must be more than 0", source)
    _check_paths(config, source)


def _check_paths(config: Config, source: Path | None) -> None:
    """Files and folders named in the configuration stay inside the site: a relative path
    without '..' out of it, and, where it exists, no symbolic link leading out of it."""
    named = [
        ("locales", config.locales),
        ("draft_cache", config.draft_cache),
        ("glossary", config.glossary),
        *(("compendia", item) for item in config.compendia),
    ]
    languages = [config.source_language, *config.languages]
    for key, value in named:
        if not value:
            continue
        for path in {value.replace("{lang}", code) for code in languages}:
            problem = _path_problem(config.root, path)
            if problem:
                raise ConfigError(f"configuration key {key!r}: {value!r} {problem}", source)


def _path_problem(root: Path, value: str) -> str | None:
    if Path(value).anchor or value.startswith(("/", "\\")):
        return "must be relative to the site's root"
    if _leaves(PurePosixPath(value.replace("\\", "/")).parts):
        return "leads out of the site's root ('..')"
    path = root / value
    if not resolves_inside(path, root):
        return f"leads out of the site's root (through a symbolic link, to {path.resolve()})"
    return None


def _leaves(parts: tuple[str, ...]) -> bool:
    """Whether a relative path climbs above its start at some point ('a/../../b')."""
    depth = 0
    for part in parts:
        depth += -1 if part == ".." else 0 if part == "." else 1
        if depth < 0:
            return True
    return False


def _check_kinds(kinds: list[str], source: Path | None) -> None:
    for kind in kinds:
        problem = UNSAFE_KINDS.problem(kind, "allow_unsafe")
        if problem:
            raise ConfigError(problem, source)


def key_line(source: Path | None, key: str) -> int | None:
    """The line where ``source`` sets ``key`` (tomllib keeps no positions), if found."""
    if source is None:
        return None
    pattern = re.compile(rf"\s*(?:{re.escape(key)}|\"{re.escape(key)}\")\s*=")
    try:
        lines = read_text(source).splitlines()
    except (OSError, InputError):
        return None
    return next((number for number, line in enumerate(lines, 1) if pattern.match(line)), None)


def _check_draft(config: Config, source: Path | None) -> None:
    if config.engine != Config.engine or config.engines:
        _check_engines(config, source)
    if config.engine_timeout <= 0:
        raise ConfigError("configuration key 'engine_timeout' must be more than 0", source)
    if config.engine_retries < 0:
        raise ConfigError("configuration key 'engine_retries' must be 0 or more", source)
    if not 0 < config.memory_threshold <= 1:
        raise ConfigError("configuration key 'memory_threshold' must be in (0, 1]", source)


def _check_engines(config: Config, source: Path | None) -> None:
    # The engines' module is loaded only for this (their clients take a while to import):
    # a command that drafts nothing does not check the default engine.
    problem = ENGINE_NAMES.problem(config.engine, "engine")
    if problem is None and ENGINE_NAMES.check is not None:
        problem = ENGINE_NAMES.check(config.engines)
    if problem:
        raise ConfigError(problem, source)


def _check_rule_levels(levels: dict[str, str], source: Path | None) -> None:
    for rule, level in levels.items():
        problem = RULE_NAMES.problem(rule, "check")
        if problem:
            raise ConfigError(problem, source)
        if level not in LEVELS:
            raise ConfigError(
                f"check.{rule} must be one of {', '.join(LEVELS)}, not {level!r}", source
            )


def with_languages(config: Config, languages: list[str] | None) -> Config:
    """The configuration restricted (or extended) to ``languages`` given on the command line."""
    if not languages:
        return config
    for code in languages:
        _check("languages", [code], None)
    updated = dataclasses.replace(config, languages=list(languages))
    _check_semantics(updated, None)
    return updated
