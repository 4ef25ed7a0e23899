"""``postlingo weblate``: the Weblate settings for the site, as JSON its API accepts.

Weblate is the team's engine: translators work there, Weblate commits the catalogues and
opens pull requests, CI gates them with ``postlingo check``, and ``postlingo`` keeps the
templates and merges. The settings make Weblate write what postlingo writes:

- bilingual gettext PO (``file_format`` "po"): no monolingual ``template``; new languages
  start from the post's POT (``new_base``);
- the line width of ``wrap_width`` (translate-toolkit's width excludes the two quotes:
  ``msgcat -w 79`` is Weblate's 77; ``wrap_width = 0``, GNU's ``--no-wrap``, which still
  breaks after ``\\n``, is Weblate's "only wrap lines at newlines", 65535);
- no msgmerge add-on: ``postlingo update`` merges (and keeps what msgmerge drops);
- ``md-text`` as a component flag, not in the files (GNU tools drop flags they do not know);
- components follow ``catalogues``: one per post or per folder of posts (component
  discovery adds the others), or one for the whole site (no discovery; a second component
  for the shared ``taxonomy`` catalogue if the site has one).

Names follow Weblate 5.14 (``weblate/trans/file_format_params.py``, ``weblate/addons``).
"""

from __future__ import annotations

import json
import re
from pathlib import PurePosixPath
from typing import Any

from ..catalogue.locales import MESSAGES, TAXONOMY, TEMPLATES, gettext_language
from ..catalogue.store import group_name
from ..config import Config
from ..errors import ConfigError
from .sources import find_sources

MARKDOWN_FLAG = "md-text"  # Weblate's Markdown checks (links, references, syntax)

# postlingo's wrap_width -> Weblate's po_line_wrap (the widths Weblate offers).
_LINE_WRAP = {79: 77, 0: 65535}


def _locales(config: Config) -> PurePosixPath:
    """The locales folder below the root, as Weblate's file masks name it."""
    try:
        return PurePosixPath(
            config.locales_dir.resolve().relative_to(config.root.resolve()).as_posix()
        )
    except ValueError:
        raise ConfigError(
            f"locales = {config.locales!r} is outside the project: Weblate "
            "reads only the repository",
            config.root / "postlingo.toml",
        ) from None


def line_wrap(config: Config) -> int:
    """Weblate's ``po_line_wrap`` for the site's ``wrap_width``."""
    if config.wrap_width not in _LINE_WRAP:
        raise ConfigError(
            f"wrap_width = {config.wrap_width}: Weblate writes PO lines of 79 "
            "columns or unwrapped; set wrap_width to 79 or 0",
            config.root / "postlingo.toml",
        )
    return _LINE_WRAP[config.wrap_width]


def discovery_regex(locales: PurePosixPath) -> str:
    """The component discovery expression for one catalogue per post or per folder: the
    language is the folder below ``locales``, the component the catalogue's name (posts
    and folders below others keep their folders in it)."""
    return (
        f"^{re.escape(str(locales))}/(?P<language>[^/.][^/]*)/{MESSAGES}/"
        r"(?P<component>[^/.][^/]*(?:/[^/.][^/]*)*)\.po$"
    )


# What one component is, per grouping (for the text and the reasons).
_UNIT = {"post": "post", "directory": "folder of posts", "site": "site"}


def settings(config: Config) -> dict[str, Any]:
    """The main component (the first post's or folder's catalogue, or the site's), the
    add-ons to install on it and the ones not to install, each with the reason; with
    ``catalogues = "site"`` and a taxonomy, the taxonomy's component too."""
    locales = _locales(config)
    sources = find_sources(config)
    if not sources:
        raise ConfigError(
            "no source post: Weblate needs one catalogue to start from",
            config.root / "postlingo.toml",
        )
    grouping = config.catalogues
    first = group_name(grouping, sources[0])
    languages = "|".join(re.escape(gettext_language(code)) for code in config.languages)
    component = _component(config, locales, first, f"^(?:{languages})$")
    unit = _UNIT[grouping]
    addons: list[dict[str, Any]] = []
    why: dict[str, str] = {}
    data: dict[str, Any] = {"catalogues": grouping, "component": component}
    if grouping == "site":
        if config.taxonomy:
            data["other_components"] = [
                _component(config, locales, TAXONOMY, component["language_regex"])
            ]
    else:
        addons.append(
            {
                "name": "weblate.discovery.discovery",
                "configuration": _discovery(locales, component["language_regex"]),
            }
        )
        why["weblate.discovery.discovery"] = (
            f"one component per {unit} catalogue: those postlingo extract adds become "
            "components, removed ones go ('remove')"
        )
    addons.append({"name": "weblate.git.squash", "configuration": {"squash": "file"}})
    why["weblate.git.squash"] = (
        "one commit per catalogue in a pull request: reviewers and 'check --shard' see "
        f"each {unit}'s change apart"
        if grouping != "site"
        else "one commit per "
        "language's catalogue in a pull request: reviewers see each language apart"
    )
    data["addons"] = addons
    data["addons_why"] = why
    data["addons_not_to_install"] = {
        "weblate.gettext.msgmerge": "postlingo update merges templates into the "
        "catalogues; msgmerge would drop their own flags and write '#~|' lines that "
        "Babel cannot read",
        "weblate.gettext.mo": "the site is built from the catalogues by postlingo "
        "build, not from MO files",
        "weblate.cleanup.generic": "for monolingual formats; the POT is postlingo's",
        "weblate.gettext.authors": "rewrites the header comment of every catalogue "
        "saved (noise in each pull request)",
    }
    return data


