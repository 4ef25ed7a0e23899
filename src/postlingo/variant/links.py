"""Links that stay in the reader's language (``localize_links = true``, the default).

In a variant, a link to another post of the site is rewritten to that post's variant in
the same language when it is published, and left pointing at the source otherwise. The
catalogue keeps the source's URL (translators never touch it): the rewriting happens on
the built variant only, in its body. Where the generator already does it, nothing is
rewritten (jekyll-polyglot relativizes site-relative URLs in each language's build, so a
hard-coded ``/2024/01/02/x.html`` is left to it; Hugo's ``ref`` and ``relref`` resolve to the
page of the current language).

What is rewritten:

- Jekyll (``jekyll`` and ``jekyll-polyglot``): ``{% post_url NAME %}`` and ``{% link PATH %}``
  of a post become the variant's (``{% post_url en/NAME %}``, ``{% link en/_posts/FILE %}``
  or ``{% link _posts/en/FILE %}``). Polyglot relativizes the URL these give (``/en/…``),
  but needs the variant named: its English build drops a German post that has an English
  variant, so ``{% link _posts/x.md %}`` fails that build, and a translated slug changes
  the URL;
- plain Jekyll (layout ``jekyll``): hard-coded site-relative URLs of a post, from
  ``_config.yml``'s ``permalink`` (or the post's own), become the variant's (``/en/…``: the
  variant under ``en/_posts`` has the category ``en``, or its own ``permalink``);
- Hugo (layout ``hugo``): hard-coded site URLs of a post (``/posts/x/``, its ``slug`` or
  ``url``, or the section's ``[permalinks]`` pattern) become the variant's (``/en/posts/x/``,
  with the variant's translated slug or title);
  relative links to the post's file (``x.md``, ``../x/index.md``) become links to the
  variant's file.

A variant is published when its file exists (and does not say ``published: false``), or,
before its first build, when its catalogue is translated up to the threshold.
"""

from __future__ import annotations

import dataclasses
import datetime
import posixpath
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

import polib

from ..config import Config
from ..errors import PostlingoError
from ..source.front_matter import existing_value
from ..source.post import Post, read_post
from .build import Variant
from .layouts import _own_permalink, slugify

if TYPE_CHECKING:
    from ..site.sources import Source

# {% post_url NAME %} and {% link PATH %}: the argument is copied, the tag's spacing kept.
_POST_URL = re.compile(r"(\{%-?\s*post_url\s+)([^\s%]+)(\s*-?%\})")
_LINK = re.compile(r"(\{%-?\s*link\s+)([^\s%]+)(\s*-?%\})")
# A URL where Markdown or HTML holds one: after ]( or ]: or href=" / src=", before its end.
_URL = re.compile(r"(?P<lead>\]\(<?|\]:[ \t]+<?|href=[\"']?)(?P<url>[^\s()<>\"']+)")


_LAYOUTS = ("jekyll", "jekyll-polyglot", "hugo")


@dataclass(frozen=True)
class Target:
    """A post of the site as links name it, and its variant's name in a language."""

    source: str  # what links write for the source (a name, a path or a URL)
    variant: str


def localized(
    config: Config, source_relative: PurePosixPath, post: Post, language: str, variant: Variant
) -> Variant:
    """``variant`` with its links to other posts turned to their variants in ``language``."""
    if not config.localize_links or config.layout not in _LAYOUTS:
        return variant
    if (
        config.layout == "jekyll-polyglot"
        and not _POST_URL.search(variant.text)
        and not _LINK.search(variant.text)
    ):
        return variant  # (no tag to rewrite: the other posts need not be read)
    targets = _targets(config, language)
    if not targets:
        return variant
    text = variant.text
    body_start = len(post.bom) + _body_offset(text[len(post.bom) :], post)
    head, body = text[:body_start], text[body_start:]
    if config.layout != "hugo":
        body = _jekyll(body, targets)
    if config.layout != "jekyll-polyglot":  # (polyglot relativizes site URLs itself)
        body = _urls(body, targets, source_relative)
    if head + body == text:
        return variant
    return dataclasses.replace(variant, text=head + body)


def _body_offset(text: str, post: Post) -> int:
    """Where the variant's body starts: after its front matter (the variant keeps the
    source's delimiters, so the closing one is found as in the source)."""
    from ..source.post import parse_post

    return parse_post(text, post.path, post.name).body_start


