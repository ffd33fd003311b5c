"""Build the site: `python build.py --help` lists every command and flag."""

from figdown.cli import run

if __name__ == "__main__":
    run()
