"""Finding a site's posts: every file the globs match but variants, in path order."""

from __future__ import annotations

import tempfile
from pathlib import Path, PurePosixPath

from hypothesis import given, settings
from hypothesis import strategies as st

from postlingo.config import load_config
from postlingo.site.sources import find_sources

# Names whose text order and path order differ: "-" and "." sort before "/", "_" after.
_NAME = st.text(alphabet="ab-._0", min_size=1, max_size=4).filter(
    lambda name: name not in (".", "..")
)
_POST = st.lists(_NAME, min_size=1, max_size=3).map(lambda parts: "/".join(parts) + ".md")


@settings(max_examples=60, deadline=None)
@given(st.lists(_POST, min_size=1, max_size=8, unique=True))
def test_posts_come_in_path_order(posts: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "postlingo.toml").write_text(
            'posts = ["posts/**/*.md"]\nlanguages = ["en"]\n', encoding="utf-8"
        )
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
            post.relative_to("posts").with_suffix("").as_posix() for post in sorted(made)
        ]
