"""The data behind each page and API route, kept apart from how it is shown."""
