"""Shared test helpers: real servers, client operations, and image builders."""
