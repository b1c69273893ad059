"""Planning: pagination windows and optional outputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from fedpress.plan import Pagination

from conftest import SITES, build, copy_site


@pytest.mark.parametrize(("number", "count", "window"), [
    (1, 1, (1,)),
    (2, 3, (1, 2, 3)),
    (1, 10, (1, 2, 3, None, 10)),
    (5, 10, (1, None, 3, 4, 5, 6, 7, None, 10)),
    (10, 10, (1, None, 8, 9, 10)),
    (4, 10, (1, 2, 3, 4, 5, 6, None, 10)),
])
def test_pagination_links_first_last_and_neighbours(number: int, count: int, window: tuple) -> None:
    assert Pagination(number, count, "news/").window == window


def test_pagination_urls() -> None:
    pages = Pagination(2, 3, "news/")
    assert (pages.url(1), pages.previous_url, pages.next_url) == ("news/", "news/", "news/page/3/")


def test_print_views_can_be_turned_off(tmp_path: Path) -> None:
    site = copy_site(SITES / "subpath", tmp_path / "site")
    with (site / "config.yaml").open("a", encoding="utf-8") as config:
        config.write("print_view: false\n")
    build(site, tmp_path / "out")
    assert not list((tmp_path / "out").rglob("print"))
    html = (tmp_path / "out/news/2025/03/one/index.html").read_text(encoding="utf-8")
    assert "打印本页" not in html and 'media="print"' not in html


def test_search_can_be_turned_off(tmp_path: Path) -> None:
    site = copy_site(SITES / "subpath", tmp_path / "site")
    with (site / "config.yaml").open("a", encoding="utf-8") as config:
        config.write("search: false\n")
    build(site, tmp_path / "out")
    assert not (tmp_path / "out/search").exists() and not (tmp_path / "out/pagefind").exists()
    assert 'role="search"' not in (tmp_path / "out/index.html").read_text(encoding="utf-8")
