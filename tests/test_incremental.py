"""Incremental builds give exactly what a clean full build gives, for every kind of change."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from fedpress import buildstate, pipeline, search, templates
from fedpress.buildstate import BuildState, fingerprint, fingerprints
from fedpress.config import BuildOptions
from fedpress.errors import BuildFailed
from fedpress.pipeline import build_site, render_edited_item
from fedpress.plan import OutputJob, Variant
from fedpress.sources import digest_file

from conftest import NOW, REPO, SITES, build, copy_site, tree, twin_texts


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


ARTICLE = "content/gongzuo-dongtai/2023-02-17-gongzuo-huiyi.md"
APPEAL = "content/jinguo-fengcai/2022-12-02-guanai-xingdong.md"


def body(site: Path) -> None:
    edit(site / ARTICLE, "会议深入学习", "会议认真深入学习")


def title(site: Path) -> None:
    edit(site / ARTICLE, "title: 市妇联召开2023年全市妇联工作会议", "title: 市妇联隆重召开2023年全市妇联工作会议")


def date(site: Path) -> None:
    edit(site / ARTICLE, "date: 2023-02-17", "date: 2021-01-05")


def category(site: Path) -> None:
    edit(site / ARTICLE, "category: 工作动态", "category: 基层动态")


def tag(site: Path) -> None:
    edit(site / ARTICLE, "tags: [", "tags: [新标签, ")


def linked_slug(site: Path) -> None:  # another item links to the appeal: its body must follow the new URL
    edit(site / APPEAL, "slug: guanai-xingdong", "slug: guanai-xingdong-2022")


def template(site: Path) -> None:
    (site / "templates/partials").mkdir(parents=True)
    footer = REPO / "themes/default/templates/partials/footer.html"
    (site / "templates/partials/footer.html").write_text(footer.read_text(encoding="utf-8").replace("主办单位：", "主办："), encoding="utf-8")


def config(site: Path) -> None:
    edit(site / "config.yaml", "per_page: 20", "per_page: 7")


def page_title(site: Path) -> None:  # pages are listed in every footer
    edit(site / "content/pages/contact.md", "title: 联系我们", "title: 联系方式")


def deletion(site: Path) -> None:
    (site / ARTICLE).unlink()


def new_file(site: Path) -> None:
    (site / "content/gongzuo-dongtai/2026-11-01-xin-gao.md").write_text(
        "---\ntitle: 新稿件\ndate: 2026-11-01 09:00\ncategory: 工作动态\ntags: [家风建设]\n---\n新稿件正文。\n", encoding="utf-8")


def media(site: Path) -> None:
    image = site / "content/images/2024/sanba-huodong.png"
    image.write_bytes(image.read_bytes() + b"\0")


def traditional_phrase(site: Path) -> None:
    edit(site / "config.yaml", "    范晓萍: 范曉萍", "    范晓萍: 范曉萍\n    调解员: 調解員")


def traditional_name(site: Path) -> None:  # in an item's text: its twin and the Traditional text of its search results change
    edit(site / "config.yaml", "    范晓萍: 范曉萍", "    范晓萍: 範曉萍")


CHANGES: list[Callable[[Path], None]] = [body, title, date, category, tag, linked_slug, template, config, page_title,
                                         deletion, new_file, media, traditional_phrase, traditional_name]


@pytest.fixture(scope="module")
def built_once(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A site and its first full build, copied for each change."""
    base = tmp_path_factory.mktemp("incremental")
    site = copy_site(REPO, base / "site")
    build(site, base / "out")
    return site, base / "out"


@pytest.mark.parametrize("change", CHANGES, ids=lambda c: c.__name__)
def test_incremental_build_equals_a_clean_build(built_once: tuple[Path, Path], tmp_path: Path, change: Callable[[Path], None]) -> None:
    site = shutil.copytree(built_once[0], tmp_path / "site")
    output = shutil.copytree(built_once[1], tmp_path / "out")
    shutil.copytree(built_once[1].with_name("out.cache"), tmp_path / "out.cache")
    change(site)
    incremental = build(site, output)
    assert not incremental.current
    assert incremental.rendered < incremental.files or change in (template, config, page_title, traditional_phrase, traditional_name)
    build(site, tmp_path / "clean", cache=tmp_path / "clean.cache")
    assert tree(output) == tree(tmp_path / "clean")


