"""Storage drivers: a small filesystem-like contract and its implementations."""
