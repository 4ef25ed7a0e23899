"""postlingo: publish Markdown blog posts in other languages through gettext catalogues."""

__version__ = "0.1.0"
