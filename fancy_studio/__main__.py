"""`python -m fancy_studio` is the `fancy-studio` command."""

from fancy_studio.cli import main

raise SystemExit(main())
