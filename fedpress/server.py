"""`serve`: a live preview for editors.

Builds the site (drafts and future items included) into a preview folder under the cache, serves it on
127.0.0.1, watches the site with watchdog and, after a burst of saves has settled, rebuilds only what
changed (the build state stays in memory between rebuilds). When the only file saved is an article
whose front matter is unchanged, its own pages are rendered and shown first (as Hugo's fast render
does), then the full rebuild follows. Requests wait while a rebuild moves files into place, so a
half-built site is never served. Open pages long-poll for the end of each rebuild and reload when they
were affected. A failed rebuild shows its problems, in Chinese, in place of every page until the next
good save; the server keeps running.
"""

from __future__ import annotations

import html
import json
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from .buildstate import BuildState
from .config import BuildOptions, load_config, theme_dir
from .errors import BuildError, BuildFailed, Problems
from .pipeline import BuildResult, LiveSite, build_site, render_edited_item

EVENTS_PATH = "__fedpress__/events"
SETTLE_SECONDS = 0.15  # a burst of saves (auto-save, git checkout) becomes one rebuild
_IGNORED_PARTS = {".git", ".cache", "output", "__pycache__", ".venv", "node_modules"}
_RELOAD_SCRIPT = """<script>
(function () {
  var epoch = %d, here = location.pathname;
  function affected(changed) {
    var path = here.replace(%s, "");
    if (path === "" || path.slice(-1) === "/") path += "index.html";
    return changed.indexOf(path) >= 0;
  }
  function poll() {
    fetch(%s + "?epoch=" + epoch, {cache: "no-store"}).then(function (r) { return r.json(); }).then(function (news) {
      if (news.epoch !== epoch && (news.failed || news.was_failed || affected(news.changed))) { location.reload(); return; }
      epoch = news.epoch; poll();
    }, function () { setTimeout(poll, 1000); });
  }
  poll();
})();
</script>"""


@dataclass(frozen=True)
class Outcome:
    """What the last (re)build produced, as open pages need to know it."""

    epoch: int
    changed: tuple[str, ...]
    problems: Problems
    failed: bool
    was_failed: bool  # the build before it had failed: every open page shows an error and must reload


class Preview:
    """The preview site and its rebuilds; shared by the watcher and the request threads."""

    def __init__(self, options: BuildOptions, say: Callable[[str], None]) -> None:
        folder = options.cache_dir / "preview"
        # The search index takes longer than the rest of an edit's rebuild, and would index drafts: the preview has none.
        self.options = replace(options, drafts=True, future=True, output=folder / "site", search=False, commit_guard=_Committing(self))
        self.state = BuildState.load(folder)
        self.say = say
        self.ready = threading.Condition()
        self.building = False  # files are moving into the preview folder: requests wait
        self.outcome = Outcome(0, (), Problems(), False, False)
        self.live: LiveSite | None = None

    @property
    def root(self) -> Path:
        return self.options.output_dir

    def rebuild(self, saved: frozenset[Path] = frozenset()) -> Outcome:
        """Bring the preview up to date after the files `saved` changed (all of them if unknown).
        An edited article's own page is shown first, then the rest follows."""
        started = time.perf_counter()
        at_once = self._render_at_once(saved)
        if at_once:
            self._publish(Outcome(self.outcome.epoch + 1, at_once, self.outcome.problems, False, False))
            self.say(f"先更新了正在编辑的页面（{time.perf_counter() - started:.2f} 秒），其他页面随后更新。")
        previous = self.outcome
        # The first build prepares the site even when the preview is current, so the next save can take the fast path.
        options = self.options if self.live else replace(self.options, skip_if_current=False)
        try:
            result: BuildResult | None = build_site(options, self.state)
            problems, failed = result.problems, False
            self.live = result.live or self.live
        except BuildFailed as failure:
            result, problems, failed = None, failure.problems, True
        except Exception as exc:
            result, failed = None, True
            problems = Problems([BuildError("", 0, "", f"生成预览时出错：{exc}")])
        changed = result.report.changed if result else ()
        outcome = Outcome(previous.epoch + 1, changed, problems, failed, previous.failed)
        self._publish(outcome)
        self._report(outcome, result, time.perf_counter() - started)
        return outcome

    def _render_at_once(self, saved: frozenset[Path]) -> tuple[str, ...]:
        """The output paths rendered at once when the only file saved is one item's Markdown."""
        existing = [path for path in saved if path.is_file()]
        if self.live is None or self.outcome.failed or len(existing) != 1 or existing[0].suffix.lower() != ".md":
            return ()
        try:
            return render_edited_item(self.live, self.state, self.root, existing[0])
        except Exception:  # the file went away, the preview folder could not be written…: the full rebuild says what is wrong
            return ()

    def _publish(self, outcome: Outcome) -> None:
        with self.ready:
            self.outcome, self.building = outcome, False
            self.ready.notify_all()

    def wait_until_built(self) -> Outcome:
        with self.ready:
            self.ready.wait_for(lambda: not self.building)
            return self.outcome

    def wait_for_news(self, epoch: int, timeout: float = 25) -> Outcome:
        with self.ready:
            self.ready.wait_for(lambda: not self.building and self.outcome.epoch != epoch, timeout=timeout)
            return self.outcome

    def _report(self, outcome: Outcome, result: BuildResult | None, seconds: float) -> None:
        for problem in [*outcome.problems.errors, *outcome.problems.warnings]:
            self.say(str(problem))
        if outcome.failed:
            self.say(f"有 {len(outcome.problems.errors)} 个错误，浏览器中显示错误说明；改正并保存后会自动恢复。")
        elif result is not None:
            self.say(f"已更新 {result.report.written} 个文件、删除 {result.report.removed} 个（{seconds:.2f} 秒）。")


