"""How long the search index takes to build, how big it is, and what one query downloads.

    .venv/bin/python bench/search_index.py [--site DIR] [--query 妇联] [--query 家庭教育 ...]

Builds the site (without writing it anywhere but a temporary folder), times the search index's
part separately, then serves the result on 127.0.0.1 and runs each query on the search page in
Debian's headless Chromium, adding up the bytes of index files it fetched (pf_meta, pf_index,
pf_filter, pf_fragment) and, separately, Pagefind's script and WebAssembly. The local server
does not compress, so these are the uncompressed transfer sizes (the index files are gzip
already; pagefind.js and the wasm shrink further on a server that compresses).

The queries run on the Simplified search page and, if the site has a mirror, on the Traditional
one, which also fetches the table that turns a query into Simplified characters and the
Traditional texts of the results it shows.

With --pagefind-segmentation it instead indexes the pages as Pagefind would on its own (its
Chinese segmentation, no splitting into characters) and, for each query, compares the items
pagefind.js finds with the items whose indexed text contains the query.
"""

from __future__ import annotations

import argparse
import functools
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, urlsplit

import lxml.html

from fedpress import pipeline, search
from fedpress.config import BuildOptions, load_config
from fedpress.errors import Problems
from fedpress.pipeline import build_site

INDEX_FILES = (".pf_meta", ".pf_index", ".pf_filter", ".pf_fragment")


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=Path("."))
    parser.add_argument("--query", action="append", help="default: 妇联, 家庭教育, 12338")
    parser.add_argument("--pagefind-segmentation", action="store_true", help="measure what Pagefind's own Chinese segmentation finds")
    args = parser.parse_args()
    queries = args.query or ["妇联", "家庭教育", "12338"]
    if args.pagefind_segmentation:
        search.spaced_for_index = lambda page: page
        search._COMMAND_OPTIONS = ("--force-language", "zh", "--quiet")  # Pagefind segments Chinese

    config = load_config(args.site.resolve(), Problems())
    base_path = config.base_path
    with tempfile.TemporaryDirectory(prefix="fedpress-bench-") as folder:
        output = Path(folder) / "root" / base_path.strip("/")  # served under the site's own path
        indexing = _timed(pipeline, "build_search_index")
        started = time.perf_counter()
        built = build_site(BuildOptions(site=args.site, output=output, cache=Path(folder) / "cache"))
        total = time.perf_counter() - started
        pages = sum(len(shard.pages) for shard in indexing.shards)
        print(f"{built.files} files built in {total:.1f} s, of which the search index of {pages} pages "
              f"({len(indexing.shards)} shards) took {indexing.seconds:.1f} s")
        for prefix in ("", "zh-hant/"):
            files = [p for p in (output / prefix / search.BUNDLE).rglob("*") if p.is_file()]
            if files:
                print(f"  /{prefix}pagefind/: {len(files)} files, {sum(p.stat().st_size for p in files) / 1024:.0f} KiB")
        prefixes = ("", "zh-hant/") if config.hant else ("",)
        handler = functools.partial(_Quiet, directory=str(Path(folder) / "root"))
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            home = f"http://127.0.0.1:{server.server_address[1]}{base_path}"
            if args.pagefind_segmentation:
                _recall(home, output, queries)
            else:
                _measure(home, queries, prefixes)
        finally:
            server.shutdown()


class _Timing:
    seconds = 0.0
    shards: tuple = ()


def _timed(module, name: str) -> _Timing:
    """Replace `module.name` by a function that adds its time, and the shards it made, to the result."""
    timing, original = _Timing(), getattr(module, name)

    def timed(shards, *args, **kwargs):
        started = time.perf_counter()
        try:
            return original(shards, *args, **kwargs)
        finally:
            timing.seconds += time.perf_counter() - started
            timing.shards += tuple(shards)

    setattr(module, name, timed)
    return timing


def _measure(home: str, queries: list[str], prefixes: tuple[str, ...]) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        for prefix, query in ((prefix, query) for prefix in prefixes for query in queries):
            page = browser.new_page()
            sizes: dict[str, int] = {}
            page.on("requestfinished", lambda request, sizes=sizes: sizes.__setitem__(urlsplit(request.url).path, request.sizes()["responseBodySize"]))
            started = time.perf_counter()
            page.goto(f"{home}{prefix}search/?q={quote(query)}")
            page.wait_for_function("document.querySelector('.search-results').getAttribute('aria-busy') === 'false'", timeout=60_000)
            elapsed = time.perf_counter() - started
            page.wait_for_load_state("networkidle")  # let the last responses be counted
            index = {p: s for p, s in sizes.items() if p.endswith(INDEX_FILES)}
            texts = {p: s for p, s in sizes.items() if p.endswith(".json") and ("/pagefind/text/" in p or p.endswith(search.QUERY_CHARACTERS))}
            engine = {p: s for p, s in sizes.items() if "/pagefind/" in p and not p.endswith((*INDEX_FILES, ".json"))}
            status = page.locator(".search-status").inner_text()
            traditional = f"; Traditional texts and query table {len(texts)} files = {sum(texts.values()) / 1024:.1f} KiB" if texts else ""
            print(f"/{prefix} query {query}: {status} index files {len(index)} = {sum(index.values()) / 1024:.1f} KiB "
                  f"(fragments {sum(s for p, s in index.items() if p.endswith('.pf_fragment')) / 1024:.1f} KiB){traditional}; "
                  f"Pagefind script and wasm {sum(engine.values()) / 1024:.1f} KiB; page load to results {elapsed:.2f} s")
            page.close()
        browser.close()


def _indexed_texts(output: Path) -> dict[str, str]:
    texts = {}
    for path in output.rglob("index.html"):
        rel = path.relative_to(output).as_posix()
        if rel.startswith("zh-hant/"):
            continue
        bodies = lxml.html.fromstring(path.read_bytes()).xpath("//*[@data-pagefind-body]")
        if bodies:
            for ignored in bodies[0].xpath(".//*[@data-pagefind-ignore]"):
                ignored.drop_tree()
            texts["/" + rel.removesuffix("index.html")] = "".join(bodies[0].text_content().split())
    return texts


def _recall(home: str, output: Path, queries: list[str]) -> None:
    from playwright.sync_api import sync_playwright

    base_path = "/" + home.split("/", 3)[3]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.goto(f"{home}search/")
        texts = _indexed_texts(output)
        for query in queries:
            found = set(page.evaluate("""async ([bundle, base, q]) => {
                const shards = (await (await fetch(bundle + "shards.json")).json()).shards.map(name => bundle + name);
                const pagefind = await import(shards[0] + "pagefind.js");
                await pagefind.options({basePath: shards[0], baseUrl: base});
                for (const shard of shards.slice(1)) await pagefind.mergeIndex(shard, {baseUrl: base});
                const found = await pagefind.search(q);
                return Promise.all(found.results.map(r => r.data().then(d => d.url)));
            }""", [f"{base_path}pagefind/", base_path, query]))
            expected = {base_path.rstrip("/") + url for url, text in texts.items() if query in text}
            print(f"{query}: {len(expected)} items contain it; Pagefind finds {len(found & expected)} of them and {len(found - expected)} others")
        page.close()
        browser.close()


if __name__ == "__main__":
    main()