_RAW = re.compile(r"\{%-?\s*raw\s*-?%\}.*?(?:\{%-?\s*endraw\s*-?%\}|\Z)", re.DOTALL)


def _jekyll(body: str, targets: dict[str, Target]) -> str:
    raw = [m.span() for m in _RAW.finditer(body)] if "raw" in body else []

    def swap(match: re.Match[str]) -> str:
        if raw and _in(raw, match.start()):
            return match.group()  # {% raw %}: shown as written, never run
        target = targets.get(match.group(2))
        return match.group(1) + (target.variant if target else match.group(2)) + match.group(3)

    return _LINK.sub(swap, _POST_URL.sub(swap, body))


_CODE_SPAN = re.compile(r"(`+)[^`]*?\1")


def code_spans(body: str) -> list[tuple[int, int]]:
    """Where ``body`` holds code (fenced and indented blocks, code spans): a URL there is an
    example, not a link."""
    from ..source.markdown import parser

    starts = [0]
    for line in body.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    spans = [
        (starts[t.map[0]], starts[min(t.map[1], len(starts) - 1)])
        for t in parser().parse(body)
        if t.type in ("fence", "code_block") and t.map
    ]
    return spans + [m.span() for m in _CODE_SPAN.finditer(body)]


def _in(spans: list[tuple[int, int]], at: int) -> bool:
    return any(start <= at < end for start, end in spans)


def _urls(body: str, targets: dict[str, Target], here: PurePosixPath) -> str:
    folder = posixpath.dirname(str(here))
    code = code_spans(body) if "`" in body or "    " in body or "~~~" in body else []

    def swap(match: re.Match[str]) -> str:
        if code and _in(code, match.start()):
            return match.group()
        url = match.group("url")
        path, mark, rest = _split(url)
        target = targets.get(path)
        if target is None and not path.startswith(("/", "#")) and ":" not in path:
            resolved = posixpath.normpath(posixpath.join(folder, path))
            target = targets.get("file:" + resolved)
            if target is not None:  # a relative file link: relative again
                new = posixpath.relpath(target.variant, folder)
                return match.group("lead") + new + mark + rest
        if target is None:
            return match.group()
        return match.group("lead") + target.variant + mark + rest

    return _URL.sub(swap, body)


def _split(url: str) -> tuple[str, str, str]:
    for mark in ("#", "?"):
        if mark in url:
            path, rest = url.split(mark, 1)
            return path, mark, rest
    return url, "", ""


# The targets of the configuration last asked for, by language. Keyed by the configuration's
# value, not its identity: a worker process gets a new copy of it with every chunk of posts
# (an identity key read every post's front matter again for each chunk: half of a check).
# Each command starts afresh (``forget``): the posts may have changed since the last one.
_CACHE: dict[str, tuple[Config, dict[str, Target]]] = {}


def forget() -> None:
    """Read the targets again when next asked: called where a command starts."""
    _CACHE.clear()


def _targets(config: Config, language: str) -> dict[str, Target]:
    cached = _CACHE.get(language)
    if cached is None or cached[0] != config:
        cached = _CACHE[language] = (config, _find_targets(config, language))
    return cached[1]


def _find_targets(config: Config, language: str) -> dict[str, Target]:
    """Every published variant's link names, by the source's (read once per command)."""
    from ..site.sources import variant_path

    found: dict[str, Target] = {}
    make: Callable[..., list[Target]] = (
        _hugo_targets if config.layout == "hugo" else _jekyll_targets
    )
    for source in _with_catalogues(config, language):
        path = variant_path(config, source, language)
        variant = _published(config, source, path, language)
        if variant is False:
            continue
        for target in make(config, source, path, variant, language):
            found.setdefault(target.source, target)
    return found


def _with_catalogues(config: Config, language: str) -> Iterator[Source]:
    """The source posts that have a catalogue in ``language``: only they can have a
    variant (found from the catalogues: the posts' folders are walked once per command,
    by the command)."""
    from ..catalogue.locales import catalogue_names
    from ..fileio import fixed_prefix
    from ..site.sources import Source

    if config.catalogues != "post":  # posts that share catalogues: by their references
        from ..catalogue.store import Store

        for relative, folder, name in Store(config).with_catalogue(language):
            yield Source(relative, folder, name)
        return
    folders = [fixed_prefix(pattern) for pattern in config.posts]
    for name in catalogue_names(config.locales_dir, language):
        for folder in folders:
            found = next(
                (
                    folder / f"{name}{ext}"
                    for ext in (".md", ".markdown")
                    if (config.root / folder / f"{name}{ext}").is_file()
                ),
                None,
            )
            if found is not None:
                yield Source(found, folder, name)
                break


