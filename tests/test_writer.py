"""Writing: staging then swap, unchanged files untouched, failed builds leave output alone, determinism."""

from __future__ import annotations

from pathlib import Path

import pytest

from fedpress.errors import BuildFailed
from fedpress.writer import Staging, UnsafeOutput

from conftest import REPO, build, copy_site


def snapshot(folder: Path) -> dict[str, tuple[bytes, int, int]]:
    """Every file's bytes, modification time (ns) and inode."""
    return {p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns, p.stat().st_ino)
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return copy_site(REPO, tmp_path / "site")


def test_second_build_rewrites_no_file(site: Path, tmp_path: Path) -> None:
    output = tmp_path / "out"
    first = build(site, output)
    before = snapshot(output)
    # the first build reports what it wrote without looking through it: exactly the files there are
    assert first.report.written == first.files == len(before) and list(first.report.changed) == sorted(before)
    result = build(site, output)
    assert result.report.written == 0 and result.report.unchanged == len(before)
    assert snapshot(output) == before  # same bytes, same mtimes, same files (not rewritten copies)


def test_two_builds_of_the_same_input_are_byte_identical(site: Path, tmp_path: Path) -> None:
    build(site, tmp_path / "a")
    build(site, tmp_path / "b")
    first = {k: v[0] for k, v in snapshot(tmp_path / "a").items()}
    second = {k: v[0] for k, v in snapshot(tmp_path / "b").items()}
    assert first == second


def test_a_failed_build_leaves_the_previous_output_exactly_as_it_was(site: Path, tmp_path: Path) -> None:
    output = tmp_path / "out"
    build(site, output)
    before = snapshot(output)
    article = site / "content/gongzuo-dongtai/2023-02-17-gongzuo-huiyi.md"
    article.write_text(article.read_text(encoding="utf-8").replace("date:", "date: 2023-02-30\nold_date:", 1), encoding="utf-8")
    with pytest.raises(BuildFailed):
        build(site, output)
    assert snapshot(output) == before
    assert not list(tmp_path.glob(".out.*")), "no staging folder is left behind"


def test_an_edit_rewrites_only_what_changed_and_a_deletion_removes_the_page(site: Path, tmp_path: Path) -> None:
    output = tmp_path / "out"
    build(site, output)
    before = snapshot(output)
    about = site / "content/pages/contact.md"
    about.write_text(about.read_text(encoding="utf-8") + "\n新增一段联系方式说明。\n", encoding="utf-8")
    (site / "content/jiceng-dongtai/2024-04-22-taishanlu-funv-zhijia.md").unlink()
    result = build(site, output)
    after = snapshot(output)
    changed = {k for k in after if k in before and after[k][0] != before[k][0]}
    assert "contact/index.html" in changed
    assert not (output / "jiceng-dongtai/2024/taishanlu-funv-zhijia").exists()
    removed = [k for k in before if k not in after]
    assert result.report.removed == len(removed)
    pages = [k for k in removed if not k.startswith(("pagefind/", "zh-hant/pagefind/"))]  # the search index changes too
    assert len(pages) == 4  # the page and its print view, in both scripts
    untouched = [k for k in after if k in before and k not in changed]
    assert all(after[k][1:] == before[k][1:] for k in untouched)


def test_refuses_to_replace_a_site_folder(tmp_path: Path) -> None:
    victim = tmp_path / "site"
    (victim / "content").mkdir(parents=True)
    (victim / "config.yaml").write_text("site: {}\n", encoding="utf-8")
    with pytest.raises(UnsafeOutput):
        Staging.open(victim)
    assert (victim / "config.yaml").exists()


def test_refuses_an_output_path_that_is_a_file(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.write_bytes(b"not a folder")
    with pytest.raises(UnsafeOutput):
        Staging.open(target)
    assert target.read_bytes() == b"not a folder"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
