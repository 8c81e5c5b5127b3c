"""The durable event queue on its own: recovery after a crash, segments, slots, the bound."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dockyard.notifications import queue as q
from dockyard.notifications.queue import DurableQueue, MemoryQueue


def _drain(queue: DurableQueue | MemoryQueue) -> list[bytes]:
    out = []
    while (record := queue.peek(0)) is not None:
        out.append(record)
        queue.ack()
    return out


def test_records_survive_reopening(tmp_path: Path) -> None:
    queue = DurableQueue(str(tmp_path), 100)
    for i in range(5):
        assert queue.put(b'{"n":%d}' % i)
    assert queue.peek(0) == b'{"n":0}'
    queue.ack()
    queue.close()
    reopened = DurableQueue(str(tmp_path), 100)
    assert reopened.pending == 4
    assert _drain(reopened) == [b'{"n":%d}' % i for i in range(1, 5)]
    reopened.close()
    assert DurableQueue(str(tmp_path), 100).pending == 0


def test_unacknowledged_record_is_delivered_again(tmp_path: Path) -> None:
    queue = DurableQueue(str(tmp_path), 100)
    queue.put(b"a")
    assert queue.peek(0) == b"a"  # sent, but the process dies before ack
    queue.close()
    assert _drain(DurableQueue(str(tmp_path), 100)) == [b"a"]


def test_torn_last_record_is_dropped(tmp_path: Path) -> None:
    queue = DurableQueue(str(tmp_path), 100)
    queue.put(b"whole")
    queue.close()
    segment = next((tmp_path / "slot-0").glob("*.seg"))
    with open(segment, "ab") as f:
        f.write(b'{"half')  # a write cut short
    reopened = DurableQueue(str(tmp_path), 100)
    assert _drain(reopened) == [b"whole"]
    reopened.put(b"next")
    assert _drain(reopened) == [b"next"]


def test_segments_rotate_and_are_removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(q, "SEGMENT_BYTES", 64)
    queue = DurableQueue(str(tmp_path), 1000)
    records = [b"x" * 30 + b"%03d" % i for i in range(20)]
    for record in records:
        queue.put(record)
    assert len(list((tmp_path / "slot-0").glob("*.seg"))) > 5
    assert _drain(queue) == records
    assert len(list((tmp_path / "slot-0").glob("*.seg"))) == 1
    queue.close()
    assert DurableQueue(str(tmp_path), 1000).pending == 0


def test_bound_refuses_new_records(tmp_path: Path) -> None:
    for queue in (DurableQueue(str(tmp_path), 2), MemoryQueue(2)):
        assert queue.put(b"1") and queue.put(b"2")
        assert not queue.put(b"3")
        assert queue.pending == 2
        queue.peek(0)
        queue.ack()
        assert queue.put(b"4")
        assert _drain(queue) == [b"2", b"4"]
        queue.close()


def test_live_slot_is_not_shared_and_orphans_are_adopted(tmp_path: Path) -> None:
    first = DurableQueue(str(tmp_path), 100)
    second = DurableQueue(str(tmp_path), 100)  # another worker: a slot of its own
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_dir()) == ["slot-0", "slot-1"]
    second.put(b"from the second worker")
    second.close()  # that worker is gone; the next worker to start adopts its events
    first.close()
    survivor = DurableQueue(str(tmp_path), 100)
    assert _drain(survivor) == [b"from the second worker"]
    survivor.close()
    assert DurableQueue(str(tmp_path), 100).pending == 0


def test_cursor_is_fixed_width(tmp_path: Path) -> None:
    queue = DurableQueue(str(tmp_path), 100)
    queue.put(b"r")
    queue.peek(0)
    queue.ack()
    queue.close()
    assert os.path.getsize(tmp_path / "slot-0" / "cursor") == 42