class _Committing:
    """Held by the build while files move into the preview folder; requests wait from then until the
    build's outcome is published, so no page is served half-updated or with a stale outcome."""

    def __init__(self, preview: Preview) -> None:
        self.preview = preview

    def __enter__(self) -> None:
        with self.preview.ready:
            self.preview.building = True

    def __exit__(self, *exc: object) -> None:
        return None


def serve(options: BuildOptions, bind: str = "127.0.0.1", port: int = 8000, say: Callable[[str], None] = print,
          started: Callable[[str], None] | None = None) -> None:
    """Build, serve and watch until interrupted."""
    preview = Preview(options, say)
    preview.rebuild()
    config = load_config(options.site.resolve(), Problems())
    base_path = config.base_path if config else "/"
    server = ThreadingHTTPServer((bind, port), _handler(preview, base_path))
    server.daemon_threads = True
    observer = _watch(options.site.resolve(), preview)
    address = f"http://{bind}:{server.server_address[1]}{base_path}"
    say(f"预览网站：{address}  （保存文件后自动更新；按 Ctrl+C 停止）")
    if started:
        started(address)
    signal.signal(signal.SIGTERM, _stop)  # `kill` stops the preview as cleanly as Ctrl+C
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        observer.stop()
        server.server_close()


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _watch(site: Path, preview: Preview) -> Observer:
    """Watch the site folder (and the theme, if it lives elsewhere); rebuild once a burst of changes settles."""
    pending = threading.Event()
    saved: set[Path] = set()
    saved_lock = threading.Lock()

    class Changes(FileSystemEventHandler):
        def on_any_event(self, event: FileSystemEvent) -> None:
            if event.event_type in ("opened", "closed_no_write"):
                return
            paths = [Path(p) for p in (event.src_path, getattr(event, "dest_path", "")) if p and _relevant(Path(p), site)]
            if not paths:
                return
            with saved_lock:
                saved.update(paths)
            pending.set()

    def settle_and_rebuild() -> None:
        while True:
            pending.wait()
            while pending.is_set():  # keep waiting while saves keep coming
                pending.clear()
                time.sleep(SETTLE_SECONDS)
            with saved_lock:
                batch = frozenset(saved)
                saved.clear()
            try:
                preview.rebuild(batch)
            except Exception as exc:  # the watcher must outlive anything that goes wrong in one rebuild
                preview.say(f"生成预览时出错：{exc}")

    # Only the inputs are watched: the site folder itself for config.yaml, its source folders
    # recursively. Watching output/ or .cache/ would flood the kernel's event queue on every build.
    observer = Observer()
    observer.schedule(Changes(), str(site), recursive=False)
    config = load_config(site, Problems())
    theme = theme_dir(config) if config else None
    for folder in (site / "content", site / "templates", site / "static", site / "themes", theme):
        if folder is not None and folder.is_dir():
            observer.schedule(Changes(), str(folder), recursive=True)
    observer.daemon = True
    observer.start()
    threading.Thread(target=settle_and_rebuild, daemon=True).start()
    return observer