def _published(
    config: Config, source: Source, path: Path, language: str
) -> Post | str | bool | None:
    """The variant; None or its translated title (slug = "translate"): not built yet, but
    will be; False: not published."""
    try:
        post = read_post(path, path.stem)
    except (OSError, PostlingoError):  # (no variant yet: judged by its catalogue)
        post = None
    if post is not None:
        return False if existing_value(post, "published") == "false" or _unpublished(post) else post
    po = _catalogue(config, source, language)
    if po is None:
        return False
    entries = [e for e in po if not e.obsolete]
    done = sum(1 for e in entries if e.msgstr and not e.fuzzy)
    if not entries or 100 * done / len(entries) < config.threshold:
        return False
    title = next(
        (e.msgstr for e in entries if e.msgctxt == "title" and e.msgstr and not e.fuzzy), ""
    )
    return title if config.slug == "translate" and title else None


def _unpublished(post: Post) -> bool:
    return re.search(r"(?m)^published:[ \t]*false[ \t]*$", post.text[: post.body_start]) is not None


def _jekyll_targets(
    config: Config, source: object, path: Path, variant: Post | str | None, language: str
) -> list[Target]:
    from ..site.sources import Source

    assert isinstance(source, Source)
    parts = source.relative.parts
    if "_posts" not in parts:
        return []
    at = parts.index("_posts")
    site = config.root.joinpath(*parts[:at])
    name = str(PurePosixPath(*parts[at + 1 :]).with_suffix(""))  # what post_url names
    inside = PurePosixPath(*parts[at:])  # from the site source: what link names
    # post_url matches "en/NAME" to _posts/en/NAME.md (polyglot) and en/_posts/NAME.md
    found = [
        Target(name, f"{language}/{name}"),
        Target(str(inside), path.relative_to(site).as_posix()),
    ]
    if config.layout == "jekyll":  # (polyglot relativizes hard-coded URLs itself)
        found += _jekyll_url_targets(config, source.relative, path, variant, language)
    return found


# Jekyll's named permalink styles (jekyll/lib/jekyll/utils/platforms… URL: "date" default).
_STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}
_DATED = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-(.+)$")


def _jekyll_url_targets(
    config: Config, source: PurePosixPath, path: Path, variant: Post | str | None, language: str
) -> list[Target]:
    """The source's site-relative URL (from ``_config.yml``'s ``permalink``) and the
    variant's: Jekyll gives ``<lang>/_posts`` the category ``<lang>``, or the variant has its
    own ``permalink`` (written where the source has one)."""
    from ..site.generators import _site_permalink, find_site

    try:
        site = find_site(config)
    except PostlingoError:
        return []
    folder = site.folder if site is not None else config.root
    pattern = _site_permalink(site)
    post = read_post(config.root / source, source.stem)
    variant_post = variant if isinstance(variant, Post) else None
    if variant_post is None:  # not built yet: as build will write it
        slug = slugify(variant) if isinstance(variant, str) else existing_value(post, "slug")
    else:
        slug = existing_value(variant_post, "slug")
    source_url = _jekyll_url(
        existing_value(post, "permalink") or pattern, folder, config.root / source, post, None
    )
    own = (  # (before its first build: the permalink build will write)
        existing_value(variant_post, "permalink")
        if variant_post is not None
        else _own_permalink(post, language)
    )
    variant_url = _jekyll_url(own or pattern, folder, path, variant_post or post, slug)
    if source_url is None or variant_url is None or source_url == variant_url:
        return []  # (a permalink without :categories: both at one URL, init warns)
    targets = [Target(source_url, variant_url)]
    if source_url.endswith("/") and variant_url.endswith("/"):
        targets.append(Target(source_url.rstrip("/"), variant_url.rstrip("/")))
    return targets


def _front_categories(post: Post) -> list[str] | None:
    """The categories the front matter adds after the folders' (``categories: a b``,
    ``category: a``); None where they are written otherwise (a list: not followed)."""
    found: list[str] = []
    for key in ("category", "categories"):
        if re.search(rf"(?m)^{key}[ \t]*:", post.text[: post.body_start]):
            value = existing_value(post, key)
            if value is None:
                return None
            found += value.split() if key == "categories" else [value]
    return found


