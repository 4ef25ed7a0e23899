"""Build real sites with the system's static site generators, for use in tests.

This is a helper module, not a test module: tests import it (``from sitebuild import
jekyll_build``; pytest puts ``tests/`` on ``sys.path`` for rootdir-style test files).

The generators are Debian's packages (``jekyll`` 4.3 with ``ruby-jekyll-polyglot`` 1.5.1,
``hugo``), installed by ``.ci/run``. A missing binary is an error, never a skip: a test
that cannot build the site must not pass silently.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

__all__ = ["SiteBuildError", "hugo_build", "jekyll_build"]

DEFAULT_TIMEOUT = 120.0

# Environment variables that would make /usr/bin/jekyll load gems through Bundler or a
# Gemfile instead of Debian's rubygems-integration gems.
_RUBY_ENV_DROP = (
    "BUNDLE_GEMFILE",
    "BUNDLE_PATH",
    "BUNDLE_BIN_PATH",
    "RUBYOPT",
    "RUBYLIB",
    "RUBYGEMS_GEMDEPS",
)

# Jekyll logs errors it recovers from (bad front matter without --strict_front_matter,
# Liquid errors in a language that jekyll-polyglot builds in a forked child when
# `parallel_localization` is on) and still exits 0. Treat such lines as failures.
_JEKYLL_ERROR_RE = re.compile(r"\bError:|Exception\b|\(\w+Error\)")

_ANSI_RE = re.compile(r"\x1b\[[0-9;]*m")


class SiteBuildError(RuntimeError):
    """A site generator is missing, timed out, or reported an error."""


def _find_binary(name: str, env_var: str) -> str:
    override = os.environ.get(env_var)
    path = override or shutil.which(name)
    if not path or not os.access(path, os.X_OK):
        where = f"${env_var}={override!r}" if override else "PATH"
        raise SiteBuildError(
            f"{name!r} not found via {where}; install it (apt-get install {name}, see .ci/run)"
        )
    return path


@contextlib.contextmanager
def _dest_dir(dest: Path | None, prefix: str) -> Iterator[Path]:
    """Yield the output directory; a temporary one made here is removed on failure."""
    if dest is not None:
        dest = Path(dest).resolve()
        dest.mkdir(parents=True, exist_ok=True)
        yield dest
        return
    made = Path(tempfile.mkdtemp(prefix=prefix)).resolve()
    try:
        yield made
    except BaseException:
        shutil.rmtree(made, ignore_errors=True)
        raise


def _run(
    args: Sequence[str], *, cwd: Path, env: dict[str, str], timeout: float, what: str
) -> subprocess.CompletedProcess[str]:
    try:
        proc = subprocess.run(
            list(args),
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise SiteBuildError(
            f"{what} timed out after {timeout}s: {args!r}\n"
            f"--- stdout ---\n{_text(exc.stdout)}\n--- stderr ---\n{_text(exc.stderr)}"
        ) from exc
    if proc.returncode != 0:
        raise _failure(what, args, proc, f"exited with status {proc.returncode}")
    return proc


def _text(data: str | bytes | None) -> str:
    if data is None:
        return ""
    if isinstance(data, bytes):
        return data.decode("utf-8", errors="replace")
    return data


def _failure(
    what: str, args: Sequence[str], proc: subprocess.CompletedProcess[str], reason: str
) -> SiteBuildError:
    return SiteBuildError(
        f"{what} {reason}: {list(args)!r}\n"
        f"--- stderr ---\n{_ANSI_RE.sub('', proc.stderr)}\n"
        f"--- stdout ---\n{_ANSI_RE.sub('', proc.stdout)}"
    )


def jekyll_build(
    site_dir: Path,
    dest: Path | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    extra_args: Sequence[str] = (),
) -> Path:
    """Run ``jekyll build`` on ``site_dir`` and return the output (``_site``) directory.

    The output goes to ``dest``, or to a new temporary directory that the caller owns.
    Nothing is written into ``site_dir`` (the disk cache is disabled). Front matter
    errors fail the build (``--strict_front_matter``), and so does any error Jekyll
    only logs. Raises :class:`SiteBuildError` with Jekyll's output on failure.

    With jekyll-polyglot the default language is at the top of the returned directory
    and every other language under ``<dest>/<lang>/``.
    """
    jekyll = _find_binary("jekyll", "POSTLINGO_JEKYLL")
    site_dir = Path(site_dir).resolve()
    # Without a config Jekyll only warns and builds without plugins (no polyglot).
    if not any((site_dir / f"_config.{ext}").is_file() for ext in ("yml", "yaml", "toml")):
        raise SiteBuildError(f"not a Jekyll site (no _config.yml): {site_dir}")
    with _dest_dir(dest, "postlingo-jekyll-") as out:
        env = {k: v for k, v in os.environ.items() if k not in _RUBY_ENV_DROP}
        env.update(
            JEKYLL_ENV="production",
            JEKYLL_NO_BUNDLER_REQUIRE="true",  # never Bundler.setup, even if a Gemfile exists
            LC_ALL="C.UTF-8",
        )
        args = [
            jekyll, "build",
            "--source", str(site_dir),
            "--destination", str(out),
            "--disable-disk-cache",  # else it writes <site_dir>/.jekyll-cache
            "--strict_front_matter",  # else bad YAML front matter is only logged
            "--trace",
            *extra_args,
        ]  # fmt: skip
        # cwd matters: polyglot resolves `exclude_from_localization` against the cwd.
        proc = _run(args, cwd=site_dir, env=env, timeout=timeout, what="jekyll build")
        errors = [
            line
            for line in _ANSI_RE.sub("", proc.stderr).splitlines()
            if _JEKYLL_ERROR_RE.search(line)
        ]
        if errors:
            raise _failure(
                "jekyll build", args, proc, f"exited 0 but reported errors ({errors[0].strip()})"
            )
        return out


def hugo_build(
    site_dir: Path,
    dest: Path | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    extra_args: Sequence[str] = (),
) -> Path:
    """Run ``hugo`` on ``site_dir`` and return the output (``public``) directory.

    The output goes to ``dest``, or to a new temporary directory that the caller owns.
    Nothing is written into ``site_dir``: Hugo's cache and ``resources/`` directory go to
    a temporary directory that is removed afterwards, and no build lock file is made.
    Raises :class:`SiteBuildError` with Hugo's output on failure (Hugo itself fails when
    ``site_dir`` has no configuration).
    """
    hugo = _find_binary("hugo", "POSTLINGO_HUGO")
    site_dir = Path(site_dir).resolve()
    with _dest_dir(dest, "postlingo-hugo-") as out:
        with tempfile.TemporaryDirectory(prefix="postlingo-hugo-work-") as work:
            env = dict(os.environ)
            env.update(
                HUGO_ENVIRONMENT="production",
                HUGO_RESOURCEDIR=str(Path(work, "resources")),  # default: <site_dir>/resources
                LC_ALL="C.UTF-8",
            )
            args = [
                hugo,
                "--source", str(site_dir),
                "--destination", str(out),
                "--cacheDir", str(Path(work, "cache")),
                "--noBuildLock",
                "--cleanDestinationDir",
                *extra_args,
            ]  # fmt: skip
            proc = _run(args, cwd=site_dir, env=env, timeout=timeout, what="hugo")
        errors = [line for line in proc.stderr.splitlines() if line.startswith("ERROR")]
        if errors:
            raise _failure("hugo", args, proc, f"exited 0 but reported errors ({errors[0]})")
        return out
