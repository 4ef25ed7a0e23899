"""``postlingo check``: the rules a CI run applies to catalogues, templates and variants.

Every rule has a name, a default level (``error``, ``warning`` or ``off``; the ``check``
table of the configuration changes it) and one small function or block of the runner:

- *entry rules* (``postlingo.qa.rules``) compare one translation with its msgid and
  yield messages; the finding points at the entry's line in the PO file. Only translations
  that ``build`` would use are checked (fuzzy ones with ``include_fuzzy``);
- *file rules* look at whole files: unreadable files, ``msgfmt -c``, fuzzy and untranslated
  entries, completeness thresholds, and whether ``extract``, ``update`` or ``build`` would
  change a template, catalogue or variant (an out-of-date catalogue is one whose entries,
  translations, comments or flags would change; formatting alone does not count).

Glossary (``glossary = "glossary.csv"`` or ``"locales/{lang}/glossary.csv"``): a UTF-8 CSV
file whose first row is the header ``source,target`` (more columns, such as ``note``, are
ignored). Each further row is a term: where a msgid contains ``source`` (case-insensitive,
at the start of a word, so ``Werkzeug`` also matches ``Werkzeuge``) the translation must
contain ``target`` (likewise). An empty ``target`` means *do not translate*: the translation
must contain ``source`` exactly as written. With ``{lang}`` in its name each language has
its own file and a missing file means no glossary for that language; without it the file
must exist and applies to every language.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from itertools import zip_longest
from pathlib import Path
from typing import Any

import polib

from ..catalogue.locales import TAXONOMY, catalogue_path, gettext_language, template_path
from ..catalogue.po import load_catalogue, make_template, usable
from ..catalogue.poformat import entry_content
from ..catalogue.store import Store, bad_references, references_in
from ..catalogue.taxonomy import Term, post_terms, taxonomy_template
from ..config import LEVELS as LEVELS  # (the levels a rule may have)
from ..config import RULE_NAMES, Config
from ..errors import InputError, PostlingoError, TranslationError, unexpected
from ..outcome import Outcome
from ..pipeline import (
    _current_template,
    planned_catalogue,
    planned_template,
    planned_variant,
    read_segments,
    warm_up,
)
from ..pipeline import read as read_post
from ..site.renames import foreign_variant
from ..site.sources import Source, find_sources, orphan_variants
from ..source.markdown import parse_env
from ..source.post import Post
from ..source.segment import Segment
from ..variant import links as links_module
from ..variant.build import Refused
from ..variant.links import forget as forget_links
from ..variant.links import leaving_links
from ..variant.security import UnsafeTranslation
from .cache import Results, dump, load, msgfmt_results, open_results, synced, synced_file
from .rules import ENTRY_RULES, Rule, Settings, judge, make_pair, settings_for
from .rules import load_glossary as load_glossary  # (draft reads the glossary too)
from .shard import Shard, counts_elsewhere, in_shard, owns_site
from .status import (
    CatalogueStatus,
    count,
    orphan_catalogues,
    totals,
)


@dataclass(frozen=True)
class Finding:
    """One problem: which rule, how serious, and where (the PO line for entry rules)."""

    rule: str
    level: str  # "error" or "warning"
    message: str
    path: Path | None = None
    line: int | None = None

    def sort_key(self) -> tuple[str, int, str]:
        return (str(self.path or ""), self.line or 0, self.rule)


# --- the rule table --------------------------------------------------------------------------

RULES: dict[str, Rule] = {
    **ENTRY_RULES,
    "msgfmt": Rule("error", "GNU msgfmt -c --check-format accepts the catalogue"),
    "unreadable": Rule("error", "posts, templates and catalogues can be read"),
    "fuzzy": Rule("off", "fuzzy entries (an error with --strict)"),
    "untranslated": Rule("off", "untranslated entries (an error with --strict)"),
    "completeness": Rule("error", "min_percent, min_percent_language, min_percent_post"),
    "catalogue-outdated": Rule("error", "extract or update would change a template or catalogue"),
    "variant-outdated": Rule("error", "build would write or change a variant"),
    "build": Rule(
        "error",
        "build would leave out a translation (it breaks the post, or adds "
        "code the source lacks) or could not build the variant",
    ),
    "orphan": Rule("warning", "a template, catalogue or variant without a source post"),
    "generator": Rule(
        "error",
        "the site generator's config publishes each variant beside its "
        "source, and no catalogue (postlingo.site.generators)",
    ),
    "foreign": Rule(
        "error",
        "a variant file postlingo did not write (no catalogue for it) "
        "where it would write one: 'postlingo import' it, or remove it",
    ),
    "language-links": Rule(
        "warning",
        "a variant links to another post's source although "
        "that post's variant in its language is published "
        "(postlingo.variant.links)",
    ),
}
RULE_NAMES.register(sorted(RULES))  # what the [check] table may name (postlingo.config)


# --- msgfmt ---------------------------------------------------------------------------------

_MSGFMT_LINE = re.compile(r"(?P<line>\d+): (?:(?P<warning>warning): )?(?P<message>.*)")
_HEADER_FIELDS = (
    "Project-Id-Version",
    "PO-Revision-Date",
    "Last-Translator",
    "Language-Team",
    "MIME-Version",
    "Content-Type",
    "Content-Transfer-Encoding",
    "Language",
)

MsgfmtResult = list[tuple[int | None, bool, str]]  # line, warning?, message


def run_msgfmt(path: Path) -> MsgfmtResult:
    """GNU ``msgfmt -c --check-format`` on ``path``; its findings with their lines. Without
    msgfmt, the same checks of header fields and newlines are made here."""
    program = shutil.which("msgfmt")
    if program is None:
        return msgfmt_like(load_catalogue(path))
    result = subprocess.run(
        [program, "-c", "--check-format", "-o", os.devnull, str(path)],
        capture_output=True,
        text=True,
        errors="replace",
        check=False,
        env={**os.environ, "LC_ALL": "C.UTF-8", "LANGUAGE": ""},
    )
    found: MsgfmtResult = []
    prefix = f"{path}:"
    for text in result.stderr.splitlines():
        match = _MSGFMT_LINE.fullmatch(text[len(prefix) :]) if text.startswith(prefix) else None
        if match:
            found.append((int(match["line"]), bool(match["warning"]), match["message"]))
    if result.returncode and not any(not warning for _, warning, _ in found):
        found.append((None, False, result.stderr.strip() or f"exit code {result.returncode}"))
    return found


def msgfmt_like(po: polib.POFile) -> MsgfmtResult:
    """msgfmt -c's header and newline checks, for machines without gettext."""
    found: MsgfmtResult = [
        (1, True, f"header field '{name}' missing in header")
        for name in _HEADER_FIELDS
        if name not in po.metadata
    ]
    for entry in po:
        if entry.obsolete or not entry.msgstr:
            continue
        for end, test in (("begin", str.startswith), ("end", str.endswith)):
            if test(entry.msgid, "\n") != test(entry.msgstr, "\n"):
                found.append(
                    (
                        entry.linenum,
                        False,
                        f"'msgid' and 'msgstr' entries do not both {end} with '\\n'",
                    )
                )
    return found


