"""The assembled, read-only site the templates see."""
