"""Dockyard-only settings, under a top-level ``dockyard:`` key of ``config.yml``.

Distribution decodes its YAML non-strictly and ignores top-level keys it does not know, so a file
with a ``dockyard:`` section still starts Distribution unchanged: one file serves both. Everything
Dockyard adds beyond Distribution's own keys lives here, never inside Distribution's sections.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from dockyard.config.access import AccessExtensions


class Extensions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    workers: int = Field(1, ge=1, le=64)
    """Worker processes serving the API (``inmemory`` storage always uses one)."""
    auth: AccessExtensions = AccessExtensions()
    """The built-in token issuer, the access policy and login rate limiting (config/access.py)."""
