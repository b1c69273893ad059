"""The benchmark runs end to end on a small corpus and reports what the README says it does."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

from conftest import REPO

BENCH = REPO / "bench"


def _table(output: str) -> dict[tuple[str, str, str], str]:
    """The final table's rows: (N, configuration, scenario) -> figures."""
    rows = {}
    for line in output.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0] not in ("N", "---:"):
            rows[(cells[0], cells[1], cells[2])] = cells[3]
    return rows


def test_cold_builds_the_mirror_pairs_and_the_markdown_floor(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, str(BENCH / "run.py"), "--n", "24", "--runs", "2", "--configs", "simplified,plain,full",
                             "--cold-only", "--peers", "--settle", "0", "--work", str(tmp_path)],
                            capture_output=True, text=True, timeout=600, check=True)
    rows = _table(result.stdout)
    for config in ("simplified", "plain", "full"):
        assert re.fullmatch(r"\d+\.\d\d s \(\d+\.\d\d–\d+\.\d\d\)\s+\d+ MB \(\d+ MB\), CPU \d+\.\d\d s", rows[("24", f"fedpress {config}", "cold")])
        # Each configuration's output is a whole site: the full one has its Traditional twin.
        assert (tmp_path / f"fedpress-24-{config}/output/index.html").is_file()
    assert (tmp_path / "fedpress-24-full/output/zh-hant/index.html").is_file()
    assert not (tmp_path / "fedpress-24-simplified/output/zh-hant").exists()
    assert not (tmp_path / "fedpress-24-plain/output/zh-hant").exists()
    assert (tmp_path / "fedpress-24-plain/output/pagefind").is_dir()  # search stays on
    assert not list((tmp_path / "fedpress-24-plain/output").glob("*/*/*/print"))
    assert list((tmp_path / "fedpress-24-simplified/output").glob("*/*/*/print"))
    for baseline, extra in (("simplified", "mirror"), ("plain", "mirror and print views")):
        assert re.fullmatch(r"wall [+-]\d+% \([+-]\d+% to [+-]\d+%\), CPU [+-]\d+% \([+-]\d+% to [+-]\d+%\); 2 pairs",
                            rows[("24", extra, f"cold: full over {baseline}")])
    assert re.match(r"\d+\.\d\d s ", rows[("24", "Markdown alone", "bodies, every core")])
    assert re.match(r"\s*\d+\.\d\d× \(CPU \d+\.\d\d×\)", rows[("24", "fedpress full", "cold ÷ Markdown alone")])
    assert not (tmp_path / "trash").exists()  # what cold builds set aside is deleted at the end


def test_markdown_alone_converts_every_body(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(BENCH / "corpus.py"), "--n", "12", "--out", str(tmp_path)], timeout=120, check=True)
    result = subprocess.run([sys.executable, str(BENCH / "markdown_alone.py"), str(tmp_path), "--workers", "2"],
                            capture_output=True, text=True, timeout=120, check=True)
    count, size = map(int, re.fullmatch(r"(\d+) bodies, (\d+) characters of HTML\n", result.stdout).groups())
    assert count == 12
    assert size > 12 * 1000  # bodies are 1.5-4 KB of text each


def test_peak_memory_counts_every_process_of_a_build() -> None:
    """A parent and a forked child each filling 80 MB of their own: the build needs 160 MB, though
    neither process alone ever holds more than about 90 (what the largest process's peak RSS says)."""
    spec = importlib.util.spec_from_file_location("bench_run", BENCH / "run.py")
    bench = sys.modules["bench_run"] = importlib.util.module_from_spec(spec)  # (dataclasses look their module up there)
    spec.loader.exec_module(bench)
    script = ("import os, time\n"
              "pid = os.fork()\n"
              "block = bytearray(80 * 2**20)\n"
              "block[::4096] = b'x' * len(block[::4096])  # touch every page: resident and private\n"
              "time.sleep(1.5)\n"
              "if pid: os.waitpid(pid, 0)\n"
              "else: os._exit(0)\n")
    process = subprocess.Popen([sys.executable, "-c", script])
    memory = bench.TreeMemory(process.pid)
    memory.start()
    assert process.wait(timeout=60) == 0
    assert memory.stop(0) > 150
