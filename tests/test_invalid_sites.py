"""Invalid sites: every kind of bad input is reported as `file:line: field: message`, all in one run.

Each folder under tests/sites_invalid/ is a small complete site with one kind of mistake
(several_errors has many at once) and an expected.txt holding the exact lines an editor must
see, in the order they are printed. A failed build exits 1, shows no traceback and leaves the
previous output byte-for-byte as it was; `check` reports the same lines.

The files saved in another encoding on purpose were written with Python, e.g.
`Path("a.md").write_bytes(text.encode("gbk"))` (gbk_file, config_gbk, several_errors/content/notices/d.md)
and `text.encode("utf-16")` (utf16_file).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from fedpress.cli import main

INVALID = Path(__file__).resolve().parent / "sites_invalid"
CASES = sorted(path for path in INVALID.iterdir() if path.is_dir())
OLD_INDEX = "<!doctype html><title>上一次的网站</title>\n".encode()


def copy_case(case: Path, destination: Path) -> Path:
    return shutil.copytree(case, destination, ignore=shutil.ignore_patterns("expected.txt"))


def expected(case: Path) -> list[str]:
    return (case / "expected.txt").read_text(encoding="utf-8").splitlines()


def reported(stderr: str, summary: str) -> list[str]:
    """The problem lines, after checking the summary line that follows them."""
    lines, _, tail = stderr.partition("\n\n")
    problems = lines.splitlines()
    errors = sum(1 for line in problems if "警告：" not in line)
    assert tail.startswith(summary.format(errors)), stderr
    return problems


def snapshot(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def test_every_case_has_a_site_and_expected_lines() -> None:
    assert len(CASES) >= 30
    for case in CASES:
        assert (case / "expected.txt").is_file(), case.name
        assert (case / "content").is_dir(), case.name
        assert expected(case), case.name


@pytest.mark.parametrize("case", CASES, ids=lambda path: path.name)
def test_build_prints_every_error_and_leaves_the_previous_output_alone(case: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    site = copy_case(case, tmp_path / "site")
    output = tmp_path / "out"
    (output / "news").mkdir(parents=True)
    (output / "index.html").write_bytes(OLD_INDEX)
    (output / "news/index.html").write_bytes(OLD_INDEX + b"<p>news</p>\n")
    before = snapshot(output)

    code = main(["build", "--site", str(site), "--output", str(output)])

    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    assert code == 1
    assert captured.out == ""
    assert reported(captured.err, "共 {} 个错误，网站没有更新") == expected(case)
    assert snapshot(output) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "site"]  # no staging folder left behind


@pytest.mark.parametrize("case", CASES, ids=lambda path: path.name)
def test_check_prints_the_same_errors_without_writing(case: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    site = copy_case(case, tmp_path / "site")

    code = main(["check", "--site", str(site)])

    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    assert code == 1
    assert reported(captured.err, "检查发现 {} 个错误。") == expected(case)
    assert not (site / "output").exists()


@pytest.mark.parametrize("command", ["build", "check"])
def test_one_run_reports_different_mistakes_in_different_files(command: str, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    site = copy_case(INVALID / "several_errors", tmp_path / "site")
    extra = ["--output", str(tmp_path / "out")] if command == "build" else []

    assert main([command, "--site", str(site), *extra]) == 1

    lines = capsys.readouterr().err.partition("\n\n")[0].splitlines()
    files = {line.split(":", 1)[0] for line in lines}
    assert files == {f"content/news/{name}.md" for name in "abcf"} | {"content/notices/d.md", "content/notices/e.md"}
    assert {line.split(": ")[1] for line in lines if line.count(": ") >= 2} >= {"date", "category", "titel", "image", "link", "tags", "slug"}
    assert any("GBK" in line for line in lines) and any("缺少元数据块" in line for line in lines)
    assert not (tmp_path / "out").exists()


def test_a_failed_clean_build_keeps_the_previous_output(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    site = copy_case(INVALID / "front_bad_date", tmp_path / "site")
    output = tmp_path / "out"
    output.mkdir()
    (output / "index.html").write_bytes(OLD_INDEX)

    assert main(["build", "--clean", "--site", str(site), "--output", str(output)]) == 1

    assert "共 3 个错误" in capsys.readouterr().err
    assert (output / "index.html").read_bytes() == OLD_INDEX


def test_fixing_the_mistakes_lets_the_same_site_build(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    site = copy_case(INVALID / "front_bad_date", tmp_path / "site")
    for name, wrong, right in (("a", "2023-02-30", "2023-02-28"), ("b", "25:10", "15:10"), ("c", "下个月", "2023-04-30")):
        path = site / f"content/news/{name}.md"
        path.write_text(path.read_text(encoding="utf-8").replace(wrong, right), encoding="utf-8")
    output = tmp_path / "out"

    assert main(["build", "--clean", "--site", str(site), "--output", str(output)]) == 0, capsys.readouterr().err
    assert (output / "news/2023/a/index.html").is_file()
