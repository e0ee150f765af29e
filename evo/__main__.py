"""`python -m evo` is the `evo` command."""

from evo.cli import main

raise SystemExit(main())
