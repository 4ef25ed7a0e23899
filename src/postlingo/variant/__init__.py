"""Building a localized post: where it goes (layouts), what it may contain (security)."""
