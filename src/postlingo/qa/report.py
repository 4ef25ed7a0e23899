"""How ``check`` findings and ``status`` rows are written out: one function per format.

Findings: ``text`` (``path:line: rule: message``), ``json``, ``github`` (GitHub Actions
workflow commands, annotations on the PO line) and ``junit`` (JUnit XML for CI test
reports). Status: a rich table, ``json`` and ``csv``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from rich import box
from rich.console import Console, Group, RenderableType
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from .check import RULES, Finding, Report
from .status import COUNTS, CatalogueStatus, totals

# --- check ------------------------------------------------------------------------------------


def _where(finding: Finding) -> str:
    if finding.path is None:
        return ""
    return f"{finding.path}:{finding.line}: " if finding.line else f"{finding.path}: "


def finding_line(finding: Finding) -> str:
    level = "warning: " if finding.level == "warning" else ""
    return f"{_where(finding)}{finding.rule}: {level}{finding.message}"


def findings_text(report: Report) -> str:
    return "".join(finding_line(finding) + "\n" for finding in report.findings)


def findings_json(report: Report) -> str:
    data = {
        "errors": report.errors,
        "warnings": report.warnings,
        "checked": [str(path) for path in report.checked],
        "findings": [
            {
                "path": str(f.path) if f.path else None,
                "line": f.line,
                "rule": f.rule,
                "level": f.level,
                "message": f.message,
            }
            for f in report.findings
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _escape_data(text: str) -> str:
    # GitHub's workflow command escaping (toolkit's escapeData / escapeProperty).
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def findings_github(report: Report) -> str:
    lines = []
    for finding in report.findings:
        properties = []
        if finding.path is not None:
            properties.append(f"file={_escape_property(finding.path.as_posix())}")
            if finding.line:
                properties.append(f"line={finding.line}")
        properties.append(f"title={_escape_property('postlingo ' + finding.rule)}")
        lines.append(f"::{finding.level} {','.join(properties)}::{_escape_data(finding.message)}")
    return "".join(line + "\n" for line in lines)


def findings_junit(report: Report) -> str:
    """One test case per finding, and a passing one per catalogue without errors."""
    suite = ElementTree.Element("testsuite", name="postlingo check")
    failing = set()
    for finding in report.findings:
        case = ElementTree.SubElement(
            suite,
            "testcase",
            classname=f"postlingo.check.{finding.rule}",
            name=_where(finding).rstrip(": ") or finding.rule,
        )
        if finding.path is not None:
            case.set("file", str(finding.path))
            if finding.line:
                case.set("line", str(finding.line))
        if finding.level == "error":
            failing.add(finding.path)
            failure = ElementTree.SubElement(
                case, "failure", type=finding.rule, message=finding.message
            )
            failure.text = finding_line(finding)
        else:
            ElementTree.SubElement(case, "system-out").text = finding_line(finding)
    for path in report.checked:
        if path not in failing:
            ElementTree.SubElement(
                suite, "testcase", classname="postlingo.check", name=str(path), file=str(path)
            )
    suite.set("tests", str(len(suite)))
    suite.set("failures", str(report.errors))
    suite.set("errors", "0")
    suite.set("skipped", "0")
    ElementTree.indent(suite)
    xml = ElementTree.tostring(suite, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{xml}\n'


FINDING_FORMATS: dict[str, Callable[[Report], str]] = {
    "text": findings_text,
    "json": findings_json,
    "github": findings_github,
    "junit": findings_junit,
}


def rules_help() -> str:
    """The rules by default level, for ``postlingo check --help`` (rich markup escaped)."""

    def named(level: str) -> str:
        return ", ".join(name for name, rule in RULES.items() if rule.level == level)

    return (
        f"Rules that are errors: {named('error')}. Warnings: {named('warning')}. "
        f"Off unless --strict: {named('off')}. The \\[check] table of the configuration "
        'sets a rule to "error", "warning" or "off".'
    )


def summary(report: Report) -> str:
    def plural(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    checked = plural(len(report.checked), "catalogue")
    if not report.findings:
        return f"postlingo check: no problems in {checked}"
    return (
        f"postlingo check: {plural(report.errors, 'error')}, "
        f"{plural(report.warnings, 'warning')} ({checked} checked)"
    )


# --- status -----------------------------------------------------------------------------------

STATUS_FIELDS = ("post", "language", "catalogue", "entries", *COUNTS, "percent", "variant")


def status_record(row: CatalogueStatus) -> dict[str, Any]:
    """One row as plain data; counts are None where there is no catalogue."""
    record: dict[str, Any] = {
        "post": row.name,
        "language": row.language,
        "catalogue": str(row.path) if row.exists else None,
    }
    record["entries"] = row.total if row.exists else None
    record.update({name: getattr(row, name) if row.exists else None for name in COUNTS})
    record["percent"] = round(row.percent, 1) if row.exists else None
    record["variant"] = row.variant or None
    return {name: record[name] for name in STATUS_FIELDS}


def _totals(rows: list[CatalogueStatus], locales: Path) -> list[CatalogueStatus]:
    existing = [row for row in rows if row.exists]
    languages = list(dict.fromkeys(row.language for row in rows))
    return [totals(existing, language, locales) for language in languages] + [
        totals(existing, None, locales)
    ]


def status_json(rows: list[CatalogueStatus], orphans: list[Path], locales: Path) -> str:
    *per_language, total = _totals(rows, locales)
    data = {
        "catalogues": [status_record(row) for row in rows],
        "languages": {row.language: status_record(row) for row in per_language},
        "total": status_record(total),
        "without_source": [str(path) for path in orphans],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def status_csv(rows: list[CatalogueStatus], orphans: list[Path], locales: Path) -> str:
    """A row per catalogue, then the totals (post ``(total)``), then catalogues without a
    source (post ``(no source)``)."""
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=STATUS_FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in [*rows, *_totals(rows, locales)]:
        writer.writerow(status_record(row))
    for path in orphans:
        writer.writerow({"post": "(no source)", "catalogue": str(path)})
    return buffer.getvalue()


def status_table(rows: list[CatalogueStatus], orphans: list[Path], locales: Path) -> RenderableType:
    table = Table(
        "post",
        "lang",
        "translated",
        "fuzzy",
        "untranslated",
        "obsolete",
        "words",
        "%",
        "variant",
        box=box.SIMPLE_HEAD,
        show_edge=False,
    )
    table.columns[0].overflow = "fold"  # on a narrow terminal; see ``status_width``
    for column in table.columns[2:8]:
        column.justify = "right"
    for row in rows:
        table.add_row(*_cells(row))
    if any(row.exists for row in rows):
        table.add_section()
        *per_language, total = _totals(rows, locales)
        for row in per_language if len(per_language) == 1 else [*per_language, total]:
            table.add_row(*_cells(row), style="bold")
    parts: list[RenderableType] = [table]
    if orphans:
        parts.append(Text("Without a source post:", style="bold"))
        parts.extend(Text(f"  {path}") for path in orphans)
    return Group(*parts)


def print_wide(console: Console, renderable: RenderableType) -> None:
    """Print at the terminal's width; but when the output goes to a file or a CI log, where
    nothing wraps and post names must stay whole, never narrower than the table."""
    if console.is_terminal:
        console.print(renderable)
        return
    unlimited = console.options.update(max_width=10**6)
    wanted = Measurement.get(console, unlimited, renderable).maximum
    width = console.width
    console.width = max(width, wanted)
    try:
        console.print(renderable, crop=False)
    finally:
        console.width = width


def _cells(row: CatalogueStatus) -> Iterable[str]:
    if not row.exists:
        return [row.name, row.language, "-", "-", "-", "-", "-", "-", "no catalogue"]
    words = f"{row.words_translated}/{row.words}"
    return [
        row.name,
        row.language,
        str(row.translated),
        str(row.fuzzy),
        str(row.untranslated),
        str(row.obsolete),
        words,
        f"{row.percent:.0f}",
        row.variant,
    ]
