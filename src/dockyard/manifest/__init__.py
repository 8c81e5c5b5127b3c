"""Manifest formats: parsing and validating what clients push."""