def _component(
    config: Config, locales: PurePosixPath, name: str, language_regex: str
) -> dict[str, Any]:
    """The body of Weblate's component creation for the catalogues called ``name``."""
    params = {
        "po_line_wrap": line_wrap(config),
        "po_keep_previous": True,
        "po_no_location": False,
        "po_fuzzy_matching": True,
    }
    return {
        "name": name,
        "slug": _slug(name),
        "source_language": {"code": config.source_language},
        "file_format": "po",
        "file_format_params": params,
        "filemask": f"{locales}/*/{MESSAGES}/{name}.po",
        "template": "",  # bilingual: the msgid is the source text
        "edit_template": False,
        "intermediate": "",
        "new_base": f"{locales}/{TEMPLATES}/{name}.pot",
        "new_lang": "add",
        "language_code_style": "posix",  # pt_BR, as the folders are named
        "language_regex": language_regex,
        "check_flags": MARKDOWN_FLAG,
        "manage_units": False,  # entries come from the posts, through postlingo extract
        # Report-Msgid-Bugs-To is the template's: update would undo Weblate's value.
        "report_source_bugs": "",
    }


def _discovery(locales: PurePosixPath, language_regex: str) -> dict[str, Any]:
    return {
        "match": discovery_regex(locales),
        "file_format": "po",
        "name_template": "{{ component }}",
        "base_file_template": "",
        "new_base_template": f"{locales}/{TEMPLATES}/{{{{ component }}}}.pot",
        "intermediate_template": "",
        "language_regex": language_regex,
        "copy_addons": True,
        "remove": True,
    }


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9_-]+", "-", name.lower()).strip("-")[:100] or "post"


def settings_json(config: Config) -> str:
    return json.dumps(settings(config), ensure_ascii=False, indent=2) + "\n"


def settings_text(config: Config) -> str:
    """What to do with the JSON, in a few lines (for stderr)."""
    data = settings(config)
    component = data["component"]
    wrap = component["file_format_params"]["po_line_wrap"]
    return (
        "\n".join(
            [
                _components_line(data),
                "  POST /api/projects/<project>/components/  with 'component' (add repo, vcs, "
                "branch, push_branch);",
                *(
                    [
                        "  POST /api/projects/<project>/components/  with each of "
                        "'other_components' (as 'component')."
                    ]
                    if "other_components" in data
                    else []
                ),
                "  POST /api/components/<project>/<component>/addons/  with each of 'addons'.",
                f"Line wrap {wrap} writes the lines postlingo writes; component flag "
                f"'{MARKDOWN_FLAG}' runs the Markdown checks (files carry no flag).",
                "Do not install: " + ", ".join(data["addons_not_to_install"]) + ".",
                "Gate Weblate's pull requests with 'postlingo check' (docs/weblate.md).",
            ]
        )
        + "\n"
    )


def _components_line(data: dict[str, Any]) -> str:
    grouping, mask = data["catalogues"], data["component"]["filemask"]
    if grouping == "site":
        more = " (and one for the taxonomy)" if "other_components" in data else ""
        return (
            f"Weblate: one component for the whole site, {mask}{more}; no component "
            "discovery needed. Create the project, then:"
        )
    return (
        f"Weblate: one component per {_UNIT[grouping]}, {mask} (discovery adds the "
        "others). Create the project, then:"
    )
