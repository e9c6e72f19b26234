"""tui.core.fsio: the one place files are written."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time

import pytest

from tui.core.fsio import FileLock, atomic_write, file_lock, sha256_file, write_new


def test_atomic_write_replaces_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "state.json"
    atomic_write(target, "old")
    atomic_write(target, "néw\r\n")
    assert target.read_bytes() == "néw\r\n".encode("utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]


def test_atomic_write_failure_keeps_old_content_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "f.txt"
    atomic_write(target, b"old")

    def boom(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        atomic_write(target, b"new")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.txt"]


def test_write_new_never_overwrites(tmp_path):
    target = tmp_path / "d.txt"
    write_new(target, b"first")
    with pytest.raises(FileExistsError):
        write_new(target, b"second")
    assert target.read_bytes() == b"first"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.txt"]


def test_sha256_file(tmp_path):
    data = os.urandom(3 << 20)
    (tmp_path / "x").write_bytes(data)
    assert sha256_file(tmp_path / "x") == hashlib.sha256(data).hexdigest()


def test_lock_waits_then_gives_up_while_another_process_holds_it(tmp_path):
    lock_path = tmp_path / "write.lock"
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from pathlib import Path; from tui.core.fsio import FileLock; "
        "l = FileLock(Path(sys.argv[1])); l.acquire(); print('held', flush=True); time.sleep(30)"),
        str(lock_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        t0 = time.monotonic()
        lock = FileLock(lock_path)
        assert lock.acquire(wait=0.3) is False
        assert time.monotonic() - t0 >= 0.25
        with pytest.raises(TimeoutError):
            with file_lock(lock_path, wait=0.1):
                pass
    finally:
        holder.kill()
        holder.wait()
    with file_lock(lock_path, wait=2):
        pass
