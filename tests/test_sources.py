"""Finding a site's posts: every file the globs match but variants, in path order."""

from __future__ import annotations

import tempfile
from pathlib import Path, PurePosixPath

from hypothesis import given, settings
from hypothesis import strategies as st

from postlingo.config import load_config
from postlingo.sources import _glob, find_sources

# Names whose text order and path order differ: "-" and "." sort before "/", "_" after.
_NAME = st.text(alphabet="ab-._0", min_size=1, max_size=4).filter(
    lambda name: name not in (".", ".."))
_POST = st.lists(_NAME, min_size=1, max_size=3).map(lambda parts: "/".join(parts) + ".md")


@settings(max_examples=60, deadline=None)
@given(st.lists(_POST, min_size=1, max_size=8, unique=True))
def test_posts_come_in_path_order(posts: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "postlingo.toml").write_text('posts = ["posts/**/*.md"]\nlanguages = ["en"]\n',
                                             encoding="utf-8")
        made = []
        for post in posts:
            path = root / "posts" / post
            if any(parent.is_file() for parent in path.parents) or path.exists():
                continue  # a name already taken by a file is no folder
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("Ein Text.\n", encoding="utf-8")
            made.append(PurePosixPath("posts") / post)
        found = find_sources(load_config(root))
        assert [source.relative for source in found] == sorted(made)
        assert [source.name for source in found] == [
            post.relative_to("posts").with_suffix("").as_posix() for post in sorted(made)]


# Trees of folders, hidden names, links to files and folders (and broken ones), and globs
# with every kind of part: the posts found must be those pathlib's glob finds.
_PART = st.sampled_from(["a", "b", ".h", "x.md", "y.md", ".z.md", "a.md"])
_ENTRY = st.tuples(st.lists(_PART, min_size=1, max_size=3).map("/".join),
                   st.sampled_from(["file", "folder", "link-file", "link-folder", "broken"]))
_PATTERN = st.sampled_from([
    "**/*.md", "a/**/*.md", "*/*.md", "**/a/*.md", "a/*.md", "a/x.md", "*.md", ".h/*.md",
    "**/.h/**/*.md", "a/**/**/*.md", "**/[xy].md", "?/*.md", "a/../a/*.md", "./a//*.md",
    "**/*", "a/*", "**",
])


@settings(max_examples=150, deadline=None)
@given(st.lists(_ENTRY, max_size=10), _PATTERN)
def test_glob_finds_what_pathlib_finds(entries: list[tuple[str, str]], pattern: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for name, kind in entries:
            path = root / name
            if any(parent.is_file() or parent.is_symlink() for parent in path.parents) \
                    or path.exists() or path.is_symlink():
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            if kind == "file":
                path.write_text("Ein Text.\n", encoding="utf-8")
            elif kind == "folder":
                path.mkdir()
            else:
                target = {"link-file": "x.md", "link-folder": ".", "broken": "gone"}[kind]
                path.symlink_to(target)

        def files(keys: list[str]) -> set[str]:  # (a final ** finds folders: never posts)
            return {key for key in keys if not (root / key).is_dir()}

        expected = [path.relative_to(root).as_posix() for path in root.glob(pattern)]
        found = [key for key, _ in _glob(str(root), pattern)]
        assert files(found) == files(expected)
