"""`deploy` against real servers on 127.0.0.1: a local folder, FTP, FTPS, SFTP and rsync over OpenSSH, and S3 (SeaweedFS).

The same story is told for every kind: a first deploy, one article changed (only the files
it affects travel), an article removed (deleted only with --delete), a dry run that
changes nothing, a deploy cut off half-way and resumed, a target changed by hand, and a
wrong password or key.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from deploy_servers import LOOPBACK, FtpServer, S3Server, SshServer, free_port, ftp_servers, seaweedfs, ssh_server

from fedpress.cli import main
from fedpress.deploy.local import LocalTransport
from fedpress.deploy.manifest import MANIFEST
from fedpress.deploy.plan import scan_output
from fedpress.deploy.s3 import S3Transport
from fedpress.deploy.sftp import SftpTransport
from fedpress.errors import Problems

from conftest import REPO, build, copy_site

KINDS = ["local", "ftp", "ftps", "sftp", "rsync", "s3"]
EDITED = "content/gongzuo-dongtai/2023-02-17-gongzuo-huiyi.md"
REMOVED = "content/jiating-jiaoyu/2023-09-05-kaixueji-jiazhang.md"
SITE_CONFIG = (REPO / "config.yaml").read_text(encoding="utf-8").split("\n# Publishing")[0]


# --- the three builds and the servers, made once ----------------------------------------------------


@dataclass(frozen=True)
class Builds:
    first: Path  # the sample site
    edited: Path  # one article corrected
    removed: Path  # that, and another article taken down


@pytest.fixture(scope="session")
def builds(tmp_path_factory: pytest.TempPathFactory) -> Builds:
    root = tmp_path_factory.mktemp("deploy-builds")
    site = copy_site(REPO, root / "site")
    build(site, root / "first")
    article = site / EDITED
    article.write_text(article.read_text(encoding="utf-8") + "\n会后，各县（市、区）妇联负责人进行了交流发言。\n", encoding="utf-8")
    build(site, root / "edited")
    (site / REMOVED).unlink()
    build(site, root / "removed")
    return Builds(root / "first", root / "edited", root / "removed")


@pytest.fixture(scope="session")
def ftp(tmp_path_factory: pytest.TempPathFactory):
    with ftp_servers(tmp_path_factory.mktemp("ftp")) as server:
        yield server


@pytest.fixture(scope="session")
def ssh(tmp_path_factory: pytest.TempPathFactory):
    if os.geteuid() != 0 or not Path("/usr/sbin/sshd").exists():
        pytest.fail("the SSH tests run Debian's sshd as root: run them through ./tasks test")
    with ssh_server(tmp_path_factory.mktemp("ssh")) as server:
        yield server


@pytest.fixture(scope="session")
def s3(tmp_path_factory: pytest.TempPathFactory):
    with seaweedfs(tmp_path_factory.mktemp("s3")) as server:
        yield server


# --- one target of each kind ------------------------------------------------------------------------


@dataclass
class Host:
    """A fresh, empty target of one kind, and a way to look at it from the server's side."""

    kind: str
    yaml: str  # the target's lines in config.yaml
    env: dict[str, str]
    files: Callable[[], dict[str, bytes]]  # everything on the target, manifest included
    stamps: Callable[[], dict[str, object]]  # changes when a file is written again (inode, ETag)
    write: Callable[[str, bytes], None]  # a change by hand
    remove: Callable[[str], None]
    server: object = None  # the FtpServer or SshServer behind it
    root: Path | None = None  # the target's folder, for kinds that keep files in one


def folder_host(kind: str, yaml: str, root: Path, env: dict[str, str] | None = None, server: object = None) -> Host:
    def files() -> dict[str, bytes]:
        return snapshot(root)

    def stamps() -> dict[str, object]:
        return {p.relative_to(root).as_posix(): p.stat().st_ino for p in root.rglob("*") if p.is_file()} if root.exists() else {}

    def write(path: str, data: bytes) -> None:
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(data)

    return Host(kind, yaml, env or {}, files, stamps, write, lambda path: (root / path).unlink(), server, root)


