"""`python -m bot` is the `hemeroteca` command."""

import sys

from bot.cli import main

sys.exit(main())
