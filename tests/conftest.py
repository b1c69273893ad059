"""Shared helpers: build a site into a temporary folder and parse its pages as HTML."""

from __future__ import annotations

import gzip
import json
import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import lxml.html
import pytest

from fedpress.config import BuildOptions
from fedpress.pipeline import BuildResult, build_site

REPO = Path(__file__).resolve().parent.parent
SITES = Path(__file__).resolve().parent / "sites"
# The smallest valid config.yaml, with two categories: the unit tests start from it.
MINIMAL_CONFIG = """\
site:
  title: 测试市妇联
  organisation: 测试市妇女联合会
  base_url: https://example.org.cn/
categories:
  - key: news
    name: 工作动态
  - key: notices
    name: 通知公告
"""
# A fixed "now" keeps drafts/future/expired decisions independent of the day the tests run.
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def build(site: Path, output: Path, **options: object) -> BuildResult:
    """Build `site` into `output`, keeping its cache beside the output (never inside the repository)."""
    options.setdefault("cache", output.with_name(output.name + ".cache"))
    return build_site(BuildOptions(site=site, output=output, now=NOW, **options))


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` with its bytes, by relative path."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def copy_site(source: Path, destination: Path) -> Path:
    """A private copy of a site (content, config, templates) that a test may change."""
    shutil.copytree(source, destination, ignore=shutil.ignore_patterns("output", ".cache", ".venv", ".git", "tests", "bench"))
    return destination


def page(output: Path, url: str) -> lxml.html.HtmlElement:
    """Parse the page at site-relative `url` (e.g. "gongzuo-dongtai/") from a built site."""
    path = output / url / "index.html" if url == "" or url.endswith("/") else output / url
    return lxml.html.fromstring(path.read_bytes())


def text(element: lxml.html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


def shard_folders(output: Path) -> list[Path]:
    """The shards of the index, as pagefind/shards.json lists them."""
    bundle = output / "pagefind"
    return [bundle / name for name in json.loads((bundle / "shards.json").read_text(encoding="utf-8"))["shards"]]


def fragments(output: Path) -> list[dict]:
    """The records of the index, every shard's."""
    return [record for shard in shard_folders(output) for record in fragments_of(shard)]


def twin_texts(output: Path) -> dict[str, dict]:
    """The Traditional texts of the indexed pages (zh-hant/pagefind/text/…json), by the URL of their Simplified page."""
    folder = output / "zh-hant/pagefind/text"
    return {"/" + path.relative_to(folder).as_posix().removesuffix(".json") + "/": json.loads(path.read_bytes())
            for path in sorted(folder.rglob("*.json"))}


def fragments_of(shard: Path) -> list[dict]:
    """The records of one shard (Pagefind's fragment files: gzip of a signature and JSON)."""
    records = []
    for path in sorted((shard / "fragment").glob("*.pf_fragment")):
        data = gzip.decompress(path.read_bytes())
        records.append(json.loads(data[len(b"pagefind_dcd"):]))
    return records


@pytest.fixture(scope="session")
def sample_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's sample site, built once for the whole session."""
    output = tmp_path_factory.mktemp("sample") / "output"
    build(REPO, output)
    return output


@pytest.fixture(scope="session")
def sample_server(sample_output: Path):
    """The sample site served over HTTP on a free loopback port."""
    from browser import serve_folder

    with serve_folder(sample_output) as base:
        yield base


@pytest.fixture(scope="session")
def chromium():
    """Debian's headless Chromium, driven by Playwright (no browser is downloaded)."""
    from browser import CHROMIUM, CHROMIUM_ARGS
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
