"""Dockyard: a container image registry speaking the OCI Distribution API."""

__version__ = "0.1.0"