# --- the run --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    """What the command line adds to the configuration."""

    strict: bool = False  # fuzzy and untranslated entries are errors
    min_percent: float | None = None  # overrides the configuration's min_percent
    include_fuzzy: bool = False  # as for build: fuzzy translations are used, so checked
    shard: Shard | None = None  # (K, N): only the K-th of N shards of the posts
    cache: bool = True  # reuse the results of posts that did not change (qa.cache)


@dataclass
class Report:
    findings: list[Finding]
    checked: list[Path]  # catalogues looked at

    @property
    def errors(self) -> int:
        return sum(finding.level == "error" for finding in self.findings)

    @property
    def warnings(self) -> int:
        return sum(finding.level == "warning" for finding in self.findings)

    @property
    def failed(self) -> bool:
        return self.errors > 0


def rule_levels(config: Config, options: Options) -> dict[str, str]:
    levels = {name: rule.level for name, rule in RULES.items()}
    levels.update(config.check)
    if options.strict:
        levels["fuzzy"] = levels["untranslated"] = "error"
    return levels


@dataclass
class _Run:
    config: Config
    options: Options
    levels: dict[str, str]
    settings: dict[str, Settings]  # per language
    findings: list[Finding] = field(default_factory=list)
    stats: list[CatalogueStatus] = field(default_factory=list)
    catalogues: list[Path] = field(default_factory=list)
    store: Store | None = None  # the posts' views of shared catalogues

    @property
    def files(self) -> Store:
        if self.store is None:
            self.store = Store(self.config)
        return self.store

    def on(self, rule: str) -> bool:
        return self.levels[rule] != "off"

    def add(
        self,
        rule: str,
        message: str,
        path: Path | None = None,
        line: int | None = None,
        level: str | None = None,
    ) -> None:
        level = level or self.levels[rule]
        if self.on(rule):
            self.findings.append(Finding(rule, level, message, path, line))

    def problem(self, exc: PostlingoError) -> None:
        if isinstance(exc, UnsafeTranslation) and exc.line and self.on("security"):
            return  # the security rule reports it, at this very entry
        rule = "build" if isinstance(exc, TranslationError) else "unreadable"
        self.add(rule, exc.message, exc.path, exc.line)

    def load_view(self, source: Source, language: str) -> tuple[polib.POFile | None, bool]:
        """The post's catalogue in ``language`` (its view of a shared one), its file one
        of the checked, or None; and whether it could be read (if not: a problem)."""
        try:
            po = self.files.catalogue(source, language)
        except PostlingoError as exc:
            self.problem(exc)
            return None, False
        if po is not None:
            self.catalogues.append(self.files.catalogue_file(source, language))
        return po, True

    def load(self, path: Path, language: str | None = None) -> polib.POFile | None:
        """The catalogue at ``path``, now one of the checked; None if it cannot be read."""
        try:
            po = load_catalogue(path, language=language)
        except PostlingoError as exc:
            self.problem(exc)
            return None
        self.catalogues.append(path)
        return po


