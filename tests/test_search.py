"""Site search: the Pagefind index, the Traditional texts of its pages, and the search page in real headless Chromium.

What the reader should find is computed from the built pages themselves: the items whose indexed text
(the item marked data-pagefind-body, less what is marked data-pagefind-ignore) contains the query.
"""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path
from urllib.parse import quote, urlsplit

import axe_playwright_python
import lxml.html
import pytest
from browser import serve_folder

from fedpress import search as search_index
from fedpress.config import load_config
from fedpress.errors import BuildFailed, Problems
from fedpress.search import spaced_for_index

from conftest import REPO, SITES, build, copy_site, fragments, fragments_of, shard_folders, twin_texts

AXE_SOURCE = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")
SIMPLIFIED_QUERIES = ["妇联", "家暴", "维权", "家庭教育", "李秀英", "王红梅", "12338"]
TRADITIONAL_QUERIES = ["婦聯", "家暴", "維權", "家庭教育", "李秀英", "王紅梅", "12338"]


def indexed_texts(output: Path, prefix: str = "") -> dict[str, str]:
    """URL -> the text Pagefind indexes for each page of one script, without whitespace."""
    root = output / prefix
    texts = {}
    for path in root.rglob("index.html"):
        rel = path.relative_to(root).as_posix()
        if not prefix and rel.startswith("zh-hant/"):
            continue
        doc = lxml.html.fromstring(path.read_bytes())
        bodies = doc.xpath("//*[@data-pagefind-body]")
        if not bodies:
            continue
        for ignored in bodies[0].xpath(".//*[@data-pagefind-ignore]"):
            ignored.drop_tree()
        texts[f"/{prefix}{rel.removesuffix('index.html')}"] = "".join(bodies[0].text_content().split())
    return texts


@pytest.fixture
def browser_page(chromium, sample_server):
    context = chromium.new_context(viewport={"width": 390, "height": 844}, base_url=sample_server)
    page = context.new_page()
    yield page
    context.close()


def search(page, query: str, prefix: str = "", **filters: str) -> list[str]:
    """Open the search page for `query`, show every result, return the result links in order."""
    params = "".join(f"&{key}={value}" for key, value in filters.items())
    page.goto(f"/{prefix}search/?q={quote(query)}{params}")
    page.wait_for_function("document.querySelector('.search-results').getAttribute('aria-busy') === 'false'")
    while page.locator(".search-more").is_visible():
        count = page.locator(".search-result").count()
        page.locator(".search-more").click()
        page.wait_for_function(f"document.querySelectorAll('.search-result').length > {count}")
    return page.locator(".search-result-title a").evaluate_all("links => links.map(a => a.getAttribute('href'))")


# -- the index -------------------------------------------------------------------------------


def as_pagefind_reads(page: str) -> str:
    """Pagefind takes any run of whitespace as one space."""
    return re.sub(r"\s+", " ", page)


def test_chinese_is_indexed_character_by_character_except_the_result_facts() -> None:
    page = ('<h1>李秀英：扎根</h1><p>拨打12338热线，“关爱”&amp;ABC 2023年</p>'
            '<span data-pagefind-meta="title">李秀英：扎根</span><script>var s = "中文";</script>')
    assert as_pagefind_reads(spaced_for_index(page)) == (
        '<h1> 李 秀 英 ： 扎 根</h1><p> 拨 打 12338 热 线 ，“ 关 爱 ”&amp;ABC 2023 年</p>'
        '<span data-pagefind-meta="title">李秀英：扎根</span><script>var s = "中文";</script>')


def test_the_copy_pagefind_reads_leaves_out_what_it_ignores_whole() -> None:
    page = ('<header data-pagefind-ignore="all"><nav><a href="/">首页</a><nav data-pagefind-ignore="all">栏目</nav></nav></header>'
            '<article data-pagefind-body><h1>标题</h1><p data-pagefind-ignore>发布日期<span data-pagefind-meta="date">2024</span></p>'
            '<section data-pagefind-ignore="all"><span data-pagefind-filter="year">2024</span><p>分享</p></section><p>正文</p></article>'
            '<footer data-pagefind-ignore="all"><p>主办单位</p></footer>')
    assert as_pagefind_reads(spaced_for_index(page)) == (
        '<article data-pagefind-body><h1> 标 题</h1><p data-pagefind-ignore> 发 布 日 期<span data-pagefind-meta="date">2024</span></p>'
        '<p> 正 文</p></article>')


