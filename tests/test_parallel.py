"""Forked workers: results in order, workers replaced as they go, a task run in another process."""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from fedpress import parallel, pipeline
from fedpress.library import load_pinyin
from fedpress.parallel import OtherProcess, parallel_map

from conftest import REPO, build, copy_site, tree


def test_workers_are_replaced_by_fresh_ones_as_they_go_and_results_keep_their_order() -> None:
    items = list(range(64 * 100))  # 100 chunks
    results = parallel_map(lambda item: (item * 2, os.getpid()), items, workers=2)
    assert [doubled for doubled, _ in results] == [item * 2 for item in items]
    workers = {pid for _, pid in results}
    assert os.getpid() not in workers
    assert len(workers) >= 100 // parallel._CHUNKS_PER_WORKER  # each did at most its share of chunks, then made way


def test_a_site_builds_the_same_when_each_worker_renders_one_chunk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers replaced after every chunk (a few hundred pages: several chunks) make the same site as one process."""
    site = copy_site(REPO, tmp_path / "site")
    build(site, tmp_path / "one", workers=1)
    monkeypatch.setattr(parallel, "_CHUNKS_PER_WORKER", 1)
    build(site, tmp_path / "many", workers=2)
    assert tree(tmp_path / "one") == tree(tmp_path / "many")


def _loads_colorsys(colour: tuple[float, float, float]) -> tuple[int, tuple[float, float, float]]:
    return os.getpid(), __import__("colorsys").rgb_to_hsv(*colour)


def test_a_task_run_in_another_process_gives_its_result_and_leaves_what_it_loaded_there() -> None:
    assert "colorsys" not in sys.modules
    with OtherProcess() as elsewhere:
        assert multiprocessing.active_children() == []  # nothing to prepare: no process until a task needs one
        pid, converted = elsewhere.run(_loads_colorsys, (1.0, 0.0, 0.0))
        assert elsewhere.run(_loads_colorsys, (0.0, 1.0, 0.0))[0] == pid  # one process for every task
    assert pid != os.getpid() and converted == (0.0, 1.0, 1.0)
    assert "colorsys" not in sys.modules
    assert multiprocessing.active_children() == []  # it ended with the block


_PREPARED: list[str] = []


def _prepared(_: None) -> list[str]:
    return _PREPARED


def test_another_process_prepares_at_once_while_this_one_goes_on(tmp_path: Path) -> None:
    started = tmp_path / "started"

    def prepare() -> None:
        started.touch()
        _PREPARED.append("loaded")

    with OtherProcess(prepare) as elsewhere:
        deadline = time.monotonic() + 30
        while not started.exists():  # before any task is given
            assert time.monotonic() < deadline
            time.sleep(0.01)
        assert elsewhere.run(_prepared, None) == ["loaded"]
    assert _PREPARED == []  # what it prepared is there, not here


def test_a_failure_to_prepare_is_left_to_the_task_that_needs_it() -> None:
    def prepare() -> None:
        raise ImportError("no such library")

    results: list[object] = []
    with OtherProcess(prepare) as elsewhere:
        # Run from a thread that may be left behind: were the failure not caught, the task would wait forever.
        waiting = threading.Thread(target=lambda: results.append(elsewhere.run(_loads_colorsys, (1.0, 0.0, 0.0))), daemon=True)
        waiting.start()
        waiting.join(60)
        assert len(multiprocessing.active_children()) == 1  # not a new worker after each failed start
    assert [converted for _, converted in results] == [(0.0, 1.0, 1.0)]


def test_a_first_build_loads_pinyin_while_it_reads_and_a_rebuild_does_not(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A first build spells every tag, file name and heading: pypinyin's dictionaries load in the
    other process while the sources are read. A rebuild spells little or nothing, and starts no
    process for it unless it must."""
    prepared: list[object] = []

    class Recording(OtherProcess):
        def __init__(self, prepare: Callable[[], object] | None = None) -> None:
            prepared.append(prepare)
            super().__init__(prepare)

    monkeypatch.setattr(pipeline, "OtherProcess", Recording)
    site = copy_site(REPO, tmp_path / "site")
    build(site, tmp_path / "out")
    article = site / "content/gongzuo-dongtai/2023-02-17-gongzuo-huiyi.md"
    article.write_text(article.read_text(encoding="utf-8") + "\n补充一段。\n", encoding="utf-8")
    build(site, tmp_path / "out")
    assert prepared == [load_pinyin, None]
