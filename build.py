"""Build the site: `python build.py --help` lists every command and flag."""

import sys

from figdown.cli import main

if __name__ == "__main__":
    sys.exit(main())
