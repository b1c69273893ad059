"""RSS and Atom feeds: they parse cleanly, follow the feed rules that can be checked offline, list only
published items, survive the Traditional conversion, and every page announces them."""

from __future__ import annotations

import re
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import lxml.etree
import lxml.html
import pytest

from fedpress.errors import BuildFailed

from conftest import REPO, SITES, build, copy_site

BASE = "https://www.ymfulian.org.cn/"
ATOM = "{http://www.w3.org/2005/Atom}"
CATEGORIES = ["gongzuo-dongtai", "tongzhi-gonggao", "jinguo-fengcai", "funv-zhichuang", "weiquan-fuwu", "jiating-jiaoyu", "jiceng-dongtai"]
FEEDS = [f"{prefix}{folder}{name}" for prefix in ("", "zh-hant/") for folder in ("", *(f"{c}/" for c in CATEGORIES))
         for name in ("rss.xml", "atom.xml")]
RFC822 = re.compile(r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}")
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")


def xml(output: Path, rel: str) -> lxml.etree._Element:
    return lxml.etree.fromstring((output / rel).read_bytes())  # raises on anything that is not well-formed XML


@pytest.mark.parametrize("rel", FEEDS)
def test_every_feed_parses_without_errors(sample_output: Path, rel: str) -> None:
    parsed = feedparser.parse((output := sample_output / rel).read_bytes())
    assert parsed.bozo == 0, (rel, parsed.get("bozo_exception"))
    assert parsed.version == ("rss20" if rel.endswith("rss.xml") else "atom10")
    xml(output.parent, output.name)


def test_site_feeds_list_the_latest_twenty_published_items_newest_first(sample_output: Path) -> None:
    for rel in ("rss.xml", "atom.xml"):
        entries = feedparser.parse((sample_output / rel).read_bytes()).entries
        assert len(entries) == 20
        dates = [datetime(*e.published_parsed[:6]) for e in entries]
        assert dates == sorted(dates, reverse=True)
        first = entries[0]
        assert first.title and first.summary and first.link.startswith(BASE)
        assert first.tags[0].term in ("基层动态", "jiceng-dongtai")


def test_rss_follows_the_rules_a_feed_validator_checks(sample_output: Path) -> None:
    for rel in [f for f in FEEDS if f.endswith("rss.xml")]:
        channel = xml(sample_output, rel).find("channel")
        for required in ("title", "link", "description"):
            assert (channel.findtext(required) or "").strip(), (rel, required)
        self_links = channel.findall(f"{ATOM}link[@rel='self']")
        assert [link.get("href") for link in self_links] == [BASE + rel]
        assert self_links[0].get("type") == "application/rss+xml"
        assert RFC822.fullmatch(channel.findtext("lastBuildDate"))
        guids = []
        for item in channel.findall("item"):
            assert item.findtext("title") and item.findtext("description")
            assert urlsplit(item.findtext("link")).scheme == "https"
            guid = item.find("guid")
            assert guid.get("isPermaLink") == "true" and guid.text == item.findtext("link")
            guids.append(guid.text)
            date = item.findtext("pubDate")
            assert RFC822.fullmatch(date), date
            assert parsedate_to_datetime(date).utcoffset().total_seconds() == 8 * 3600  # the site's time zone
        assert len(guids) == len(set(guids)), rel


def test_atom_follows_the_rules_a_feed_validator_checks(sample_output: Path) -> None:
    for rel in [f for f in FEEDS if f.endswith("atom.xml")]:
        feed = xml(sample_output, rel)
        assert feed.findtext(f"{ATOM}title") and feed.findtext(f"{ATOM}id") == BASE + rel
        assert RFC3339.fullmatch(feed.findtext(f"{ATOM}updated"))
        assert feed.findtext(f"{ATOM}author/{ATOM}name") == ("義馬市婦女聯合會" if rel.startswith("zh-hant/") else "义马市妇女联合会")
        assert [link.get("href") for link in feed.findall(f"{ATOM}link[@rel='self']")] == [BASE + rel]
        ids = []
        for entry in feed.findall(f"{ATOM}entry"):
            ids.append(entry.findtext(f"{ATOM}id"))
            assert entry.findtext(f"{ATOM}title") and entry.findtext(f"{ATOM}summary")
            for stamp in ("published", "updated"):
                value = entry.findtext(f"{ATOM}{stamp}")
                assert RFC3339.fullmatch(value) and datetime.fromisoformat(value).utcoffset() is not None, value
            alternate = entry.find(f"{ATOM}link[@rel='alternate']")
            assert alternate.get("href") == ids[-1] and alternate.get("href").startswith(BASE)
        assert len(ids) == len(set(ids)), rel


