"""skopeo as a test client: copy, inspect, list-tags and delete against loopback registries.

Every call has a deadline and raises ``support.programs.ClientError`` with skopeo's own output
when it fails, so a failing test shows what the client saw. ``--insecure-policy`` keeps the
machine's ``policy.json`` out of the picture; TLS verification is off because the test servers
speak plain HTTP on 127.0.0.1.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from support.programs import run, run_both


def skopeo(*args: str, timeout: float = 120.0) -> str:
    return run("skopeo", "--insecure-policy", *args, timeout=timeout)


def docker_ref(host: str, repo: str, reference: str = "") -> str:
    """``docker://host/repo:tag`` or ``docker://host/repo@sha256:...``."""
    if not reference:
        return f"docker://{host}/{repo}"
    sep = "@" if ":" in reference else ":"
    return f"docker://{host}/{repo}{sep}{reference}"


def _copy_args(src: str, dest: str, extra: tuple[str, ...], all_images: bool) -> list[str]:
    args = ["copy", "--src-tls-verify=false", "--dest-tls-verify=false", *extra]
    if all_images:
        args.append("--all")
    if "--format" not in extra:
        args.append("--preserve-digests")
    return [*args, src, dest]


def copy(src: str, dest: str, *extra: str, all_images: bool = False) -> str:
    """``skopeo copy`` keeping digests; ``all_images`` copies every image of an index."""
    return skopeo(*_copy_args(src, dest, extra, all_images))


def copy_debug(src: str, dest: str, *extra: str, all_images: bool = False) -> str:
    """:func:`copy` with ``--debug``; returns skopeo's debug log (what it tried, and how)."""
    args = _copy_args(src, dest, extra, all_images)
    return run_both("skopeo", "--insecure-policy", "--debug", *args, timeout=120.0)[1]


def inspect(ref: str, *extra: str) -> dict[str, Any]:
    return json.loads(skopeo("inspect", "--tls-verify=false", *extra, ref))


def inspect_raw(ref: str) -> bytes:
    """The manifest bytes exactly as the registry serves them."""
    return skopeo("inspect", "--raw", "--tls-verify=false", ref).encode()


def list_tags(ref: str) -> list[str]:
    return json.loads(skopeo("list-tags", "--tls-verify=false", ref))["Tags"]


def delete(ref: str) -> None:
    skopeo("delete", "--tls-verify=false", ref)


def layout_digest(layout: Path, tag: str = "latest") -> str:
    """The digest an OCI image layout's ``index.json`` names for ``tag``."""
    index = json.loads((layout / "index.json").read_text())
    for entry in index["manifests"]:
        if entry.get("annotations", {}).get("org.opencontainers.image.ref.name") == tag:
            return entry["digest"]
    raise KeyError(f"{tag} not in {layout}/index.json")


def blob_files(layout: Path) -> dict[str, bytes]:
    """Every blob of an OCI layout (``blobs/<alg>/<hex>``) or a ``dir:`` copy, by file name."""
    root = layout / "blobs" if (layout / "blobs").is_dir() else layout
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.name not in ("version", "index.json", "oci-layout")
    }
