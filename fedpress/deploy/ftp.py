"""FTP and FTPS (explicit TLS, `AUTH TLS`), passive mode: what most 虚拟主机 offer.

Each file is stored as `.<name>.fedpress-tmp` and renamed over the old one; a server
that refuses to rename onto an existing file (IIS) gets the old one deleted first, so a
reader sees either the old or the new file for all but that instant.
"""

from __future__ import annotations

import contextlib
import ftplib
import io
import posixpath
import socket
import ssl
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

from .targets import Target
from .transport import RemoteFile, Transport, Upload, temp_name

_PARALLEL = 4  # connections used to list the target; shared hosts often allow 5 to 10 per user
_DENIED = ("denied", "permission", "privilege", "not allowed")  # how servers word a 550 that is about rights


class _TLS(ftplib.FTP_TLS):
    """FTP_TLS that resumes the control connection's TLS session on data connections.

    vsftpd and other servers refuse data connections that do not (`require_ssl_reuse`).
    """

    def ntransfercmd(self, cmd: str, rest: int | str | None = None) -> tuple[socket.socket, int | None]:
        conn, size = ftplib.FTP.ntransfercmd(self, cmd, rest)
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # the TLS close after a small file must not wait for a delayed ACK
        if self._prot_p:
            session = getattr(self.sock, "session", None)
            conn = self.context.wrap_socket(conn, server_hostname=self.host, session=session)
        return conn, size


class FtpTransport(Transport):
    def __init__(self, target: Target, user: str, password: str, secret_hint: str) -> None:
        super().__init__(target)
        self.user = user
        self.password = password
        self.secret_hint = secret_hint  # where the password came from, for the wrong-password message
        self.ftp: ftplib.FTP | None = None
        self.folders: set[str] = set()  # remote folders known to exist

    def open(self) -> None:
        with self._errors():
            self.ftp = self._connect()  # the root folder is made by the first upload: a dry run leaves no trace

    def _connect(self) -> ftplib.FTP:
        target = self.target
        if target.kind == "ftps":
            context = ssl.create_default_context(cafile=target.ca_file or None)
            ftp: ftplib.FTP = _TLS(context=context, timeout=target.timeout)
        else:
            ftp = ftplib.FTP(timeout=target.timeout)
        try:
            ftp.connect(target.host, target.port)
            ftp.login(self.user, self.password)
            if isinstance(ftp, ftplib.FTP_TLS):
                ftp.prot_p()  # the pages themselves travel encrypted too
        except BaseException:
            ftp.close()
            raise
        ftp.set_pasv(True)
        return ftp

    def close(self) -> None:
        if self.ftp is not None:
            _quit(self.ftp)
            self.ftp = None

    def read(self, path: str) -> bytes | None:
        buffer = io.BytesIO()
        with self._errors():
            try:
                self.ftp.retrbinary(f"RETR {self._abs(path)}", buffer.write)
            except ftplib.error_perm as exc:
                if str(exc).startswith("550"):
                    return None
                raise
        return buffer.getvalue()

    def listing(self) -> dict[str, RemoteFile]:
        """Folder by folder, a few at a time over extra connections: each costs round trips (and a TLS handshake)."""
        found: dict[str, RemoteFile] = {}
        level = [""]
        helpers: list[ftplib.FTP] = []
        with self._errors():
            try:
                while level:
                    self._add_helpers(helpers, min(_PARALLEL, len(level)) - 1)
                    connections = [self.ftp, *helpers]
                    shares = [level[i::len(connections)] for i in range(len(connections))]
                    with ThreadPoolExecutor(len(connections)) as pool:
                        results = list(pool.map(self._list_folders, connections, shares))
                    level = []
                    for files, folders in results:
                        found.update(files)
                        level += folders
            finally:
                for helper in helpers:
                    _quit(helper)
        return found

    def _add_helpers(self, helpers: list[ftplib.FTP], wanted: int) -> None:
        """Open extra connections up to `wanted`; a host that allows fewer per user simply gets fewer."""
        while len(helpers) < wanted:
            try:
                helpers.append(self._connect())
            except (OSError, EOFError, ftplib.Error):
                return

    def _list_folders(self, ftp: ftplib.FTP, folders: list[str]) -> tuple[dict[str, RemoteFile], list[str]]:
        files: dict[str, RemoteFile] = {}
        below: list[str] = []
        for folder in folders:
            try:
                entries = list(_entries(ftp, self._abs(folder) or "."))
            except ftplib.error_perm:
                if folder or not self._missing(self._abs(folder), ftp):  # servers answer 550 or 501
                    raise
                return files, below  # the first deploy: no root folder yet
            self.folders.add(self._abs(folder))
            for name, kind, size in entries:
                path = posixpath.join(folder, name)
                if kind == "dir":
                    below.append(path)
                elif kind == "file":
                    files[path] = RemoteFile(size)
        return files, below

    def upload(self, item: Upload) -> None:
        final, temp = self._abs(item.path), self._abs(temp_name(item.path))
        with self._errors():
            self._make_folders(posixpath.dirname(final))
            source = io.BytesIO(item.source) if isinstance(item.source, bytes) else item.source.open("rb")
            with source:
                self.ftp.storbinary(f"STOR {temp}", source, blocksize=65536)
            try:
                self.ftp.rename(temp, final)
            except ftplib.error_perm:
                self._delete_quietly(final)  # a server that will not rename onto an existing file
                self.ftp.rename(temp, final)

    def delete(self, path: str) -> None:
        with self._errors():
            try:
                self.ftp.delete(self._abs(path))
            except ftplib.error_perm as exc:
                if not self._missing(self._abs(path)):
                    raise exc

    def remove_dir(self, path: str) -> None:
        with self._errors(), contextlib.suppress(ftplib.error_perm):  # not empty after all: it stays
            self.ftp.rmd(self._abs(path))

    def _abs(self, path: str) -> str:
        root = self.target.path.rstrip("/") or ("/" if self.target.path.startswith("/") else "")
        return posixpath.join(root, path) if path else root

    def _make_folders(self, folder: str) -> None:
        parts = [p for p in folder.split("/") if p]
        current = "/" if folder.startswith("/") else ""
        for part in parts:
            current = posixpath.join(current, part)
            if current in self.folders:
                continue
            try:
                self.ftp.mkd(current)
            except ftplib.error_perm:
                if self._missing(current):
                    raise
            self.folders.add(current)

    def _missing(self, path: str, ftp: ftplib.FTP | None = None) -> bool:
        try:
            (ftp or self.ftp).sendcmd(f"MLST {path}")
        except ftplib.error_perm:
            return True
        return False

    def _delete_quietly(self, path: str) -> None:
        with contextlib.suppress(ftplib.error_perm):
            self.ftp.delete(path)

    def _errors(self) -> _FtpErrors:
        return _FtpErrors(self)


