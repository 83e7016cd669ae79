"""``python -m pinfit.cli``: the ``pinfit`` console script."""

from pinfit.cli import main

raise SystemExit(main())
