"""Where a site generator wants each variant, and the metadata that links it to its source.

Each layout answers three questions: the variant's path, whether a file found by the posts
globs is a variant (never a source), and which front-matter keys a variant (and, to link
the two, the source) gets. ``slug`` is the translated slug when slugs are translated.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from ..config import LAYOUT_NAMES, Config
from ..errors import ConfigError

if TYPE_CHECKING:
    from ..source.post import Post

_TRANSLITERATION = str.maketrans(
    {
        "ä": "ae",
        "ö": "oe",
        "ü": "ue",
        "ß": "ss",
        "Ä": "Ae",
        "Ö": "Oe",
        "Ü": "Ue",
        "æ": "ae",
        "ø": "oe",
        "å": "aa",
        "œ": "oe",
        "ł": "l",
        "đ": "d",
        "þ": "th",
    }
)
_DATE_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2}-")


def slugify(text: str) -> str:
    """A URL slug: transliterated (ä → ae, ß → ss), accents dropped, lower case, hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATION))
    ascii_text = ascii_text.encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


@dataclass(frozen=True)
class Layout:
    """jekyll-polyglot: ``_posts/<lang>/<file>`` with ``lang: <lang>``; polyglot links the
    variants by their equal URLs, or by ``page_id`` where a translated slug changes it."""

    config: Config

    def variant_path(
        self, relative: PurePosixPath, posts_dir: PurePosixPath, lang: str
    ) -> PurePosixPath:
        """The variant in ``lang`` of the post at ``relative`` (both relative to the root)."""
        return posts_dir / lang / relative.relative_to(posts_dir)

    def is_variant(self, relative: str, posts_dir: PurePosixPath, languages: list[str]) -> bool:
        """Whether the file at ``relative`` (below ``posts_dir``; from the root, "/" between
        parts: no path object for each of a site's thousands of files) is a variant."""
        parts, depth = relative.split("/"), len(posts_dir.parts)
        return len(parts) > depth + 1 and parts[depth] in languages

    def metadata(
        self, key: str, lang: str, slug: str | None, post: Post | None = None
    ) -> dict[str, str]:
        values = {"lang": lang}
        if slug:
            values.update(slug=slug, page_id=key)
        return values

    def source_metadata(self, key: str) -> dict[str, str]:
        """Keys the source itself needs to be linked (written only with ``link_source``)."""
        return {"page_id": key} if self.config.slug == "translate" else {}


class Jekyll(Layout):
    """Plain Jekyll: ``<site>/<lang>/_posts/<file>``; Jekyll gives the variant the category
    ``<lang>`` and so a ``/<lang>/`` URL; ``ref`` links the variants."""

    def variant_path(
        self, relative: PurePosixPath, posts_dir: PurePosixPath, lang: str
    ) -> PurePosixPath:
        parts = relative.parts
        if "_posts" not in parts:
            raise ConfigError(f"layout 'jekyll' needs posts in a _posts folder: {relative}")
        at = parts.index("_posts")
        return PurePosixPath(*parts[:at], lang, *parts[at:])

    def is_variant(self, relative: str, posts_dir: PurePosixPath, languages: list[str]) -> bool:
        parts = relative.split("/")
        return any(parts[i] == "_posts" and parts[i - 1] in languages for i in range(1, len(parts)))

    def metadata(
        self, key: str, lang: str, slug: str | None, post: Post | None = None
    ) -> dict[str, str]:
        values = {"lang": lang, "ref": key}
        if slug:
            values["slug"] = slug
        permalink = _own_permalink(post, lang)
        if permalink:
            values["permalink"] = permalink
        return values

    def source_metadata(self, key: str) -> dict[str, str]:
        return {"lang": self.config.source_language, "ref": key}


def _own_permalink(post: Post | None, lang: str, key: str = "permalink") -> str | None:
    """The variant's permalink (Hugo: ``url``) where the source sets one: a copy would give
    both the same URL (the variant replaces the source's page), so it gets the source's
    behind ``/<lang>``, which stays as long as the source's does. A permalink with
    ``:categories`` already holds the ``<lang>`` category Jekyll gives the variant."""
    if post is None or post.front_matter is None:
        return None
    from ..source.front_matter import existing_value  # (loads YAML: only when a variant is built)

    permalink = existing_value(post, key)
    if not permalink or ":categories" in permalink:
        return None
    path = permalink.lstrip("/")
    source = existing_value(post, "lang")  # a source already under /<its language>/
    if source and path.startswith(f"{source}/"):
        path = path[len(source) + 1 :]
    return f"/{lang}/{path}"


