#!/usr/bin/env python3
"""Time `deploy` of the sample site to every kind of target, first in full and then after one article changed.

The servers are the ones the tests use, on 127.0.0.1 (so the figures measure fedpress and
the protocols' round trips, not a real network). Run as root from the repository:

    .venv/bin/python bench/deploy.py
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from deploy_servers import LOOPBACK, ftp_servers, seaweedfs, ssh_server  # noqa: E402

from fedpress.cli import main  # noqa: E402

from conftest import build, copy_site  # noqa: E402

ARTICLE = "content/gongzuo-dongtai/2023-02-17-gongzuo-huiyi.md"


def deploy(site: Path, output: Path) -> tuple[float, str]:
    out = io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main(["deploy", "--site", str(site), "--output", str(output)])
    seconds = time.perf_counter() - started
    assert code == 0, out.getvalue()
    summary = re.search(r"上传 (\d+) 个文件（([^）]+)）", out.getvalue().splitlines()[-1])
    return seconds, f"{summary.group(1)} files, {summary.group(2).replace('字节', 'B')}"


def main_bench() -> None:
    work = Path(tempfile.mkdtemp(prefix="fedpress-bench-"))
    try:
        run(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(work: Path) -> None:
    site = copy_site(REPO, work / "site")
    build(site, work / "first")
    article = site / ARTICLE
    article.write_text(article.read_text(encoding="utf-8") + "\n会后，各县（市、区）妇联负责人进行了交流发言。\n", encoding="utf-8")
    build(site, work / "edited")
    (work / "ftp").mkdir()
    (work / "ssh").mkdir()
    (work / "s3").mkdir()
    with ftp_servers(work / "ftp") as ftp, ssh_server(work / "ssh") as ssh, seaweedfs(work / "s3") as s3:
        s3.client().create_bucket(Bucket="bench")
        os.environ.update(BENCH_FTP=ftp.password, BENCH_KEY=s3.access_key, BENCH_SECRET=s3.secret_key)
        ssh_target = f"host: {LOOPBACK}\n    port: {ssh.port}\n    user: root\n    key_file: {ssh.key}\n    known_hosts: {ssh.known_hosts}\n"
        ftp_target = f"host: {LOOPBACK}\n    user: {ftp.user}\n    password_env: BENCH_FTP\n"
        targets = {
            "local": "path: ../published\n",
            "ftp": f"{ftp_target}    port: {ftp.port}\n    path: /ftp\n",
            "ftps": f"{ftp_target}    port: {ftp.tls_port}\n    path: /ftps\n    ca_file: {ftp.cert}\n",
            "sftp": f"{ssh_target}    path: {ssh.root}/sftp\n",
            "rsync": f"{ssh_target}    path: {ssh.root}/rsync\n",
            "s3": f"endpoint: {s3.endpoint}\n    bucket: bench\n    path_style: true\n    access_key_env: BENCH_KEY\n    secret_key_env: BENCH_SECRET\n",
        }
        print("| kind | first deploy | time | one article changed | time | nothing changed |")
        print("|---|---|---|---|---|---|")
        for kind, lines in targets.items():
            folder = work / f"site-{kind}"
            folder.mkdir()
            (folder / "config.yaml").write_text(f"deploy:\n  - name: bench\n    kind: {kind}\n    {lines}", encoding="utf-8")
            first = deploy(folder, work / "first")
            edited = deploy(folder, work / "edited")
            again = deploy(folder, work / "edited")
            print(f"| {kind} | {first[1]} | {first[0]:.2f} s | {edited[1]} | {edited[0]:.2f} s | {again[0]:.2f} s |")


if __name__ == "__main__":
    main_bench()
