"""What CI gates on: the rules, check, status and their reports."""
