"""Collecting feedback, customers, events and campaigns from files into the store."""

from klarsyn.collect.importer import ImportReport, import_file

__all__ = ["ImportReport", "import_file"]
