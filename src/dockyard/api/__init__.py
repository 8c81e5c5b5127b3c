"""The HTTP surface: routes, error envelope, request and response helpers."""
