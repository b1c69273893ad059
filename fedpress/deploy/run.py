"""`fedpress deploy`: publish the last successful build to one target.

connect -> read the target's manifest -> list what is really there -> plan -> upload
phase by phase (journal and manifest kept up to date as files arrive) -> delete ->
final manifest. Every failure is a DeployError with a message naming the target.
"""

from __future__ import annotations

import hashlib
import sys
import time
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from typing import TextIO

from ..errors import Problems
from .credentials import login_for, require_keys
from .manifest import MANIFEST, Entry, Journal, Manifest
from .plan import PHASES, LocalFile, Plan, make_plan, scan_output
from .progress import Progress, size
from .targets import Target, load_targets
from .transport import DeployError, RemoteFile, Transport, Upload

JOURNAL_DIR = Path(".cache") / "deploy"
_SHOWN = 20  # files listed per kind by --dry-run


@dataclass(frozen=True)
class DeployOptions:
    site: Path
    output: Path | None = None  # default: <site>/output
    target: str | None = None  # default: the first target in config.yaml
    dry_run: bool = False
    delete: bool = False

    @property
    def output_dir(self) -> Path:
        return self.output if self.output is not None else self.site / "output"


@dataclass(frozen=True)
class Report:
    plan: Plan
    uploaded: int
    uploaded_bytes: int
    deleted: int
    seconds: float
    dry_run: bool


@dataclass
class _State:
    """What this run has done so far, for the message if it is cut short."""

    uploaded: int = 0
    uploaded_bytes: int = 0
    deleted: int = 0


