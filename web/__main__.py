"""``python -m web ...`` is the ``makker`` command (``makker serve`` starts its worker this way)."""

from web.cli import main

main()
