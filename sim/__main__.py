"""`python -m sim` does what the `mlsim` command does."""

from sim.cli import main

raise SystemExit(main())
