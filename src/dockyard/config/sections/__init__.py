"""One module per top-level section of Distribution's ``config.yml``."""