def deploy_command(options: DeployOptions, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """The command: everything printed in Chinese, exit 0 on success, 1 on failure, 130 on Ctrl-C."""
    out, err = out or sys.stdout, err or sys.stderr
    state = _State()
    try:
        return _deploy(options, state, out, err)
    except KeyboardInterrupt:
        print(f"\n发布被中断。{_after_failure(state)}", file=err)
        return 130
    except OSError as exc:  # reading the built site or writing the journal
        print(f"\n发布失败：无法读写 {exc.filename or ''}（{exc.strerror or exc}）。{_after_failure(state)}", file=err)
        return 1


def _deploy(options: DeployOptions, state: _State, out: TextIO, err: TextIO) -> int:
    site = options.site.resolve()
    problems = Problems()
    targets = load_targets(site, problems)
    output = options.output_dir.resolve()
    files = _scan(output, problems, site / JOURNAL_DIR / "digests.json") if not problems else {}
    if problems:
        for problem in [*problems.errors, *problems.warnings]:
            print(problem, file=err)
        print(f"\n共 {len(problems.errors)} 个错误，没有发布。", file=err)
        return 1
    target = _choose(targets, options.target, err)
    if target is None:
        return 1
    print(f"发布到{target.label}", file=out)
    print(f"网站文件：{output}/（{len(files)} 个文件，{size(sum(f.size for f in files.values()))}）", file=out)
    try:
        transport = make_transport(target, site, output)
        report = publish(target, transport, files, site, options, state, out, err)
    except DeployError as exc:
        print(f"\n发布失败：{exc}", file=err)
        print(_after_failure(state), file=err)
        return 1
    except KeyboardInterrupt:
        raise
    except Exception as exc:  # a bug must still not show an editor a traceback
        print(f"\n发布失败：{target.label}：意外的错误（{type(exc).__name__}：{exc}）。{_after_failure(state)}", file=err)
        return 1
    _print_report(report, out)
    return 0


def publish(target: Target, transport: Transport, files: dict[str, LocalFile], site: Path, options: DeployOptions,
            state: _State, out: TextIO, err: TextIO) -> Report:
    """Connect, plan and, unless a dry run, carry the plan out. Raises DeployError."""
    started = time.perf_counter()
    journal = Journal(site / JOURNAL_DIR / f"{target.name}.journal", target.identity)
    try:
        transport.open()
        remote = transport.listing() if target.verify else None
        stored = transport.read(MANIFEST) if remote is None or MANIFEST in remote else None
        manifest = Manifest.parse(stored)
        remote = _trusted_digests(remote, stored)
        arrived = _confirmed(journal.replay(), files, transport)
        delete = (options.delete or target.delete) and manifest.readable
        plan = make_plan(files, manifest.files, arrived, remote, delete)
        there = [Upload(f.path, f.source, f.size) for f in plan.uploads if remote is None or f.path in remote]
        same = transport.identical(there) if there else set()
        if same:  # already there, though neither the manifest nor the journal knew
            arrived = {**arrived, **{path: files[path].entry for path in same}}
            plan = make_plan(files, manifest.files, arrived, remote, delete)
        _print_plan(plan, manifest, options, out)
        if options.dry_run:
            return Report(plan, 0, 0, 0, time.perf_counter() - started, True)
        published = {path: entry for path, entry in {**manifest.files, **arrived}.items() if entry is not None}
        for path in plan.forgotten:
            published.pop(path, None)
        _carry_out(plan, transport, journal, published, state, err)
        if plan.changes_anything or Manifest(published).files != manifest.files or not manifest.readable:
            _write_manifest(transport, published)
        journal.finish()
    finally:
        journal.close()
        transport.close()
    return Report(plan, state.uploaded, state.uploaded_bytes, state.deleted, time.perf_counter() - started, False)


def _trusted_digests(remote: dict[str, RemoteFile] | None, stored: bytes | None) -> dict[str, RemoteFile] | None:
    """Use the store's MD5s only if it reports one for the manifest that matches its bytes.

    An ETag is the MD5 of the content for plain uploads on most stores, but not with some
    encryption settings; comparing then would resend every file on every deploy.
    """
    if remote is None or not any(f.md5 for f in remote.values()):
        return remote
    listed = remote.get(MANIFEST)
    if stored is not None and listed is not None and listed.md5 == hashlib.md5(stored).hexdigest():
        return remote
    return {path: RemoteFile(f.size) for path, f in remote.items()}


def _confirmed(arrived: dict[str, Entry | None], files: dict[str, LocalFile], transport: Transport) -> dict[str, Entry | None]:
    """The journal's files that the transport confirms are in place (deletions need no check)."""
    current = [Upload(path, files[path].source, files[path].size) for path, entry in arrived.items()
               if entry is not None and path in files and files[path].sha256 == entry.sha256]
    if not current:
        return arrived
    confirmed = transport.confirm(current)
    return {path: entry for path, entry in arrived.items() if path in confirmed or entry is None or path not in files}


def _carry_out(plan: Plan, transport: Transport, journal: Journal, published: dict[str, Entry], state: _State, err: TextIO) -> None:
    progress = Progress(err, len(plan.uploads), plan.upload_bytes)

    def arrived(item: Upload) -> None:
        if item.path == MANIFEST:
            return
        entry = Entry(files_by_path[item.path].sha256, item.size)
        journal.record(item.path, entry)
        published[item.path] = entry
        state.uploaded += 1
        state.uploaded_bytes += item.size
        progress.advance(item.size)

    files_by_path = {f.path: f for f in plan.uploads}
    phases = [list(group) for _rank, group in groupby(plan.uploads, key=lambda f: f.rank)]
    try:
        for number, phase in enumerate(phases):
            items = [Upload(f.path, f.source, f.size) for f in phase]
            if number:  # a manifest that knows the stages before this one, sent along with it (one rsync call, not two)
                items.insert(0, _manifest_upload(published))
            transport.upload_many(items, arrived)
    finally:
        progress.clear()

    def deleted(path: str) -> None:
        journal.record(path, None)
        published.pop(path, None)
        state.deleted += 1

    transport.delete_many(plan.deletes, deleted)
    transport.delete_many(plan.leftovers, lambda _: None)
    for folder in plan.empty_dirs:
        transport.remove_dir(folder)


def _write_manifest(transport: Transport, published: dict[str, Entry]) -> None:
    transport.upload(_manifest_upload(published))


def _manifest_upload(published: dict[str, Entry]) -> Upload:
    data = Manifest(dict(published)).to_bytes()
    return Upload(MANIFEST, data, len(data))


def make_transport(target: Target, site: Path, output: Path) -> Transport:
    """The transport for the target's kind; protocol libraries are imported only when used."""
    if target.kind == "local":
        from .local import LocalTransport

        root = (site / Path(target.path).expanduser()).resolve()
        if root in (site, output) or output in root.parents or root in site.parents:
            raise DeployError(f"{target.label}：不能发布到网站文件夹、输出文件夹或它们的上级文件夹。请在 config.yaml 中换一个专用的 path，如 ../published。")
        return LocalTransport(target, root)
    if target.kind == "rsync":
        from .rsync import RsyncTransport

        return RsyncTransport(target)
    if target.kind == "sftp":
        from .sftp import SftpTransport

        login = login_for(target)
        return SftpTransport(target, login.password, login.hint)
    if target.kind in ("ftp", "ftps"):
        from .ftp import FtpTransport

        login = login_for(target)
        return FtpTransport(target, login.user, login.password or "", login.hint)
    from .s3 import S3Transport

    require_keys(target)
    return S3Transport(target)


def _scan(output: Path, problems: Problems, cache: Path) -> dict[str, LocalFile]:
    if not output.is_dir() or not (output / "index.html").is_file():
        problems.error(str(output), 0, "", "这里没有生成好的网站。请先运行 build（成功后再 deploy），或用 --output 指定网站文件夹。")
        return {}
    return scan_output(output, problems, cache)


def _choose(targets: tuple[Target, ...], name: str | None, err: TextIO) -> Target | None:
    if not targets:
        print("config.yaml 中没有设置发布目标。请添加 deploy 一节，如：\n"
              "deploy:\n  - name: site\n    kind: local\n    path: ../published\n（各种发布方式的写法见 README.md 的“发布”一节。）", file=err)
        return None
    if name is None:
        return targets[0]
    for target in targets:
        if target.name == name:
            return target
    print(f"没有名为“{name}”的发布目标。config.yaml 中有：{'、'.join(t.name for t in targets)}。", file=err)
    return None


def _print_plan(plan: Plan, manifest: Manifest, options: DeployOptions, out: TextIO) -> None:
    print(f"计划：上传 {len(plan.uploads)} 个文件（{size(plan.upload_bytes)}），删除 {len(plan.deletes)} 个，未变 {plan.unchanged} 个。", file=out)
    if not manifest.readable:
        print(f"注意：目标上的发布清单 {MANIFEST} 已损坏，这次重新上传全部文件，不删除任何文件。", file=out)
    if plan.resumed:
        print(f"上次发布中断前已上传的 {plan.resumed} 个文件不再重传。", file=out)
    if plan.repairs:
        print(f"目标上有 {len(plan.repairs)} 个文件缺失或被改动过，将重新上传：", file=out)
        _print_paths([f"{path}（{why}）" for path, why in plan.repairs], out)
    if plan.kept:
        print(f"网站中去掉了 {len(plan.kept)} 个文件，目标上暂时保留（加 --delete，或在 config.yaml 的发布目标中写 delete: true，才会删除）：", file=out)
        _print_paths(list(plan.kept), out)
    if options.dry_run:
        _print_paths([f"上传 {f.path}（{PHASES[f.rank]}，{size(f.size)}）" for f in plan.uploads], out)
        _print_paths([f"删除 {path}" for path in plan.deletes], out)
        print("这是预演（--dry-run）：目标上没有任何改动。", file=out)


def _print_paths(lines: list[str], out: TextIO) -> None:
    for line in lines[:_SHOWN]:
        print(f"  {line}", file=out)
    if len(lines) > _SHOWN:
        print(f"  ……另有 {len(lines) - _SHOWN} 个", file=out)


def _print_report(report: Report, out: TextIO) -> None:
    if report.dry_run:
        return
    plan = report.plan
    print(f"发布完成：上传 {report.uploaded} 个文件（{size(report.uploaded_bytes)}），删除 {report.deleted} 个，"
          f"未变 {plan.unchanged + plan.resumed} 个，用时 {report.seconds:.1f} 秒。", file=out)


def _after_failure(state: _State) -> str:
    if not state.uploaded and not state.deleted:
        return "目标上没有任何改动。"
    return (f"已上传的 {state.uploaded} 个文件都已完整到位，线上网站仍可正常访问（每个文件要么是旧的，要么是新的）。"
            "排除问题后重新运行 deploy，会接着完成，已上传的文件不会重传。")
