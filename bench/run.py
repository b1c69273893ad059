"""The fedpress benchmark: build times and peak memory, with Hugo and Pelican measured in the same run.

    python bench/run.py                      # N = 1,000 and 10,000, 3 runs each
    python bench/run.py --n 1000 --runs 5    # one size
    python bench/run.py --peers              # also Hugo (Debian's `hugo`), Pelican (`--pelican PYTHON`)
                                             # and Python-Markdown alone on the same bodies (markdown_alone.py)

Each scenario is run --runs times; the table gives the median with min–max, and the peak memory
of the build: of all its processes together (their proportional set sizes, sampled every 50 ms, so
pages forked workers share with the build count once), and in brackets of the largest one alone. Scenarios, on a corpus from
bench/corpus.py: cold (no cache, no output), no change, one article edited, one template edited,
and, for `serve`, the time from saving an article to the rebuilt page being served.
Configurations: "peers" is the peers' workload (a page per item, paginated category/tag/home
lists, feeds when the site has them; no Traditional mirror, print views or search), "full" is
the whole fedpress site, "simplified" the whole site without its Traditional mirror, "plain"
without its mirror and print views. What they cost is measured on pairs of cold builds, the full
site's and one without them, one right after the other.
"""

from __future__ import annotations

import argparse
import compileall
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from corpus import write_corpus  # noqa: E402 - the benchmark's own corpus generator, beside this file

CONFIGS = {
    "peers": "print_view: false\nsearch: false\n",
    "full": "print_view: true\ntraditional:\n  profile: s2t\n",
    "simplified": "print_view: true\n",  # the full site without its mirror: what the mirror costs is full minus this
    "plain": "print_view: false\n",  # the full site without its mirror and print views (search on)
}
# Configurations whose cold builds are paired with the full site's: what the full site adds to each.
BASELINES = {"simplified": "mirror", "plain": "mirror and print views"}


@dataclass(frozen=True)
class Measure:
    seconds: float
    peak_mb: float  # of all the build's processes together (see TreeMemory)
    largest_mb: float  # the peak RSS of its largest process
    cpu: float | None = None  # user + system seconds of the build and every process it waited for (workers, Pagefind)


class TreeMemory(threading.Thread):
    """Samples the memory of a process and all its descendants together, every 50 ms, until stopped:
    the sum of their proportional set sizes (a page shared by n processes counts 1/n in each), which
    is what the machine must have. The largest process's peak RSS alone says too little of a build
    that runs workers or Pagefind beside itself. (Reading a process's smaps_rollup takes about 1 ms
    per 250 MB.)"""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kb = 0
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(0.05):
            self.peak_kb = max(self.peak_kb, sum(_pss_kb(pid) for pid in _tree(self.pid)))

    def stop(self, largest_mb: float) -> float:
        """The peak in MB: at least the largest process's, which a build shorter than a sample also has."""
        self.stopped.set()
        self.join()
        return max(self.peak_kb / 1024, largest_mb)


