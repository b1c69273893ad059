"""The command line as an editor uses it: build, check and new."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from fedpress.cli import main

from conftest import REPO, copy_site


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return copy_site(REPO, tmp_path / "site")


def test_build_py_builds_the_site_and_says_where_it_is(site: Path) -> None:
    result = subprocess.run([sys.executable, str(REPO / "build.py"), "build"], cwd=site, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert (site / "output/index.html").is_file()
    assert f"网站文件在 {site.resolve() / 'output'}/" in result.stdout
    assert "http://127.0.0.1:8000/" in result.stdout


def test_the_command_line_exits_with_the_builds_status_and_every_message(site: Path) -> None:
    """The command line ends without tearing the interpreter down: what it printed must still all arrive,
    from buffered output too (a pipe, as here, is block-buffered unless PYTHONUNBUFFERED says otherwise)."""
    environment = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}
    article = site / "content/gongzuo-dongtai/2023-02-17-gongzuo-huiyi.md"
    text = article.read_text(encoding="utf-8")
    for command in ([sys.executable, str(REPO / "build.py"), "build"], [sys.executable, "-m", "fedpress", "build", "--clean"]):
        article.write_text(text.replace("category: 工作动态", "category: 没有这个栏目"), encoding="utf-8")
        failed = subprocess.run(command, cwd=site, capture_output=True, text=True, timeout=120, env=environment)
        assert failed.returncode == 1, (failed.stdout, failed.stderr)
        assert "content/gongzuo-dongtai/2023-02-17-gongzuo-huiyi.md" in failed.stderr and "没有这个栏目" in failed.stderr
        article.write_text(text, encoding="utf-8")
        built = subprocess.run(command, cwd=site, capture_output=True, text=True, timeout=120, env=environment)
        assert built.returncode == 0, built.stderr
        assert built.stdout.startswith("网站已生成") and built.stdout.rstrip().endswith("http://127.0.0.1:8000/"), built.stdout


@pytest.mark.parametrize("delay", [0, 0.15, 0.3, 0.6])
def test_ctrl_c_during_a_build_says_so_and_leaves_no_output(tmp_path: Path, delay: float) -> None:
    """Ctrl-C at moments from the first stage on (Markdown, pages: both in workers, which leave it to the build)."""
    subprocess.run([sys.executable, str(REPO / "bench/corpus.py"), "--n", "400", "--out", str(tmp_path)], timeout=120, check=True)
    process = subprocess.Popen([sys.executable, str(REPO / "build.py"), "build", "--verbose", "--jobs", "2"], cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    first = process.stderr.readline()  # the first progress line: the build's stages are at work
    time.sleep(delay)
    os.killpg(process.pid, signal.SIGINT)  # as Ctrl-C does: to the command and its workers
    _, rest = process.communicate(timeout=120)  # (the whole build takes about 2 s)
    assert "转换正文" in first and process.returncode == 130, (first, rest)
    assert "已中断" in rest and "Traceback" not in rest, rest
    assert not (tmp_path / "output").exists() and not list(tmp_path.glob(".output*"))  # nothing half-written is left


def test_a_build_with_nothing_to_do_says_so_without_loading_the_build_stages(site: Path) -> None:
    script = (f"import sys\nsys.path.insert(0, {str(REPO)!r})\nfrom fedpress.cli import main\nmain(['build'])\n"
              "print('loaded:', sorted({'fedpress.pipeline', 'jinja2', 'markdown', 'nh3'} & set(sys.modules)))")
    first, again = (subprocess.run([sys.executable, "-c", script], cwd=site, capture_output=True, text=True, timeout=120) for _ in range(2))
    assert first.returncode == 0 and again.returncode == 0, (first.stderr, again.stderr)
    assert "网站已生成" in first.stdout and first.stdout.rstrip().endswith("loaded: ['fedpress.pipeline', 'jinja2', 'markdown', 'nh3']")
    assert "没有改动，网站已是最新" in again.stdout and again.stdout.rstrip().endswith("loaded: []")


def _build_spelling(folder: Path, *options: str) -> tuple[list[str], bool]:
    """Build the site in `folder` in a fresh process: the Chinese texts spelled in pinyin, in whichever
    process (the build's, a worker or the one spelling ahead: each logs what it spells to a file), and
    whether the build's own process loaded pypinyin."""
    log = folder.parent / f"{folder.name}-spelled.log"
    log.unlink(missing_ok=True)
    script = (f"import sys\nsys.path.insert(0, {str(REPO)!r})\nimport fedpress.library as library\n"
              "spell = library.slugify\n"
              f"def logged(text):\n    open({str(log)!r}, 'a', encoding='utf-8').write(text + '\\n')\n    return spell(text)\n"
              "library.slugify = logged\n"
              f"from fedpress.cli import main\nmain(['build', '--quiet', *{list(options)!r}])\n"
              "print('pypinyin' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", script], cwd=folder, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0 and result.stdout.split()[-1:] in (["True"], ["False"]), result.stderr
    spelled = log.read_text(encoding="utf-8").split("\n")[:-1] if log.exists() else []
    return [text for text in spelled if not text.isascii()], result.stdout.split()[-1] == "True"


def test_a_rebuild_spells_nothing_in_pinyin_again(site: Path) -> None:
    """Tags, file names and headings in Chinese are spelled once, and not by the build's own process
    (pypinyin's dictionaries stay out of its memory): the build state remembers their slugs."""
    first = _build_spelling(site)
    article = site / "content/gongzuo-dongtai/2023-02-17-gongzuo-huiyi.md"
    article.write_text(article.read_text(encoding="utf-8") + "\n补充一段。\n", encoding="utf-8")
    page = site / "content/pages/about.md"  # its headings' ids are their pinyin
    page.write_text(page.read_text(encoding="utf-8") + "\n补充一段。\n", encoding="utf-8")
    again = _build_spelling(site)
    assert first[0] and not first[1], first
    assert again == ([], False)
    assert "补充一段" in (site / "output/gongzuo-dongtai/2023/gongzuo-huiyi/index.html").read_text(encoding="utf-8")



def test_headings_spelled_by_workers_are_remembered_too(tmp_path: Path) -> None:
    """A site large enough for its bodies to be converted by worker processes, with a heading whose
    text is not foreseen from the Markdown (inline HTML): the workers spell it and report it, so the
    first edit after the build spells nothing again."""
    site = tmp_path / "site"
    subprocess.run([sys.executable, str(REPO / "bench/corpus.py"), "--n", "150", "--out", str(site)], timeout=120, check=True)
    articles = [path for path in sorted((site / "content").rglob("*.md")) if "\n## " in path.read_text(encoding="utf-8")][::10]
    for article in articles:
        article.write_text(article.read_text(encoding="utf-8") + "\n## 妇联<b>工作</b>要点\n\n正文。\n", encoding="utf-8")
    first = _build_spelling(site, "--jobs", "2")
    articles[0].write_text(articles[0].read_text(encoding="utf-8") + "\n补充一段。\n", encoding="utf-8")
    again = _build_spelling(site, "--jobs", "2")
    assert len(articles) > 2 and "妇联工作要点" in first[0] and not first[1], first
    assert again == ([], False)


def test_new_creates_a_valid_file_with_an_ascii_name_and_todays_date(site: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["new", "appeal", "--site", str(site), "--category", "巾帼风采", "关于“绿色家庭”创建的倡议书"]) == 0
    created = re.search(r"content/\S+\.md", capsys.readouterr().out).group(0)
    path = site / created
    assert path.name.isascii() and path.parent.name == "jinguo-fengcai"
    assert path.name.startswith(datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat())  # the site's zone
    text = path.read_text(encoding="utf-8")
    assert "type: appeal" in text and "signature: 义马市妇女联合会" in text
    assert main(["check", "--site", str(site)]) == 0
    assert main(["build", "--site", str(site), "--output", str(site.parent / "out")]) == 0
    slug = path.stem[len("2026-01-01-"):]
    assert list((site.parent / "out/jinguo-fengcai").glob(f"*/{slug}/index.html"))


def test_new_refuses_an_unknown_category_and_an_existing_file(site: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["new", "article", "--site", str(site), "--category", "不存在", "标题"]) == 1
    assert "没有名为“不存在”的栏目" in capsys.readouterr().err
    assert main(["new", "notice", "--site", str(site), "--category", "tongzhi-gonggao", "同一标题"]) == 0
    assert main(["new", "notice", "--site", str(site), "--category", "tongzhi-gonggao", "同一标题"]) == 1
    assert "已经存在" in capsys.readouterr().err


def test_check_reports_success_without_writing_output(site: Path, capsys: pytest.CaptureFixture) -> None:
    before = sorted(site.rglob("*"))
    assert main(["check", "--site", str(site)]) == 0
    assert "检查通过" in capsys.readouterr().out
    assert sorted(site.rglob("*")) == before  # no output, and no cache either


def test_check_strict_and_json_report_warnings(site: Path, capsys: pytest.CaptureFixture) -> None:
    short = site / "content/gongzuo-dongtai/2026-10-01-duan.md"
    short.write_text("---\ntitle: 短讯\ndate: 2026-10-01\ncategory: 工作动态\n---\n![](../images/2024/sanba-huodong.png)\n\n一句话。\n", encoding="utf-8")
    assert main(["check", "--site", str(site)]) == 0
    assert main(["check", "--site", str(site), "--strict"]) == 1
    capsys.readouterr()
    assert main(["check", "--site", str(site), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True and report["errors"] == []
    assert [(w["file"], w["line"], w["field"]) for w in report["warnings"]] == [
        ("content/gongzuo-dongtai/2026-10-01-duan.md", 1, "summary"),
        ("content/gongzuo-dongtai/2026-10-01-duan.md", 6, "image"),
    ]