def check(config: Config, options: Options | None = None) -> Report:
    """Apply every rule that is not off to the project; nothing is written but the cache
    of its results (``qa.cache``)."""
    forget_links()  # (a new command: posts may have changed)
    options = options or Options()
    if config.include_fuzzy:  # as build does: the configuration or the option
        options = dataclasses.replace(options, include_fuzzy=True)
    settings = {language: settings_for(config, language) for language in config.languages}
    run = _Run(config, options, rule_levels(config, options), settings)
    sources = find_sources(config)
    run.store = Store(config, sources)
    mine = in_shard(sources, options.shard)
    # A post whose files did not change keeps what the last check found (qa.cache).
    parts = [sorted(run.levels.items()), options.include_fuzzy]
    results = open_results(config, "check", parts, sources, options.cache)
    _check_posts(run, mine, results)
    if owns_site(options.shard):  # what belongs to the whole site: checked once
        run.stats += counts_elsewhere(config, sources, mine)
        _check_site(run, sources)
    if run.on("msgfmt"):
        _check_msgfmt(run, results)
    results.save()
    findings = _once_per_file(run.findings, set(run.files.shared_files()))
    return Report(sorted(findings, key=Finding.sort_key), list(dict.fromkeys(run.catalogues)))


def _once_per_file(findings: list[Finding], shared: set[Path]) -> list[Finding]:
    """Each post's view of a shared file may say 'update would change' it: said once, at
    the first line."""
    first: dict[Path, Finding] = {}
    kept = []
    for finding in findings:
        if finding.rule == "catalogue-outdated" and finding.path in shared:
            known = first.get(finding.path)
            if known is None or (finding.line or 0) < (known.line or 0):
                first[finding.path] = finding
            continue
        kept.append(finding)
    return kept + list(first.values())


def _check_posts(run: _Run, mine: list[Source], results: Results) -> None:
    """Check the posts of ``mine`` whose results cannot be reused (apart, spread over the
    cores); everyone's findings join in order."""
    todo = [source for source in mine if results.result(source.name) is None]
    done = results.judged(partial(_check_sources, run), todo, partial(warm_up, run.config))
    checked = {source.name: found for source, found in zip(todo, done, strict=True)}
    root = run.config.root
    for source in mine:
        if source.name in checked:
            files, (findings, stats, catalogues) = checked[source.name]
            results.store(source.name, files, dump(root, (findings, stats, catalogues)))
        else:
            findings, stats, catalogues = load(root, results.result(source.name), _CACHED)
        run.findings += findings
        run.stats += stats
        run.catalogues += catalogues