def _jekyll_url(pattern: str, site: Path, file: Path, post: Post, slug: str | None) -> str | None:
    """The URL Jekyll gives the post at ``file``; None where it cannot be told here (front
    matter categories as a list, placeholders not known)."""
    dated = _DATED.match(file.stem)
    extra = _front_categories(post)
    if dated is None or extra is None:
        return None
    year, month, day, title = dated.groups()
    try:
        at = file.resolve().relative_to(site.resolve()).parts
    except ValueError:
        return None
    folders = list(at[: at.index("_posts")]) if "_posts" in at else []
    categories = list(dict.fromkeys(part.lower() for part in folders + extra))  # (as Jekyll)
    date = datetime.date(int(year), int(month), int(day))
    values = {
        "year": year,
        "month": month,
        "day": day,
        "i_month": str(int(month)),
        "i_day": str(int(day)),
        "short_year": year[2:],
        "y_day": f"{date.timetuple().tm_yday:03d}",
        "title": slug or existing_value(post, "slug") or title,
        "slug": slug or existing_value(post, "slug") or title,
        "categories": "/".join(categories),
        "output_ext": ".html",
    }
    if re.search(r"(?m)^date[ \t]*:", post.text[: post.body_start]):
        return None  # (a front matter date can move the day with the time zone)
    template = _STYLES.get(pattern, pattern)
    names = re.findall(r":([a-z_]+)", template)
    if "/" not in template or any(name not in values for name in names):
        return None  # ("weekdate", or a placeholder not followed here)
    url = re.sub(r":([a-z_]+)", lambda m: values[m.group(1)], template)
    return "/" + re.sub(r"/+", "/", url).lstrip("/")


def _hugo_targets(
    config: Config, source: object, path: Path, variant: Post | str | None, language: str
) -> list[Target]:
    from ..site.sources import Source

    assert isinstance(source, Source)
    rel = source.relative
    parts = rel.parts
    if "content" not in parts:
        return []
    inside = PurePosixPath(*parts[parts.index("content") + 1 :])
    section = inside.parts[0] if len(inside.parts) > 1 else ""
    leaf = (
        inside.parent.name
        if inside.stem in ("index", f"index.{config.source_language}")
        else inside.stem.removesuffix(f".{config.source_language}")
    )
    post = read_post(config.root / rel, source.name)
    pattern = _hugo_permalink(config, section)
    source_url = existing_value(post, "url") or _hugo_url(post, section, leaf, pattern)
    variant_url: str | None
    if isinstance(variant, str):  # not built yet: the slug build will make of its title
        url = _hugo_url(post, section, leaf, pattern, slug=slugify(variant) or leaf)
        variant_url = f"/{language}{url}" if url else None
    else:
        own = existing_value(variant, "url") if variant is not None else None
        url = _hugo_url(variant or post, section, leaf, pattern)
        if variant is None and pattern and _titled(pattern, post):
            # (not built yet: its URL holds the title it will get from its catalogue)
            title = _catalogue_title(config, source, language)
            url = _hugo_url(post, section, leaf, pattern, title=title) if title else None
        variant_url = own or (f"/{language}{url}" if url else None)
    variant_file = (
        str(path.relative_to(config.root)) if path.is_relative_to(config.root) else str(path)
    )
    found = [Target("file:" + str(rel), variant_file)]
    if source_url and variant_url:
        found.append(Target(source_url, variant_url))
        found.append(Target(source_url.rstrip("/"), variant_url.rstrip("/")))
    return found


def _catalogue(config: Config, source: Source, language: str) -> polib.POFile | None:
    """The post's catalogue (its view of a shared one); None if none can be read."""
    from ..catalogue.store import Store

    try:
        return Store(config).catalogue(source, language)
    except (OSError, PostlingoError):
        return None


def _catalogue_title(config: Config, source: Source, language: str) -> str | None:
    """The reviewed translation of the post's title in its catalogue, if any."""
    po = _catalogue(config, source, language)
    if po is None:
        return None
    return next((e.msgstr for e in po if e.msgctxt == "title" and e.msgstr and not e.fuzzy), None)


def _titled(pattern: str, post: Post) -> bool:
    """Whether the ``[permalinks]`` pattern gives the page's title in its URL."""
    return ":title" in pattern or (":slug" in pattern and not existing_value(post, "slug"))


