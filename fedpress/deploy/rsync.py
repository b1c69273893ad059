"""rsync over SSH, with the real `rsync` and `ssh` programs.

fedpress decides what travels; rsync carries it. `--files-from` names exactly the files
of one phase, `--ignore-times` sends them even if size and time look alike, and rsync
writes each to a temporary name and renames it into place. One SSH connection is
shared by every rsync call of a deploy (ControlMaster), so the listing, the manifest
and each phase do not each pay for a new login. Only keys (agent, ~/.ssh/config or
`key_file`) are used: `BatchMode` never lets ssh stop and ask for a password.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from .targets import Target
from .transport import RemoteFile, Transport, Upload

_LIST_LINE = re.compile(r"(?P<mode>[-dlpscb][-rwxsStT]{9})\s+(?P<size>[\d,.]+)\s+\S+\s+\S+\s+(?P<name>.+)")


class RsyncTransport(Transport):
    def __init__(self, target: Target) -> None:
        super().__init__(target)
        self.work = Path(tempfile.mkdtemp(prefix="fedpress-rsync-"))

    def open(self) -> None:
        for program in ("rsync", "ssh"):
            if shutil.which(program) is None:
                raise self.fail(f"本机没有 {program} 程序。Debian/Ubuntu 上请运行 apt-get install rsync openssh-client。")
        # The first rsync call logs in (and opens the shared connection); its errors say why it could not.

    def close(self) -> None:
        subprocess.run(["ssh", *self._ssh_options(), "-O", "exit", self._host()], capture_output=True, timeout=30, check=False)
        shutil.rmtree(self.work, ignore_errors=True)

    def read(self, path: str) -> bytes | None:
        local = self.work / "read"
        local.unlink(missing_ok=True)
        if self._rsync([self._remote(path), str(local)], allow_missing=True) is None:
            return None
        return local.read_bytes()

    def listing(self) -> dict[str, RemoteFile]:
        found: dict[str, RemoteFile] = {}
        output = self._rsync(["--list-only", "--recursive", self._remote("") + "/"], allow_missing=True) or ""
        for line in output.splitlines():
            match = _LIST_LINE.fullmatch(line.strip())
            if match and match["mode"][0] == "-":
                found[match["name"]] = RemoteFile(int(re.sub(r"[,.]", "", match["size"])))
        return found

    def upload(self, item: Upload) -> None:
        self.upload_many([item], lambda _: None)

    def upload_many(self, items: Sequence[Upload], done: Callable[[Upload], None]) -> None:
        """One rsync for the whole phase; each file is reported as rsync names it (once sent: see `confirm`)."""
        if not items:
            return
        staged = self.work / "staged"
        by_path = {item.path: item for item in items}
        root = self._source_root(items, staged)
        names = self.work / "files"
        names.write_bytes(b"\0".join(path.encode() for path in by_path))
        arguments = ["--ignore-times", "--times", "--from0", f"--files-from={names}", "--out-format=%n", f"{root}/", self._remote("") + "/"]

        def arrived(line: str) -> None:
            item = by_path.get(line)
            if item is not None:
                done(item)

        self._rsync(arguments, on_line=arrived)
        shutil.rmtree(staged, ignore_errors=True)

    def confirm(self, items: Sequence[Upload]) -> set[str]:
        """rsync logs a file when it has sent it, just before the far side renames it: compare checksums to be sure."""
        return self.identical(items)

    def identical(self, items: Sequence[Upload]) -> set[str]:
        """One dry run with --checksum: the far side reads only these files and says which differ.

        A transfer cut off in the middle may have completed more files than rsync had named
        to us; they are found here instead of being sent again.
        """
        if not items:
            return set()
        root = self._source_root(items, self.work / "staged")
        names = self.work / "files"
        names.write_bytes(b"\0".join(item.path.encode() for item in items))
        output = self._rsync(["--dry-run", "--checksum", "--from0", f"--files-from={names}", "--out-format=%n", f"{root}/", self._remote("") + "/"])
        differing = set((output or "").splitlines())
        return {item.path for item in items if item.path not in differing}

    def delete(self, path: str) -> None:
        self.delete_many([path], lambda _: None)

    def delete_many(self, paths: Iterable[str], done: Callable[[str], None]) -> None:
        """Each path names a file the source lacks; --delete-missing-args removes it on the target."""
        paths = list(paths)
        if not paths:
            return
        empty = self.work / "empty"
        shutil.rmtree(empty, ignore_errors=True)
        for path in paths:  # the parents exist, the files do not: only the files are deleted
            (empty / path).parent.mkdir(parents=True, exist_ok=True)
        names = self.work / "files"
        names.write_bytes(b"\0".join(path.encode() for path in paths))
        self._rsync(["--from0", f"--files-from={names}", "--no-implied-dirs", "--delete-missing-args", f"{empty}/", self._remote("") + "/"])
        for path in paths:
            done(path)

    def remove_dir(self, path: str) -> None:
        self.delete_many([path], lambda _: None)

    def _source_root(self, items: Sequence[Upload], staged: Path) -> Path:
        """The folder the relative paths are taken from: the output folder, or a staging copy for bytes."""
        roots = {item.source.as_posix()[: -len(item.path)] if isinstance(item.source, Path) else None for item in items}
        if len(roots) == 1 and None not in roots:
            return Path(roots.pop())
        for item in items:  # the manifest and anything else given as bytes
            dest = staged / item.path
            dest.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(item.source, bytes):
                dest.write_bytes(item.source)
            else:
                shutil.copyfile(item.source, dest)
        return staged

    def _host(self) -> str:
        return f"{self.target.user}@{self.target.host}" if self.target.user else self.target.host

    def _remote(self, path: str) -> str:
        root = self.target.path.rstrip("/") or "/"
        return f"{self._host()}:{root}/{path}" if path else f"{self._host()}:{root}"

    def _ssh_options(self) -> list[str]:
        target = self.target
        options = ["-o", "BatchMode=yes", "-o", f"ConnectTimeout={target.timeout}", "-o", "ServerAliveInterval=15",
                   "-o", "ControlMaster=auto", "-o", f"ControlPath={self.work}/cm", "-o", "ControlPersist=60"]
        if target.port != 22:
            options += ["-p", str(target.port)]
        if target.key_file:
            options += ["-i", os.path.expanduser(target.key_file), "-o", "IdentitiesOnly=yes"]
        if target.known_hosts:
            options += ["-o", f"UserKnownHostsFile={os.path.expanduser(target.known_hosts)}"]
        return options

    def _rsync(self, arguments: list[str], allow_missing: bool = False, on_line: Callable[[str], None] | None = None) -> str | None:
        """Run rsync; its output, or None when `allow_missing` and the remote path does not exist."""
        shell = " ".join(_quote(part) for part in ["ssh", *self._ssh_options()])
        command = ["rsync", "--rsh", shell, *arguments]
        errors = self.work / "stderr"
        lines: list[str] = []
        with errors.open("wb") as stderr:
            process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr, stdin=subprocess.DEVNULL, text=True, encoding="utf-8",
                                       errors="replace")
            try:
                for line in process.stdout:
                    line = line.rstrip("\n")
                    lines.append(line)
                    if on_line is not None:
                        on_line(line)
                code = process.wait()
            except BaseException:
                process.kill()  # Ctrl-C: rsync removes its own temporary file
                process.wait()
                raise
        message = errors.read_text(encoding="utf-8", errors="replace")
        if code == 0:
            return "\n".join(lines)
        if allow_missing and code == 23 and "No such file or directory" in message:
            return None
        raise self.fail(self._reason(code, message))

    def _reason(self, code: int, message: str) -> str:
        target = self.target
        detail = message.strip().splitlines()[0] if message.strip() else f"rsync 退出码 {code}"
        if "Permission denied (publickey" in message or "Too many authentication failures" in message:
            return f"SSH 登录被拒绝：没有可用的密钥。请检查 user、key_file，或把密钥加入 ssh-agent（ssh-add）。rsync 不使用密码。（{detail}）"
        if "Host key verification failed" in message or "REMOTE HOST IDENTIFICATION HAS CHANGED" in message:
            return f"不认识或对不上服务器 {target.host} 的主机密钥。请先用 ssh {target.host} 手动登录一次并核对密钥，或用 known_hosts 指定记录了它的文件。"
        if "Could not resolve hostname" in message:
            return f"找不到服务器 {target.host}（域名无法解析）。请检查 host 是否写对、网络是否连通。"
        if "Connection refused" in message:
            return f"无法连接 {target.host}:{target.port}（连接被拒绝）。请检查 host 和 port，以及服务器是否开启了 SSH。"
        if "timed out" in message:
            return f"连接 {target.host}:{target.port} 超时。请检查网络，或稍后重试；已上传的文件不会重传。"
        if "No space left on device" in message or "Disk quota exceeded" in message:
            return f"服务器磁盘已满（或超出空间配额）。请清理空间后重新运行 deploy，已上传的文件不会重传。（{detail}）"
        if "Permission denied" in message:
            return f"没有权限：{detail}。请检查 path 是否写对、这个账号是否有写入和删除权限。"
        if "command not found" in message or code == 127:
            return "服务器上没有安装 rsync。请联系主机服务商安装，或改用 kind: sftp。"
        if code < 0 or code in (12, 20, 30, 35, 255):
            return f"连接中断（{detail}）。请重新运行 deploy，已上传的文件不会重传。"
        return f"rsync 出错（退出码 {code}）：{detail}"


def _quote(part: str) -> str:
    """rsync splits --rsh on spaces and honours quotes (not backslashes)."""
    if not re.search(r"[\s'\"]", part):
        return part
    return f"'{part}'" if "'" not in part else f'"{part}"'