def _check_site(run: _Run, sources: list[Source]) -> None:
    """The taxonomy's catalogues, orphans, the totals and the generator's configuration."""
    config = run.config
    if config.taxonomy:
        _check_taxonomy(run)
    for path in run.files.shared_files():  # a reference is a translator's text too
        for line, ref in bad_references(path):
            run.add("unreadable", f"the reference {ref!r} names no post of the project", path, line)
    here = {source.relative.as_posix() for source in sources}
    for path in orphan_catalogues(config, sources):
        # A file of another grouping ('catalogues' changed): one that posts here share.
        if len(references_in(path) & here) > (1 if config.catalogues == "post" else 0):
            run.add(
                "orphan",
                "not a file of 'catalogues' grouping: 'postlingo update' moves "
                "its translations into the grouping's files",
                path,
            )
        else:
            run.add("orphan", "no source post has this name", path)
    for path in orphan_variants(config, sources):  # (the posts found once: 10,000 of them)
        run.add("orphan", "a variant without a source post ('build --prune' removes it)", path)
    _check_totals(run)
    if run.on("generator"):
        from ..site.generators import generator_findings

        for found in generator_findings(config):
            run.add("generator", found.message, found.path, found.line)


def _check_sources(
    run: _Run, sources: list[Source]
) -> list[tuple[list[Finding], list[CatalogueStatus], list[Path]]]:
    """What checking each of ``sources`` finds, counts and reads (``run`` stays as it is)."""
    done = []
    for source in sources:
        alone = dataclasses.replace(run, findings=[], stats=[], catalogues=[])
        _check_source(alone, source)
        done.append((alone.findings, alone.stats, alone.catalogues))
    return done


def outdated_templates(config: Config) -> list[PostlingoError]:
    """One problem per post that changed since its template was extracted (``extract``
    would change the template) or cannot be read; and one for the taxonomy
    template if the posts' terms changed. For ``update --check``: the catalogues of such a
    post are behind its text even when they match its template."""
    problems: list[PostlingoError] = []
    terms: list[Term] | None = []
    sources = find_sources(config)
    store = Store(config, sources)
    for source in sources:
        shown = config.root / source.relative
        try:
            post, segments = read_segments(config, source)
            _, current = planned_template(config, source, segments, store)
            if terms is not None:
                terms += post_terms(post, source.relative.as_posix(), config.taxonomy)
        except Exception as exc:  # one post's problem never hides the others'
            problems.append(unexpected(exc, shown, "read"))
            terms = None  # the taxonomy cannot be judged without every post's terms
            continue
        path = store.template_file(source)
        if not current and store.has(source, None):  # (update reports a missing one)
            problems.append(
                InputError(
                    f"changed since its template {path} was extracted: "
                    "run 'postlingo extract' (or 'sync')",
                    shown,
                )
            )
    path = template_path(config.locales_dir, TAXONOMY)
    if config.taxonomy and terms is not None and path.exists():
        planned = taxonomy_template(terms, config.project_name, config.wrap_width)
        if not _current_template(path, planned)[1]:
            problems.append(
                InputError(
                    "the posts' taxonomy terms changed since this template "
                    "was extracted: run 'postlingo extract'",
                    path,
                )
            )
    return problems


def _check_source(run: _Run, source: Source) -> None:
    config = run.config
    post: Post | None = None
    segments: list[Segment] = []
    template: polib.POFile | None = None
    env: dict[str, Any] = {}  # the post's link reference definitions and footnotes
    read = Outcome()
    work = read_post(config, source, read)  # (the pipeline's read step and error policy)
    for problem in read.errors:
        run.problem(problem)
    post, segments = work.post, work.segments
    if post is not None:
        try:
            env = parse_env(post.body)
            template = _check_template(run, source, segments)
        except Exception as exc:  # one post's problem never stops the check of the others
            run.problem(unexpected(exc, config.root / source.relative))
    for language in config.languages:
        path = run.files.catalogue_file(source, language)
        po, readable = run.load_view(source, language)
        if po is None:
            if readable:  # (an unreadable one is a problem, said already)
                _missing_catalogue(run, source.name, language, path, template)
            foreign = foreign_variant(config, source, language, run.files)
            if foreign is not None:
                run.add("foreign", foreign.message, foreign.path)
            continue
        _check_catalogue(run, source.name, po, path, language, env)
        if template is not None and run.on("catalogue-outdated"):
            _check_merge(run, po, path, language, template)
        if post is not None:
            _check_variant(run, source, post, segments, language, po)


def _check_taxonomy(run: _Run) -> None:
    """The shared catalogues of tags and categories: their entries and files. (Whether
    extract would change the taxonomy template is not checked yet.)"""
    for language in run.config.languages:
        path = catalogue_path(run.config.locales_dir, TAXONOMY, language)
        if not path.exists():
            _missing_catalogue(run, TAXONOMY, language, path, None)
            continue
        po = run.load(path, language)
        if po is not None:
            _check_catalogue(run, TAXONOMY, po, path, language, {})


