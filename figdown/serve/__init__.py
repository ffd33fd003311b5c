"""The preview server: builds on save, serves, reloads the tabs."""
