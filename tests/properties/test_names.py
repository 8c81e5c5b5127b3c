"""Property: any repository name is either served or refused as NAME_INVALID, never a 500,
and nothing is ever written outside the repository tree."""

from __future__ import annotations

import re
import uuid
from urllib.parse import quote

from hypothesis import example, given
from hypothesis import strategies as st

from support.hypo import against_server
from support.rawhttp import raw_request
from support.server import DockyardServer

# The spec's grammar, written out here rather than imported from the code under test.
COMPONENT = r"[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*"
NAME = re.compile(rf"{COMPONENT}(/{COMPONENT})*")

name_chars = st.sampled_from(list("abz09._-/") + ["__", "..", "A", "%", "\x00", "\n", " ", "é"])
alnum = st.text("abcxyz0189", min_size=1, max_size=5)
separator = st.sampled_from([".", "_", "__", "-", "---"])
component = st.tuples(alnum, st.lists(st.tuples(separator, alnum), max_size=2)).map(
    lambda parts: parts[0] + "".join(sep + word for sep, word in parts[1])
)
names = st.one_of(
    st.lists(name_chars, min_size=1, max_size=12).map("".join),  # mostly invalid
    st.lists(component, min_size=1, max_size=4).map("/".join),  # always valid
    st.integers(238, 248).map(lambda n: "a" * n),  # 255 characters with the prefix: 242
)
PREFIX_LENGTH = 13  # "prop" + 8 hex + "/"


def is_valid(name: str) -> bool:
    return len(name) <= 255 and NAME.fullmatch(name) is not None


@given(name=names)
@example(name="a/../b")
@example(name="..")
@example(name="a" * (255 - PREFIX_LENGTH))
@example(name="a" * (256 - PREFIX_LENGTH))
@against_server(max_examples=120)
def test_any_name_is_served_or_name_invalid(registry: DockyardServer, name: str) -> None:
    prefix = f"prop{uuid.uuid4().hex[:8]}/"
    full = prefix + name
    assert len(prefix) == PREFIX_LENGTH
    encoded = quote(full, safe="/")
    for method, path in (
        ("GET", f"/v2/{encoded}/tags/list"),
        ("POST", f"/v2/{encoded}/blobs/uploads/"),
        ("PUT", f"/v2/{encoded}/manifests/latest"),
    ):
        response = raw_request(registry.host, method, path, body=b"{}")
        assert response.status < 500, (method, path, response.body)
        assert response.headers["docker-distribution-api-version"] == "registry/2.0"
        if response.body == b"404 page not found\n":
            assert not is_valid(full)  # only a name the grammar refuses can fail to route
            continue
        code = response.json()["errors"][0]["code"] if response.status >= 400 else None
        if is_valid(full):
            assert code != "NAME_INVALID", (method, full)
        else:
            assert response.status == 400 and code == "NAME_INVALID", (method, full, code)
