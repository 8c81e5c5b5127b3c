"""The benchmark's server specs: ``--servers distribution,granian:2,granian:1:131072``."""

from __future__ import annotations

from pathlib import Path

import pytest
from bench.servers import Variant, config_for


def test_specs_parse_into_variants() -> None:
    assert Variant.parse("distribution").label == "Distribution"
    assert Variant.parse("granian") == Variant("granian", 1, 0)
    assert Variant.parse("granian:2").label == "Dockyard w2"
    small = Variant.parse("granian:1:131072")
    assert (small.workers, small.readbuffer, small.label) == (1, 131072, "Dockyard w1 rb128k")
    assert Variant.parse("uvicorn:1").label == "Dockyard uvicorn w1"


@pytest.mark.parametrize("spec", ["nginx", "uvicorn:1:65536"])
def test_bad_specs_are_refused(spec: str) -> None:
    with pytest.raises(ValueError):
        Variant.parse(spec)


def test_read_buffer_goes_into_the_dockyard_section(tmp_path: Path) -> None:
    assert config_for(tmp_path, 5000, 1)["dockyard"] == {"workers": 1}
    assert config_for(tmp_path, 5000, 2, 65536)["dockyard"] == {
        "workers": 2,
        "http": {"readbuffer": 65536},
    }
