"""``python -m vmrules``: the same command line as the ``vmrules`` console script."""

from vmrules.cli import main

raise SystemExit(main())
