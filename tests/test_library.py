"""The library: slugs and URLs, order, categories, tags, archives, neighbours, schedule, collisions."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pypinyin import lazy_pinyin

from fedpress.config import BuildOptions, load_config
from fedpress.errors import BuildFailed, Problems
from fedpress.library import Library, Schedule, build_library, load_pinyin, media_names, names_spelled, remembering, slugify, spell_ahead
from fedpress.parallel import OtherProcess
from fedpress.pipeline import check_site
from fedpress.reader import read_document
from fedpress.sources import find_sources

from conftest import MINIMAL_CONFIG, REPO

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2024, 6, 1, 12, 0, tzinfo=SHANGHAI)
CONFIG = MINIMAL_CONFIG


def front(title: str, date: str | None = "2024-01-10", category: str | None = "工作动态", *extra: str, body: str = "正文。\n") -> str:
    lines = [f"title: {title}"]
    if date:
        lines.append(f"date: {date}")
    if category:
        lines.append(f"category: {category}")
    return "---\n" + "\n".join([*lines, *extra]) + "\n---\n\n" + body


def make_site(tmp_path: Path, files: dict[str, str | bytes], config: str = CONFIG) -> Path:
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    (site / "config.yaml").write_text(config, encoding="utf-8")
    for name, data in files.items():
        path = site / "content" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return site


def library(site: Path, now: datetime = NOW, **schedule: bool) -> tuple[Library, list[str]]:
    problems = Problems()
    config = load_config(site, problems)
    assert config is not None, problems.errors
    sources = find_sources(site)
    documents = [doc for s in sources if s.kind != "media" and (doc := read_document(s, problems))]
    built = build_library(config, documents, [s for s in sources if s.kind == "media"], Schedule(now=now, **schedule), problems)
    return built, [str(p) for p in problems.errors]


def urls(items: tuple) -> list[str]:
    return [item.url for item in items]


# -- slugs and URLs -------------------------------------------------------------------------


def test_slug_from_front_matter_ascii_file_name_or_pinyin_of_a_chinese_name(tmp_path: Path) -> None:
    site = make_site(tmp_path, {
        "news/a.md": front("一", "2024-01-01", "工作动态", "slug: guanai-xingdong"),
        "news/Hello_World.md": front("二", "2024-01-02"),
        "news/2024-01-03-huiyi.md": front("三", "2024-01-03"),
        "news/三八节表彰.md": front("四", "2024-03-08"),
        "news/2024年工作要点.md": front("五", "2024-01-05"),
        "news/APP上线.md": front("六", "2024-01-06"),
    })
    built, errors = library(site)
    assert errors == []
    slugs = {item.source.content_rel: item.slug for item in built.items}
    assert slugs == {
        "news/a.md": "guanai-xingdong",
        "news/Hello_World.md": "hello-world",
        "news/2024-01-03-huiyi.md": "huiyi",  # the date is already in the URL
        "news/三八节表彰.md": "-".join(lazy_pinyin("三八节表彰")),
        "news/2024年工作要点.md": "2024-nian-gong-zuo-yao-dian",
        "news/APP上线.md": "app-shang-xian",
    }
    assert built.by_source["news/三八节表彰.md"].url == "news/2024/san-ba-jie-biao-zhang/"
    assert all(item.url.isascii() for item in built.items)


@pytest.mark.parametrize(("text", "slug"), [
    ("三八节表彰", "san-ba-jie-biao-zhang"), ("Hello World", "hello-world"), ("ABC妇联", "abc-fu-lian"),
    ("“巾帼”建功！", "jin-guo-jian-gong"), ("3·8节", "3-8-jie"), ("第3届", "di-3-jie"), ("！！", "item"), ("", "item"),
])
def test_slugify_spells_chinese_in_pinyin_and_keeps_ascii_words_whole(text: str, slug: str) -> None:
    assert slugify(text) == slug


@pytest.mark.parametrize(("permalink", "url"), [
    ("/{category}/{year}/{slug}/", "news/2023/huiyi/"),
    ("/{year}/{month}/{day}/{slug}/", "2023/09/05/huiyi/"),
    ("/{category}/{slug}/", "news/huiyi/"),
    ("/{slug}/", "huiyi/"),
    ("/wenzhang/{year}{month}/{slug}/", "wenzhang/202309/huiyi/"),
])
def test_permalink_patterns(tmp_path: Path, permalink: str, url: str) -> None:
    site = make_site(tmp_path, {"news/huiyi.md": front("会议", "2023-09-05 23:30")}, CONFIG + f"permalink: {permalink}\n")
    built, errors = library(site)
    assert errors == [] and urls(built.items) == [url]


def test_pages_live_at_the_top_without_category_and_out_of_lists(tmp_path: Path) -> None:
    site = make_site(tmp_path, {
        "pages/about.md": "---\ntitle: 关于我们\n---\n\n简介。\n",
        "pages/联系我们.md": "---\ntitle: 联系我们\nslug: contact\n---\n",
        "news/guide.md": "---\ntitle: 办事指南\ntype: page\n---\n",
        "news/a.md": front("会议"),
    })
    built, errors = library(site)
    assert errors == []
    assert urls(built.pages) == ["about/", "contact/", "guide/"]
    assert all(p.is_page and p.category is None and p.date is None and p.source_name == "" for p in built.pages)
    assert urls(built.items) == urls(built.listed) == ["news/2024/a/"]
    assert built.by_source["pages/about.md"].type_name == "页面"


# -- order, categories, tags, archives, neighbours ------------------------------------------


def site_with_many(tmp_path: Path) -> Path:
    return make_site(tmp_path, {
        "news/n1.md": front("一", "2023-03-08 09:00", "工作动态", "tags: [表彰, 三八节]"),
        "news/n2.md": front("二", "2023-12-31 23:59", "news", "tags: 表彰，家庭"),
        "news/n3.md": front("三", "2024-02-01", "工作动态", "tags: [家庭, 家庭, '']"),
        "news/n4.md": front("四", "2024-02-01", "工作动态"),  # same moment as n3: ordered by URL
        "notices/t1.md": front("五", "2023-06-01", "通知公告", "type: notice", "tags: [表彰]"),
        "notices/t2.md": front("六", "2024-05-01", "notices", "type: notice"),
    })


def test_items_are_newest_first_and_grouped_by_category(tmp_path: Path) -> None:
    built, errors = library(site_with_many(tmp_path))
    assert errors == []
    assert [i.slug for i in built.items] == ["t2", "n3", "n4", "n2", "t1", "n1"]
    assert [i.slug for i in built.by_category["news"]] == ["n3", "n4", "n2", "n1"]
    assert [i.slug for i in built.by_category["notices"]] == ["t2", "t1"]
    assert built.by_source["news/n2.md"].category.name == "工作动态"  # by key or by name
    assert built.by_source["notices/t1.md"].type_name == "通知公告"


def test_year_archive_newest_year_first(tmp_path: Path) -> None:
    built, _ = library(site_with_many(tmp_path))
    assert list(built.years) == [2024, 2023]
    assert [i.slug for i in built.years[2023]] == ["n2", "t1", "n1"]
    assert [i.slug for i in built.years[2024]] == ["t2", "n3", "n4"]


def test_tags_list_their_items_newest_first_without_duplicates_or_blanks(tmp_path: Path) -> None:
    built, _ = library(site_with_many(tmp_path))
    tags = {tag.name: tag for tag in built.tags}
    assert set(tags) == {"表彰", "三八节", "家庭"}
    assert [i.slug for i in tags["表彰"].items] == ["n2", "t1", "n1"]
    assert [i.slug for i in tags["家庭"].items] == ["n3", "n2"]
    assert built.by_source["news/n3.md"].tags == ("家庭",)
    assert {tag.name: tag.url for tag in built.tags} == {"表彰": "tags/biao-zhang/", "三八节": "tags/san-ba-jie/", "家庭": "tags/jia-ting/"}


def test_tags_spelled_alike_in_pinyin_get_distinct_urls(tmp_path: Path) -> None:
    site = make_site(tmp_path, {
        "news/a.md": front("一", "2024-01-01", "工作动态", "tags: [妇联, 复联, 附联]"),
        "news/b.md": front("二", "2024-01-02", "工作动态", "tags: [复联]"),
    })
    built, _ = library(site)
    slugs = sorted(tag.slug for tag in built.tags)
    assert slugs == ["fu-lian", "fu-lian-2", "fu-lian-3"]
    again, _ = library(site)
    assert [(t.name, t.slug) for t in again.tags] == [(t.name, t.slug) for t in built.tags]  # stable from build to build


def test_previous_and_next_stay_within_the_category(tmp_path: Path) -> None:
    built, _ = library(site_with_many(tmp_path))
    by_slug = {item.slug: item for item in built.items}

    def neighbours(slug: str) -> tuple[str | None, str | None]:
        newer, older = built.neighbours[by_slug[slug].url]
        return (newer.slug if newer else None, older.slug if older else None)

    assert neighbours("n3") == (None, "n4")
    assert neighbours("n2") == ("n4", "n1")
    assert neighbours("n1") == ("n2", None)
    assert neighbours("t2") == (None, "t1")  # t2 is newest overall, but n3 is another category


# -- schedule: drafts, future, expired --------------------------------------------------------


def scheduled_site(tmp_path: Path) -> Path:
    return make_site(tmp_path, {
        "news/live.md": front("已发布", "2024-05-01"),
        "news/draft.md": front("草稿", "2024-05-02", "工作动态", "draft: true"),
        "news/future.md": front("定时", "2024-06-01 12:01"),
        "news/now.md": front("此刻", "2024-06-01 12:00"),
        "notices/expired.md": front("已结束", "2024-01-01", "通知公告", "type: appeal", "expires: 2024-05-31 23:59"),
        "notices/open.md": front("进行中", "2024-01-02", "通知公告", "expires: 2024-06-01"),
    })


def test_drafts_and_future_items_are_left_out_and_expired_ones_leave_the_lists(tmp_path: Path) -> None:
    built, errors = library(scheduled_site(tmp_path))
    assert errors == []
    status = {item.slug: item.status for item in (*built.items, *built.unbuilt.values())}
    assert status == {"live": "published", "draft": "draft", "future": "future", "now": "published", "expired": "expired",
                      "open": "expired"}
    assert sorted(built.unbuilt) == ["news/draft.md", "news/future.md"]
    assert [i.slug for i in built.items] == ["now", "live", "open", "expired"]  # expired items still get their page
    assert [i.slug for i in built.listed] == ["now", "live"]
    assert [i.slug for i in built.by_category["notices"]] == []
    assert "notices/expired.md" in built.by_source and "news/draft.md" not in built.by_source


def test_an_item_expiring_at_midnight_is_listed_the_day_before(tmp_path: Path) -> None:
    built, _ = library(scheduled_site(tmp_path), now=datetime(2024, 5, 31, 23, 59, 59, tzinfo=SHANGHAI))
    assert "open" in [i.slug for i in built.listed]


def test_drafts_and_future_items_are_built_when_asked(tmp_path: Path) -> None:
    site = scheduled_site(tmp_path)
    with_drafts, _ = library(site, drafts=True)
    assert [i.slug for i in with_drafts.items] == ["now", "draft", "live", "open", "expired"]
    with_future, _ = library(site, future=True)
    assert [i.slug for i in with_future.items] == ["future", "now", "live", "open", "expired"]
    everything, _ = library(site, drafts=True, future=True)
    assert everything.unbuilt == {}


def test_the_reference_time_decides_not_the_clock(tmp_path: Path) -> None:
    site = scheduled_site(tmp_path)
    early, _ = library(site, now=datetime(2024, 1, 1, 12, 0, tzinfo=SHANGHAI))
    assert [i.slug for i in early.listed] == ["expired"]
    assert sorted(early.unbuilt) == ["news/draft.md", "news/future.md", "news/live.md", "news/now.md", "notices/open.md"]


# -- item values ------------------------------------------------------------------------------


def test_appeal_fields_and_defaults(tmp_path: Path) -> None:
    site = make_site(tmp_path, {
        "news/a.md": front("倡议书", "2022-12-02 16:50", "工作动态", "type: appeal", "addressee: 全市各级妇联组织",
                           "signature: 测试市妇女联合会"),
        "news/b.md": front("倡议书二", "2022-12-03", "工作动态", "type: appeal", "signed_on: 2022-12-01",
                           "source: 县妇联", "source_url: https://example.org.cn/x", "author: 张三", "kicker: 引题",
                           "subtitle: ——副题", "summary: 摘要"),
        "news/c.md": front("文章"),
    })
    built, errors = library(site, now=NOW)
    assert errors == []
    a, b, c = (built.by_source[f"news/{n}.md"] for n in "abc")
    assert (a.type, a.type_name, a.addressee, a.signature) == ("appeal", "倡议书", "全市各级妇联组织", "测试市妇女联合会")
    assert a.signed_on == a.date == datetime(2022, 12, 2, 16, 50, tzinfo=SHANGHAI)
    assert a.source_name == "测试市妇女联合会"  # the site's organisation by default
    assert b.signed_on == datetime(2022, 12, 1, tzinfo=SHANGHAI)
    assert (b.source_name, b.source_url, b.author, b.kicker, b.subtitle, b.summary) == (
        "县妇联", "https://example.org.cn/x", "张三", "引题", "——副题", "摘要")
    assert (c.type, c.signed_on, c.draft, c.expires, c.cover) == ("article", None, False, None, "")


def test_cover_and_media_get_ascii_urls(tmp_path: Path) -> None:
    site = make_site(tmp_path, {
        "news/a.md": front("会议", "2024-01-01", "工作动态", "cover: 会议合影.JPG"),
        "news/b.md": front("会议二", "2024-01-02", "工作动态", "cover: /images/share.png"),
        "news/会议合影.JPG": b"\xff\xd8",
        "images/share.png": b"\x89PNG",
    })
    built, errors = library(site)
    assert errors == []
    assert built.by_source["news/a.md"].cover == "news/hui-yi-he-ying.jpg"
    assert built.by_source["news/b.md"].cover == "images/share.png"
    assert built.media_url("news/会议合影.JPG") == "news/hui-yi-he-ying.jpg"
    assert built.media_url("news/none.png") is None


# -- mistakes ----------------------------------------------------------------------------------


def test_two_items_with_one_url_name_both_files_once(tmp_path: Path) -> None:
    site = make_site(tmp_path, {
        "news/a.md": front("一", "2024-01-01", "工作动态", "slug: huiyi"),
        "news/b.md": front("二", "2024-02-01", "工作动态", "slug: huiyi"),
        "news/huiyi.md": front("三", "2024-03-01"),
        "news/draft.md": front("四", "2024-04-01", "工作动态", "slug: huiyi", "draft: true"),  # drafts may not collide either
    })
    built, errors = library(site)
    assert errors == [
        "content/news/b.md:5: slug: 网址 /news/2024/huiyi/ 与 content/news/a.md 重复。请给其中一篇设置不同的 slug。",
        "content/news/draft.md:5: slug: 网址 /news/2024/huiyi/ 与 content/news/a.md 重复。请给其中一篇设置不同的 slug。",
        "content/news/huiyi.md:2: slug: 网址 /news/2024/huiyi/ 与 content/news/a.md 重复。请给其中一篇设置不同的 slug。",
    ]
    assert urls(built.items) == ["news/2024/huiyi/"]
    with pytest.raises(BuildFailed) as failure:  # and the whole pipeline reports each collision only once
        check_site(BuildOptions(site=site, now=NOW))
    assert [str(p) for p in failure.value.problems.errors] == errors


def test_urls_of_site_sections_are_reserved(tmp_path: Path) -> None:
    site = make_site(tmp_path, {
        "pages/tags.md": "---\ntitle: 标签\n---\n",
        "pages/news.md": "---\ntitle: 新闻\n---\n",
        "news/a.md": front("一", "2024-01-01", "工作动态", "slug: archives"),
    }, CONFIG + "permalink: /{slug}/\n")
    _, errors = library(site)
    assert [e.split(": ", 1)[0] for e in errors] == ["content/news/a.md:5", "content/pages/news.md:2", "content/pages/tags.md:2"]
    assert all("已被网站栏目或功能页面占用" in e for e in errors)


def test_media_differing_only_in_case_collide(tmp_path: Path) -> None:
    site = make_site(tmp_path, {"news/a.md": front("一"), "img/Logo.png": b"1", "img/logo.png": b"2"})
    built, errors = library(site)
    assert errors == ["content/img/logo.png: 文件输出路径 /img/logo.png 与 content/img/Logo.png 重复（网站服务器可能不区分大小写），请给其中一个改名。"]
    assert [m.url for m in built.media] == ["img/Logo.png"]


def test_front_matter_mistakes_are_all_reported(tmp_path: Path) -> None:
    site = make_site(tmp_path, {
        "news/a.md": "---\ntitel: 会议\ndate: 2024-01-01\ncategory: 工作动态\n---\n",
        "news/b.md": "---\ntitle: 会议\ndat: 2024-01-01\ncatgory: 工作动态\n---\n",
        "news/c.md": "---\ntitle:\ndate:\ncategory:\n---\n",
        "news/d.md": "---\n---\n",
        "news/e.md": front("会议", "2024-01-01", "工作动态", "type: news", "slug: 会议", "cover: none.png", "signature: 妇联"),
        "pages/p.md": "---\ntitle: 关于\ncategory: 工作动态\n---\n",
    })
    built, errors = library(site)
    assert errors == [
        "content/news/a.md:2: titel: 元数据中没有“titel”这个字段。是否想写“title”？",
        "content/news/b.md:3: dat: 元数据中没有“dat”这个字段。是否想写“date”？",
        "content/news/b.md:4: catgory: 元数据中没有“catgory”这个字段。是否想写“category”？",
        "content/news/c.md:2: title: 标题不能为空，请在“title:”后面填写一段文字。",
        "content/news/c.md:3: date: 发布日期不能为空，请在“date:”后面填写，如“date: 2023-09-15 11:31”。",
        "content/news/c.md:4: category: 栏目不能为空，请在“category:”后面填写，如“category: 工作动态”。",
        "content/news/d.md:1: category: 缺少必填项栏目，请添加一行，如“category: 工作动态”。",
        "content/news/d.md:1: date: 缺少必填项发布日期，请添加一行，如“date: 2023-09-15 11:31”。",
        "content/news/d.md:1: title: 缺少必填项标题，请添加“title: …”一行。",
        "content/news/e.md:5: type: 类型“news”不可用，请写 article（文章）、appeal（倡议书）、notice（通知公告）或 page（页面）。",
        "content/news/e.md:6: slug: 网址名“会议”只能由小写英文字母、数字和连字符组成，如 guanai-xingdong。",
        "content/news/e.md:7: cover: 找不到封面图片“none.png”。路径相对于 content/ 文件夹或本文件所在文件夹，请检查文件名和大小写。",
        "content/news/e.md:8: signature: “signature”只用于倡议书。若这是倡议书，请加上“type: appeal”；否则请删去这一行。",
        "content/pages/p.md:3: category: 页面（content/pages/ 中的文件）不属于任何栏目，请删去 category 一行。",
    ]
    assert built.items == () and built.pages == ()


def test_a_valid_site_compiles_end_to_end(tmp_path: Path) -> None:
    checked = check_site(BuildOptions(site=site_with_many(tmp_path), now=NOW))
    assert checked.problems.errors == []
    assert len(checked.library.items) == 6
    assert {"index.html", "news/index.html", "news/2024/n3/index.html", "tags/biao-zhang/index.html",
            "archives/2023/index.html"} <= {job.path for job in checked.jobs}



# -- related items --------------------------------------------------------------------------


def test_related_items_share_tags_first_then_category_newest_first_at_most_five(tmp_path: Path) -> None:
    site = make_site(tmp_path, {
        "news/me.md": front("本篇", "2024-03-01", "工作动态", "tags: [家风, 维权]"),
        "news/both.md": front("两个标签都有", "2023-01-01", "工作动态", "tags: [维权, 家风]"),
        "notices/one-old.md": front("一个标签·旧", "2022-01-01", "通知公告", "tags: [家风]"),
        "notices/one-new.md": front("一个标签·新", "2024-02-01", "通知公告", "tags: [维权]"),
        "notices/expired.md": front("已结束", "2024-02-15", "通知公告", "tags: [家风, 维权]", "expires: 2024-03-01"),
        "news/cat-1.md": front("同栏目一", "2024-01-01"),
        "news/cat-2.md": front("同栏目二", "2024-01-20"),
        "news/cat-3.md": front("同栏目三", "2023-06-01"),
        "notices/other.md": front("无关", "2024-05-01", "通知公告"),
        "pages/about.md": "---\ntitle: 关于我们\n---\n\n正文。\n",
    })
    built, errors = library(site)
    assert errors == []
    titles = [item.title for item in built.related["news/2024/me/"]]
    assert titles == ["两个标签都有", "一个标签·新", "一个标签·旧", "同栏目二", "同栏目一"]
    assert [item.title for item in built.related["news/2024/cat-1/"]][:2] == ["本篇", "同栏目二"]  # no tags: the category, newest first
    assert all(item.url != "notices/2024/expired/" for related in built.related.values() for item in related)
    assert "about/" not in built.related


def test_related_items_appear_on_article_pages(sample_output: Path) -> None:
    import lxml.html

    doc = lxml.html.fromstring((sample_output / "jinguo-fengcai/2023/li-xiuying/index.html").read_bytes())
    section = doc.xpath("//section[@class='related']")[0]
    hrefs = section.xpath(".//a/@href")
    assert 1 <= len(hrefs) <= 5 and "/jinguo-fengcai/2023/li-xiuying/" not in hrefs
    assert section.get("data-pagefind-ignore") == "all"
    hant = lxml.html.fromstring((sample_output / "zh-hant/jinguo-fengcai/2023/li-xiuying/index.html").read_bytes())
    assert hant.xpath("//section[@class='related']//a/@href") == ["/zh-hant" + href for href in hrefs]


def test_remembering_keeps_chinese_spellings_only_and_reports_the_new_ones() -> None:
    slugs, spelled = {"机构设置": "ji-gou-she-zhi"}, {}
    spell = remembering(slugs, spelled)
    assert [spell("机构设置"), spell("主要职能"), spell("About Us")] == ["ji-gou-she-zhi", "zhu-yao-zhi-neng", "about-us"]
    assert slugs == {"机构设置": "ji-gou-she-zhi", "主要职能": "zhu-yao-zhi-neng"}  # ASCII needs no dictionary: not kept
    assert spelled == {"主要职能": "zhu-yao-zhi-neng"}  # only what was spelled anew


def test_spelling_ahead_spells_the_chinese_texts_not_yet_known_in_another_process() -> None:
    slugs = {"机构设置": "remembered"}
    with OtherProcess(load_pinyin) as elsewhere:
        spell_ahead(["机构设置", "主要职能", "About Us", "主要职能"], slugs, elsewhere)
    assert slugs == {"机构设置": "remembered", "主要职能": "zhu-yao-zhi-neng"}  # the known one is not spelled again; ASCII needs no dictionary


def test_the_names_spelled_ahead_are_those_the_library_spells(tmp_path: Path) -> None:
    site = make_site(tmp_path, {
        "news/2024-01-10-关爱行动.md": front("甲", "2024-01-10", "工作动态", "tags: [志愿服务, 家庭教育]"),
        "news/乙.md": front("乙", "2024-01-11", "工作动态", "slug: yi", "tags: 巾帼建功，志愿服务"),
        "图片/活动照片.jpg": b"jpg",
    })
    config = load_config(site, Problems())
    sources = find_sources(site)
    documents = [read_document(s, Problems()) for s in sources if s.kind != "media"]
    foreseen = set().union(*(names_spelled(d, config) for d in documents), *(media_names(s.content_rel) for s in sources if s.kind == "media"))
    asked: list[str] = []
    build_library(config, documents, [s for s in sources if s.kind == "media"], Schedule(now=NOW), Problems(), {},
                  _Recording(asked))
    assert {text for text in asked if not text.isascii()} == foreseen
    assert foreseen == {"关爱行动", "志愿服务", "家庭教育", "巾帼建功", "图片", "活动照片"}  # 乙 has a slug of its own


class _Recording(dict):
    """A memo of slugs that knows nothing and notes every text looked up in it."""

    def __init__(self, asked: list[str]) -> None:
        super().__init__()
        self.asked = asked

    def get(self, text: str, default: object = None) -> object:
        self.asked.append(text)
        return default


def test_a_build_spells_in_pinyin_without_loading_the_dictionaries_itself(tmp_path: Path) -> None:
    """The sample site's tags, file names and headings are spelled ahead, so the build's own process
    (converting Markdown itself: one worker) never imports pypinyin."""
    script = ("import sys\n"
              "from pathlib import Path\n"
              "from fedpress.config import BuildOptions\n"
              "from fedpress.pipeline import build_site\n"
              f"result = build_site(BuildOptions(site=Path({str(REPO)!r}), output=Path({str(tmp_path / 'out')!r}),\n"
              f"                                 cache=Path({str(tmp_path / 'cache')!r}), workers=1))\n"
              "assert not result.problems.errors\n"
              "print('pypinyin' in sys.modules)\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=True)
    assert result.stdout.split()[-1] == "False"
    assert (tmp_path / "out/tags/jia-ting-jiao-yu/index.html").is_file()  # 家庭教育, spelled all the same