def s3_host(server: S3Server) -> Host:
    client = server.client()
    bucket = f"site-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=bucket)

    def objects() -> list[dict]:
        return [o for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket) for o in page.get("Contents", [])]

    def files() -> dict[str, bytes]:
        return {o["Key"]: client.get_object(Bucket=bucket, Key=o["Key"])["Body"].read() for o in objects()}

    def stamps() -> dict[str, object]:
        return {o["Key"]: o["ETag"] for o in objects()}

    yaml = (f"    endpoint: {server.endpoint}\n    bucket: {bucket}\n    path_style: true\n"
            "    access_key_env: TEST_S3_KEY\n    secret_key_env: TEST_S3_SECRET\n")
    env = {"TEST_S3_KEY": server.access_key, "TEST_S3_SECRET": server.secret_key}
    return Host("s3", yaml, env, files, stamps, lambda k, d: client.put_object(Bucket=bucket, Key=k, Body=d),
                lambda k: client.delete_object(Bucket=bucket, Key=k), server)


@pytest.fixture
def host(request: pytest.FixtureRequest, tmp_path: Path) -> Host:
    kind = request.param
    name = f"t{uuid.uuid4().hex[:10]}"
    if kind == "local":
        return folder_host(kind, "    path: ../published\n", tmp_path / "published")
    if kind in ("ftp", "ftps"):
        server: FtpServer = request.getfixturevalue("ftp")
        server.hooks.reset()
        request.addfinalizer(server.hooks.reset)
        port = server.port if kind == "ftp" else server.tls_port
        yaml = (f"    host: {LOOPBACK}\n    port: {port}\n    user: {server.user}\n    password_env: TEST_FTP_PASSWORD\n    path: /{name}\n"
                + (f"    ca_file: {server.cert}\n" if kind == "ftps" else ""))
        return folder_host(kind, yaml, server.root / name, {"TEST_FTP_PASSWORD": server.password}, server)
    if kind in ("sftp", "rsync"):
        ssh: SshServer = request.getfixturevalue("ssh")
        root = ssh.root / name
        yaml = (f"    host: {LOOPBACK}\n    port: {ssh.port}\n    user: root\n    key_file: {ssh.key}\n    known_hosts: {ssh.known_hosts}\n"
                f"    path: {root}\n")
        return folder_host(kind, yaml, root, server=ssh)
    return s3_host(request.getfixturevalue("s3"))


def site_for(tmp_path: Path, host: Host, extra: str = "") -> Path:
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    config = f"{SITE_CONFIG}\ndeploy:\n  - name: test\n    kind: {host.kind}\n{host.yaml}{extra}"
    (site / "config.yaml").write_text(config, encoding="utf-8")
    return site


def deploy(site: Path, output: Path, host: Host, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture,
           *options: str) -> tuple[int, str, str]:
    monkeypatch.setenv("HOME", str(site.parent / "home"))  # no ~/.netrc, ~/.ssh or ~/.aws of the machine's user
    for key, value in host.env.items():
        monkeypatch.setenv(key, value)
    code = main(["deploy", "--site", str(site), "--output", str(output), *options])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.out, captured.err


def snapshot(folder: Path) -> dict[str, bytes]:
    if not folder.exists():
        return {}
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def site_files(output: Path) -> dict[str, bytes]:
    return snapshot(output)


def published(host: Host) -> dict[str, bytes]:
    return {path: data for path, data in host.files().items() if path != MANIFEST}


def uploaded(out: str) -> int:
    return int(re.search(r"发布完成：上传 (\d+) 个文件", out).group(1))


def changed(old: dict[str, bytes], new: dict[str, bytes]) -> set[str]:
    return {path for path, data in new.items() if old.get(path) != data}


kinds = pytest.mark.parametrize("host", KINDS, indirect=True)


# --- the story, for every kind ----------------------------------------------------------------------


