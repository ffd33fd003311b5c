"""Build the site: `python build.py --help` lists every command and flag."""

try:
    from figdown.cli import run
except ModuleNotFoundError as err:  # a Python without figdown's libraries: say which
    from figdown.missing import missing_library

    message = missing_library(err)
    if message is None:
        raise
    raise SystemExit(message) from None

if __name__ == "__main__":
    run()
