"""Machine drafts: engines, translation memory, markup protection."""
