"""Reading a site: its config, its content files and front matter, URLs, taxonomies."""
