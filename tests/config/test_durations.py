"""Go ``time.Duration`` values as Distribution's YAML carries them."""

from __future__ import annotations

import pytest

from dockyard.config.durations import format_duration, parse_duration


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("168h", 168 * 3600),
        ("1h30m", 5400),
        ("2h45m0.5s", 9900.5),
        ("500ms", 0.5),
        ("1.5h", 5400),
        (".5s", 0.5),
        ("1.s", 1),
        ("250us", 0.00025),
        ("250µs", 0.00025),
        ("10ns", 1e-8),
        ("-1s", -1),
        ("+2s", 2),
        ("0", 0),
        ("  3m  ", 180),
        (100, 1e-7),  # a YAML number is nanoseconds, as in Go
        (0, 0),
    ],
)
def test_parse(value: object, seconds: float) -> None:
    assert parse_duration(value) == pytest.approx(seconds)


@pytest.mark.parametrize(
    "value", ["", "-", "+-5s", "10", "5x", "1h-30m", "h", "1 h", "1hh", True, None, [1]]
)
def test_refused(value: object) -> None:
    with pytest.raises(ValueError):
        parse_duration(value)


def test_format_round_trips() -> None:
    for seconds in (1.0, 60.0, 0.5, 0.001):
        assert parse_duration(format_duration(seconds)) == pytest.approx(seconds)
