"""Project configuration: ``postlingo.toml`` or ``[tool.postlingo]`` in ``pyproject.toml``."""

from __future__ import annotations

import dataclasses
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError

from .errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

CONFIG_FILE = "postlingo.toml"
LAYOUTS = ("jekyll-polyglot",)


@dataclass(frozen=True)
class Config:
    """Every setting, with its default; ``root`` is the site's project folder."""

    root: Path = Path(".")
    source_language: str = "de"
    languages: list[str] = field(default_factory=lambda: ["en"])
    posts: list[str] = field(default_factory=lambda: ["content/_posts/**/*.md"])
    locales: str = "locales"
    layout: str = "jekyll-polyglot"
    front_matter: list[str] = field(
        default_factory=lambda: ["title", "description", "excerpt", "subtitle", "summary"]
    )
    project: str = ""
    wrap_width: int = 79
    fuzzy_threshold: float = 0.6

    @property
    def locales_dir(self) -> Path:
        return self.root / self.locales

    @property
    def project_name(self) -> str:
        # xgettext's placeholder: stable wherever the site is checked out.
        return self.project or "PACKAGE VERSION"


# What each key must hold: (python type, element type for lists).
_TYPES: dict[str, tuple[type, type | None]] = {
    "source_language": (str, None),
    "languages": (list, str),
    "posts": (list, str),
    "locales": (str, None),
    "layout": (str, None),
    "front_matter": (list, str),
    "project": (str, None),
    "wrap_width": (int, None),
    "fuzzy_threshold": (float, None),
}


def load_config(root: Path | str = ".", **overrides: Any) -> Config:
    """Read the configuration of the project at ``root``; ``overrides`` win over files."""
    root = Path(root)
    if not root.is_dir():
        raise ConfigError(f"--root {root}: not a folder")
    values, source = _read_table(root)
    values.update({k: v for k, v in overrides.items() if v is not None})
    for key, value in values.items():
        _check(key, value, source)
    config = Config(root=root, **values)
    _check_semantics(config, source)
    return config


def _read_table(root: Path) -> tuple[dict[str, Any], Path | None]:
    own = root / CONFIG_FILE
    if own.is_file():
        return _parse(own), own
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        table = _parse(pyproject).get("tool", {}).get("postlingo")
        if table is not None:
            if not isinstance(table, dict):
                raise ConfigError("[tool.postlingo] must be a table", pyproject)
            return dict(table), pyproject
    return {}, None


def _parse(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None)
        raise ConfigError(f"invalid TOML: {exc}", path, line) from None
    except UnicodeDecodeError:
        raise ConfigError("not valid UTF-8", path) from None


def _check(key: str, value: Any, source: Path | None) -> None:
    if key not in _TYPES:
        known = ", ".join(sorted(_TYPES))
        raise ConfigError(f"unknown configuration key {key!r} (known: {known})", source)
    kind, item = _TYPES[key]
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return
    ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
    if ok and item is not None:
        ok = all(isinstance(element, item) for element in value)
    if not ok:
        wanted = f"a list of {item.__name__}" if item else kind.__name__
        raise ConfigError(f"configuration key {key!r} must be {wanted}, not {value!r}", source)


def _check_semantics(config: Config, source: Path | None) -> None:
    if config.layout not in LAYOUTS:
        raise ConfigError(
            f"configuration key 'layout' must be one of {', '.join(LAYOUTS)}, "
            f"not {config.layout!r}",
            source,
        )
    for code in [config.source_language, *config.languages]:
        try:
            Locale.parse(code.replace("-", "_"))
        except (ValueError, UnknownLocaleError):
            raise ConfigError(f"unknown language code {code!r}", source) from None
    if config.source_language in config.languages:
        raise ConfigError("'languages' must not contain the source language", source)
    if not 0 < config.fuzzy_threshold <= 1:
        raise ConfigError("configuration key 'fuzzy_threshold' must be in (0, 1]", source)
    if config.wrap_width < 0:
        raise ConfigError("configuration key 'wrap_width' must be 0 or more", source)


def with_languages(config: Config, languages: list[str] | None) -> Config:
    """The configuration restricted (or extended) to ``languages`` given on the command line."""
    if not languages:
        return config
    for code in languages:
        _check("languages", [code], None)
    updated = dataclasses.replace(config, languages=list(languages))
    _check_semantics(updated, None)
    return updated