def _check_template(run: _Run, source: Source, segments: list[Segment]) -> polib.POFile:
    if synced(source.name):  # its files are what sync left: so is its template (qa.cache)
        config = run.config
        return make_template(
            segments, source.relative.as_posix(), config.project_name, config.wrap_width
        )
    path = run.files.template_file(source)
    template, current = planned_template(run.config, source, segments, run.files)
    if not current:
        old = run.files.template(source) if path.exists() else None
        if old is not None:
            line = _first_change(old, template)
            run.add(
                "catalogue-outdated",
                f"'postlingo extract' would change this template (the source is {source.relative})",
                path,
                line,
            )
        else:
            run.add("catalogue-outdated", "no template: run 'postlingo extract'", path)
    return template


def _missing_catalogue(
    run: _Run, name: str, language: str, path: Path, template: polib.POFile | None
) -> None:
    run.add("catalogue-outdated", "no catalogue: run 'postlingo update'", path)
    if template is not None:  # counts as untranslated in the totals
        status = count(template, name, language, path)
        run.stats.append(dataclasses.replace(status, exists=False))
        _check_post_percent(run, run.stats[-1])


def _check_catalogue(
    run: _Run, name: str, po: polib.POFile, path: Path, language: str, env: Mapping[str, Any]
) -> None:
    status = count(po, name, language, path)
    run.stats.append(status)
    _check_post_percent(run, status)
    borrowed: frozenset[object] = getattr(po, "borrowed", frozenset())  # (judged with its 1st post)
    for entry in po:
        if entry.obsolete or entry.msgid_plural or (entry.msgctxt, entry.msgid) in borrowed:
            continue
        if not entry.msgstr:
            if run.on("untranslated"):  # (most entries of a new site: no message made for none)
                run.add(
                    "untranslated",
                    f"not translated yet: {_excerpt(entry.msgid)}",
                    path,
                    entry.linenum,
                )
            continue
        if entry.fuzzy:
            run.add(
                "fuzzy",
                f"fuzzy, to be reviewed (then remove the flag): {_excerpt(entry.msgid)}",
                path,
                entry.linenum,
            )
            if not usable(entry, run.options.include_fuzzy):
                continue  # build does not use it (it does use imported human text)
        pair = make_pair(entry, run.settings[language], env)
        for rule_name, level, message in judge(pair, run.levels):
            run.add(rule_name, message, path, entry.linenum, level)


def _excerpt(text: str, width: int = 40) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= width else text[: width - 1] + "…")


def _check_post_percent(run: _Run, status: CatalogueStatus) -> None:
    minimum = run.config.min_percent_post
    if status.percent < minimum:
        run.add(
            "completeness",
            f"{_shown_percent(status.percent)}% translated, below min_percent_post = {minimum:g}",
            status.path,
        )


def _check_totals(run: _Run) -> None:
    config = run.config
    for language in config.languages:
        rows = [row for row in run.stats if row.language == language]
        total = totals(rows, language, config.locales_dir)
        if rows and total.percent < config.min_percent_language:
            run.add(
                "completeness",
                f"{language}: {_shown_percent(total.percent)}% translated, "
                f"below min_percent_language = {config.min_percent_language:g}",
                config.locales_dir / gettext_language(language),
            )
    minimum = run.options.min_percent
    if minimum is None:
        minimum = config.min_percent
    total = totals(run.stats, None, config.locales_dir)
    if run.stats and total.percent < minimum:
        run.add(
            "completeness",
            f"{_shown_percent(total.percent)}% of all entries translated, "
            f"below the minimum of {minimum:g}%",
        )


def _shown_percent(value: float) -> str:
    # Rounded down: 79.96% must not read as "80.0%, below 80".
    return f"{int(value * 10) / 10:.1f}"


def _borrowed_lines(po: polib.POFile) -> set[int]:
    """The lines of the entries of a post's view that another post's check reports."""
    borrowed: frozenset[object] = getattr(po, "borrowed", frozenset())
    return {int(e.linenum or 0) for e in po if (e.msgctxt, e.msgid) in borrowed}