@kinds
def test_first_deploy_then_only_the_changed_files_travel(host: Host, builds: Builds, tmp_path: Path, monkeypatch, capsys) -> None:
    site = site_for(tmp_path, host)
    code, out, _ = deploy(site, builds.first, host, monkeypatch, capsys)
    assert code == 0, out
    first = site_files(builds.first)
    assert published(host) == first
    assert uploaded(out) == len(first)
    assert MANIFEST in host.files()
    before = host.stamps()

    code, out, _ = deploy(site, builds.edited, host, monkeypatch, capsys)
    assert code == 0
    edited = site_files(builds.edited)
    expected = changed(first, edited)
    assert 0 < len(expected) < 20  # the article, its print view, their Traditional twins and the lists it appears in
    assert uploaded(out) == len(expected)
    rewritten = {path for path, stamp in host.stamps().items() if before.get(path) != stamp} - {MANIFEST}
    assert rewritten == expected
    assert published(host) == edited
    assert f"未变 {len(edited) - len(expected)} 个" in out

    code, out, _ = deploy(site, builds.edited, host, monkeypatch, capsys)
    assert code == 0 and uploaded(out) == 0


@kinds
def test_removed_files_are_deleted_only_with_delete(host: Host, builds: Builds, tmp_path: Path, monkeypatch, capsys) -> None:
    site = site_for(tmp_path, host)
    assert deploy(site, builds.edited, host, monkeypatch, capsys)[0] == 0
    host.write("ours/guestbook.php", b"<?php // put there by hand ?>")  # not fedpress's: never deleted
    removed = set(site_files(builds.edited)) - set(site_files(builds.removed))
    gone = {path for path in removed if "pagefind/" not in path}  # old search-index fragments always go
    assert any(path.endswith("kaixueji-jiazhang/index.html") for path in gone)

    code, out, _ = deploy(site, builds.removed, host, monkeypatch, capsys)
    assert code == 0
    assert f"网站中去掉了 {len(gone)} 个文件，目标上暂时保留" in out
    assert gone <= set(published(host)) and not (removed - gone) & set(published(host))

    code, out, _ = deploy(site, builds.removed, host, monkeypatch, capsys, "--delete")
    assert code == 0
    assert f"删除 {len(gone)} 个" in out and uploaded(out) == 0
    assert published(host) == {**site_files(builds.removed), "ours/guestbook.php": b"<?php // put there by hand ?>"}
    if host.root is not None:  # the folders the article leaves empty go too
        assert not any("kaixueji-jiazhang" in path.as_posix() for path in host.root.rglob("*"))


@kinds
def test_dry_run_prints_the_plan_and_changes_nothing(host: Host, builds: Builds, tmp_path: Path, monkeypatch, capsys) -> None:
    site = site_for(tmp_path, host)
    assert deploy(site, builds.first, host, monkeypatch, capsys)[0] == 0
    before, stamps = host.files(), host.stamps()
    expected = changed(site_files(builds.first), site_files(builds.removed))
    gone = set(site_files(builds.first)) - set(site_files(builds.removed))

    code, out, _ = deploy(site, builds.removed, host, monkeypatch, capsys, "--dry-run", "--delete")
    assert code == 0
    assert re.search(rf"计划：上传 {len(expected)} 个文件（[\d.]+ [KM]?B|\d+ 字节）?", out)
    assert f"删除 {len(gone)} 个" in out
    assert "这是预演（--dry-run）：目标上没有任何改动。" in out
    assert host.files() == before and host.stamps() == stamps
    assert not (site / ".cache/deploy/test.journal").exists()


@kinds
def test_a_first_dry_run_creates_nothing(host: Host, builds: Builds, tmp_path: Path, monkeypatch, capsys) -> None:
    code, out, err = deploy(site_for(tmp_path, host), builds.first, host, monkeypatch, capsys, "--dry-run")
    assert code == 0, err
    assert f"计划：上传 {len(site_files(builds.first))} 个文件" in out
    assert host.files() == {}
    if host.root is not None:
        assert not host.root.exists()


