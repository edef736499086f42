"""``python -m une_eval``: the same as the ``une-eval`` command."""

from une_eval.cli import main

main()
