"""A site hosted under a sub-path (base_url https://example.org.cn/fulian/): every link must carry the prefix."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import lxml.html
import pytest

from conftest import SITES, build, page, text


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("subpath") / "out"
    build(SITES / "subpath", out)
    return out


def test_every_local_link_starts_with_the_sub_path_and_resolves(output: Path) -> None:
    checked = 0
    for path in output.rglob("*.html"):
        doc = lxml.html.fromstring(path.read_bytes())
        for target in doc.xpath("//a/@href | //img/@src | //link/@href"):
            parts = urlsplit(target)
            if parts.scheme or target.startswith(("#", "mailto:", "tel:")):
                continue
            assert parts.path.startswith("/fulian/"), (path, target)
            local = output / parts.path.removeprefix("/fulian/")
            assert (local / "index.html" if parts.path.endswith("/") else local).is_file(), (path, target)
            checked += 1
    assert checked > 50


def test_canonical_and_share_urls_are_absolute_under_the_sub_path(output: Path) -> None:
    doc = page(output, "news/2025/03/one/")
    assert doc.xpath("//link[@rel='canonical']/@href") == ["https://example.org.cn/fulian/news/2025/03/one/"]
    assert doc.xpath("//meta[@property='og:url']/@content") == ["https://example.org.cn/fulian/news/2025/03/one/"]


def test_links_between_sources_become_output_urls(output: Path) -> None:
    hrefs = page(output, "news/2025/03/one/").xpath("//div[@class='item-body']//a/@href")
    assert hrefs == ["/fulian/news/2025/03/two/#jie-guo", "/fulian/notices/2025/02/tongzhi/", "/fulian/media/he-ying.png", "/fulian/about/"]


def test_chinese_file_names_become_pinyin_urls(output: Path) -> None:
    assert text(page(output, "news/2025/04/san-pian/").xpath("//h1")[0]) == "第三篇：中文文件名"
    assert (output / "media/he-ying.png").read_bytes().startswith(b"\x89PNG")


def test_configured_order_pagination_and_permalink(output: Path) -> None:
    home = page(output, "")
    nav = [text(a) for a in home.xpath("//nav[@aria-label='主导航']//a")]
    assert nav == ["首页", "通知公告", "工作动态"]  # order: 0 puts 通知公告 first
    assert (output / "news/page/2/index.html").is_file()  # per_page: 2, three items
    assert not (output / "news/page/3").exists()


def test_raw_html_is_kept_when_the_site_allows_it(output: Path) -> None:
    assert page(output, "news/2025/03/one/").xpath("//div[@class='item-body']/div[@class='note']")