def test_only_elements_opened_with_the_attribute_and_closed_are_left_out() -> None:
    page = ('<article data-pagefind-body><p title=\'x data-pagefind-ignore="all"\'>一</p>'
            '<SECTION data-pagefind-ignore="all"><p>二</p></SECTION><div data-pagefind-ignore="all"/>三'
            '<img data-pagefind-ignore="all" alt="图"><p>四</p></article>')
    assert as_pagefind_reads(spaced_for_index(page)) == (
        '<article data-pagefind-body><p title=\'x data-pagefind-ignore="all"\'> 一</p><div data-pagefind-ignore="all"/> 三'
        '<img data-pagefind-ignore="all" alt="图"><p> 四</p></article>')
    unclosed = '<article data-pagefind-body><div data-pagefind-ignore="all"><p>二</p>'
    assert as_pagefind_reads(spaced_for_index(unclosed)) == '<article data-pagefind-body><div data-pagefind-ignore="all"><p> 二</p>'


def test_what_comes_before_and_after_the_indexed_elements_is_left_out_but_the_title() -> None:
    page = ('<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<title>标题</title>\n<script>var s = "<h1>";</script>\n</head>\n'
            '<body>\n<nav><a href="/">首页</a></nav>\n<article data-pagefind-body>\n<b>中</b> <i>文</i>\n</article>\n'
            '<p>页脚</p><script src="/static/js/site.js"></script>\n</body>\n</html>\n')
    assert spaced_for_index(page) == ('<html lang="zh-CN"><head><title> 标  题</title></head><body><article data-pagefind-body>\n'
                                      '<b> 中</b> <i> 文</i>\n</article></body></html>')


@pytest.mark.parametrize("where", ["before", "after"])
@pytest.mark.parametrize(("outside", "as_read"), [
    ('<meta data-pagefind-meta="image[content]" content="/a.png">', '<meta data-pagefind-meta="image[content]" content="/a.png">'),
    ('<span data-pagefind-filter="年份">2024</span>', '<span data-pagefind-filter="年份">2024</span>'),
    ("<h1>标题</h1>", "<h1> 标 题</h1>"),
    ('<IMG src="/logo.png" alt="">', '<IMG src="/logo.png" alt="">'),
    ('<p data-pagefind-sort="date">2024</p>', '<p data-pagefind-sort="date">2024</p>'),
    ('<span DATA-PAGEFIND-META="作者">张三</span>', '<span DATA-PAGEFIND-META="作者"> 张 三</span>'),
    ('<div data-pagefind-default-meta="image:/a.png"></div>', '<div data-pagefind-default-meta="image:/a.png"></div>'),
    ("<div DATA-PAGEFIND-BODY>第二部分</div>", "<div DATA-PAGEFIND-BODY> 第 二 部 分</div>"),
])
def test_only_whitespace_is_left_out_around_the_indexed_elements_when_pagefind_reads_something_there(outside: str, as_read: str, where: str) -> None:
    before, after = (outside, "") if where == "before" else ("", outside)
    page = f'<html>\n<head>\n<title>标题</title>\n</head>\n<body>\n{before}\n<article data-pagefind-body>\n<b>中</b>\n</article>\n{after}\n</body>\n</html>\n'
    before, after = (as_read, "") if where == "before" else ("", as_read)
    assert as_pagefind_reads(spaced_for_index(page)) == as_pagefind_reads(
        f'<html><head><title> 标 题</title></head><body>{before}<article data-pagefind-body>\n<b> 中</b>\n</article>{after}</body></html>')


def test_a_title_after_the_indexed_elements_stays_when_the_head_has_none() -> None:
    """Pagefind takes a page's first <title> as its title when it has no other: an icon's, in the footer."""
    page = ('<html><head></head><body><nav>菜单</nav><article data-pagefind-body><p>正文</p></article>'
            '<footer><svg><title>图标</title></svg></footer></body></html>')
    assert "<title> 图  标</title>" in spaced_for_index(page)
    page = '<html><head><titlex>甲</titlex><title>标题</title></head><body><article data-pagefind-body><p>正文</p></article></body></html>'
    assert as_pagefind_reads(spaced_for_index(page)) == (
        '<html><head><title> 标 题</title></head><body><article data-pagefind-body><p> 正 文</p></article></body></html>')


def test_nested_indexed_elements_keep_all_of_the_outer_one() -> None:
    page = '<html><body><main data-pagefind-body><p>正文</p><div><span data-pagefind-body>内</span></div><p>尾部</p></main><p>页脚</p></body></html>'
    assert as_pagefind_reads(spaced_for_index(page)) == (
        '<html><body><main data-pagefind-body><p> 正 文</p><div><span data-pagefind-body> 内</span></div><p> 尾 部</p></main></body></html>')


