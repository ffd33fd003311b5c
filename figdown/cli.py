"""The command line: `figdown [build] | serve | new | list | figures | publish`, with Hugo's
flags. Each command is a module of figdown.commands."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from figdown.commands.args import EXIT_INTERNAL, EXIT_USAGE

COMMANDS = ("build", "serve", "new", "list", "publish", "figures")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `python build.py` and of the `figdown` command."""
    argv = list(sys.argv[1:] if argv is None else argv)
    command = argv[0] if argv and argv[0] in COMMANDS else "build"
    if argv and argv[0] in COMMANDS:
        argv = argv[1:]
    try:
        from figdown import commands
        return commands.run(command, argv)
    except KeyboardInterrupt:
        print("figdown: interrupted (Ctrl-C); no block or worker is left running",
              file=sys.stderr)
        return 130
    except ModuleNotFoundError as err:  # a library imported on first use (watchfiles)
        from figdown.missing import missing_library

        message = missing_library(err)
        if message is None:
            return _internal_error(err, argv)
        print(message, file=sys.stderr)
        return EXIT_USAGE
    except Exception as err:  # a bug in figdown, not in the user's site
        return _internal_error(err, argv)
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else EXIT_USAGE


def _internal_error(err: Exception, argv: Sequence[str]) -> int:
    if "-v" in argv or "--verbose" in argv:
        raise err
    print(f"figdown: internal error: {type(err).__name__}: {err} — this is a bug in "
          "figdown; run again with -v for the traceback and report it", file=sys.stderr)
    return EXIT_INTERNAL


def run() -> NoReturn:
    """`main`, then the end of the process: the command's work is done, and freeing every
    object of a large site one by one before exiting takes a fifth of a second."""
    os.environ.setdefault("PYTHONHASHSEED", "0")  # for the processes it starts
    code = main()
    if sys.getprofile() is not None or sys.gettrace() is not None:
        sys.exit(code)  # a profiler or coverage writes its report at the normal exit
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    run()
