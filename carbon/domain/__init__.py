"""The pure accounting core: dataclasses and functions, no web, database or file I/O."""
