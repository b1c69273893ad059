"""Forked workers: results in order, workers replaced as they go, a task run in another process."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from fedpress import parallel
from fedpress.parallel import in_other_process, parallel_map

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


def test_a_task_run_in_another_process_gives_its_result_and_leaves_what_it_loaded_there() -> None:
    assert "colorsys" not in sys.modules
    pid, converted = in_other_process(lambda: (os.getpid(), __import__("colorsys").rgb_to_hsv(1.0, 0.0, 0.0)))
    assert pid != os.getpid() and converted == (0.0, 1.0, 1.0)
    assert "colorsys" not in sys.modules