def _entries(ftp: ftplib.FTP, folder: str) -> Iterator[tuple[str, str, int]]:
    """(name, "file"|"dir", size) of one folder: MLSD where the server has it, else LIST."""
    try:
        for name, facts in ftp.mlsd(folder, facts=["type", "size"]):
            kind = facts.get("type", "").lower()
            if name not in (".", "..") and kind in ("file", "dir"):
                yield name, kind, int(facts.get("size", "-1"))
        return
    except ftplib.error_perm as exc:
        if not str(exc).startswith(("500", "502", "504")):
            raise
    lines: list[str] = []
    ftp.retrlines(f"LIST -a {folder}", lines.append)
    for line in lines:
        entry = _parse_list_line(line)
        if entry and entry[0] not in (".", ".."):
            yield entry


def _quit(ftp: ftplib.FTP) -> None:
    try:
        ftp.quit()
    except (OSError, EOFError, ftplib.Error):
        ftp.close()


def _parse_list_line(line: str) -> tuple[str, str, int] | None:
    """One line of a Unix-style (`-rw-r--r-- 1 u g 123 Jan 1 10:00 name`) or IIS-style LIST."""
    parts = line.split(None, 8)
    if len(parts) == 9 and parts[0][:1] in "-d":
        return parts[8], "dir" if parts[0][0] == "d" else "file", int(parts[4]) if parts[4].isdigit() else -1
    parts = line.split(None, 3)  # 01-01-24  10:00AM       <DIR>          name
    if len(parts) == 4:
        if parts[2] == "<DIR>":
            return parts[3], "dir", 0
        if parts[2].isdigit():
            return parts[3], "file", int(parts[2])
    return None


class _FtpErrors:
    """Turns whatever ftplib, ssl and sockets raise into a DeployError an editor can act on."""

    def __init__(self, transport: FtpTransport) -> None:
        self.transport = transport

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type | None, exc: BaseException | None, _tb: object) -> bool:
        if exc is None or not isinstance(exc, (OSError, EOFError, ftplib.Error)):
            return False
        raise self.transport.fail(self._reason(exc)) from None

    def _reason(self, exc: BaseException) -> str:
        target = self.transport.target
        reply = str(exc).strip()
        if isinstance(exc, ftplib.error_perm) and reply.startswith("530"):
            return f"登录被拒绝：用户名或密码不对（服务器回答：{reply}）。请检查 config.yaml 中的 user 和{self.transport.secret_hint}。"
        if reply.startswith(("452", "552")):
            return f"服务器空间已满（服务器回答：{reply}）。请清理主机空间或联系服务商扩容，然后重新运行 deploy，已上传的文件不会重传。"
        if isinstance(exc, ftplib.error_perm) and reply.startswith("550") and any(w in reply.lower() for w in _DENIED):
            return f"没有权限（服务器回答：{reply}）。请检查 path 是否写对、这个 FTP 账号是否有写入和删除权限。"
        if isinstance(exc, ftplib.Error):
            return f"服务器拒绝了操作（服务器回答：{reply}）。"
        if isinstance(exc, socket.gaierror):
            return f"找不到服务器 {target.host}（域名无法解析）。请检查 host 是否写对、网络是否连通。"
        if isinstance(exc, ConnectionRefusedError):
            return f"无法连接 {target.host}:{target.port}（连接被拒绝）。请检查 host 和 port，以及主机是否开通了 FTP。"
        if isinstance(exc, ssl.SSLCertVerificationError):
            return f"服务器的 TLS 证书无法验证（{exc.verify_message}）。若主机用自签名证书，请把证书文件写在 ca_file 中。"
        if isinstance(exc, ssl.SSLError):
            return f"TLS 加密连接失败（{exc.reason or exc}）。请确认主机支持 FTPS（AUTH TLS）；不支持时才可改用 kind: ftp。"
        if isinstance(exc, TimeoutError):
            return f"连接 {target.host}:{target.port} 超时。请检查网络，或稍后重试；已上传的文件不会重传。"
        if isinstance(exc, (EOFError, ConnectionError)) or reply.startswith("421"):
            return "连接被服务器中断。请重新运行 deploy，已上传的文件不会重传。"
        return f"网络错误：{exc}。请检查网络后重新运行 deploy，已上传的文件不会重传。"
