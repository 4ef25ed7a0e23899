"""Reading a post: its text, front matter and Markdown, cut into segments."""