def test_category_feeds_hold_only_their_category(sample_output: Path) -> None:
    entries = feedparser.parse((sample_output / "weiquan-fuwu/atom.xml").read_bytes()).entries
    assert entries and all(e.link.startswith(BASE + "weiquan-fuwu/") for e in entries)
    assert {t.label for e in entries for t in e.tags} == {"维权服务"}


def test_drafts_future_and_expired_items_are_in_no_feed(tmp_path: Path) -> None:
    output = tmp_path / "out"
    build(REPO, output, drafts=True, future=True)  # built as pages, but still not in feeds
    assert (output / "gongzuo-dongtai/2026/nianzhong-zongjie/index.html").is_file()
    everything = b"".join((output / rel).read_bytes() for rel in FEEDS)
    for url in ("gongzuo-dongtai/2026/nianzhong-zongjie/", "gongzuo-dongtai/2027/xinchun-yugao/", "tongzhi-gonggao/2025/zhaopin-gonggao/"):
        assert url.encode() not in everything


def test_traditional_feeds_are_converted_text_and_untouched_urls(sample_output: Path) -> None:
    hans = feedparser.parse((sample_output / "atom.xml").read_bytes())
    hant = feedparser.parse((sample_output / "zh-hant/atom.xml").read_bytes())
    assert hant.feed.title == "義馬市婦女聯合會" and hant.feed.language == "zh-Hant"
    assert [e.link for e in hant.entries] == [e.link.replace(BASE, BASE + "zh-hant/") for e in hans.entries]
    text = " ".join(e.title + e.summary for e in hant.entries)
    assert "婦聯" in text and "妇联" not in text
    assert (sample_output / "zh-hant/rss.xml").read_bytes().startswith(b'<?xml version="1.0" encoding="utf-8"?>\n<rss')


def test_full_content_and_item_count_are_configurable(tmp_path: Path) -> None:
    site = copy_site(REPO, tmp_path / "site")
    config = site / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "\nfeeds:\n  full_content: true\n  items: 5\n", encoding="utf-8")
    build(site, tmp_path / "out", search=False)
    rss = feedparser.parse((tmp_path / "out/rss.xml").read_bytes())
    assert len(rss.entries) == 5
    content = rss.entries[0].content[0].value
    assert "<p>" in content and 'href="/' not in content and 'src="/' not in content
    atom = feedparser.parse((tmp_path / "out/zh-hant/atom.xml").read_bytes())
    assert "<p>" in atom.entries[0].content[0].value and "妇联" not in atom.entries[0].content[0].value
    appeal = feedparser.parse((tmp_path / "out/jinguo-fengcai/rss.xml").read_bytes()).entries
    assert appeal and all(e.content[0].value for e in appeal)


def test_bad_feed_settings_are_reported(tmp_path: Path) -> None:
    site = copy_site(SITES / "subpath", tmp_path / "site")
    config = site / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "feeds:\n  items: 0\n  full: true\n", encoding="utf-8")
    with pytest.raises(BuildFailed) as failure:
        build(site, tmp_path / "out")
    messages = [str(p) for p in failure.value.problems.errors]
    assert any("feeds.items" in m and "订阅源条数必须大于 0" in m for m in messages), messages
    assert any("feeds.full" in m for m in messages), messages


def test_every_page_announces_the_feeds_of_its_script(sample_output: Path) -> None:
    checked = 0
    for path in sample_output.rglob("*.html"):
        rel = path.relative_to(sample_output).as_posix()
        if "/print/" in rel:
            continue
        prefix = "/zh-hant/" if rel.startswith("zh-hant/") else "/"
        doc = lxml.html.fromstring(path.read_bytes())
        for kind in ("rss", "atom"):
            hrefs = doc.xpath(f"//head/link[@rel='alternate'][@type='application/{kind}+xml']/@href")
            assert f"{prefix}{kind}.xml" in hrefs, rel
            assert all((sample_output / h.lstrip("/")).is_file() for h in hrefs), (rel, hrefs)
        checked += 1
    assert checked > 100
    category = lxml.html.fromstring((sample_output / "zh-hant/weiquan-fuwu/index.html").read_bytes())
    assert "/zh-hant/weiquan-fuwu/rss.xml" in category.xpath("//head/link[@type='application/rss+xml']/@href")


def test_feeds_of_a_site_under_a_sub_path(tmp_path: Path) -> None:
    build(SITES / "subpath", tmp_path / "out", search=False)
    rss = feedparser.parse((tmp_path / "out/news/rss.xml").read_bytes())
    assert rss.bozo == 0 and rss.feed.link == "https://example.org.cn/fulian/news/"
    assert all(e.link.startswith("https://example.org.cn/fulian/news/") for e in rss.entries)
