"""Distribution's ``config.yml`` format: models, loading and environment overrides."""
