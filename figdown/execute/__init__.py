"""Executable blocks: keys, the figure store, the worker processes that run them."""
