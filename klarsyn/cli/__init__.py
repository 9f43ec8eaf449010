"""The ``klarsyn`` command line."""
