"""``python -m api.cli``: the ``carbon`` command."""

from api.cli import main

main()