@kinds
def test_an_interrupted_deploy_leaves_a_working_site_and_resumes(host: Host, builds: Builds, tmp_path: Path, monkeypatch, capsys) -> None:
    site = site_for(tmp_path, host)
    assert deploy(site, builds.first, host, monkeypatch, capsys)[0] == 0
    first, removed = site_files(builds.first), site_files(builds.removed)
    expected = changed(first, removed)
    ranks = sorted(file.rank for path, file in scan_output(builds.removed, Problems()).items() if path in expected)
    first_phase = ranks.count(ranks[0])
    cut_after = first_phase + 2  # in the middle of the second phase
    assert len(expected) > cut_after + 2

    with monkeypatch.context() as patch:
        interrupt(host, patch, cut_after)
        code, out, err = deploy(site, builds.removed, host, monkeypatch, capsys, "--delete")
    assert code in (1, 130)
    assert "会接着完成" in err and "线上网站仍可正常访问" in err
    on_target = published(host)
    for path, data in on_target.items():  # every file is whole: the old version or the new one
        assert data in (first.get(path), removed.get(path)), path
    arrived = {path for path in expected if on_target.get(path) == removed[path]}
    # rsync names a file when it has sent it, a moment before the far side renames it into place
    assert len(arrived) >= (first_phase if host.kind == "rsync" else cut_after)
    assert not any(path.endswith(".fedpress-tmp") for path in on_target) or host.kind == "rsync"

    code, out, _ = deploy(site, builds.removed, host, monkeypatch, capsys, "--delete")
    assert code == 0, out
    assert uploaded(out) == len(expected - arrived)
    assert published(host) == removed
    assert not (site / ".cache/deploy/test.journal").exists()


def interrupt(host: Host, patch: pytest.MonkeyPatch, after: int) -> None:
    """Cut the deploy off after `after` files, the way it happens to that kind of target."""
    count = {"files": 0}
    if host.kind == "local":  # Ctrl-C
        original = LocalTransport.upload

        def upload(self, item) -> None:
            if count["files"] == after:
                raise KeyboardInterrupt
            original(self, item)
            count["files"] += item.path != MANIFEST  # the manifest, written between phases, is not one of the site's files

        patch.setattr(LocalTransport, "upload", upload)
    elif host.kind in ("ftp", "ftps"):  # the server drops the connection
        host.server.hooks.renamed.clear()
        patch.setattr(host.server.hooks, "drop_after", after)
    elif host.kind == "sftp":  # the network drops: the SSH connection closes under the client
        original = SftpTransport.upload

        def upload(self, item) -> None:
            if count["files"] == after:
                self.client.get_transport().close()
            original(self, item)
            count["files"] += item.path != MANIFEST  # the manifest, written between phases, is not one of the site's files

        patch.setattr(SftpTransport, "upload", upload)
    elif host.kind == "rsync":  # the rsync process dies mid-transfer
        import fedpress.deploy.rsync as rsync_module

        real = subprocess.Popen

        class Dying(real):
            def __init__(self, command, **options) -> None:
                super().__init__(command, **options)
                if "--ignore-times" in command:
                    self.stdout = _dying_lines(self, self.stdout, after, count)

        patch.setattr(rsync_module.subprocess, "Popen", Dying)
    else:  # the connection to the object store drops
        from botocore.exceptions import EndpointConnectionError

        original = S3Transport.upload

        def upload(self, item) -> None:
            if count["files"] == after:
                raise EndpointConnectionError(endpoint_url="http://127.0.0.1")
            original(self, item)
            count["files"] += item.path != MANIFEST  # the manifest, written between phases, is not one of the site's files

        patch.setattr(S3Transport, "upload", upload)


def _dying_lines(process: subprocess.Popen, lines, after: int, count: dict):
    for line in lines:
        yield line
        if line.strip() and not line.strip().endswith("/") and line.strip() != MANIFEST:
            count["files"] += 1
            if count["files"] == after:
                process.send_signal(signal.SIGKILL)
                return


@kinds
def test_a_target_changed_by_hand_is_repaired(host: Host, builds: Builds, tmp_path: Path, monkeypatch, capsys) -> None:
    site = site_for(tmp_path, host)
    assert deploy(site, builds.first, host, monkeypatch, capsys)[0] == 0
    first = site_files(builds.first)
    host.remove("static/css/site.css")  # deleted by hand
    host.write("about/index.html", b"<p>edited on the server</p>")  # changed by hand (size differs)
    tampered = {"static/css/site.css", "about/index.html"}
    if host.kind == "s3":  # same size, other bytes: the ETag tells
        data = first["index.html"]
        host.write("index.html", data[:-1] + (b"\n" if data[-1:] != b"\n" else b" "))
        tampered.add("index.html")

    code, out, _ = deploy(site, builds.first, host, monkeypatch, capsys)
    assert code == 0
    assert f"目标上有 {len(tampered)} 个文件缺失或被改动过，将重新上传" in out
    assert "static/css/site.css（目标上缺少此文件）" in out
    assert uploaded(out) == len(tampered)
    assert published(host) == first


