"""htpasswd files as ``htpasswd -B`` writes them, for tests that need users."""

from __future__ import annotations

from pathlib import Path

import bcrypt


def write_htpasswd(path: Path, users: dict[str, str], cost: int = 4, prefix: str = "$2y$") -> Path:
    """Bcrypt entries (``$2y$`` like Apache's tool) at a cheap cost, one user per line."""
    lines = []
    for user, password in users.items():
        hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt(cost)).decode()
        lines.append(f"{user}:{prefix}{hashed[4:]}")
    path.write_text("\n".join(lines) + "\n")
    return path