def _relevant(path: Path, site: Path) -> bool:
    name = path.name
    if not name or name.startswith((".", "~")) or name.endswith(("~", ".swp", ".swx", ".tmp")):
        return False
    try:
        parts = path.relative_to(site).parts
    except ValueError:
        return True  # the theme, outside the site
    return not (set(parts) & _IGNORED_PARTS)


def _handler(preview: Preview, base_path: str) -> type[SimpleHTTPRequestHandler]:
    class Handler(SimpleHTTPRequestHandler):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, directory=str(preview.root), **kwargs)

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if url.path == base_path + EVENTS_PATH:
                epoch = int(dict(p.split("=", 1) for p in url.query.split("&") if "=" in p).get("epoch", "-1"))
                self._send_json(preview.wait_for_news(epoch))
                return
            outcome = preview.wait_until_built()
            if not url.path.startswith(base_path):
                self.send_response(HTTPStatus.FOUND)
                self.send_header("Location", base_path)
                self.end_headers()
                return
            self.path = "/" + url.path[len(base_path):] + (f"?{url.query}" if url.query else "")
            rel = unquote(url.path[len(base_path):])
            if outcome.failed and (rel == "" or rel.endswith(("/", ".html"))):
                self._send_html(_error_page(outcome), HTTPStatus.INTERNAL_SERVER_ERROR, outcome.epoch)
                return
            target = preview.root / rel
            if target.is_dir():
                target = target / "index.html"
            if target.suffix == ".html" and target.is_file():
                page = target.read_text(encoding="utf-8")
                status = HTTPStatus.NOT_FOUND if target.name == "404.html" and rel != "404.html" else HTTPStatus.OK
                self._send_html(page, status, outcome.epoch)
                return
            if not target.exists() and (preview.root / "404.html").is_file():
                self._send_html((preview.root / "404.html").read_text(encoding="utf-8"), HTTPStatus.NOT_FOUND, outcome.epoch)
                return
            super().do_GET()

        def end_headers(self) -> None:
            self.send_header("Cache-Control", "no-store")
            super().end_headers()

        def _send_html(self, page: str, status: HTTPStatus, epoch: int) -> None:
            script = _RELOAD_SCRIPT % (epoch, json.dumps(base_path), json.dumps(base_path + EVENTS_PATH))
            body = (page.replace("</body>", script + "</body>", 1) if "</body>" in page else page + script).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _send_json(self, outcome: Outcome) -> None:
            body = json.dumps({"epoch": outcome.epoch, "changed": list(outcome.changed), "failed": outcome.failed,
                               "was_failed": outcome.was_failed}).encode()
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


def _error_page(outcome: Outcome) -> str:
    items = "\n".join(
        f'<li><code>{html.escape(p.file)}{":" + str(p.line) if p.line else ""}</code>'
        f'{" <strong>" + html.escape(p.field) + "</strong>" if p.field else ""}：{html.escape(p.message)}</li>'
        for p in outcome.problems.errors
    )
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>网站有错误，暂时无法预览</title>
<style>body{{font:18px/1.7 system-ui,sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem;color:#1f1f1f}}
h1{{color:#a8141c;font-size:1.5rem}}li{{margin:.75rem 0}}code{{background:#f6f4f1;padding:.1rem .3rem}}</style></head>
<body>
<main>
<h1>网站有 {len(outcome.problems.errors)} 个错误，暂时无法预览</h1>
<p>请按下面的说明修改对应的文件并保存，这个页面会自动刷新。</p>
<ol class="problems">
{items}
</ol>
</main>
</body>
</html>
"""