@pytest.mark.parametrize("host", ["ftp", "ftps", "sftp", "rsync", "s3"], indirect=True)
def test_a_wrong_password_or_key_is_named_in_chinese(host: Host, builds: Builds, tmp_path: Path, monkeypatch, capsys) -> None:
    if host.kind in ("ftp", "ftps"):
        host.env = {"TEST_FTP_PASSWORD": "wrong"}
        expected = "登录被拒绝：用户名或密码不对（服务器回答：530"
    elif host.kind == "s3":
        host.env = {**host.env, "TEST_S3_SECRET": "wrong"}
        expected = "访问密钥不对（SignatureDoesNotMatch）"
    else:
        host.yaml = re.sub(r"key_file: \S+", f"key_file: {host.server.other_key}", host.yaml)
        expected = "登录被拒绝" if host.kind == "sftp" else "SSH 登录被拒绝"
    site = site_for(tmp_path, host)
    code, _out, err = deploy(site, builds.first, host, monkeypatch, capsys)
    assert code == 1
    assert "发布失败：发布目标“test”" in err and expected in err, err
    assert "目标上没有任何改动" in err
    assert published(host) == {}


# --- what each kind of host says when something is wrong ---------------------------------------------


def failure(site: Path, output: Path, host: Host, monkeypatch, capsys, *options: str) -> str:
    code, _out, err = deploy(site, output, host, monkeypatch, capsys, *options)
    assert code == 1, err
    assert "发布失败：发布目标“test”" in err
    return err


@pytest.mark.parametrize("host", ["ftps"], indirect=True)
def test_ftp_permission_full_disk_unreachable_host_and_unknown_certificate(host: Host, builds: Builds, tmp_path: Path, monkeypatch, capsys) -> None:
    server: FtpServer = host.server
    readonly = site_for(tmp_path, replace(host, yaml=host.yaml.replace(f"user: {server.user}", f"user: {server.readonly_user}")))
    host.env = {"TEST_FTP_PASSWORD": "read only"}
    assert "没有权限（服务器回答：550" in failure(readonly, builds.first, host, monkeypatch, capsys)

    host.env = {"TEST_FTP_PASSWORD": server.password}
    site = site_for(tmp_path, host)
    server.hooks.disk_full = True
    err = failure(site, builds.first, host, monkeypatch, capsys)
    assert "服务器空间已满（服务器回答：452 Insufficient storage space.）" in err

    server.hooks.disk_full = False
    closed = site_for(tmp_path, replace(host, yaml=re.sub(r"port: \d+", f"port: {free_port()}", host.yaml)))
    assert "连接被拒绝）。请检查 host 和 port" in failure(closed, builds.first, host, monkeypatch, capsys)

    untrusted = site_for(tmp_path, replace(host, yaml=re.sub(r"    ca_file: .*\n", "", host.yaml)))
    assert "服务器的 TLS 证书无法验证" in failure(untrusted, builds.first, host, monkeypatch, capsys)


@pytest.mark.parametrize("host", ["ftp"], indirect=True)
def test_an_ftp_password_from_netrc_and_a_missing_environment_variable(host: Host, builds: Builds, tmp_path: Path, monkeypatch, capsys) -> None:
    server: FtpServer = host.server
    monkeypatch.delenv("TEST_FTP_PASSWORD", raising=False)
    host.env = {}
    err = failure(site_for(tmp_path, host), builds.first, host, monkeypatch, capsys)
    assert "没有设置环境变量 TEST_FTP_PASSWORD。请先设置它" in err
    netrc = tmp_path / "netrc"
    netrc.write_text(f'machine {LOOPBACK} login {server.user} password "{server.password}"\n')
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    site = site_for(tmp_path, replace(host, yaml=host.yaml.replace("    password_env: TEST_FTP_PASSWORD\n", "")))
    assert deploy(site, builds.first, host, monkeypatch, capsys)[0] == 0
    assert published(host) == site_files(builds.first)


