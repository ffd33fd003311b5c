"""figdown: a static blog generator for Hugo-style posts whose Python blocks draw their figures."""

__version__ = "0.1.0"