def test_characters_beyond_the_basic_plane_are_spaced_alike() -> None:
    assert as_pagefind_reads(spaced_for_index("<p>𠀀中a</p><p>中文a</p><h1>标题</h1>")) == "<p> 𠀀 中 a</p><p> 中 文 a</p><h1> 标 题</h1>"


def test_leaving_out_what_pagefind_ignores_whole_changes_nothing_it_makes(sample_output: Path, tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    pages = {path.relative_to(sample_output).as_posix(): path.read_text(encoding="utf-8") for path in sorted(sample_output.rglob("index.html"))}
    pages = {rel: page for rel, page in pages.items() if not rel.startswith("zh-hant/") and search_index.INDEXED_MARK.decode() in page}

    def bundle(folder: Path) -> tuple[dict[str, bytes], list[str]]:
        """Every file of the bundle Pagefind makes of the copies (its filters put in order, as the build does), and the copies."""
        copies = []
        for rel, page in pages.items():  # created in path order, as the build does: Pagefind numbers pages in that order
            (folder / "site" / rel).parent.mkdir(parents=True, exist_ok=True)
            copies.append(spaced_for_index(page))
            (folder / "site" / rel).write_text(copies[-1], encoding="utf-8")
        assert search_index._run_pagefind(search_index.pagefind_binary(), folder / "site", folder / "bundle") == ""
        search_index._sort_filters(folder / "bundle")
        return {path.relative_to(folder / "bundle").as_posix(): path.read_bytes() for path in (folder / "bundle").rglob("*") if path.is_file()}, copies

    stripped, stripped_copies = bundle(tmp_path / "stripped")
    monkeypatch.setattr(search_index, "attribute_value", lambda tag, name: None)
    whole, whole_copies = bundle(tmp_path / "whole")
    # the head, header, footer and what is ignored whole are left out: less than half of what Pagefind would read
    assert len(pages) > 50 and sum(map(len, stripped_copies)) < 0.45 * sum(map(len, whole_copies))
    assert not any("<script" in copy for copy in stripped_copies)
    assert stripped == whole


def test_a_word_split_by_an_inline_element_is_not_joined_to_the_text_before_it(tmp_path: Path) -> None:
    spaced = spaced_for_index('<p>详见<a href="/zhengce/">相关政策</a>。<strong>妇联</strong>主席</p>')
    assert as_pagefind_reads(spaced) == '<p> 详 见<a href="/zhengce/"> 相 关 政 策</a>。<strong> 妇 联</strong> 主 席</p>'
    # and in the index Pagefind makes of a built site
    site = copy_site(REPO, tmp_path / "site")
    (site / "content/gongzuo-dongtai/2024-01-08-zhengce.md").write_text(
        "---\ntitle: 政策解读\ndate: 2024-01-08\ncategory: 工作动态\n---\n\n"
        "详见[相关政策](https://www.example.org.cn/zhengce/)，由**妇联**主席解读。\n", encoding="utf-8")
    build(site, tmp_path / "out")
    record = next(r for r in fragments(tmp_path / "out") if r["url"] == "/gongzuo-dongtai/2024/zhengce/")
    traditional = twin_texts(tmp_path / "out")["/gongzuo-dongtai/2024/zhengce/"]
    for content, words in ((record["content"], ("见", "相", "联", "主")), (traditional["content"], ("見", "相", "聯", "主"))):
        assert all(word in content.split() for word in words) and words[0] + words[1] not in content, content


def test_shards_take_whole_years_and_new_items_join_the_newest(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_index, "SHARD_PAGES", 3)
    config = load_config(REPO, Problems())
    years = {"about/index.html": None, "news/2019/a/index.html": 2019, "news/2019/b/index.html": 2019,
             **{f"news/{year}/a/index.html": year for year in (2020, 2021, 2023, 2024)}}
    pages = {**years, **{f"zh-hant/{path}": year for path, year in years.items()}}

    def shards(pages: dict[str, int | None]) -> list[tuple[str, int]]:
        return [(shard.folder, len(shard.pages)) for shard in search_index.plan_shards(pages, config)]

    first = shards(pages)
    assert first == [("pagefind/2019/", 3), ("pagefind/2020/", 3), ("pagefind/2024/", 1)]  # undated pages go with the oldest
    grown = shards({**pages, "news/2024/new/index.html": 2024, "news/2025/new/index.html": 2025})
    assert grown == [("pagefind/2019/", 3), ("pagefind/2020/", 3), ("pagefind/2024/", 3)]  # the older shards keep their pages
    planned = search_index.plan_shards(pages, config)  # the Traditional twins are not indexed
    assert search_index.shard_lists(planned) == {"pagefind/shards.json": b'{"shards": ["2019/", "2020/", "2024/"]}'}


def test_one_bundle_serves_both_scripts_without_pagefinds_ready_made_interfaces(sample_output: Path) -> None:
    [bundle] = shard_folders(sample_output)  # a small site's index is one shard, named after its first year
    assert bundle == sample_output / "pagefind/2021"
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert list(entry["languages"]) == ["und"]  # not segmented again (see fedpress/search.py)
    assert (bundle / "pagefind.js").is_file() and (bundle / f"pagefind.{entry['languages']['und']['hash']}.pf_meta").is_file()
    assert not [p.name for p in bundle.iterdir() if p.name.startswith(("pagefind-ui", "pagefind-modular", "pagefind-component"))]
    assert [path.name for path in (sample_output / "zh-hant/pagefind").iterdir()] == ["text"]  # no Traditional index
    for prefix in ("", "zh-hant/"):
        form = lxml.html.fromstring((sample_output / prefix / "search/index.html").read_bytes()).xpath("//form[@class='search-form']")[0]
        assert (form.get("data-pagefind"), form.get("data-results-base")) == ("/pagefind/shards.json", f"/{prefix}")
        assert form.get("data-query-characters") == "/pagefind/traditional.json"
        # the Traditional page shows its results from its texts
        assert (form.get("data-script-prefix"), form.get("data-texts")) == (prefix, f"/{prefix}pagefind/text/")


def test_only_published_items_and_pages_are_indexed_and_have_traditional_texts(sample_output: Path) -> None:
    indexed = {record["url"] for record in fragments(sample_output)}
    assert indexed == set(indexed_texts(sample_output))
    assert len(indexed) == 52  # 50 published items and 2 pages; not the expired notice, lists or print views
    assert "/tongzhi-gonggao/2025/zhaopin-gonggao/" not in indexed
    assert not [url for url in indexed if url.endswith("/print/") or url.startswith(("/tags/", "/archives/"))]
    assert set(twin_texts(sample_output)) == indexed == {"/" + url.removeprefix("/zh-hant/") for url in indexed_texts(sample_output, "zh-hant/")}


def test_a_traditional_text_is_its_twins_text_word_for_word_in_the_places_of_the_indexed_one(sample_output: Path) -> None:
    han = re.compile(r"[\u3400-\u9fff]")
    twins = {url.removeprefix("/zh-hant"): text for url, text in indexed_texts(sample_output, "zh-hant/").items()}
    texts = twin_texts(sample_output)
    for record in fragments(sample_output):
        traditional = texts[record["url"]]["content"]
        # the same whitespace, so Pagefind's word positions (its excerpts and marks) fit the Traditional words
        assert re.sub(r"\S", "", traditional) == re.sub(r"\S", "", record["content"]) and traditional != record["content"]
        # and the same Han characters as the twin page shows, in its order
        assert han.findall(traditional) == han.findall(twins[record["url"]]), record["url"]


def test_a_traditional_text_keeps_the_whitespace_of_the_indexed_one_or_is_none() -> None:
    content = " 头 发  主 席. 12338 发 展"
    simplified = "".join(content.split())
    assert simplified == "头发主席.12338发展"  # what OpenCC converts: the characters together, as on the page
    assert search_index._traditional_content(content, simplified, "頭髮主席.12338發展") == " 頭 髮  主 席. 12338 發 展"  # 发 both ways
    assert search_index._traditional_content("妇 联 主 席", "妇联主席", "婦聯主席") == "婦 聯 主 席"
    assert search_index._traditional_content(content, simplified, "頭髮主席們.12338發展") is None  # a site's phrase of another length


def test_the_traditional_query_table_reads_each_character_as_opencc_s_reverse_profile(sample_output: Path) -> None:
    table = json.loads((sample_output / "pagefind/traditional.json").read_bytes())
    pairs = dict(zip(table["traditional"], table["simplified"], strict=True))
    assert len(pairs) > 3000 and all(t != s for t, s in pairs.items())
    assert [pairs.get(t) for t in "婦聯維權紅幗髮乾"] == list("妇联维权红帼发干") and "妇" not in pairs


def test_drafts_and_future_items_stay_out_of_the_index_even_when_built(tmp_path: Path) -> None:
    build(REPO, tmp_path / "out", drafts=True, future=True)
    assert (tmp_path / "out/gongzuo-dongtai/2027/xinchun-yugao/index.html").is_file()
    indexed = {record["url"] for record in fragments(tmp_path / "out")}
    assert "/gongzuo-dongtai/2026/nianzhong-zongjie/" not in indexed and "/gongzuo-dongtai/2027/xinchun-yugao/" not in indexed


def test_records_carry_title_date_category_type_and_filters_in_their_script(sample_output: Path) -> None:
    hans = {r["url"]: r for r in fragments(sample_output)}["/jinguo-fengcai/2023/li-xiuying/"]
    assert hans["meta"]["title"] == "李秀英：扎根社区二十年的“贴心大姐”"
    assert (hans["meta"]["date"], hans["meta"]["category"], hans["meta"]["type"]) == ("2023-05-12", "巾帼风采", "文章")
    assert hans["filters"] == {"category": ["jinguo-fengcai"], "year": ["2023"]}
    hant = twin_texts(sample_output)["/jinguo-fengcai/2023/li-xiuying/"]
    assert hant["meta"] == {"title": "李秀英：紮根社區二十年的“貼心大姐”", "category": "巾幗風采", "type": "文章"}  # the date is as it is
    about = {r["url"]: r for r in fragments(sample_output)}["/about/"]
    assert about["meta"]["type"] == "页面" and about["filters"] == {}


def test_navigation_footer_tools_and_sharing_are_not_indexed(sample_output: Path) -> None:
    for record in fragments(sample_output):
        content = record["content"]
        for outside in ("首 页", "分 享 到", "打 印 本 页", "返 回 顶 部", "上 一 篇", "相 关 阅 读", "网 站 标 识 码", "发 布 日 期"):
            assert outside not in content, (record["url"], outside)


def test_failed_indexing_is_a_clear_error_and_the_output_stays(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    output = tmp_path / "out"
    build(SITES / "subpath", output)
    before = {p: p.read_bytes() for p in output.rglob("*") if p.is_file()}
    broken = tmp_path / "pagefind"
    broken.write_text("#!/bin/sh\necho 'Error: disk full' >&2\nexit 3\n", encoding="utf-8")
    broken.chmod(broken.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setattr("fedpress.search.pagefind_binary", lambda: broken)
    site = copy_site(SITES / "subpath", tmp_path / "site")
    (site / "content/news/one.md").write_text((site / "content/news/one.md").read_text(encoding="utf-8") + "\n新的一段。\n", encoding="utf-8")
    with pytest.raises(BuildFailed) as failure:
        build(site, output)
    [error] = failure.value.problems.errors
    assert str(error).startswith("站内搜索: 生成站内搜索索引失败：Pagefind 退出码 3：Error: disk full。网站没有更新")
    assert {p: p.read_bytes() for p in output.rglob("*") if p.is_file()} == before


def test_a_missing_pagefind_binary_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("fedpress.search.pagefind_binary", lambda: tmp_path / "nowhere" / "pagefind")
    with pytest.raises(BuildFailed) as failure:
        build(SITES / "subpath", tmp_path / "out")
    assert "无法运行" in str(failure.value.problems.errors[0])
    assert not (tmp_path / "out").exists()


# -- searching in Chromium -------------------------------------------------------------------


@pytest.mark.parametrize(("prefix", "queries"), [("", SIMPLIFIED_QUERIES), ("zh-hant/", TRADITIONAL_QUERIES)])
def test_every_item_containing_the_words_is_found_in_both_scripts(browser_page, sample_output: Path, prefix: str, queries: list[str]) -> None:
    texts = indexed_texts(sample_output, prefix)
    for query in queries:
        expected = {url for url, text in texts.items() if query in text}
        found = search(browser_page, query, prefix)
        assert expected, query
        assert len(found) == len(set(found)) and set(found) == expected, (query, sorted(expected ^ set(found)))
        assert browser_page.locator(".search-status").text_content().startswith("找到")
    assert search(browser_page, "李秀英", prefix)[0] == f"/{prefix}jinguo-fengcai/2023/li-xiuying/"
    assert search(browser_page, "王红梅" if not prefix else "王紅梅", prefix)[0] == f"/{prefix}weiquan-fuwu/2024/hunyin-tiaojie/"


def test_results_show_title_date_category_and_a_marked_excerpt(browser_page) -> None:
    search(browser_page, "李秀英")
    first = browser_page.locator(".search-result").first
    assert first.locator("h2 a").inner_text() == "李秀英：扎根社区二十年的“贴心大姐”"
    assert first.locator(".entry-meta time").inner_text() == "2023-05-12"
    assert first.locator(".entry-meta .entry-category").all_inner_texts() == ["巾帼风采", "文章"]
    marks = first.locator(".search-excerpt mark").all_inner_texts()
    assert marks and set("".join(marks)) <= set("李秀英")
    excerpt = first.locator(".search-excerpt").inner_text()
    assert "李秀英" in excerpt and "李 秀" not in excerpt and "\u200b" not in excerpt
    assert browser_page.locator(".search-status").inner_text() == "找到 3 条与“李秀英”相关的内容。"


def test_traditional_results_are_traditional(browser_page, sample_output: Path) -> None:
    found = search(browser_page, "李秀英", "zh-hant/")
    first = browser_page.locator(".search-result").first
    assert found[0] == "/zh-hant/jinguo-fengcai/2023/li-xiuying/"
    assert first.locator("h2 a").inner_text() == "李秀英：紮根社區二十年的“貼心大姐”"
    assert first.locator(".entry-meta .entry-category").all_inner_texts() == ["巾幗風采", "文章"]
    # the excerpt is the Simplified one's, word for word in Traditional, marked at the same words
    search(browser_page, "李秀英")
    simplified = browser_page.locator(".search-result").first
    marks, excerpt = simplified.locator(".search-excerpt mark").all_inner_texts(), simplified.locator(".search-excerpt").inner_text()
    search(browser_page, "李秀英", "zh-hant/")
    assert first.locator(".search-excerpt mark").all_inner_texts() == marks and len(first.locator(".search-excerpt").inner_text()) == len(excerpt)
    search(browser_page, "婦聯 巾幗", "zh-hant/")
    texts = indexed_texts(sample_output, "zh-hant/")
    for result in browser_page.locator(".search-result").all():
        href, shown = result.locator("h2 a").get_attribute("href"), result.locator(".search-excerpt").inner_text()
        assert href.startswith("/zh-hant/") and "妇" not in shown and "".join(shown.split()).strip("…") in texts[href]
        assert set("".join(result.locator(".search-excerpt mark").all_inner_texts())) <= set("婦聯巾幗")
    status = browser_page.locator(".search-status").inner_text()
    assert status.startswith("找到 ") and status.endswith(" 條與“婦聯 巾幗”相關的內容。")


@pytest.mark.parametrize("prefix", ["", "zh-hant/"])
@pytest.mark.parametrize("query", ["妇联", "维权", "儿童", "王红梅", "巾帼 志愿"])
def test_a_query_in_either_script_finds_the_same_items_on_either_page(browser_page, sample_output: Path, query: str, prefix: str) -> None:
    texts = indexed_texts(sample_output)
    expected = {f"/{prefix}{url[1:]}" for url, text in texts.items() if all(word in text for word in query.split())}
    traditional = "".join({"妇": "婦", "联": "聯", "维": "維", "权": "權", "红": "紅", "帼": "幗", "愿": "願", "儿": "兒"}.get(ch, ch) for ch in query)
    assert expected and traditional != query
    assert set(search(browser_page, query, prefix)) == expected == set(search(browser_page, traditional, prefix))
    assert browser_page.locator(".search-status").inner_text().startswith("找到")


def test_a_query_table_that_failed_to_load_is_loaded_again(browser_page, sample_output: Path) -> None:
    failed: list[str] = []

    def fail_once(route) -> None:
        if failed:
            route.continue_()
        else:
            failed.append(route.request.url)
            route.abort()

    browser_page.route("**/pagefind/traditional.json", fail_once)
    expected = {f"/zh-hant{url}" for url, text in indexed_texts(sample_output).items() if "妇联" in text}
    assert set(search(browser_page, "婦聯", "zh-hant/")) == expected and failed


def test_a_character_alike_in_both_scripts_is_also_looked_up_as_typed(browser_page, tmp_path: Path) -> None:
    """乾 is read as 干 alone (乾燥 is 干燥 in Simplified), but 乾隆 keeps it in Simplified text."""
    site = copy_site(REPO, tmp_path / "site")
    (site / "content/gongzuo-dongtai/2024-01-09-qianlong.md").write_text(
        "---\ntitle: 乾隆年间的家训\ndate: 2024-01-09\ncategory: 工作动态\n---\n\n乾隆年间的家训，天气干燥。\n", encoding="utf-8")
    build(site, tmp_path / "out")
    with serve_folder(tmp_path / "out") as base:
        context = browser_page.context.browser.new_context(base_url=base)
        page = context.new_page()
        assert search(page, "乾隆", "zh-hant/") == ["/zh-hant/gongzuo-dongtai/2024/qianlong/"]
        assert search(page, "乾燥", "zh-hant/") == ["/zh-hant/gongzuo-dongtai/2024/qianlong/"]
        assert page.locator(".search-result-title a").inner_text() == "乾隆年間的家訓"
        context.close()


def test_several_words_find_the_items_containing_all_of_them(browser_page, sample_output: Path) -> None:
    texts = indexed_texts(sample_output)
    found = search(browser_page, "妇联 12338")
    assert set(found) == {url for url, text in texts.items() if "妇联" in text and "12338" in text}
    assert search(browser_page, "李秀英 12338") == []
    assert search(browser_page, "12339") == []  # not on the site: nothing, not the items with 12 or 123
    assert set(search(browser_page, "“12338”")) == {url for url, text in texts.items() if "12338" in text}  # quotes typed are ignored


def test_category_and_year_filters_narrow_the_results(browser_page, sample_output: Path) -> None:
    texts = indexed_texts(sample_output)
    found = search(browser_page, "妇联", category="weiquan-fuwu")
    assert set(found) == {url for url, text in texts.items() if "妇联" in text and url.startswith("/weiquan-fuwu/")}
    assert browser_page.locator("#search-category").input_value() == "weiquan-fuwu"
    found = search(browser_page, "妇联", year="2024")
    assert found and set(found) == {url for url, text in texts.items() if "妇联" in text and "/2024/" in url}
    browser_page.select_option("#search-year", "2021")  # changing a filter searches again and updates the address
    browser_page.wait_for_function("location.search.includes('year=2021')")
    browser_page.wait_for_function("[...document.querySelectorAll('.search-result a')].every(a => a.href.includes('/2021/'))")


def test_the_header_box_on_every_page_leads_to_the_results(browser_page) -> None:
    browser_page.goto("/funv-zhichuang/2023/minhu-woying/")
    box = browser_page.get_by_role("searchbox", name="搜索本站内容")
    box.fill("家庭教育")
    box.press("Enter")
    browser_page.wait_for_url("**/search/?q=*")
    browser_page.wait_for_selector(".search-result")
    assert browser_page.locator("#search-q").input_value() == "家庭教育"
    browser_page.goto("/zh-hant/")
    assert browser_page.locator("form.site-search").get_attribute("action") == "/zh-hant/search/"


def test_without_javascript_the_search_page_explains_and_links_onwards(chromium, sample_server) -> None:
    context = chromium.new_context(base_url=sample_server, java_script_enabled=False)
    page = context.new_page()
    page.goto("/")
    page.get_by_role("searchbox", name="搜索本站内容").fill("妇联")
    page.get_by_role("button", name="搜索", exact=True).first.click()
    page.wait_for_url("**/search/?q=*")
    assert page.locator(".search-nojs").is_visible()
    assert page.get_by_role("link", name="网站地图").first.is_visible()
    context.close()


def test_search_page_with_results_passes_axe(browser_page) -> None:
    search(browser_page, "家庭教育")
    browser_page.add_script_tag(content=AXE_SOURCE)
    violations = browser_page.evaluate("""() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
                                          .then(r => r.violations.map(v => [v.id, v.nodes.map(n => n.target.join(' ')).slice(0, 3)]))""")
    assert violations == []
    assert browser_page.locator(".search-status").get_attribute("role") == "status"


def test_one_query_downloads_little_of_the_index(browser_page) -> None:
    """What a reader downloads for one query, besides Pagefind's script and WebAssembly."""
    sizes: dict[str, int] = {}
    browser_page.on("requestfinished", lambda request: sizes.__setitem__(urlsplit(request.url).path, request.sizes()["responseBodySize"]))
    search(browser_page, "家庭教育")
    index = sum(size for path, size in sizes.items() if path.endswith((".pf_meta", ".pf_index", ".pf_fragment", ".pf_filter")))
    assert 0 < index < 150_000, sizes


@pytest.fixture(scope="module")
def sharded_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample site with its index in three shards of whole years (2021–2022, 2023–2024, 2025–)."""
    output = tmp_path_factory.mktemp("sharded") / "out"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search_index, "SHARD_PAGES", 12)
        build(REPO, output)
    return output


def test_a_shard_holds_whole_years_and_every_indexed_page_is_in_one(sharded_output: Path) -> None:
    shards = shard_folders(sharded_output)
    assert [shard.name for shard in shards] == ["2021", "2023", "2025"]
    urls = [record["url"] for shard in shards for record in fragments_of(shard)]
    assert sorted(urls) == sorted(indexed_texts(sharded_output)) == sorted(twin_texts(sharded_output))
    years = [{r["filters"].get("year", ["undated"])[0] for r in fragments_of(shard)} for shard in shards]
    assert years == [{"undated", "2021", "2022"}, {"2023", "2024"}, {"2025", "2026"}]


@pytest.mark.parametrize(("prefix", "queries"), [("", SIMPLIFIED_QUERIES), ("zh-hant/", TRADITIONAL_QUERIES)])
def test_a_search_covers_every_shard(chromium, sharded_output: Path, prefix: str, queries: list[str]) -> None:
    texts = indexed_texts(sharded_output, prefix)
    with serve_folder(sharded_output) as base:
        context = chromium.new_context(base_url=base)
        page = context.new_page()
        metas: set[str] = set()
        page.on("requestfinished", lambda request: metas.add(urlsplit(request.url).path.rpartition("/pagefind/")[2].split("/")[0])
                if request.url.endswith(".pf_meta") else None)
        for query in queries:
            expected = {url for url, text in texts.items() if query in text}
            found = search(page, query, prefix)
            assert len(found) == len(set(found)) and set(found) == expected, (query, sorted(expected ^ set(found)))
        assert metas == {"2021", "2023", "2025"}
        # A number found in one shard is not "found" in the others by the longest word that begins it (12, 123 …).
        for absent in ("12339", "2099"):
            assert search(page, absent, prefix) == [], absent
        word = queries[0]
        for year in ("2021", "2024", "2026"):
            found = search(page, word, prefix, year=year)
            assert found and set(found) == {url for url, text in texts.items() if word in text and f"/{year}/" in url}, year
        context.close()


def test_search_works_under_a_sub_path(chromium, tmp_path: Path) -> None:
    build(SITES / "subpath", tmp_path / "root" / "fulian")
    with serve_folder(tmp_path / "root") as base:
        context = chromium.new_context(base_url=base)
        page = context.new_page()
        page.goto("/fulian/search/?q=" + quote("执委"))
        page.wait_for_selector(".search-result")
        hrefs = page.locator(".search-result-title a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
        assert hrefs and all(href.startswith("/fulian/") for href in hrefs)
        response = page.goto(hrefs[0])
        assert response.status == 200 and "执委" in page.locator("h1").inner_text()
        context.close()
    assert not (tmp_path / "root/fulian/zh-hant").exists()  # no Traditional mirror configured: no Traditional texts


def test_traditional_search_works_under_a_sub_path(chromium, tmp_path: Path) -> None:
    site = copy_site(SITES / "subpath", tmp_path / "site")
    (site / "config.yaml").write_text((site / "config.yaml").read_text(encoding="utf-8") + "traditional:\n  profile: s2t\n", encoding="utf-8")
    build(site, tmp_path / "root" / "fulian")
    with serve_folder(tmp_path / "root") as base:
        context = chromium.new_context(base_url=base)
        page = context.new_page()
        page.goto("/fulian/zh-hant/search/?q=" + quote("執委"))
        page.wait_for_selector(".search-result")
        links = page.locator(".search-result-title a")
        hrefs = links.evaluate_all("links => links.map(a => a.getAttribute('href'))")
        assert hrefs and all(href.startswith("/fulian/zh-hant/") for href in hrefs)
        assert "執委" in page.locator(".search-excerpt").first.inner_text()
        title = links.first.inner_text()
        response = page.goto(hrefs[0])
        assert response.status == 200 and page.locator("h1").inner_text() == title and "執委" in page.locator("main").inner_text()
        context.close()


def test_a_site_with_nothing_published_builds_and_its_search_finds_nothing(chromium, tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "content/news").mkdir(parents=True)
    (site / "config.yaml").write_text("site:\n  title: 新站\n  organisation: 新站\n  base_url: https://example.org.cn/\n"
                                      "categories:\n  - key: news\n    name: 工作动态\n", encoding="utf-8")
    (site / "content/news/a.md").write_text("---\ntitle: 草稿\ndate: 2024-01-01\ncategory: 工作动态\ndraft: true\n---\n\n妇联。\n", encoding="utf-8")
    build(site, tmp_path / "out")
    assert not (tmp_path / "out/pagefind").exists()  # Pagefind cannot make an empty index
    with serve_folder(tmp_path / "out") as base:
        context = chromium.new_context(base_url=base)
        page = context.new_page()
        assert search(page, "妇联") == []
        assert page.locator(".search-status").inner_text().startswith("没有找到与“妇联”相关的内容")
        context.close()