@pytest.fixture(scope="module")
def built_sharded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """As `built_once`, with the search index in shards of a few years each (2021–2022, 2023–2024, 2025–)."""
    base = tmp_path_factory.mktemp("sharded")
    site = copy_site(REPO, base / "site")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "SHARD_PAGES", 12)
        build(site, base / "out")
    return site, base / "out"


# An edited body, an item moved to another shard's year, one gone, one new, every page changed.
@pytest.mark.parametrize("change", [body, date, deletion, new_file, template], ids=lambda c: c.__name__)
def test_incremental_build_of_a_sharded_search_index_equals_a_clean_build(built_sharded: tuple[Path, Path], tmp_path: Path,
                                                                          change: Callable[[Path], None], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "SHARD_PAGES", 12)
    site = shutil.copytree(built_sharded[0], tmp_path / "site")
    output = shutil.copytree(built_sharded[1], tmp_path / "out")
    shutil.copytree(built_sharded[1].with_name("out.cache"), tmp_path / "out.cache")
    change(site)
    build(site, output)
    build(site, tmp_path / "clean", cache=tmp_path / "clean.cache")
    assert tree(output) == tree(tmp_path / "clean")
    assert (output / "pagefind/shards.json").read_text(encoding="utf-8").count("/") >= 3


@pytest.fixture
def indexing_watched(built_sharded: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path, list[str]]:
    """The sharded site, built once into an output of its own, and a list that then receives the
    folder of every shard Pagefind makes (e.g. "pagefind/2023")."""
    monkeypatch.setattr(search, "SHARD_PAGES", 12)
    site = shutil.copytree(built_sharded[0], tmp_path / "site")
    output = tmp_path / "out"
    build(site, output)
    indexed: list[str] = []
    run_pagefind = search._run_pagefind
    monkeypatch.setattr(search, "_run_pagefind", lambda binary, copies, into: indexed.append(into.as_posix().split(".staging/", 1)[1])
                        or run_pagefind(binary, copies, into))
    return site, output, indexed


def test_an_edit_indexes_again_only_the_shard_of_its_year(indexing_watched: tuple[Path, Path, list[str]]) -> None:
    site, output, indexed = indexing_watched
    before = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in output.rglob("*") if p.is_file() and "pagefind/" in p.as_posix()}
    body(site)  # an item of 2023
    build(site, output)
    assert indexed == ["pagefind/2023"]
    after = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in output.rglob("*") if p.is_file() and "pagefind/" in p.as_posix()}
    untouched = {p for p in before if after.get(p) == before[p]}
    assert {p for p in before if "/2023/" not in p.as_posix()} <= untouched  # the other shards' files were not written
    assert {p for p in before if "/2023/fragment/" in p.as_posix()} - untouched  # the edited item's record was
    assert {p for p in before if "/2023/" in p.as_posix() and "/text/" in p.as_posix()} - untouched == {
        output / "zh-hant/pagefind/text/gongzuo-dongtai/2023/gongzuo-huiyi.json"}  # and its Traditional text, alone of its shard's


