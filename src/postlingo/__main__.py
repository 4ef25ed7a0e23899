"""``python -m postlingo``: the command line."""

from .cli import main

main()
