"""A small AST mutation runner: how many mutants of a module do its fast tests kill?

Neither mutmut 3 (its trampolines and ``mutants/`` copy need a per-project setup) nor
cosmic-ray (it mutates the checkout in place, which other work in the same tree would see)
fitted a shared checkout; this runner copies a commit (``git archive``) to a temporary
folder, writes one mutant at a time there and runs the module's tests against the copy
(PYTHONPATH first).

    python tools/mutate.py --sample 30 --seed 1            # every module below
    python tools/mutate.py --module catalogue/merge.py --all

Mutations: comparison operators swapped (== !=, < <=, > >=, in / not in, is / is not),
``and``/``or`` swapped, ``not`` removed, integers +1, True/False swapped, strings emptied
(docstrings left alone), ``+``/``-`` swapped, an ``if``'s condition negated, a ``return``
of a value made ``return None``. A mutant is killed when the tests fail or time out.
"""

from __future__ import annotations

import argparse
import ast
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# The fast test selection for each module (what a developer runs after editing it).
MODULES: dict[str, list[str]] = {
    "source/segment.py": [
        "tests/test_identity.py",
        "tests/test_mutants.py",
        "tests/test_markdown.py",
        "tests/test_spec.py",
        "tests/test_bounded.py::test_unbreakable_spans_are_those_of_the_regular_expression",
        "tests/test_bounded.py::test_continuation_lines_join_as_before",
    ],
    "catalogue/merge.py": ["tests/test_merge.py", "tests/test_mutants.py"],
    "variant/build.py": [
        "tests/test_mutants.py",
        "tests/test_spec.py",
        "tests/test_identity.py",
        "tests/test_security_hand.py",
    ],
    "variant/security.py": [
        "tests/test_security.py",
        "tests/test_security_hand.py",
        "tests/test_mutants.py",
    ],
    "source/markdown.py": [
        "tests/test_identity.py",
        "tests/test_mutants.py",
        "tests/test_markdown.py",
        "tests/test_markdown_properties.py",
        "tests/test_spec.py",
    ],
}
_SWAP = {
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}


@dataclass(frozen=True)
class Mutant:
    index: int  # the index-th mutation point of the module, in ast.walk order
    line: int
    what: str


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def _points(tree: ast.AST) -> Iterator[tuple[ast.AST, str]]:
    """Every place a mutation applies, with a word on what it does."""
    skip = _docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and type(node.ops[0]) in _SWAP:
            yield node, f"{type(node.ops[0]).__name__} -> {_SWAP[type(node.ops[0])].__name__}"
        elif isinstance(node, ast.BoolOp):
            yield node, "and <-> or"
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            yield node, "not removed"
        elif isinstance(node, ast.Constant) and id(node) not in skip:
            if isinstance(node.value, bool):
                yield node, "True <-> False"
            elif isinstance(node.value, int):
                yield node, f"{node.value} -> {node.value + 1}"
            elif isinstance(node.value, str) and node.value:
                yield node, f"{node.value[:20]!r} -> ''"
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub):
            yield node, "+ <-> -"
        elif isinstance(node, ast.If):
            yield node, "if condition negated"
        elif (
            isinstance(node, ast.Return)
            and node.value is not None
            and not (isinstance(node.value, ast.Constant) and node.value.value is None)
        ):
            yield node, "return None"


def _mutate(node: ast.AST) -> None:
    if isinstance(node, ast.Compare):
        node.ops[0] = _SWAP[type(node.ops[0])]()
    elif isinstance(node, ast.BoolOp):
        node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
    elif isinstance(node, ast.UnaryOp):
        node.op = ast.UAdd()  # (+x is x for a bool: not removed)
        node.operand = ast.Call(ast.Name("bool", ast.Load()), [node.operand], [])
    elif isinstance(node, ast.Constant):
        value = node.value
        node.value = (
            not value if isinstance(value, bool) else value + 1 if isinstance(value, int) else ""
        )
    elif isinstance(node, ast.BinOp):
        node.op = ast.Sub() if isinstance(node.op, ast.Add) else ast.Add()
    elif isinstance(node, ast.If):
        node.test = ast.UnaryOp(ast.Not(), node.test)
    elif isinstance(node, ast.Return):
        node.value = ast.Constant(None)


def mutants(source: str) -> list[Mutant]:
    tree = ast.parse(source)
    return [
        Mutant(i, getattr(node, "lineno", 0), what) for i, (node, what) in enumerate(_points(tree))
    ]


def mutated(source: str, mutant: Mutant) -> str:
    tree = ast.parse(source)
    node = next(node for i, (node, _) in enumerate(_points(tree)) if i == mutant.index)
    _mutate(node)
    return ast.unparse(ast.fix_missing_locations(tree))


def run_tests(copy: Path, tests: list[str], timeout: float) -> bool:
    """Whether the tests pass against the copy."""
    env = {**os.environ, "PYTHONPATH": str(copy / "src"), "PYTHONDONTWRITEBYTECODE": "1"}
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-x",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:randomly",
        *tests,
    ]
    try:
        done = subprocess.run(command, cwd=copy, env=env, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return False
    return done.returncode == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--module", action="append", help="below src/postlingo (default: all)")
    parser.add_argument("--sample", type=int, default=30, help="mutants per module")
    parser.add_argument("--all", action="store_true", help="every mutant, no sample")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--commit", default="HEAD", help="the commit to mutate")
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds per test run")
    args = parser.parse_args()
    modules = args.module or list(MODULES)
    with tempfile.TemporaryDirectory(prefix="postlingo-mutants-") as folder:
        copy = Path(folder)
        # The committed tree, not the checkout: work in progress there is no baseline.
        archive = subprocess.run(
            ["git", "-C", str(REPO), "archive", args.commit], capture_output=True, check=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(copy)], input=archive, check=True)
        for module in modules:
            report(copy, module, MODULES[module], args)
    return 0


def report(copy: Path, module: str, tests: list[str], args: argparse.Namespace) -> None:
    path = copy / "src" / "postlingo" / module
    original = path.read_text(encoding="utf-8")
    tests = [test for test in tests if (copy / test.split("::")[0]).exists()]
    started = time.monotonic()
    if not run_tests(copy, tests, args.timeout):
        print(f"{module}: the tests fail without a mutant; skipped", flush=True)
        return
    every = mutants(original)
    chosen = (
        every
        if args.all
        else sorted(
            random.Random(args.seed).sample(every, min(args.sample, len(every))),
            key=lambda m: m.index,
        )
    )
    survived = []
    try:
        for mutant in chosen:
            try:
                path.write_text(mutated(original, mutant), encoding="utf-8")
            except (SyntaxError, ValueError):
                continue
            if run_tests(copy, tests, args.timeout):
                survived.append(mutant)
                print(f"  survived {module}:{mutant.line}: {mutant.what}", flush=True)
    finally:
        path.write_text(original, encoding="utf-8")
    rate = len(survived) / len(chosen) if chosen else 0.0
    print(
        f"{module}: {len(chosen)} of {len(every)} mutants run, {len(survived)} survived "
        f"({rate:.0%}), {time.monotonic() - started:.0f} s",
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