def test_an_edit_converts_again_only_the_traditional_text_of_its_item(indexing_watched: tuple[Path, Path, list[str]],
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    site, output, indexed = indexing_watched
    converted: list[str] = []
    traditional_content = search._traditional_content
    monkeypatch.setattr(search, "_traditional_content", lambda content, *rest: converted.append(content) or traditional_content(content, *rest))
    body(site)
    build(site, output)
    assert indexed == ["pagefind/2023"] and len(converted) == 1 and "认 真 深 入 学 习" in converted[0]


def test_a_new_site_phrase_converts_the_traditional_texts_again_but_indexes_nothing(indexing_watched: tuple[Path, Path, list[str]],
                                                                                  tmp_path: Path) -> None:
    site, output, indexed = indexing_watched
    traditional_name(site)
    build(site, output)
    assert indexed == []
    assert "範 曉 萍" in twin_texts(output)["/weiquan-fuwu/2024/hunyin-tiaojie/"]["content"]
    build(site, tmp_path / "clean", cache=tmp_path / "clean.cache")
    assert tree(output) == tree(tmp_path / "clean")


def test_a_shard_made_another_way_is_made_again_though_its_pages_did_not_change(indexing_watched: tuple[Path, Path, list[str]],
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    site, output, indexed = indexing_watched
    recipe = search._recipe
    monkeypatch.setattr(search, "_recipe", lambda binary: recipe(binary) + b"another Pagefind")  # as after an upgrade
    config(site)  # the lists change, no indexed page does
    build(site, output)
    assert sorted(indexed) == sorted(f"pagefind/{shard.name}" for shard in output.glob("pagefind/*/"))
    indexed.clear()
    edit(site / "config.yaml", "per_page: 7", "per_page: 8")
    build(site, output)
    assert indexed == []


def test_a_template_edit_indexes_again_only_when_it_changes_what_pagefind_reads(indexing_watched: tuple[Path, Path, list[str]], tmp_path: Path,
                                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    site, output, indexed = indexing_watched
    shards = len(list(output.glob("pagefind/*/")))
    template(site)  # the footer, which Pagefind ignores whole: every page changes, no copy Pagefind reads does
    build(site, output)
    assert indexed == [] and "主办：" in (output / "gongzuo-dongtai/index.html").read_text(encoding="utf-8")
    with (site / "templates/partials/footer.html").open("a", encoding="utf-8") as file:
        file.write("\n")  # a line after the footer, outside what Pagefind reads, as the benchmark's template edit
    build(site, output)
    assert indexed == []
    recipe = search._recipe
    monkeypatch.setattr(search, "_recipe", lambda binary: recipe(binary) + b"another Pagefind")
    edit(site / "templates/partials/footer.html", "主办：", "主办单位：")
    build(site, output)  # the same copies, but not the same Pagefind: every shard is made again
    assert len(indexed) == shards >= 3
    indexed.clear()
    article = (REPO / "themes/default/templates/article.html").read_text(encoding="utf-8")
    assert '<div class="item-body">' in article
    (site / "templates/article.html").write_text(article.replace('<div class="item-body">', '<div class="item-body"><p>全文如下</p>'),
                                                 encoding="utf-8")
    build(site, output)  # text in what Pagefind indexes: every shard is made again
    assert len(indexed) == shards
    build(site, tmp_path / "clean", cache=tmp_path / "clean.cache")
    assert tree(output) == tree(tmp_path / "clean")
    texts = twin_texts(output)
    hits = [url for url, text in texts.items() if "全 文 如 下" in text["content"]]
    assert len(hits) == len(texts) - len(list((site / "content/pages").glob("*.md")))


def test_a_theme_folder_made_in_the_site_replaces_the_shipped_theme_at_the_next_build(tmp_path: Path) -> None:
    site = copy_site(SITES / "subpath", tmp_path / "site")  # a site with no themes/ of its own
    build(site, tmp_path / "out")
    shutil.copytree(REPO / "themes/default", site / "themes/default")
    edit(site / "themes/default/templates/partials/footer.html", "主办单位：", "主办：")
    incremental = build(site, tmp_path / "out")
    assert not incremental.current
    build(site, tmp_path / "clean", cache=tmp_path / "clean.cache")
    assert tree(tmp_path / "out") == tree(tmp_path / "clean")
    assert "主办：" in (tmp_path / "out/index.html").read_text(encoding="utf-8")


def test_one_article_edit_renders_only_the_pages_that_show_it(built_once: tuple[Path, Path], tmp_path: Path) -> None:
    site = shutil.copytree(built_once[0], tmp_path / "site")
    output = tmp_path / "out"
    build(site, output)
    body(site)
    result = build(site, output)
    # its page, print view, the neighbours that name it, and lists with its summary: in both scripts
    assert 4 <= result.rendered <= 30, result.rendered
    assert result.report.written <= result.rendered


def test_a_rebuild_parses_only_the_edited_file(built_once: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Documents and items are kept with the build state: the next command-line build parses only what changed."""
    site = shutil.copytree(built_once[0], tmp_path / "site")
    build(site, tmp_path / "out")
    body(site)
    parsed = []
    original = pipeline.read_document
    monkeypatch.setattr(pipeline, "read_document", lambda source, problems: parsed.append(source.rel) or original(source, problems))
    build(site, tmp_path / "out")
    assert parsed == [ARTICLE]


def test_a_rebuild_writes_again_only_the_parts_of_the_cache_holding_what_changed(built_once: tuple[Path, Path], tmp_path: Path) -> None:
    """After a one-article edit, only the sixteenth of the parsed documents holding it is written again
    (by a forked process, which then holds a copy of the memory of all it writes), and of the markup
    cache only the sixteenths that held its old body and hold its new one."""
    site = shutil.copytree(built_once[0], tmp_path / "site")
    build(site, tmp_path / "out")

    def stamps(folder: str) -> dict[str, int]:
        return {path.name: path.stat().st_mtime_ns for path in (tmp_path / "out.cache" / folder).glob("*.pickle")}

    before = {folder: stamps(folder) for folder in ("parsed", "markup")}
    bodies = len(BuildState.load(tmp_path / "out.cache").cached_markup())
    body(site)
    build(site, tmp_path / "out")
    after = {folder: stamps(folder) for folder in ("parsed", "markup")}
    rewritten = {folder: [name for name in after[folder] if after[folder][name] != before[folder].get(name)] for folder in after}
    # (a bucket may hold none of the sample site's 51 documents)
    assert all(len(before[folder]) > 8 and after[folder].keys() >= before[folder].keys() for folder in before)
    assert len(rewritten["parsed"]) == 1 and 1 <= len(rewritten["markup"]) <= 2, rewritten
    stored = BuildState.load(tmp_path / "out.cache")
    stored.load_parsed()
    assert stored.documents[ARTICLE.removeprefix("content/")][0] == digest_file(site / ARTICLE)
    assert len(stored.documents) == len(list((site / "content").rglob("*.md")))
    markup = stored.cached_markup()
    assert len(markup) == bodies and any("会议认真深入学习" in rendered.html for rendered, _ in markup.values())  # the edited body, anew


def test_a_build_that_fails_after_reading_waits_for_what_it_parsed(built_once: tuple[Path, Path], tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The parsed documents are written by a forked process while the build goes on (here, slowly); a build
    that fails later still waits for them before it ends, so what it parsed is kept."""
    site = shutil.copytree(built_once[0], tmp_path / "site")
    output, cache = tmp_path / "out", tmp_path / "out.cache"
    build(site, output)
    body(site)
    (site / "templates").mkdir()
    (site / "templates/article.html").write_text('{% extends "theme/article.html" %}{% block main %}{{ job.nothing.here }}{% endblock %}', encoding="utf-8")
    write = buildstate._write

    def slowly(path: Path, *data: object) -> None:
        if path.name == "parsed.pickle":
            time.sleep(1)
        write(path, *data)

    monkeypatch.setattr(buildstate, "_write", slowly)
    state = BuildState.load(cache)
    with pytest.raises(BuildFailed):
        build_site(BuildOptions(site=site, output=output, cache=cache, now=NOW), state)
    assert state.parsed_writing is None
    stored = BuildState.load(cache)
    stored.load_parsed()
    assert stored.documents[ARTICLE.removeprefix("content/")][0] == digest_file(site / ARTICLE)


def test_nothing_changed_means_nothing_done(built_once: tuple[Path, Path], tmp_path: Path) -> None:
    site = shutil.copytree(built_once[0], tmp_path / "site")
    output = tmp_path / "out"
    build(site, output)
    again = build(site, output)
    assert again.current and again.rendered == 0 and again.report.written == 0


def test_qr_codes_are_made_once_and_kept_with_the_build_state(built_once: tuple[Path, Path], tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    site = shutil.copytree(built_once[0], tmp_path / "site")
    output = shutil.copytree(built_once[1], tmp_path / "out")
    shutil.copytree(built_once[1].with_name("out.cache"), tmp_path / "out.cache")
    made: list[str] = []
    original = templates._qr_png
    monkeypatch.setattr(templates, "_qr_png", lambda url: made.append(url) or original(url))
    template(site)  # every page is rendered again, each with its code
    again = build(site, output, workers=1)
    assert again.rendered > 300 and made == []
    new = site / "content/gongzuo-dongtai/2099-01-01-xin.md"
    new.write_text("---\ntitle: 新文章\ndate: 2024-01-01\ncategory: 工作动态\n---\n新的正文。\n", encoding="utf-8")
    build(site, output, workers=1)
    assert sorted(made) == ["https://www.ymfulian.org.cn/gongzuo-dongtai/2024/xin/", "https://www.ymfulian.org.cn/zh-hant/gongzuo-dongtai/2024/xin/"]


def test_a_page_the_fast_path_wrote_is_rendered_again_if_the_edit_is_undone_before_a_full_rebuild(tmp_path: Path) -> None:
    site = copy_site(SITES / "subpath", tmp_path / "site")
    state = BuildState(tmp_path / "cache")
    options = BuildOptions(site=site, output=tmp_path / "out", cache=tmp_path / "cache", search=False)
    live = build_site(options, state).live
    article, page = site / "content/news/one.md", tmp_path / "out/news/2025/03/one/index.html"
    original = article.read_text(encoding="utf-8")
    article.write_text(original.replace("会议由县妇联主席主持。", "会议由县妇联主席主持，临时改动。"), encoding="utf-8")
    assert "news/2025/03/one/index.html" in render_edited_item(live, state, options.output_dir, article)
    assert "临时改动" in page.read_text(encoding="utf-8")
    article.write_text(original, encoding="utf-8")  # undone before any full rebuild committed
    build_site(options, state)
    assert "临时改动" not in page.read_text(encoding="utf-8")


def test_a_twin_fingerprint_follows_its_simplified_page() -> None:
    hant = Variant("hant", "zh-Hant", "zh-Hant", "zh-hant/", "繁體", "zh_TW")

    def jobs(title: str) -> list[OutputJob]:
        page = OutputJob("a/index.html", "a/", "a.md", template="article.html", title=title, values={"n": 1})
        feed = OutputJob("rss.xml", "rss.xml", "主题", template="feeds/rss.xml", values={"feed": "简"})
        return [page, replace(page, path="zh-hant/a/index.html", variant=hant),
                feed, replace(feed, path="zh-hant/rss.xml", variant=hant, values={"feed": "繁"})]

    first = fingerprints(jobs("标题"), "site")
    assert len(set(first.values())) == 4
    assert first["a/index.html"] == fingerprint("article.html", {"job": jobs("标题")[0]}, "site")
    # a feed's twin has values of its own: it is fingerprinted like any other job
    assert first["zh-hant/rss.xml"] == fingerprint("feeds/rss.xml", {"job": jobs("标题")[3]}, "site")
    retitled = fingerprints(jobs("新标题"), "site")
    assert retitled["zh-hant/a/index.html"] != first["zh-hant/a/index.html"]
    assert retitled["zh-hant/rss.xml"] == first["zh-hant/rss.xml"]
    assert fingerprints(jobs("标题"), "theme changed")["zh-hant/a/index.html"] != first["zh-hant/a/index.html"]
