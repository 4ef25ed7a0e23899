"""``postlingo status --format html``: one self-contained page people look at.

Per language and per post a bar of the words translated, fuzzy, machine-drafted and
untranslated, the state of each variant, and the fuzzy entries to review with a word diff of
the source change. No network: inline CSS and SVG, a small inline script (sorting and
filtering) that the page does not need, allowed by its hash only. Every text from the site
(posts, translations, paths) is escaped: translations come from other people.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path

import polib

from ..catalogue.po import load_catalogue
from ..config import Config
from ..errors import ConfigError, PostlingoError
from ..fileio import write_atomic
from .status import (
    BROKEN,
    CURRENT,
    MISSING,
    OUTDATED,
    UNPUBLISHED,
    CatalogueStatus,
    Review,
    reviews,
)

KINDS = ("translated", "fuzzy", "machine", "untranslated")
LABELS = {
    "translated": "Translated",
    "fuzzy": "Fuzzy",
    "machine": "Machine-drafted",
    "untranslated": "Untranslated",
}
# What a reader calls the variant's state (status's names say what build would do).
STATES = {
    CURRENT: "published",
    UNPUBLISHED: "below threshold",
    OUTDATED: "outdated",
    MISSING: "missing",
    BROKEN: "fails",
    "": "none",
}


def e(text: object) -> str:
    return html.escape(str(text), quote=True)


@dataclass(frozen=True)
class Words:
    """One bar: words per kind (machine-drafted words are fuzzy ones an engine wrote)."""

    translated: int = 0
    fuzzy: int = 0
    machine: int = 0
    untranslated: int = 0

    @property
    def total(self) -> int:
        return self.translated + self.fuzzy + self.machine + self.untranslated

    def of(self, kind: str) -> int:
        return int(getattr(self, kind))

    def __add__(self, other: Words) -> Words:
        return Words(*(self.of(kind) + other.of(kind) for kind in KINDS))


def words(row: CatalogueStatus, machine: int) -> Words:
    return Words(row.words_translated, row.words_fuzzy - machine, machine, row.words_untranslated)


# --- the data ---------------------------------------------------------------------------------


@dataclass
class Page:
    project: str
    source_language: str
    root: Path
    rows: list[tuple[CatalogueStatus, Words]]
    languages: list[tuple[str, Words]]
    reviews: list[Review]
    orphans: list[Path]
    problems: list[PostlingoError]


def collect(
    config: Config, rows: list[CatalogueStatus], orphans: list[Path], problems: list[PostlingoError]
) -> Page:
    """Read each catalogue once more for what the counts do not hold: the machine drafts
    and the entries to review."""
    problems = list(problems)
    counted: list[tuple[CatalogueStatus, Words]] = []
    found: list[Review] = []
    read = _reader(config)
    for row in rows:
        machine = 0
        if row.exists and row.fuzzy:
            po: polib.POFile | None = None
            try:
                po = read(row)
                machine, entries = reviews(po, row.path)
            except PostlingoError as exc:
                problems.append(exc)
                entries = []
            borrowed: frozenset[object] = getattr(po, "borrowed", frozenset())
            found += [e for e in entries if (e.msgctxt, e.msgid) not in borrowed]
        counted.append((row, words(row, machine)))
    languages = [
        (language, sum((w for row, w in counted if row.language == language), Words()))
        for language in dict.fromkeys(row.language for row in rows)
    ]
    return Page(
        config.project_name,
        config.source_language,
        config.root,
        counted,
        languages,
        found,
        orphans,
        problems,
    )


def _reader(config: Config) -> Callable[[CatalogueStatus], polib.POFile]:
    """How a row's catalogue is read: its file; where posts share catalogues, the post's
    view of it (its entries; a shared fuzzy entry is listed with the first post it names,
    its machine words counted in each)."""
    if config.catalogues == "post":
        return lambda row: load_catalogue(row.path, language=row.language)
    from ..catalogue.store import Store
    from ..site.sources import find_sources

    sources = find_sources(config)
    store, by_name = Store(config, sources), {source.name: source for source in sources}

    def read(row: CatalogueStatus) -> polib.POFile:
        source = by_name.get(row.name)
        view = store.catalogue(source, row.language) if source is not None else None
        return view if view is not None else load_catalogue(row.path, language=row.language)

    return read


# --- the page ---------------------------------------------------------------------------------

_CSS = """
:root{--t:#1a7f37;--f:#b35900;--m:#6f42c1;--u:#c9ced6;--ink:#1f2328;--muted:#59636e}
body{font:15px/1.45 system-ui,sans-serif;color:var(--ink);margin:0 auto;max-width:72rem;
padding:1rem 1.5rem}
h1{font-size:1.6rem}h2{margin-top:2rem;border-bottom:1px solid #d1d9e0}
table{border-collapse:collapse;width:100%;margin:.5rem 0}
caption{text-align:left;font-weight:600;padding:.3rem 0}
th,td{border-bottom:1px solid #e4e8ec;padding:.3rem .5rem;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums}
thead th{background:#f6f8fa}
svg.bar{display:block}
.legend span{display:inline-block;margin-right:1rem}
.legend i{display:inline-block;width:.8rem;height:.8rem;margin-right:.3rem;vertical-align:-1px}
.k-translated{fill:var(--t);background:var(--t)}.k-fuzzy{fill:var(--f);background:var(--f)}
.k-machine{fill:var(--m);background:var(--m)}.k-untranslated{fill:var(--u);background:var(--u)}
.state{white-space:nowrap;font-size:.85em;padding:.05rem .4rem;border-radius:.6rem;
background:#eef1f4}
.state-published{background:#dafbe1}.state-outdated,.state-fails,.state-missing{background:#ffebe9}
.text{white-space:pre-wrap;overflow-wrap:anywhere;max-width:28rem}
del{background:#ffebe9;color:#82071e}ins{background:#dafbe1;color:#055d20;text-decoration:none}
.where{font-family:ui-monospace,monospace;font-size:.85em;overflow-wrap:anywhere}
button.sort{font:inherit;background:none;border:0;padding:0;cursor:pointer;text-align:left}
.muted{color:var(--muted)}
th.post{min-width:13rem;overflow-wrap:anywhere;font-weight:600}
"""

# Sorting (click a column heading) and filtering (a search field): built by the script, so a
# page without JavaScript shows no control that does nothing.
_SCRIPT = """
(function(){
document.querySelectorAll('table[data-sortable]').forEach(function(table){
  var body=table.tBodies[0];
  table.querySelectorAll('thead th').forEach(function(th,col){
    var b=document.createElement('button');b.className='sort';b.type='button';
    while(th.firstChild){b.appendChild(th.firstChild);}th.appendChild(b);
    b.addEventListener('click',function(){
      var up=th.getAttribute('aria-sort')!=='ascending';
      table.querySelectorAll('thead th').forEach(function(o){o.removeAttribute('aria-sort');});
      th.setAttribute('aria-sort',up?'ascending':'descending');
      var rows=Array.prototype.slice.call(body.rows);
      rows.sort(function(a,c){
        var x=a.cells[col].getAttribute('data-v')||a.cells[col].textContent;
        var y=c.cells[col].getAttribute('data-v')||c.cells[col].textContent;
        var nx=parseFloat(x),ny=parseFloat(y);
        var r=(!isNaN(nx)&&!isNaN(ny))?nx-ny:x.localeCompare(y);
        return up?r:-r;});
      rows.forEach(function(r){body.appendChild(r);});
    });
  });
  if(!table.hasAttribute('data-filter')){return;}
  var label=document.createElement('label');label.textContent='Filter rows: ';
  var input=document.createElement('input');input.type='search';
  input.setAttribute('aria-controls',table.id);label.appendChild(input);
  table.parentNode.insertBefore(label,table);
  input.addEventListener('input',function(){
    var q=input.value.toLowerCase();
    Array.prototype.forEach.call(body.rows,function(r){
      r.hidden=q!==''&&r.textContent.toLowerCase().indexOf(q)<0;});
  });
});
})();
"""


def _sha256(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def status_html(page: Page) -> str:
    """The whole page."""
    policy = (
        f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{_sha256(_SCRIPT)}'"
    )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">',  # (no " in it)
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Translation status: {e(page.project)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
        f"<h1>Translation status: {e(page.project)}</h1>",
        _legend(),
        *_languages(page),
        *_posts(page),
        *_reviews(page),
        *_leftovers(page),
        "</main>",
        f"<script>{_SCRIPT}</script>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


def _legend() -> str:
    keys = "".join(
        f'<span><i class="k-{kind}" aria-hidden="true"></i>{LABELS[kind]}</span>' for kind in KINDS
    )
    return f'<p class="legend">Words: {keys}</p>'


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}" if whole else "100.0"


def bar(label: str, counts: Words) -> str:
    """An SVG bar of the word counts, named for screen readers by its aria-label."""
    total = counts.total
    said = ", ".join(f"{counts.of(kind)} {LABELS[kind].lower()}" for kind in KINDS)
    text = f"{label}: {_percent(counts.translated, total)}% of {total} words translated ({said})"
    x, rects = 0.0, []
    for kind in KINDS:
        width = 100.0 * counts.of(kind) / total if total else 0.0
        rects.append(
            f'<rect class="k-{kind}" data-kind="{kind}" data-words="{counts.of(kind)}"'
            f' x="{x:.2f}" y="0" width="{width:.2f}" height="10"/>'
        )
        x += width
    return (
        f'<svg class="bar" role="img" aria-label="{e(text)}" width="140" height="14" '
        f'viewBox="0 0 100 10" preserveAspectRatio="none"><title>{e(text)}</title>'
        f"{''.join(rects)}</svg>"
    )


def _count_cells(counts: Words) -> str:
    cells = [f'<td class="n" data-kind="{kind}">{counts.of(kind)}</td>' for kind in KINDS]
    percent = _percent(counts.translated, counts.total)
    return "".join(cells) + (
        f'<td class="n">{counts.total}</td><td class="n" data-v="{percent}">{percent}</td>'
    )


def _count_heads() -> str:
    return "".join(f'<th scope="col">{LABELS[kind]}</th>' for kind in KINDS) + (
        '<th scope="col">Words</th><th scope="col">% translated</th>'
    )


def _languages(page: Page) -> list[str]:
    rows = [
        f'<tr data-language="{e(language)}"><th scope="row">{e(language)}</th>'
        f"<td>{bar(language, counts)}</td>{_count_cells(counts)}</tr>"
        for language, counts in page.languages
    ]
    return [
        '<section aria-labelledby="h-languages">',
        '<h2 id="h-languages">Languages</h2>',
        '<table id="languages" data-sortable>',
        "<caption>Words per language, over every post's catalogue</caption>",
        f'<thead><tr><th scope="col">Language</th><th scope="col">Progress</th>'
        f"{_count_heads()}</tr></thead>",
        "<tbody>",
        *rows,
        "</tbody>",
        "</table>",
        "</section>",
    ]


def _posts(page: Page) -> list[str]:
    rows = []
    for row, counts in page.rows:
        state = STATES.get(row.variant, row.variant) if row.exists else "no catalogue"
        where = _shown(row.path, page.root)
        rows.append(
            f'<tr data-post="{e(row.name)}" data-language="{e(row.language)}">'
            f'<th scope="row" class="post" title="{e(where)}">{e(row.name)}</th>'
            f"<td>{e(row.language)}</td>"
            f"<td>{bar(f'{row.name} ({row.language})', counts)}</td>{_count_cells(counts)}"
            f'<td data-state="{e(state)}"><span class="state state-{e(state.replace(" ", "-"))}">'
            f"{e(state)}</span></td></tr>"
        )
    return [
        '<section aria-labelledby="h-posts">',
        '<h2 id="h-posts">Posts</h2>',
        '<table id="posts" data-sortable data-filter>',
        "<caption>Words per post and language, and the state of the translated variant "
        "(published, below threshold, outdated, missing)</caption>",
        f'<thead><tr><th scope="col">Post</th><th scope="col">Language</th>'
        f'<th scope="col">Progress</th>{_count_heads()}<th scope="col">Variant</th></tr></thead>',
        "<tbody>",
        *rows,
        "</tbody>",
        "</table>",
        "</section>",
    ]


def _reviews(page: Page) -> list[str]:
    head = ['<section aria-labelledby="h-review">', '<h2 id="h-review">To review</h2>']
    if not page.reviews:
        return [*head, "<p>No fuzzy entry: nothing to review.</p>", "</section>"]
    rows = []
    for item in page.reviews:
        where = f"{_shown(item.path, page.root)}:{item.line}"
        kind = "machine draft" if item.machine else "fuzzy"
        change = (
            f'<td class="text diff">{word_diff(item.previous, item.msgid)}</td>'
            if item.previous is not None
            else '<td class="muted">unchanged source (or no earlier text)</td>'
        )
        context = f' <span class="muted">({e(item.msgctxt)})</span>' if item.msgctxt else ""
        rows.append(
            f'<tr data-kind="{kind}"><th scope="row" class="where">{e(where)}{context}</th>'
            f"<td>{kind}</td>"
            f'<td class="text source" lang="{e(page.source_language)}">{e(item.msgid)}</td>'
            f'<td class="text draft">{e(item.msgstr)}</td>{change}</tr>'
        )
    return [
        *head,
        f"<p>{len(page.reviews)} fuzzy entries: a translator checks each, corrects it and "
        "removes the fuzzy flag.</p>",
        '<table id="review" data-sortable data-filter>',
        "<caption>Fuzzy entries with their PO file and line</caption>",
        '<thead><tr><th scope="col">PO file and line</th><th scope="col">Kind</th>'
        '<th scope="col">Source</th><th scope="col">Draft or old translation</th>'
        '<th scope="col">Change of the source (old → new)</th></tr></thead>',
        "<tbody>",
        *rows,
        "</tbody>",
        "</table>",
        "</section>",
    ]


def _leftovers(page: Page) -> list[str]:
    parts = []
    if page.orphans:
        items = "".join(
            f'<li class="where">{e(_shown(path, page.root))}</li>' for path in page.orphans
        )
        parts += [
            '<section aria-labelledby="h-orphans">',
            '<h2 id="h-orphans">Without a source post</h2>',
            f"<ul>{items}</ul>",
            "</section>",
        ]
    if page.problems:
        items = "".join(f"<li>{e(problem)}</li>" for problem in page.problems)
        parts += [
            '<section aria-labelledby="h-problems">',
            '<h2 id="h-problems">Problems met</h2>',
            f"<ul>{items}</ul>",
            "</section>",
        ]
    return parts


_TOKENS = re.compile(r"\s+|[^\s]+")


def word_diff(old: str, new: str) -> str:
    """``old`` → ``new`` word by word, escaped: removed words in <del>, added in <ins>."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    out: list[str] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(e("".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(f"<del>{e(''.join(a[i1:i2]))}</del>")
        if j2 > j1:
            out.append(f"<ins>{e(''.join(b[j1:j2]))}</ins>")
    return "".join(out)


def _shown(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def render(
    config: Config,
    rows: list[CatalogueStatus],
    orphans: list[Path],
    problems: Iterable[PostlingoError],
) -> str:
    return status_html(collect(config, rows, orphans, list(problems)))


def write_status(
    config: Config,
    fmt: str,
    rows: list[CatalogueStatus],
    orphans: list[Path],
    problems: list[PostlingoError],
    path: Path | None,
) -> None:
    """``status --format html`` and ``--output``: the text to ``path`` (whole or not at
    all), or to stdout."""
    from .report import status_csv, status_json

    writers = {
        "html": lambda: render(config, rows, orphans, problems),
        "json": lambda: status_json(rows, orphans, config.locales_dir),
        "csv": lambda: status_csv(rows, orphans, config.locales_dir),
    }
    if fmt not in writers:
        raise ConfigError("--output needs --format html, json or csv", path)
    text = writers[fmt]()
    if path is None:
        sys.stdout.write(text)
        return
    try:
        write_atomic(path, text.encode("utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot write the report: {exc.strerror or exc}", path) from None
