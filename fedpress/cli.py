"""The `fedpress` command: build, check, new, deploy."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, replace
from datetime import datetime
from pathlib import Path
from typing import NoReturn

from .buildstate import BuildState
from .config import CONFIG_FILE, BuildOptions, load_config
from .errors import BuildFailed, Problems
from .library import slugify
from .sources import CONTENT_DIR
from .writer import UnsafeOutput

NEW_TYPES = {"article": "文章", "appeal": "倡议书", "notice": "通知公告"}


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    return args.run(args)


def run() -> NoReturn:
    """The command line (`fedpress`, `python build.py`, `python -m fedpress`): `main`, then an exit that
    does not free the build's objects one by one, which took a fifth of a second after a build of
    10,000 items. By then every file is written and closed, and every worker process has ended.
    Under a profiler or a coverage tracer, which report as the interpreter ends, it exits as usual."""
    code = main()
    if _observed():
        sys.exit(code)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError):  # a reader that went away (`| head`): nothing more can reach it
            stream.flush()
    os._exit(code)


def _observed() -> bool:
    """A profiler or a coverage tracer is watching (the old hooks, or Python 3.12's sys.monitoring)."""
    monitoring = getattr(sys, "monitoring", None)
    tools = (monitoring.get_tool(monitoring.COVERAGE_ID), monitoring.get_tool(monitoring.PROFILER_ID)) if monitoring else ()
    return sys.getprofile() is not None or sys.gettrace() is not None or any(tools)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fedpress", description="fedpress：把 Markdown 稿件生成妇联网站。")
    commands = parser.add_subparsers(dest="command", metavar="命令")

    build = commands.add_parser("build", help="生成网站到 output/")
    _site_option(build)
    build.add_argument("--output", type=Path, help="输出文件夹（默认：网站文件夹下的 output/）")
    build.add_argument("--drafts", action="store_true", help="同时生成草稿")
    build.add_argument("--future", action="store_true", help="同时生成发布日期在将来的稿件")
    build.add_argument("--clean", action="store_true", help="不用上次生成留下的缓存，全部重新生成")
    build.add_argument("--jobs", type=int, default=0, metavar="N", help="同时工作的进程数（默认：每个处理器核心一个）")
    build.add_argument("--quiet", action="store_true", help="只显示错误和警告")
    build.add_argument("--verbose", action="store_true", help="在终端之外也显示进度")
    build.set_defaults(run=_build)

    serve = commands.add_parser("serve", help="在本机预览网站，保存文件后自动更新")
    _site_option(serve)
    serve.add_argument("--port", type=int, default=8000, help="端口（默认 8000）")
    serve.add_argument("--bind", default="127.0.0.1", help="监听地址（默认只允许本机访问：127.0.0.1）")
    serve.add_argument("--quiet", action="store_true", help="只显示错误")
    serve.set_defaults(run=_serve)

    check = commands.add_parser("check", help="检查全部稿件和设置，不生成网站")
    _site_option(check)
    check.add_argument("--strict", action="store_true", help="有警告也算检查失败（适合自动检查）")
    check.add_argument("--format", choices=["text", "json"], default="text", help="输出格式：text（默认）或 json")
    check.set_defaults(run=_check)

    new = commands.add_parser("new", help="新建一篇稿件")
    _site_option(new)
    new.add_argument("type", choices=sorted(NEW_TYPES), help="article（文章）、appeal（倡议书）或 notice（通知公告）")
    new.add_argument("title", help="标题")
    new.add_argument("--category", required=True, help="栏目名称或代码")
    new.set_defaults(run=_new)

    deploy = commands.add_parser("deploy", help="把生成好的网站发布到 config.yaml 中设置的发布目标，只上传有改动的文件")
    _site_option(deploy)
    deploy.add_argument("--output", type=Path, help="要发布的网站文件夹（默认：网站文件夹下的 output/）")
    deploy.add_argument("--target", help="发布目标名称（默认：config.yaml 中的第一个）")
    deploy.add_argument("--dry-run", action="store_true", help="只列出要上传和删除的文件，不做任何改动")
    deploy.add_argument("--delete", action="store_true", help="删除目标上网站已去掉的文件（只删以前由 fedpress 发布的文件）")
    deploy.set_defaults(run=_deploy)
    return parser


def _site_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--site", type=Path, default=Path("."), help="网站文件夹（含 config.yaml 和 content/），默认当前文件夹")


def _build(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    options = BuildOptions(site=args.site, output=args.output, drafts=args.drafts, future=args.future, workers=args.jobs, clean=args.clean,
                           progress=_progress_line(started, args))
    state = BuildState.load(options.cache_dir)
    if state.output_stands(options, time.time()):  # known before the build's stages (Jinja, Markdown…) are loaded
        warnings, done = state.warnings, "没有改动，网站已是最新"
    else:
        from .pipeline import build_site

        try:
            result = build_site(replace(options, skip_if_current=False), state)  # just checked
        except BuildFailed as failure:
            _print_problems(failure.problems)
            print(f"\n共 {len(failure.problems.errors)} 个错误，网站没有更新（原来的 {options.output_dir}/ 保持不变）。改正后请重新运行。", file=sys.stderr)
            return 1
        except UnsafeOutput as exc:
            print(f"错误：{exc}", file=sys.stderr)
            return 1
        except KeyboardInterrupt:  # Ctrl-C: the workers stop with it
            print("\n已中断：这次生成没有完成，需要时重新运行即可。", file=sys.stderr)
            return 130
        except OSError as exc:
            where = f"：{exc.filename}" if exc.filename else ""
            print(f"错误：无法写入输出文件夹 {options.output_dir}（{exc.strerror or exc}{where}）。请检查它是否是一个文件夹、是否有写入权限、磁盘是否已满。",
                  file=sys.stderr)
            return 1
        if options.progress and sys.stderr.isatty():
            print("\r\033[K", end="", file=sys.stderr)
        report, warnings = result.report, result.problems.warnings
        done = f"网站已生成：{result.files} 个文件（新写入 {report.written}，未变 {report.unchanged}，删除 {report.removed}）"
    _print_problems(Problems(list(warnings)))
    if args.quiet:
        return 0
    print(
        f"{done}，警告 {len(warnings)} 个，用时 {time.perf_counter() - started:.1f} 秒。\n"
        f"网站文件在 {options.output_dir}/\n"
        f"本机预览：python -m http.server --directory {options.output_dir} 8000 ，然后在浏览器打开 http://127.0.0.1:8000/"
    )
    return 0


def _progress_line(started: float, args: argparse.Namespace) -> Callable[[str, int, int], None] | None:
    """Progress on one terminal line; silent in CI and when the output is not a terminal, unless --verbose."""
    terminal = sys.stderr.isatty() and not os.environ.get("CI")
    if args.quiet or not (terminal or args.verbose):
        return None

    def show(stage: str, done: int, total: int) -> None:
        line = f"{stage} {done}/{total}，已用 {time.perf_counter() - started:.1f} 秒"
        print(f"\r{line}\033[K" if terminal else line, end="" if terminal else "\n", file=sys.stderr, flush=True)

    return show


def _serve(args: argparse.Namespace) -> int:
    from .server import serve  # watchdog and the HTTP server are needed only here

    def say(message: str) -> None:
        if not args.quiet or "错误" in message:
            print(message, flush=True)

    try:
        serve(BuildOptions(site=args.site), bind=args.bind, port=args.port, say=say)
    except OSError as exc:
        print(f"错误：无法在 {args.bind}:{args.port} 上启动预览（{exc.strerror or exc}）。端口可能已被占用，请用 --port 换一个。", file=sys.stderr)
        return 1
    return 0


def _check(args: argparse.Namespace) -> int:
    from .pipeline import check_site  # the build's stages are loaded by the commands that need them

    try:
        # Drafts and future items are checked too: they are what editors are working on.
        checked = check_site(BuildOptions(site=args.site, drafts=True, future=True))
        problems, library = checked.problems, checked.library
    except BuildFailed as failure:
        problems, library = failure.problems, None
    if not any(p.file == CONFIG_FILE for p in problems.items):  # deploy targets can be checked once the config reads
        from .deploy import load_targets  # publishing's modules are loaded by the commands that need them

        load_targets(args.site.resolve(), problems)
    failed = bool(problems.errors) or (args.strict and bool(problems.warnings))
    if args.format == "json":
        print(json.dumps({"ok": not failed, "errors": [asdict(p) for p in problems.errors],
                          "warnings": [asdict(p) for p in problems.warnings]}, ensure_ascii=False, indent=2))
        return 1 if failed else 0
    _print_problems(problems)
    if library is None or failed:
        reason = f"{len(problems.errors)} 个错误" + (f"、{len(problems.warnings)} 个警告（--strict 把警告也算作失败）" if args.strict else "")
        print(f"\n检查发现 {reason}。", file=sys.stderr)
        return 1
    print(f"检查通过：{len(library.items)} 篇稿件、{len(library.pages)} 个页面，警告 {len(problems.warnings)} 个。")
    return 0


def _new(args: argparse.Namespace) -> int:
    problems = Problems()
    config = load_config(args.site.resolve(), problems)
    if config is None:
        _print_problems(problems)
        return 1
    category = config.category(args.category)
    if category is None:
        names = "、".join(c.name for c in config.categories)
        print(f"错误：没有名为“{args.category}”的栏目。可用的栏目：{names}。", file=sys.stderr)
        return 1
    now = datetime.now(config.timezone)
    words = slugify(args.title).split("-")[:8]
    path = config.root / CONTENT_DIR / category.key / f"{now:%Y-%m-%d}-{'-'.join(words)}.md"
    if path.exists():
        print(f"错误：文件 {path} 已经存在，请换一个标题或直接编辑它。", file=sys.stderr)
        return 1
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(_front_matter(args.type, args.title, category.name, config.organisation, now), encoding="utf-8")
    print(f"已新建{NEW_TYPES[args.type]}：{path.relative_to(config.root)}")
    return 0


def _deploy(args: argparse.Namespace) -> int:
    from .deploy import DeployOptions, deploy_command  # publishing's modules are loaded by the commands that need them

    options = DeployOptions(site=args.site, output=args.output, target=args.target, dry_run=args.dry_run, delete=args.delete)
    return deploy_command(options)


def _front_matter(kind: str, title: str, category: str, organisation: str, now: datetime) -> str:
    lines = ["---", f"title: {_quote(title)}", f"date: {now:%Y-%m-%d %H:%M}", f"category: {category}"]
    if kind != "article":
        lines.append(f"type: {kind}")
    lines += ["tags: []", f"source: {organisation}"]
    if kind == "appeal":
        lines += ["addressee: 全市各级妇联组织、广大妇女姐妹们", f"signature: {organisation}", f"signed_on: {now:%Y-%m-%d}"]
    body = "正文从这里开始。每段之间空一行。\n\n1、第一条倡议。倡议内容……\n" if kind == "appeal" else "正文从这里开始。每段之间空一行。\n"
    return "\n".join(lines) + "\n---\n\n" + body


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _print_problems(problems: Problems) -> None:
    for problem in [*problems.errors, *problems.warnings]:
        print(problem, file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
