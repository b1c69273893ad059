"""What a deploy sends and in what order, decided from the built site, the target's manifest, the journal and a listing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fedpress.deploy.headers import cache_control, content_type
from fedpress.deploy.manifest import MANIFEST, Entry, Journal, Manifest
from fedpress.deploy.plan import ASSETS, FEEDS, HOME, LISTS, PAGES, make_plan, scan_output
from fedpress.deploy.transport import RemoteFile
from fedpress.errors import Problems

ARTICLE = b'<!doctype html><meta property="og:type" content="article"><title>a</title>'
LIST = b'<!doctype html><meta property="og:type" content="website"><title>list</title>'


def site(folder: Path, files: dict[str, bytes]) -> Path:
    for path, data in files.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_bytes(data)
    return folder


def scan(folder: Path, files: dict[str, bytes]) -> tuple[dict, list[str]]:
    problems = Problems()
    found = scan_output(site(folder, files), problems)
    return found, [str(p) for p in problems.errors]


def test_assets_first_then_articles_lists_home_and_feeds_last(tmp_path: Path) -> None:
    files, errors = scan(tmp_path, {
        "index.html": LIST,
        "zh-hant/index.html": LIST,
        "feed.xml": b"<rss/>",
        "sitemap.xml": b"<urlset/>",
        "news/index.html": LIST,
        "news/page/2/index.html": LIST,
        "news/2024/meeting/index.html": ARTICLE,
        "news/2024/meeting/print/index.html": b"<!doctype html><title>print</title>",
        "static/css/site.css": b"body{}",
        "images/2024/photo.png": b"\x89PNG",
    })
    assert errors == []
    plan = make_plan(files, {}, {}, None, delete=False)
    assert [(f.path, f.rank) for f in plan.uploads] == [
        ("images/2024/photo.png", ASSETS),
        ("static/css/site.css", ASSETS),
        ("news/2024/meeting/index.html", PAGES),
        ("news/2024/meeting/print/index.html", PAGES),
        ("news/index.html", LISTS),
        ("news/page/2/index.html", LISTS),
        ("index.html", HOME),
        ("zh-hant/index.html", HOME),
        ("feed.xml", FEEDS),
        ("sitemap.xml", FEEDS),
    ]


def test_names_a_windows_host_would_get_wrong_are_refused(tmp_path: Path) -> None:
    _, errors = scan(tmp_path, {"index.html": LIST, "images/Photo.png": b"1", "images/photo.png": b"2", "images/活动.png": b"3",
                                "files/con.txt": b"4", MANIFEST: b"{}"})
    assert errors == [
        f"{MANIFEST}: 文件名 {MANIFEST} 留给发布程序使用，请改名后重新生成。",
        "files/con.txt: 文件名含有 Windows/IIS 主机不允许的字符或名称（如 < > : \" | ? * 、CON、NUL，或以点、空格结尾）。请改名后重新生成。",
        "images/photo.png: 与 images/Photo.png 只有大小写不同，在 Windows/IIS 主机上会互相覆盖。请把其中一个改名后重新生成。",
        "images/活动.png: 文件名含有汉字或其他非 ASCII 字符，在 Windows/IIS 主机和网址中容易出错。请把 content/ 中的原文件改用英文或拼音命名，再重新生成。",
    ]


def entries(files: dict) -> dict[str, Entry]:
    return {path: file.entry for path, file in files.items()}


def test_only_new_and_changed_files_travel_and_deletion_is_bounded_by_the_manifest(tmp_path: Path) -> None:
    files, _ = scan(tmp_path, {"index.html": LIST, "a/index.html": ARTICLE, "b/index.html": ARTICLE + b"changed"})
    manifest = {**entries(files), "b/index.html": Entry("0" * 64, 3), "old/index.html": Entry("1" * 64, 5)}
    remote = {path: RemoteFile(entry.size) for path, entry in manifest.items()} | {"theirs.php": RemoteFile(9)}
    kept = make_plan(files, manifest, {}, remote, delete=False)
    assert [f.path for f in kept.uploads] == ["b/index.html"]
    assert (kept.unchanged, kept.deletes, kept.kept) == (2, (), ("old/index.html",))
    deleting = make_plan(files, manifest, {}, remote, delete=True)
    assert (deleting.deletes, deleting.kept, deleting.empty_dirs) == (("old/index.html",), (), ("old",))  # never theirs.php


def test_a_file_renamed_only_in_case_is_not_deleted_on_a_case_insensitive_host(tmp_path: Path) -> None:
    files, _ = scan(tmp_path, {"index.html": LIST, "images/photo.png": b"new"})
    manifest = {"index.html": files["index.html"].entry, "images/Photo.png": Entry("2" * 64, 3)}
    plan = make_plan(files, manifest, {}, None, delete=True)
    assert plan.deletes == () and [f.path for f in plan.uploads] == ["images/photo.png"]


def test_missing_or_changed_files_on_the_target_are_sent_again(tmp_path: Path) -> None:
    files, _ = scan(tmp_path, {"index.html": LIST, "a.css": b"a{}", "b.css": b"b{}", "c.css": b"c{}"})
    remote = {"index.html": RemoteFile(files["index.html"].size), "b.css": RemoteFile(99),
              "c.css": RemoteFile(3, md5="0" * 32), ".a.css.fedpress-tmp": RemoteFile(1)}
    plan = make_plan(files, entries(files), {}, remote, delete=False)
    assert plan.repairs == (
        ("a.css", "目标上缺少此文件"),
        ("b.css", "目标上的文件大小不同（99 字节，应为 3 字节）"),
        ("c.css", "目标上的文件内容不同"),
    )
    assert plan.unchanged == 1 and plan.leftovers == (".a.css.fedpress-tmp",)


def test_what_an_interrupted_deploy_delivered_is_not_sent_again(tmp_path: Path) -> None:
    files, _ = scan(tmp_path, {"index.html": LIST, "a.css": b"a{}", "b.css": b"b{}"})
    journal = {"a.css": files["a.css"].entry, "gone.css": None}
    plan = make_plan(files, {"gone.css": Entry("3" * 64, 1)}, journal, None, delete=True)
    assert [f.path for f in plan.uploads] == ["b.css", "index.html"]
    assert (plan.resumed, plan.deletes) == (1, ())


def test_the_journal_survives_a_cut_and_belongs_to_one_target(tmp_path: Path) -> None:
    path = tmp_path / "deploy" / "site.journal"
    journal = Journal(path, "local|||0|||/srv/site")
    journal.record("a.css", Entry("a" * 64, 3))
    journal.record("old.css", None)
    journal.close()
    with path.open("a", encoding="utf-8") as handle:
        handle.write('{"path": "b.css", "sha')  # the line the interruption cut short
    assert Journal(path, "local|||0|||/srv/site").replay() == {"a.css": Entry("a" * 64, 3), "old.css": None}
    assert Journal(path, "ftp|u|h|21|||/htdocs").replay() == {}
    journal.finish()
    assert not path.exists()


def test_the_manifest_reads_back_and_a_damaged_one_is_known_as_such() -> None:
    manifest = Manifest({"index.html": Entry("a" * 64, 12), "b/c.png": Entry("b" * 64, 3)})
    assert Manifest.parse(manifest.to_bytes()) == manifest
    assert Manifest.parse(None) == Manifest()
    assert Manifest.parse(b'{"files": {"x": ') .readable is False


@pytest.mark.parametrize(("path", "kind", "cache"), [
    ("index.html", "text/html; charset=utf-8", "public, max-age=300"),
    ("feed.xml", "application/xml; charset=utf-8", "public, max-age=300"),
    ("search.json", "application/json; charset=utf-8", "public, max-age=300"),
    ("static/css/site.css", "text/css; charset=utf-8", "public, max-age=31536000"),
    ("static/js/site.js", "text/javascript; charset=utf-8", "public, max-age=31536000"),
    ("static/favicon.svg", "image/svg+xml; charset=utf-8", "public, max-age=31536000"),
    ("static/app.3f2a9c1b.js", "text/javascript; charset=utf-8", "public, max-age=31536000, immutable"),
    ("images/2024/photo.png", "image/png", "public, max-age=2592000"),
    ("files/2024/notice.pdf", "application/pdf", "public, max-age=2592000"),
    (MANIFEST, "application/json; charset=utf-8", "no-cache"),
])
def test_object_storage_headers_by_kind_of_file(path: str, kind: str, cache: str) -> None:
    assert (content_type(path), cache_control(path)) == (kind, cache)


def test_digests_are_remembered_until_the_file_changes(tmp_path: Path) -> None:
    output = site(tmp_path / "output", {"index.html": LIST, "a/index.html": ARTICLE})
    cache = tmp_path / "cache" / "digests.json"
    first = scan_output(output, Problems(), cache)
    remembered = json.loads(cache.read_text(encoding="utf-8"))
    remembered["index.html"][3] = "f" * 64  # were the file read again, this would not come back
    cache.write_text(json.dumps(remembered), encoding="utf-8")
    assert scan_output(output, Problems(), cache)["index.html"].sha256 == "f" * 64
    (output / "index.html").unlink()
    (output / "index.html").write_bytes(LIST + b"<p>new")  # the writer makes a new file for new bytes
    again = scan_output(output, Problems(), cache)
    assert again["index.html"].sha256 not in ("f" * 64, first["index.html"].sha256)
    assert again["a/index.html"] == first["a/index.html"] and again["a/index.html"].rank == PAGES