@pytest.mark.parametrize("host", ["sftp", "rsync"], indirect=True)
def test_ssh_refuses_an_unknown_host_key_and_says_when_nothing_listens(host: Host, builds: Builds, tmp_path: Path, monkeypatch, capsys) -> None:
    unknown = site_for(tmp_path, replace(host, yaml=re.sub(r"    known_hosts: .*\n", "", host.yaml)))
    err = failure(unknown, builds.first, host, monkeypatch, capsys)
    assert "不认识" in err and "主机密钥" in err
    closed = site_for(tmp_path, replace(host, yaml=re.sub(r"port: \d+", f"port: {free_port()}", host.yaml)))
    assert "连接被拒绝）。请检查 host 和 port" in failure(closed, builds.first, host, monkeypatch, capsys)
    assert published(host) == {}


@pytest.mark.parametrize("host", ["s3"], indirect=True)
def test_object_storage_gets_content_types_and_cache_control_by_kind(host: Host, builds: Builds, tmp_path: Path, monkeypatch, capsys) -> None:
    site = site_for(tmp_path, host)
    assert deploy(site, builds.first, host, monkeypatch, capsys)[0] == 0
    server: S3Server = host.server
    bucket = re.search(r"bucket: (\S+)", host.yaml).group(1)
    client = server.client()

    def headers(key: str) -> tuple[str, str]:
        answer = client.head_object(Bucket=bucket, Key=key)
        return answer["ContentType"], answer.get("CacheControl", "")

    assert headers("index.html") == ("text/html; charset=utf-8", "public, max-age=300")
    assert headers("static/css/site.css") == ("text/css; charset=utf-8", "public, max-age=31536000")
    assert headers("images/share-default.png") == ("image/png", "public, max-age=2592000")
    assert headers(MANIFEST) == ("application/json; charset=utf-8", "no-cache")

    missing = site_for(tmp_path, replace(host, yaml=host.yaml.replace(f"bucket: {bucket}", "bucket: no-such-bucket")))
    assert "存储桶 no-such-bucket 不存在" in failure(missing, builds.first, host, monkeypatch, capsys)


@pytest.mark.parametrize("host", ["local"], indirect=True)
def test_local_folder_on_a_share_that_is_not_there(host: Host, builds: Builds, tmp_path: Path, monkeypatch, capsys) -> None:
    site = site_for(tmp_path, replace(host, yaml="    path: ../unmounted/share/site\n"))
    err = failure(site, builds.first, host, monkeypatch, capsys)
    assert "找不到文件夹" in err and "网络共享" in err
    assert "目标上没有任何改动" in err


def test_the_command_names_the_target_the_build_and_stays_quiet_off_a_terminal(builds: Builds, tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "config.yaml").write_text(f"{SITE_CONFIG}\ndeploy:\n  - name: office\n    kind: local\n    path: ../published\n", encoding="utf-8")
    command = [sys.executable, str(REPO / "build.py"), "deploy", "--output", str(builds.first)]
    result = subprocess.run(command, cwd=site, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no progress line in a log file
    assert "发布完成：上传 279 个文件" in result.stdout.replace(str(len(site_files(builds.first))), "279")

    unknown = subprocess.run([*command, "--target", "ftp"], cwd=site, capture_output=True, text=True, timeout=120)
    assert unknown.returncode == 1 and "没有名为“ftp”的发布目标。config.yaml 中有：office。" in unknown.stderr
    unbuilt = subprocess.run([*command[:-1], str(tmp_path / "nothing")], cwd=site, capture_output=True, text=True, timeout=120)
    assert unbuilt.returncode == 1 and "这里没有生成好的网站。请先运行 build" in unbuilt.stderr


def test_progress_is_shown_on_a_terminal(builds: Builds, tmp_path: Path) -> None:
    import pty

    site = tmp_path / "site"
    site.mkdir()
    (site / "config.yaml").write_text(f"{SITE_CONFIG}\ndeploy:\n  - kind: local\n    path: ../published\n", encoding="utf-8")
    leader, follower = pty.openpty()
    result = subprocess.run([sys.executable, str(REPO / "build.py"), "deploy", "--output", str(builds.first)], cwd=site, stdout=subprocess.PIPE,
                            stderr=follower, timeout=120)
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert result.returncode == 0
    assert f"已上传 {len(site_files(builds.first))}/{len(site_files(builds.first))} 个文件".encode() in shown
