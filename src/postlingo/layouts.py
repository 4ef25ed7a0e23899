"""Where a site generator wants each variant, and the metadata that links it to its source."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from .config import Config


@dataclass(frozen=True)
class Layout:
    """jekyll-polyglot: ``_posts/<lang>/<file>`` with ``lang: <lang>``; polyglot links the
    variants by their equal URLs."""

    name: str = "jekyll-polyglot"

    def variant_path(self, posts_dir: PurePosixPath, relative: PurePosixPath, lang: str
                     ) -> PurePosixPath:
        """The variant of the post at ``posts_dir / relative`` in ``lang``."""
        return posts_dir / lang / relative

    def is_variant(self, relative: PurePosixPath, languages: list[str]) -> bool:
        """Whether a file found below a posts folder is a generated variant."""
        return len(relative.parts) > 1 and relative.parts[0] in languages

    def metadata(self, lang: str) -> dict[str, str]:
        return {"lang": lang}


def layout_for(config: Config) -> Layout:
    return Layout(config.layout)
