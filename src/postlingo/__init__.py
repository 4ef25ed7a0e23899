"""postlingo: publish Markdown blog posts in other languages through gettext catalogues.

The library's functions and result types are in ``postlingo.api`` and re-exported here
(``postlingo.sync(postlingo.load_config("site"))``); each loads what it runs when called.
"""

__version__ = "0.1.0"

from .api import (
    Config,
    Outcome,
    PostlingoError,
    build,
    check,
    draft,
    extract,
    import_translations,
    init,
    load_config,
    require_catalogues,
    status,
    sync,
    update,
)

__all__ = [
    "Config",
    "Outcome",
    "PostlingoError",
    "__version__",
    "build",
    "check",
    "draft",
    "extract",
    "import_translations",
    "init",
    "load_config",
    "require_catalogues",
    "status",
    "sync",
    "update",
]
