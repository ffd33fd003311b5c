"""Page bodies: markdown-it-py with math, highlighting, shortcodes and figure blocks."""