class Hugo(Layout):
    """Hugo: ``post.<lang>.md`` beside the source (``index.<lang>.md`` in page bundles), or
    ``content/<lang>/…`` mirroring ``content/<source>/…``. Hugo links translations by path;
    a translated slug goes into ``slug``, so the path, and the link, stay."""

    @property
    def by_directory(self) -> bool:
        return self.config.hugo_content == "directory"

    def variant_path(
        self, relative: PurePosixPath, posts_dir: PurePosixPath, lang: str
    ) -> PurePosixPath:
        if self.by_directory:
            parts = list(relative.parts)
            if self.config.source_language not in parts:
                raise ConfigError(
                    f"layout 'hugo' by directory needs posts under a "
                    f"'{self.config.source_language}' folder: {relative}"
                )
            parts[parts.index(self.config.source_language)] = lang
            return PurePosixPath(*parts)
        stem = relative.stem.removesuffix(f".{self.config.source_language}")
        return relative.with_name(f"{stem}.{lang}{relative.suffix}")

    def is_variant(self, relative: str, posts_dir: PurePosixPath, languages: list[str]) -> bool:
        if self.by_directory:
            return any(part in languages for part in relative.split("/"))
        return PurePosixPath(PurePosixPath(relative).stem).suffix.lstrip(".") in languages

    def metadata(
        self, key: str, lang: str, slug: str | None, post: Post | None = None
    ) -> dict[str, str]:
        values = {"slug": slug} if slug else {}
        url = _own_permalink(post, lang, "url")  # (Hugo does not put a language before it)
        if url:
            values["url"] = url
        return values

    def source_metadata(self, key: str) -> dict[str, str]:
        return {}


class Custom(Layout):
    """A path template with {lang}, {dir}, {stem}, {ext}, {name}; keys from ``metadata``
    with {lang}, {key} and {slug}."""

    def variant_path(
        self, relative: PurePosixPath, posts_dir: PurePosixPath, lang: str
    ) -> PurePosixPath:
        stem = relative.stem
        return PurePosixPath(
            self.config.path.format(
                lang=lang,
                dir=relative.parent,
                stem=stem,
                ext=relative.suffix,
                name=relative.relative_to(posts_dir).with_suffix(""),
                slug=_DATE_PREFIX.sub("", stem),
            )
        )

    def is_variant(self, relative: str, posts_dir: PurePosixPath, languages: list[str]) -> bool:
        return any(self._pattern(lang).fullmatch(relative) for lang in languages)

    def _pattern(self, lang: str) -> re.Pattern[str]:
        return _path_pattern(self.config.path, lang)

    def metadata(
        self, key: str, lang: str, slug: str | None, post: Post | None = None
    ) -> dict[str, str]:
        slug = slug or _DATE_PREFIX.sub("", PurePosixPath(key).name)  # kept: the source's
        return {k: v.format(lang=lang, key=key, slug=slug) for k, v in self.config.metadata.items()}

    def source_metadata(self, key: str) -> dict[str, str]:
        return {}


@lru_cache(maxsize=64)
def _path_pattern(path: str, lang: str) -> re.Pattern[str]:
    """The paths a custom layout's ``path`` gives the variants in ``lang``."""
    pieces = re.split(r"(\{\w+\})", path)
    regex = "".join(
        re.escape(lang)
        if piece == "{lang}"
        else ".+"
        if piece.startswith("{")
        else re.escape(piece)
        for piece in pieces
    )
    return re.compile(regex)


_LAYOUTS: dict[str, type[Layout]] = {
    "jekyll-polyglot": Layout,
    "jekyll": Jekyll,
    "hugo": Hugo,
    "custom": Custom,
}
LAYOUT_NAMES.register(_LAYOUTS)  # the names 'layout' may hold (checked by postlingo.config)


def layout_for(config: Config) -> Layout:
    return _LAYOUTS[config.layout](config)