def _check_merge(
    run: _Run, po: polib.POFile, path: Path, language: str, template: polib.POFile
) -> None:
    if synced_file(run.config, path):  # sync merged it with this very template: update
        return  # would not change it (merging is idempotent; qa.cache)
    planned = planned_catalogue(run.config, template, language, po)
    line = _first_change(po, planned)
    if line is not None:
        run.add("catalogue-outdated", "'postlingo update' would change this catalogue", path, line)


# Header fields whose change alone does not make a catalogue out of date.
_DATES = ("POT-Creation-Date", "PO-Revision-Date")


def _first_change(old: polib.POFile, new: polib.POFile) -> int | None:
    """The line of ``old`` where ``new`` starts to differ in content, None if nowhere."""

    def header(po: polib.POFile) -> tuple[object, ...]:
        return (
            {k: v for k, v in po.metadata.items() if k not in _DATES},
            bool(po.metadata_is_fuzzy),
            po.header,
        )  # polib reads a list, sets a bool

    if header(old) != header(new):
        return 1
    last = 1
    for before, after in zip_longest(old, new):
        if before is None:
            return last
        if after is None or entry_content(before) != entry_content(after):
            return int(before.linenum or 0)
        last = int(before.linenum or 0)
    return None


def _check_variant(
    run: _Run, source: Source, post: Post, segments: list[Segment], language: str, po: polib.POFile
) -> None:
    if not (run.on("variant-outdated") or run.on("build")):
        return
    warnings: list[PostlingoError] = []
    try:
        path, text = planned_variant(
            run.config, source, post, segments, language, po, run.options.include_fuzzy, warnings
        )
    except PostlingoError as exc:
        run.problem(exc)
        return
    borrowed = _borrowed_lines(po)  # (an entry posts share: told with its first post)
    for problem in warnings:
        # What the entry rules call an error, they report themselves (at this very line).
        if (
            isinstance(problem, Refused)
            and problem.rule == "build"
            and problem.line not in borrowed
        ):
            run.add("build", problem.reason, problem.path, problem.line)
    if text is None:
        return  # below the threshold: build writes no variant
    if run.on("language-links") and _may_link_posts(run.config, text):
        for line, message in leaving_links(run.config, source.relative, post, language, text):
            run.add("language-links", message, path, line)
    if not path.exists():
        run.add("variant-outdated", "missing: run 'postlingo build'", path)
    elif path.read_bytes() != text.encode("utf-8"):
        old = path.read_bytes().decode("utf-8", errors="replace")
        run.add(
            "variant-outdated",
            "'postlingo build' would change this variant",
            path,
            _first_line_change(old, text),
        )


def _may_link_posts(config: Config, text: str) -> bool:
    """Whether the variant ``text`` may link to another post as ``leaving_links`` reads
    links: with jekyll-polyglot only Liquid's post_url and link tags do (as ``localized``
    tells). Without any, the link targets (every post's variant read) are not needed, and
    the post's result depends on no other post (qa.cache)."""
    return config.layout != "jekyll-polyglot" or bool(
        links_module._POST_URL.search(text) or links_module._LINK.search(text)
    )


def _first_line_change(old: str, new: str) -> int:
    old_lines, new_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
    for number, (before, after) in enumerate(zip_longest(old_lines, new_lines), start=1):
        if before != after:
            return number
    return max(len(old_lines), 1)


def _check_msgfmt(run: _Run, cached: Results) -> None:
    # msgfmt's findings on a catalogue are kept by its digest; the others are judged by
    # msgfmt many catalogues at a time (qa.cache.msgfmt_many).
    paths = list(dict.fromkeys(run.catalogues))  # (a shared catalogue: once)
    use, whole = run.options.cache, run.options.shard is None
    results = msgfmt_results(run.config, paths, cached, _msgfmt_or_problem, use, whole)
    for path, result in zip(paths, results, strict=True):
        if isinstance(result, PostlingoError):
            run.problem(result)
            continue
        for line, warning, message in result:
            level = "warning" if warning else None
            run.add("msgfmt", message + _MSGFMT_HINTS.get(message, ""), path, line, level)


_CACHED = {"Finding": Finding, "CatalogueStatus": CatalogueStatus}  # (what a result holds)

# What to do about msgfmt's findings on fields postlingo writes from the configuration.
_MSGFMT_HINTS = {
    "header field 'Project-Id-Version' still has the initial default value": (
        " (set 'project' in the configuration)"
    ),
}


def _msgfmt_or_problem(path: Path) -> MsgfmtResult | PostlingoError:
    try:
        return run_msgfmt(path)
    except PostlingoError as exc:
        return exc
