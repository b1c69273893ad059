"""The sample site, built once and checked page by page by parsing its HTML."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import lxml.html
import pytest

from conftest import page, text

APPEAL = "jinguo-fengcai/2022/guanai-xingdong/"
SEED_ARTICLE = "funv-zhichuang/2023/minhu-woying/"
NOTICE = "tongzhi-gonggao/2026/zuimei-jiating-tuijian/"
EXPIRED = "tongzhi-gonggao/2025/zhaopin-gonggao/"


def html_pages(output: Path) -> list[Path]:
    return sorted(output.rglob("*.html"))


def test_every_page_has_language_canonical_share_and_government_tags(sample_output: Path) -> None:
    pages = [p for p in html_pages(sample_output) if p.parent.name != "print"]
    assert len(pages) > 60
    for path in pages:
        doc = lxml.html.fromstring(path.read_bytes())
        where = path.relative_to(sample_output)
        traditional = where.parts[0] == "zh-hant"
        assert doc.get("lang") == ("zh-Hant" if traditional else "zh-CN"), where
        canonical = doc.xpath("//link[@rel='canonical']/@href")
        expected = "https://www.ymfulian.org.cn/" + ("zh-hant/" if traditional else "")
        assert len(canonical) == 1 and canonical[0].startswith(expected), where
        for prop in ("og:title", "og:description", "og:url", "og:image", "og:site_name"):
            assert doc.xpath(f"//meta[@property='{prop}']/@content"), (where, prop)
        for name in ("SiteName", "SiteDomain", "SiteIDCode", "ColumnName"):
            assert doc.xpath(f"//meta[@name='{name}']/@content"), (where, name)
        assert doc.xpath("//a[@class='skip-link']/@href") == ["#main"], where
        assert len(doc.xpath("//main[@id='main']")) == 1, where


def test_article_pages_carry_article_meta_tags(sample_output: Path) -> None:
    doc = page(sample_output, SEED_ARTICLE)
    meta = {m.get("name"): m.get("content") for m in doc.xpath("//meta[@name]")}
    assert meta["ArticleTitle"] == "“民呼我应”成都市妇联着力为妇女儿童办实事解难题"
    assert meta["PubDate"] == "2023-09-15 11:31"
    assert meta["ContentSource"] == "成都市妇联"
    assert meta["ColumnName"] == "妇女之窗"
    assert meta["SiteIDCode"] == "4112810001"


def test_every_internal_link_and_image_resolves(sample_output: Path) -> None:
    for path in html_pages(sample_output):
        doc = lxml.html.fromstring(path.read_bytes())
        for target in doc.xpath("//a/@href | //img/@src | //link/@href | //script/@src"):
            parts = urlsplit(target)
            if parts.scheme or parts.netloc or target.startswith(("#", "mailto:", "tel:")):
                continue
            assert target.startswith("/"), (path, target)
            local = sample_output / unquote(parts.path).lstrip("/")
            if parts.path.endswith("/"):
                local = local / "index.html"
            assert local.is_file(), f"{path.relative_to(sample_output)} links to missing {target}"


def test_every_output_path_is_ascii(sample_output: Path) -> None:
    for path in sample_output.rglob("*"):
        assert path.relative_to(sample_output).as_posix().isascii(), path


def test_home_page_has_blocks_notices_and_appeals(sample_output: Path) -> None:
    doc = page(sample_output, "")
    assert text(doc.xpath("//header//a[@class='site-name']")[0]) == "义马市妇女联合会"
    nav = [text(a) for a in doc.xpath("//nav[@aria-label='主导航']//a")]
    assert nav == ["首页", "工作动态", "通知公告", "巾帼风采", "妇女之窗", "维权服务", "家庭教育"]  # 基层动态 is not in the nav
    notices = [text(a) for a in doc.xpath("//section[contains(@class,'home-notices')]//a")]
    assert "关于推荐2026年度“最美家庭”的通知" in notices
    appeals = [text(a) for a in doc.xpath("//section[contains(@class,'home-appeals')]//li//a")]
    assert appeals[-1] == "义马市妇联关于开展“关爱你我他(她)·温暖千万家”行动的倡议书"
    blocks = doc.xpath("//div[@class='home-grid']/section/h2")
    assert [text(h) for h in blocks] == nav[1:]


def test_category_is_paginated_newest_first_with_title_date_and_summary(sample_output: Path) -> None:
    first = page(sample_output, "gongzuo-dongtai/")
    second = page(sample_output, "gongzuo-dongtai/page/2/")
    assert not (sample_output / "gongzuo-dongtai/page/3").exists()
    entries = first.xpath("//ul[@class='entry-list']/li") + second.xpath("//ul[@class='entry-list']/li")
    assert len(first.xpath("//ul[@class='entry-list']/li")) == 20
    assert len(entries) == 26  # 28 files, less one draft and one dated in the future
    dates = [e.xpath(".//time/@datetime")[0] for e in entries]
    assert dates == sorted(dates, reverse=True)
    for entry in entries:
        assert text(entry.xpath(".//h2/a")[0])
        summary = text(entry.xpath(".//p[@class='entry-summary']")[0])
        assert 20 <= len(summary) <= 122
    pager = [a.get("href") for a in first.xpath("//nav[@class='pagination']//a")]
    assert "/gongzuo-dongtai/page/2/" in pager
    assert first.xpath("//title/text()")[0].startswith("工作动态")
    assert second.xpath("//title/text()")[0].startswith("工作动态（第 2 页）")


def test_article_page_follows_the_designed_order(sample_output: Path) -> None:
    doc = page(sample_output, APPEAL)
    order = [
        "//nav[@class='breadcrumb container']",
        "//p[@class='kicker']",
        "//h1",
        "//p[@class='subtitle']",
        "//p[@class='item-meta']",
        "//div[@class='item-body']",
        "//nav[@class='item-nav']",
        "//footer",
    ]
    elements = [doc.xpath(xpath)[0] for xpath in order]
    positions = [list(doc.iter()).index(e) for e in elements]
    assert positions == sorted(positions)
    assert [text(li) for li in doc.xpath("//nav[@class='breadcrumb container']//li")] == ["首页", "巾帼风采", "正文"]
    assert text(doc.xpath("//p[@class='kicker']")[0]) == "巾帼有爱 情暖万家"
    assert "发布日期：2022-12-02 16:50" in text(doc.xpath("//p[@class='item-meta']")[0])


def test_appeal_has_addressee_initiatives_and_signature(sample_output: Path) -> None:
    doc = page(sample_output, APPEAL)
    body = doc.xpath("//div[@class='item-body']")[0]
    children = list(body)
    assert children[0].get("class") == "addressee"
    assert text(children[0]) == "全市各级妇联组织、广大妇女姐妹们："
    assert children[-1].get("class") == "signature"
    assert [text(p) for p in children[-1]] == ["义马市妇女联合会", "2022年12月2日"]
    initiatives = body.xpath(".//ol[@class='initiatives']/li")
    assert len(initiatives) == 6
    leads = [text(li.xpath("./strong[@class='lead']")[0]) for li in initiatives]
    assert leads[0] == "因地制宜开展关爱服务。"
    assert all(lead.endswith("。") and "。" not in lead[:-1] for lead in leads)
    assert [li.get("value") for li in initiatives] == ["1", "2", "3", "4", "5", "6"]


def test_seed_article_is_clean_simplified_chinese(sample_output: Path) -> None:
    body = text(page(sample_output, SEED_ARTICLE).xpath("//article")[0])
    assert not re.search(r"[\u4e00-\u9fff]\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)", body)
    assert not set("頁聯應婦們這愛") & set(body)
    assert "小怡以525分的高考成绩被心仪的成都医学院录取" in body


def test_notice_numbering_becomes_gbt_9704_headings(sample_output: Path) -> None:
    body = page(sample_output, NOTICE).xpath("//div[@class='item-body']")[0]
    assert [text(h) for h in body.xpath("./h2[contains(@class,'gw-1')]")][:2] == ["一、推荐名额", "二、推荐条件"]
    assert text(body.xpath("./h3[contains(@class,'gw-2')]")[0]) == "（一）基本条件"
    assert body.xpath("./p[contains(@class,'gw-3')]")
    run_in = body.xpath("./p[contains(@class,'gw-2')]/strong[@class='gw-lead']")
    assert text(run_in[0]) == "（一）群众推荐。"


def test_hard_wrapped_chinese_is_joined_without_a_gap(sample_output: Path) -> None:
    wraps = re.compile(r"([\u4e00-\u9fff，、。]{2})\n([\u4e00-\u9fff]{2})")
    checked = 0
    for source in (Path(__file__).parent.parent / "content").rglob("*.md"):
        body = source.read_text(encoding="utf-8").split("---", 2)[2]
        pairs = wraps.findall(body)
        if not pairs:
            continue
        slug = re.sub(r"^\d{4}-\d{2}-\d{2}-", "", source.stem)
        output = next(p for p in sample_output.rglob(f"{slug}/index.html") if "zh-hant" not in p.parts)
        rendered = text(lxml.html.fromstring(output.read_bytes()).xpath("//div[@class='item-body']")[0])
        for before, after in pairs:
            assert before + after in rendered, (source.name, before, after)
            checked += 1
    assert checked >= 5, "the sample site should hard-wrap some paragraphs"


def test_table_footnote_image_and_link_between_items(sample_output: Path) -> None:
    doc = page(sample_output, "gongzuo-dongtai/2023/gongzuo-huiyi/")
    assert doc.xpath("//div[@class='table-wrap']/table/thead/tr/th")
    assert doc.xpath("//div[@class='footnote']//li[starts-with(@id,'fn:')]")
    linking = page(sample_output, "gongzuo-dongtai/2022/guanai-tuijin/")
    assert f"/{APPEAL}" in linking.xpath("//div[@class='item-body']//a/@href")
    images = [img for p in html_pages(sample_output) for img in lxml.html.fromstring(p.read_bytes()).xpath("//div[@class='item-body']//img")]
    assert len(images) >= 2
    for img in images:
        assert img.get("alt").strip()
        assert (sample_output / img.get("src").lstrip("/")).is_file()


def test_drafts_and_future_items_are_left_out_and_expired_leave_lists(sample_output: Path) -> None:
    assert not list(sample_output.rglob("nianzhong-zongjie"))  # draft
    assert not list(sample_output.rglob("xinchun-yugao"))  # dated 2027
    expired = page(sample_output, EXPIRED)
    assert "已于 2025年6月30日 结束" in text(expired.xpath("//p[@class='notice-ended']")[0])
    listed = [a.get("href") for p in html_pages(sample_output) if "tongzhi-gonggao/2025/zhaopin" not in str(p)
              for a in lxml.html.fromstring(p.read_bytes()).xpath("//ul[@class='entry-list' or @class='title-list']//a")]
    assert f"/{EXPIRED}" not in listed


@pytest.mark.parametrize("url", ["tags/", "archives/", "archives/2023/", "about/", "contact/", "404.html"])
def test_secondary_pages_exist_with_a_heading(sample_output: Path, url: str) -> None:
    doc = page(sample_output, url)
    assert len(doc.xpath("//h1")) == 1


def test_tag_pages_list_their_items(sample_output: Path) -> None:
    tags = page(sample_output, "tags/")
    links = tags.xpath("//ul[@class='tag-cloud']//a")
    assert links
    for link in links:
        count = int(re.search(r"（(\d+)）", text(link)).group(1))
        tag_page = page(sample_output, link.get("href").lstrip("/"))
        entries = tag_page.xpath("//ul[@class='entry-list']/li")
        assert len(entries) == min(count, 20)
        assert link.get("href").isascii()


def test_previous_and_next_stay_in_the_category(sample_output: Path) -> None:
    doc = page(sample_output, APPEAL)
    for href in doc.xpath("//nav[@class='item-nav']//a/@href"):
        assert href.startswith("/jinguo-fengcai/")


def test_footer_carries_the_record_numbers(sample_output: Path) -> None:
    footer = text(page(sample_output, "").xpath("//footer")[0])
    for expected in ("豫ICP备12345678号-1", "豫公网安备 41128102000123号", "网站标识码：4112810001", "主办单位：义马市妇女联合会", "12338"):
        assert expected in footer
