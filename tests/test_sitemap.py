"""sitemap.xml against the sitemaps.org schema, robots.txt, and the human site map (网站地图)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import lxml.etree
import lxml.html
import pytest

from conftest import SITES, build, page, text

SCHEMAS = Path(__file__).resolve().parent / "schemas"
BASE = "https://www.ymfulian.org.cn/"
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
UNPUBLISHED = ["tongzhi-gonggao/2025/zhaopin-gonggao/"]  # expired: it keeps its page, but leaves the sitemap


@pytest.fixture(scope="module")
def sitemap(sample_output: Path) -> lxml.etree._ElementTree:
    return lxml.etree.parse(str(sample_output / "sitemap.xml"))


def test_sitemap_is_valid_against_the_sitemap_schema(sitemap) -> None:
    schema = lxml.etree.XMLSchema(lxml.etree.parse(str(SCHEMAS / "sitemap-alternates.xsd")))
    assert schema.validate(sitemap), schema.error_log


def test_schema_rejects_what_is_wrong() -> None:
    schema = lxml.etree.XMLSchema(lxml.etree.parse(str(SCHEMAS / "sitemap-alternates.xsd")))
    bad = lxml.etree.fromstring(
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">'
        b'<url><loc>https://a.example.org/</loc><lastmod>2023-02-30</lastmod><xhtml:link rel="alternate" href="x"/></url></urlset>')
    assert not schema.validate(bad)


def published_pages(output: Path) -> set[str]:
    """Every page a reader may land on from a search engine, by its site-relative URL."""
    urls = set()
    for path in output.rglob("index.html"):
        url = path.parent.relative_to(output).as_posix() + "/"
        url = "" if url == "./" else url
        if url.endswith("print/") or url.removeprefix("zh-hant/") in ("search/", *UNPUBLISHED) or "pagefind" in url:
            continue
        urls.add(url)
    return urls


def test_every_published_page_is_listed_once_in_each_script(sample_output: Path, sitemap) -> None:
    locs = sitemap.xpath("//s:url/s:loc/text()", namespaces=NS)
    assert len(locs) == len(set(locs))
    assert {loc.removeprefix(BASE) for loc in locs} == published_pages(sample_output)
    assert BASE + "zh-hant/jinguo-fengcai/2023/li-xiuying/" in locs
    assert not [loc for loc in locs if "/print/" in loc or loc.endswith("404.html")]
    for url in UNPUBLISHED:
        assert (sample_output / url / "index.html").is_file() and BASE + url not in locs


def test_each_entry_names_both_scripts_and_its_last_change(sitemap) -> None:
    for url in sitemap.xpath("//s:url", namespaces=NS):
        loc = url.findtext("s:loc", namespaces=NS)
        twin = loc.replace(BASE + "zh-hant/", BASE) if "/zh-hant/" in loc else loc.replace(BASE, BASE + "zh-hant/")
        alternates = {link.get("hreflang"): link.get("href") for link in url.findall("x:link", namespaces=NS)}
        assert set(alternates) == {"zh-Hans", "zh-Hant"} and {loc, twin} == set(alternates.values()), loc
        lastmod = url.findtext("s:lastmod", namespaces=NS)
        if lastmod is not None:
            assert datetime.fromisoformat(lastmod).utcoffset() is not None
    item = sitemap.xpath("//s:url[s:loc='https://www.ymfulian.org.cn/jinguo-fengcai/2023/li-xiuying/']/s:lastmod/text()", namespaces=NS)
    assert item == ["2023-05-12T10:30:00+08:00"]
    home = sitemap.xpath("//s:url[s:loc='https://www.ymfulian.org.cn/']/s:lastmod/text()", namespaces=NS)
    assert home == ["2026-11-18T17:15:00+08:00"]  # the newest published item


def test_robots_txt_points_at_the_sitemap(sample_output: Path, tmp_path: Path) -> None:
    lines = (sample_output / "robots.txt").read_text(encoding="utf-8").splitlines()
    assert "User-agent: *" in lines and f"Sitemap: {BASE}sitemap.xml" in lines
    build(SITES / "subpath", tmp_path / "out", search=False)
    assert "Sitemap: https://example.org.cn/fulian/sitemap.xml" in (tmp_path / "out/robots.txt").read_text(encoding="utf-8")
    sub = lxml.etree.parse(str(tmp_path / "out/sitemap.xml"))
    locs = sub.xpath("//s:loc/text()", namespaces=NS)
    assert locs and all(loc.startswith("https://example.org.cn/fulian/") for loc in locs)
    assert not sub.xpath("//x:link", namespaces=NS)  # one script: no alternates


def test_site_map_page_lists_categories_and_pages_and_is_linked_from_every_footer(sample_output: Path) -> None:
    doc = page(sample_output, "sitemap/")
    links = {text(a): a.get("href") for a in doc.xpath("//main//a")}
    for name, key in (("工作动态", "gongzuo-dongtai"), ("基层动态", "jiceng-dongtai"), ("维权服务", "weiquan-fuwu")):
        assert links[name] == f"/{key}/"
    assert links["关于我们"] == "/about/" and links["联系我们"] == "/contact/" and links["站内搜索"] == "/search/"
    hant = page(sample_output, "zh-hant/sitemap/")
    assert text(hant.xpath("//h1")[0]) == "網站地圖"
    assert "/zh-hant/rss.xml" in hant.xpath("//main//a/@href")
    for path in sample_output.rglob("index.html"):
        if "/print/" in path.as_posix() or "pagefind" in path.as_posix():
            continue
        footer = lxml.html.fromstring(path.read_bytes()).xpath("//footer//a/@href")
        assert ("/zh-hant/sitemap/" if "/zh-hant/" in path.as_posix() else "/sitemap/") in footer, path