def _tree(pid: int) -> list[int]:
    """`pid` and its descendants, as /proc lists them now."""
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        found.append(parent)
        try:
            for task in os.listdir(f"/proc/{parent}/task"):
                todo += [int(child) for child in Path(f"/proc/{parent}/task/{task}/children").read_text().split()]
        except OSError:  # it ended meanwhile
            pass
    return found


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def run(command: list[str], cwd: Path | None = None) -> Measure:
    """Run a command to completion; its wall time, peak memory (`TreeMemory`) and processor time."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    memory = TreeMemory(process.pid)
    memory.start()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    largest = usage.ru_maxrss / 1024
    peak = memory.stop(largest)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{process.stderr.read().decode(errors='replace')}")
    return Measure(elapsed, peak, largest, usage.ru_utime + usage.ru_stime)


def fedpress_build(site: Path) -> Measure:
    return run([sys.executable, str(REPO / "build.py"), "build", "--site", str(site)])


def markdown_alone(site: Path) -> Measure:
    return run([sys.executable, str(HERE / "markdown_alone.py"), str(site)])


def make_site(root: Path, n: int, config: str) -> Path:
    """The corpus site of `n` items in configuration `config`. A site left by an earlier run is mended:
    the article its edit scenario changed is written again, its template override set aside."""
    site = root / f"fedpress-{n}-{config}"
    write_corpus(site, n)
    with (site / "config.yaml").open("a", encoding="utf-8") as file:
        file.write(CONFIGS[config])
    set_aside(site / "templates", root / "trash")
    return site


def set_aside(folder: Path, trash: Path | None = None) -> None:
    """Move a previous build out of the way, to be deleted when the benchmark ends (into `trash`, by
    default the work folder's). Deleting thousands of files just before a build slows the file
    system's next file creations (ext4 skips recently freed inodes for a while): the cold build
    would pay for the benchmark's own clean-up."""
    if folder.exists():
        trash = trash or folder.parent.parent / "trash"
        trash.mkdir(exist_ok=True)
        folder.rename(trash / f"{folder.parent.name}-{folder.name}-{time.monotonic_ns()}")


def cold(site: Path) -> Measure:
    for folder in (site / "output", site / ".cache"):
        set_aside(folder)
    return fedpress_build(site)


def no_change(site: Path) -> Measure:
    return fedpress_build(site)


def article_edit(site: Path) -> Measure:
    article = sorted((site / "content/gongzuo-dongtai").glob("*.md"))[len(list((site / "content/gongzuo-dongtai").glob("*.md"))) // 2]
    with article.open("a", encoding="utf-8") as file:
        file.write("\n编辑补充的一段文字。\n")
    return fedpress_build(site)


def template_edit(site: Path) -> Measure:
    """Add a line to the footer template (the site's own copy of it): every page changes, and none of
    the text the search index is made from."""
    override = site / "templates/partials/footer.html"
    if not override.exists():
        override.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / "themes/default/templates/partials/footer.html", override)
    with override.open("a", encoding="utf-8") as file:
        file.write("\n")
    return fedpress_build(site)


def serve_edit(site: Path) -> Measure:
    """Start `serve`, save one article, time until the page served carries the change."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, str(REPO / "build.py"), "serve", "--site", str(site), "--port", str(port), "--quiet"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    memory = TreeMemory(server.pid)
    memory.start()
    try:
        _wait_for(lambda: _get(f"http://127.0.0.1:{port}/") is not None, 600)
        article = sorted((site / "content/gongzuo-dongtai").glob("*.md"))[0]
        marker = f"服务预览测试{time.monotonic_ns()}"
        url = _page_url(site, article, port)
        started = time.perf_counter()
        with article.open("a", encoding="utf-8") as file:
            file.write(f"\n{marker}\n")
        _wait_for(lambda: marker in (_get(url) or ""), 60)
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        _, _, usage = os.wait4(server.pid, 0)
    return Measure(elapsed, memory.stop(usage.ru_maxrss / 1024), usage.ru_maxrss / 1024)


def _page_url(site: Path, article: Path, port: int) -> str:
    text = article.read_text(encoding="utf-8")
    year = text.split("date: ", 1)[1][:4]
    slug = re.sub(r"^\d{4}-\d{2}-\d{2}-", "", article.stem)
    return f"http://127.0.0.1:{port}/{article.parent.name}/{year}/{slug}/"


def _get(url: str) -> str | None:
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.read().decode("utf-8")
    except OSError:
        return None


def _wait_for(condition: Callable[[], bool], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit("timed out")
        time.sleep(0.01)


def sample_site(root: Path, mirror: str) -> Path:
    """A fresh copy of the repository's sample site, with its Traditional mirror on ("true") or off. A
    copy left by an earlier run is set aside: its theme and content may be older than the code's."""
    sample = root / ("sample" if mirror == "true" else "sample-no-mirror")
    set_aside(sample, root / "trash")
    shutil.copytree(REPO, sample, ignore=shutil.ignore_patterns("output", ".cache", ".venv", ".git", "tests", "bench", "fedpress*"))
    config = sample / "config.yaml"
    text = config.read_text(encoding="utf-8")
    assert "traditional:\n  enabled: true" in text, "the sample site's config no longer says where its mirror is enabled"
    config.write_text(text.replace("traditional:\n  enabled: true", f"traditional:\n  enabled: {mirror}"), encoding="utf-8")
    return sample


def hugo_site(root: Path, n: int) -> Path:
    """The same articles as a minimal comparable Hugo site: a page per item, paginated lists, RSS."""
    site = root / f"hugo-{n}"
    if site.exists():
        return site
    write_corpus(site, n, flavor="hugo")
    (site / "hugo.toml").write_text('baseURL = "https://bench.example.org.cn/"\ntitle = "基准测试妇联"\npaginate = 20\n'
                                    '[taxonomies]\ncategory = "categories"\ntag = "tags"\n', encoding="utf-8")
    layouts = site / "layouts/_default"
    layouts.mkdir(parents=True)
    base = ('<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{{ .Title }}</title></head><body>'
            '<nav>{{ range .Site.Taxonomies.categories }}<a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a>{{ end }}</nav>'
            '{{ block "main" . }}{{ end }}</body></html>')
    (layouts / "baseof.html").write_text(base, encoding="utf-8")
    (layouts / "single.html").write_text('{{ define "main" }}<h1>{{ .Title }}</h1><p>{{ .Date.Format "2006-01-02" }}</p>{{ .Content }}'
                                         '{{ with .PrevInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}{{ end }}', encoding="utf-8")
    (layouts / "list.html").write_text('{{ define "main" }}<h1>{{ .Title }}</h1>{{ range .Paginator.Pages }}<h2><a href="{{ .RelPermalink }}">'
                                       '{{ .Title }}</a></h2><p>{{ .Summary }}</p>{{ end }}{{ template "_internal/pagination.html" . }}{{ end }}',
                                       encoding="utf-8")
    return site


def hugo_build(site: Path) -> Measure:
    set_aside(site / "public")
    return run(["hugo", "--quiet", "--source", str(site)])


def pelican_site(root: Path, n: int) -> Path:
    site = root / f"pelican-{n}"
    if not site.exists():
        write_corpus(site, n, flavor="pelican")
        (site / "pelicanconf.py").write_text('SITENAME = "基准测试妇联"\nSITEURL = ""\nPATH = "content"\nTIMEZONE = "Asia/Shanghai"\n'
                                             'DEFAULT_LANG = "zh"\nDEFAULT_PAGINATION = 20\nFEED_ALL_RSS = "feeds/all.rss.xml"\n'
                                             'CATEGORY_FEED_RSS = "feeds/{slug}.rss.xml"\nRELATIVE_URLS = True\n', encoding="utf-8")
    return site


def pelican_build(python: str, site: Path) -> Measure:
    set_aside(site / "output")
    return run([python, "-m", "pelican", str(site / "content"), "-s", str(site / "pelicanconf.py"), "-o", str(site / "output"), "-q"])


def summarize(measures: list[Measure]) -> str:
    times = [m.seconds for m in measures]
    cpu = f", CPU {_median_cpu(measures):.2f} s" if all(m.cpu is not None for m in measures) else ""
    memory = f"{max(m.peak_mb for m in measures):6.0f} MB ({max(m.largest_mb for m in measures):.0f} MB)"
    return f"{statistics.median(times):7.2f} s ({min(times):.2f}–{max(times):.2f}) {memory}{cpu}"


def _median_cpu(measures: list[Measure]) -> float:
    return statistics.median(m.cpu for m in measures if m.cpu is not None)


def ratios(measures: list[Measure], reference: list[Measure]) -> tuple[float, float]:
    """Median wall time and median CPU time of `measures`, each divided by that of `reference`."""
    wall = statistics.median(m.seconds for m in measures) / statistics.median(m.seconds for m in reference)
    return wall, _median_cpu(measures) / _median_cpu(reference)


def paired_colds(without: Path, with_mirror: Path, runs: int) -> tuple[list[Measure], list[Measure]]:
    """Cold builds of a site without and with its mirror, one after the other, `runs` times: each pair
    shares the machine's state of the moment, which moves a build's time by a third between minutes.
    Which of the two goes first alternates, so a machine slowing down or speeding up favours neither."""
    pairs = []
    for run in range(runs):
        if run % 2:
            mirrored_first = cold(with_mirror)
            pairs.append((cold(without), mirrored_first))
        else:
            pairs.append((cold(without), cold(with_mirror)))
    return [a for a, _ in pairs], [b for _, b in pairs]


def added_cost(with_more: list[Measure], without: list[Measure]) -> str:
    """What the builds of `with_more` do beyond those of `without` (the Traditional mirror, print views)
    adds to a cold build: the median, min and max over the pairs of `paired_colds`, in wall time and in
    CPU time."""
    wall = sorted(b.seconds / a.seconds - 1 for a, b in zip(without, with_more, strict=True))
    cpu = sorted(b.cpu / a.cpu - 1 for a, b in zip(without, with_more, strict=True) if a.cpu and b.cpu)
    spread = [f"{name} {statistics.median(values):+.0%} ({values[0]:+.0%} to {values[-1]:+.0%})" for name, values in (("wall", wall), ("CPU", cpu)) if values]
    return ", ".join(spread) + f"; {len(wall)} pairs"


def measure_site(site: Path, scenarios: list[tuple[str, Callable[[Path], Measure]]], runs: int,
                 colds: list[Measure] | None = None) -> dict[str, list[Measure]]:
    """Each scenario `runs` times, scenario by scenario, so the cold builds come before the edits that
    replace files (see set_aside); cold builds already measured (`colds`) are not repeated."""
    return {name: colds if name == "cold" and colds else [scenario(site) for _ in range(runs)] for name, scenario in scenarios}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, action="append", help="corpus sizes (default 1000 and 10000)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--configs", default="peers,full")
    parser.add_argument("--peers", action="store_true", help="also measure Hugo and Pelican cold builds")
    parser.add_argument("--pelican", default=os.environ.get("PELICAN_PYTHON", ""), help="a Python with Pelican installed")
    parser.add_argument("--serve", action="store_true", help="also measure serve latency (needs the serve command)")
    parser.add_argument("--sample", action="store_true", help="also measure the repository's sample site")
    parser.add_argument("--cold-only", action="store_true", help="measure cold builds only")
    parser.add_argument("--settle", type=float, default=35,
                        help="seconds to wait after a step that replaced files, before the next cold builds (see set_aside)")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "fedpress-bench")
    args = parser.parse_args()
    sizes = args.n or [1000, 10000]
    args.work.mkdir(parents=True, exist_ok=True)
    # fedpress runs from its byte code, as an installed package does (pip compiles it): in an environment
    # that sets PYTHONDONTWRITEBYTECODE, every build would otherwise compile it first (0.1 s here).
    compileall.compile_dir(REPO / "fedpress", quiet=1)
    rows = []
    scenarios: list[tuple[str, Callable[[Path], Measure]]] = [("cold", cold), ("no change", no_change),
                                                              ("one article", article_edit), ("one template", template_edit)]
    if args.serve:
        scenarios.append(("serve: save to served", serve_edit))
    if args.cold_only:
        scenarios = scenarios[:1]
    if args.sample:
        samples = {label: sample_site(args.work, mirror) for label, mirror in (("fedpress sample site", "true"), ("sample, no mirror", "false"))}
        time.sleep(args.settle)
        without, with_mirror = paired_colds(samples["sample, no mirror"], samples["fedpress sample site"], args.runs)
        sample_colds = {"fedpress sample site": with_mirror, "sample, no mirror": without}
        for label, sample in samples.items():
            time.sleep(args.settle)
            results = measure_site(sample, scenarios, args.runs, sample_colds[label])
            rows += [("sample", label, name, summarize(measures)) for name, measures in results.items()]
        rows.append(("sample", "mirror", "cold: extra for the mirror", added_cost(with_mirror, without)))
    for n in sizes:
        reference = {}
        if args.peers and shutil.which("hugo"):
            reference["hugo"] = [hugo_build(hugo_site(args.work, n)) for _ in range(args.runs)]
            rows.append((n, "Hugo", "cold", summarize(reference["hugo"])))
        if args.peers and args.pelican:
            reference["pelican"] = [pelican_build(args.pelican, pelican_site(args.work, n)) for _ in range(args.runs)]
            rows.append((n, "Pelican", "cold", summarize(reference["pelican"])))
        configs = args.configs.split(",")
        sites = {config: make_site(args.work, n, config) for config in configs}
        if args.peers:
            # The floor under any build using Python-Markdown: converting the same bodies and nothing else.
            floor = [markdown_alone(sites[configs[0]]) for _ in range(args.runs)]
            rows.append((n, "Markdown alone", "bodies, every core", summarize(floor)))
            for peer, measures in reference.items():
                ratio, cpu = ratios(floor, measures)
                rows.append((n, "Markdown alone", f"÷ {peer}", f"{ratio:7.2f}× (CPU {cpu:.2f}×)"))
            reference["Markdown alone"] = floor
        colds: dict[str, list[Measure]] = {}
        extras: dict[str, str] = {}
        for baseline in BASELINES:
            if "full" in sites and baseline in sites:
                time.sleep(args.settle)
                colds[baseline], full = paired_colds(sites[baseline], sites["full"], args.runs)
                colds.setdefault("full", full)
                extras[baseline] = added_cost(full, colds[baseline])
        for config, site in sites.items():
            time.sleep(args.settle)
            results = measure_site(site, scenarios, args.runs, colds.get(config))
            rows += [(n, f"fedpress {config}", name, summarize(measures)) for name, measures in results.items()]
            for peer, measures in reference.items():
                ratio, cpu = ratios(results["cold"], measures)
                rows.append((n, f"fedpress {config}", f"cold ÷ {peer}", f"{ratio:7.2f}× (CPU {cpu:.2f}×)"))
        rows += [(n, BASELINES[baseline], f"cold: full over {baseline}", extra) for baseline, extra in extras.items()]
        for row in rows:
            if row[0] == n:
                print(f"| {row[0]:>6} | {row[1]:<16} | {row[2]:<22} | {row[3]} |", flush=True)
    shutil.rmtree(args.work / "trash", ignore_errors=True)
    print()
    print("| N | configuration | scenario | median (min–max), peak memory of all processes (of the largest), median CPU time; or a comparison |")
    print("|---:|---|---|---|")
    for row in rows:
        print(f"| {row[0]} | {row[1]} | {row[2]} | {row[3]} |")


if __name__ == "__main__":
    main()