def _hugo_permalink(config: Config, section: str) -> str | None:
    """The section's pattern in the site config's ``[permalinks]`` (None: Hugo's default)."""
    from ..site.generators import find_site

    try:
        site = find_site(config)
    except PostlingoError:
        return None
    patterns = site.get("permalinks") if site is not None else None
    if not isinstance(patterns, dict):
        return None
    pattern = next((v for k, v in patterns.items() if str(k).lower() == section.lower()), None)
    return pattern if isinstance(pattern, str) else None


_HUGO_DATE = re.compile(r"""(?m)^["']?date["']?[ \t]*[:=][ \t]*["']?(\d{4})-(\d{2})-(\d{2})""")


def _hugo_url(
    post: Post,
    section: str,
    leaf: str,
    pattern: str | None = None,
    slug: str | None = None,
    title: str | None = None,
) -> str | None:
    """Hugo's URL of a page: /<section>/<slug or file name>/, or the section's
    ``[permalinks]`` pattern filled in; None where it cannot be told here."""
    slug = slug or existing_value(post, "slug")
    if pattern is None:
        return "/" + "/".join(part for part in (section, slug or leaf) if part) + "/"
    title = _urlize(title or existing_value(post, "title") or "") or ""
    dated = _HUGO_DATE.search(post.text[: post.body_start])
    values = {
        "section": section,
        "filename": leaf,
        "slugorfilename": slug or leaf,
        "slug": slug or title,
        "title": title,
    }
    if dated is not None:
        year, month, day = dated.groups()
        date = datetime.date(int(year), int(month), int(day))
        values |= {
            "year": year,
            "month": month,
            "day": day,
            "yearday": str(date.timetuple().tm_yday),
            "monthname": date.strftime("%B").lower(),
            "weekday": str(date.isoweekday() % 7),
            "weekdayname": date.strftime("%A").lower(),
        }
    names = re.findall(r":([a-z]+)", pattern)
    if any(not values.get(name) for name in names):
        return None  # (a token not known here, or no date / title to fill it with)
    url = re.sub(r":([a-z]+)", lambda m: values[m.group(1)], pattern)
    return "/" + re.sub(r"/+", "/", url).lstrip("/")


def _urlize(title: str) -> str | None:
    """Hugo's urlize of a plain title (letters, digits, spaces, hyphens); None otherwise
    (Hugo keeps non-ASCII letters, percent-encoded: not followed here)."""
    if not re.fullmatch(r"[A-Za-z0-9 _-]+", title):
        return None
    return re.sub(r" +", "-", title.strip()).lower()


def leaving_links(
    config: Config, source_relative: PurePosixPath, post: Post, language: str, text: str
) -> list[tuple[int, str]]:
    """The links of the variant ``text`` (line, message) that lead to another post's source
    although its variant in ``language`` is published: what ``check`` reports (rule
    ``links``) where ``localize_links`` is off or a link was written by hand."""
    if config.layout not in _LAYOUTS:
        return []
    targets = _targets(config, language)
    if not targets:
        return []
    start = _body_offset(text, post)
    folder = posixpath.dirname(str(source_relative))
    body = text[start:]
    links: list[tuple[int, str]] = []  # (offset in text, what the link names)
    if config.layout != "hugo":  # Liquid tags (run even inside code, not inside raw)
        raw = [m.span() for m in _RAW.finditer(body)]
        tags = re.compile(_POST_URL.pattern + "|" + _LINK.pattern)
        links += [
            (m.start(), m.group(2) or m.group(5))
            for m in tags.finditer(text, start)
            if not _in(raw, m.start() - start)
        ]
    if config.layout != "jekyll-polyglot":  # site URLs (polyglot relativizes them itself)
        code = code_spans(body)
        links += [
            (m.start(), _split(m.group("url"))[0])
            for m in _URL.finditer(text, start)
            if not _in(code, m.start() - start)
        ]
    found: list[tuple[int, str]] = []
    for at, name in sorted(links):
        target = targets.get(name) or targets.get(
            "file:" + posixpath.normpath(posixpath.join(folder, name))
        )
        if target is not None and target.variant != name:
            found.append(
                (
                    text.count("\n", 0, at) + 1,
                    f"the link to {name} leads out of {language} although the "
                    f"{language} variant is published ({target.variant})",
                )
            )
    return found
