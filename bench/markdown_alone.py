"""Python-Markdown alone on a site's bodies: the floor under any build that uses it.

Converts the body of every item under DIR/content with the standard extensions fedpress
enables (not its own tree processors), on one process per core (forked, as fedpress's workers
are), and writes nothing. `run.py --peers` times it as a command, like the builds it compares,
so its figure includes starting Python and importing Markdown.

    python bench/markdown_alone.py DIR [--workers N]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
from pathlib import Path

import markdown

EXTENSIONS = ["tables", "footnotes", "attr_list", "fenced_code", "def_list", "abbr", "sane_lists", "toc"]


def body(path: Path) -> str:
    """The Markdown after the front matter."""
    text = path.read_text(encoding="utf-8")
    return text.split("\n---\n", 1)[1] if text.startswith("---\n") else text


def convert(paths: list[Path]) -> int:
    md = markdown.Markdown(extensions=EXTENSIONS, output_format="html")
    size = 0
    for path in paths:
        md.reset()
        size += len(md.convert(body(path)))
    return size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("site", type=Path)
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))
    args = parser.parse_args()
    paths = sorted((args.site / "content").rglob("*.md"))
    shares = [paths[start::args.workers] for start in range(args.workers)]
    with multiprocessing.get_context("fork").Pool(args.workers) as pool:
        total = sum(pool.map(convert, shares))
    print(f"{len(paths)} bodies, {total} characters of HTML")


if __name__ == "__main__":
    main()
