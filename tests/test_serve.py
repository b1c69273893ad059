"""`serve` for real: a server process on a free loopback port, real file edits, and Chromium watching."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from fedpress.config import BuildOptions
from fedpress.pipeline import build_site

from conftest import REPO, SITES, copy_site, tree

ONE = "content/news/one.md"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


def wait_for(condition, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str, subprocess.Popen]]:
    site = copy_site(SITES / "subpath", tmp_path / "site")
    port = free_port()
    log = (tmp_path / "serve.log").open("w", encoding="utf-8")
    process = subprocess.Popen([sys.executable, str(REPO / "build.py"), "serve", "--site", str(site), "--port", str(port)],
                               stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/fulian/"
    try:
        wait_for(lambda: process.poll() is None and _up(base), 60)
        yield site, base, process
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def _up(url: str) -> bool:
    try:
        return fetch(url)[0] == 200
    except OSError:
        return False


def test_serves_on_loopback_only_by_default(served) -> None:
    _site, base, _process = served
    port = int(base.split(":")[2].split("/")[0])
    listening = subprocess.run(["ss", "-ltnH", f"sport = :{port}"], capture_output=True, text=True).stdout
    local_addresses = [line.split()[3] for line in listening.splitlines()]
    assert local_addresses == [f"127.0.0.1:{port}"]


def test_an_edit_reaches_the_open_page_without_a_manual_reload(served, chromium) -> None:
    site, base, _ = served
    page = chromium.new_page()
    page.goto(base + "news/2025/03/one/")
    expect(page.locator("h1")).to_have_text("第一篇：示例县妇联召开执委会议")
    edit(site / ONE, "title: 第一篇：示例县妇联召开执委会议", "title: 第一篇：执委会议圆满召开")
    expect(page.locator("h1")).to_have_text("第一篇：执委会议圆满召开", timeout=30000)
    page.close()


def test_a_broken_file_shows_an_error_page_and_a_good_save_recovers(served, chromium) -> None:
    site, base, _ = served
    page = chromium.new_page()
    page.goto(base + "news/2025/03/one/")
    edit(site / ONE, "date: 2025-03-01 09:30", "date: 2025-13-01")
    expect(page.locator("h1")).to_have_text("网站有 1 个错误，暂时无法预览", timeout=30000)
    expect(page.locator(".problems li")).to_have_text(
        "content/news/one.md:3 date：发布日期的值“2025-13-01”不对，应为日期，如 2023-09-15 或 2023-09-15 11:31。")
    status, _ = fetch(base + "notices/")
    assert status == 500  # every page shows the problem until it is fixed
    edit(site / ONE, "date: 2025-13-01", "date: 2025-03-01 09:30")
    expect(page.locator("h1")).to_have_text("第一篇：示例县妇联召开执委会议", timeout=30000)
    page.close()


def test_deleting_a_file_removes_its_page(served) -> None:
    site, base, _ = served
    assert fetch(base + "news/2025/04/san-pian/")[0] == 200
    (site / "content/news/三篇.md").unlink()
    wait_for(lambda: fetch(base + "news/2025/04/san-pian/")[0] == 404)
    assert "第三篇" not in fetch(base + "news/")[1]


def test_deleting_a_file_others_link_to_is_reported(served) -> None:
    site, base, _ = served
    (site / "content/news/two.md").unlink()
    wait_for(lambda: fetch(base + "news/2025/03/one/")[0] == 500)
    assert "找不到链接的文章“two.md#jie-guo”" in fetch(base + "news/2025/03/one/")[1]


def test_a_template_change_rerenders_the_pages(served, chromium) -> None:
    site, base, _ = served
    page = chromium.new_page()
    page.goto(base + "notices/")
    footer = (REPO / "themes/default/templates/partials/footer.html").read_text(encoding="utf-8")
    (site / "templates/partials").mkdir(parents=True)
    (site / "templates/partials/footer.html").write_text(footer.replace("主办单位：", "主办机构："), encoding="utf-8")
    expect(page.locator("footer")).to_contain_text("主办机构：示例县妇女联合会", timeout=30000)
    assert "主办机构：" in fetch(base + "news/2025/03/one/")[1]
    page.close()


def test_drafts_are_previewed_with_a_banner(served) -> None:
    site, base, _ = served
    (site / "content/news/draft.md").write_text("---\ntitle: 草稿稿件\ndate: 2025-05-01\ncategory: 工作动态\ndraft: true\n---\n正文。\n",
                                                encoding="utf-8")
    wait_for(lambda: fetch(base + "news/2025/05/draft/")[0] == 200)
    assert "草稿：本文尚未发布，只在本机预览中可见。" in fetch(base + "news/2025/05/draft/")[1]


def test_a_burst_of_saves_is_one_rebuild(served, tmp_path: Path) -> None:
    site, base, _ = served
    log = tmp_path / "serve.log"
    before = log.read_text(encoding="utf-8").count("已更新")
    for number in range(8):
        (site / ONE).write_text((site / ONE).read_text(encoding="utf-8") + f"\n补充第 {number} 段。\n", encoding="utf-8")
        time.sleep(0.02)
    wait_for(lambda: "补充第 7 段" in fetch(base + "news/2025/03/one/")[1])
    time.sleep(1)
    assert log.read_text(encoding="utf-8").count("已更新") - before <= 2


def test_a_body_edit_shows_its_page_at_once_and_the_rebuild_that_follows_matches_a_clean_build(served, tmp_path: Path) -> None:
    site, base, _ = served
    log = tmp_path / "serve.log"
    preview = site / ".cache/preview/site"
    edit(site / ONE, "会议由县妇联主席主持。", "会议由县妇联主席主持，全体执委出席。")
    wait_for(lambda: "全体执委出席" in (preview / "news/2025/03/one/index.html").read_text(encoding="utf-8"), 30)
    at_once = tree(preview)
    wait_for(lambda: log.read_text(encoding="utf-8").count("个文件") >= 2)  # the start, then the rebuild after the edit
    assert log.read_text(encoding="utf-8").count("先更新了正在编辑的页面") == 1
    after = tree(preview)
    for page in ("news/2025/03/one/index.html", "news/2025/03/one/print/index.html"):  # the fast path's pages are final
        assert at_once[page] == after[page], page
    build_site(BuildOptions(site=site, output=tmp_path / "clean", cache=tmp_path / "clean.cache", drafts=True, future=True, search=False))
    assert after == tree(tmp_path / "clean")
    # A changed title is not a body edit: lists and neighbours show it, so there is no fast path.
    edit(site / ONE, "title: 第一篇：示例县妇联召开执委会议", "title: 第一篇：执委会议圆满召开")
    wait_for(lambda: "执委会议圆满召开" in fetch(base + "news/2025/03/one/")[1])
    assert log.read_text(encoding="utf-8").count("先更新了正在编辑的页面") == 1
