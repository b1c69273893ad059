"""S3-compatible object storage behind a CDN (boto3): AWS, or any service with an S3 endpoint.

An object appears whole or not at all, so there is nothing to rename. Listing is cheap
and its ETag is the MD5 of what we stored (single-part uploads), so here the target is
checked by content, not just by size.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError, NoCredentialsError

from .headers import cache_control, content_type
from .targets import Target
from .transport import RemoteFile, Transport, Upload

_WRONG_KEY = {"InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken", "AuthorizationHeaderMalformed"}
_DENIED = {"AccessDenied", "AllAccessDisabled", "403"}
_FULL = {"QuotaExceeded", "InsufficientStorage", "EntityTooLarge", "StorageQuotaExceeded"}


class S3Transport(Transport):
    def __init__(self, target: Target) -> None:
        super().__init__(target)
        self.prefix = target.path.strip("/") + "/" if target.path.strip("/") else ""
        self.client = None  # a boto3 S3 client once open

    def open(self) -> None:
        target = self.target
        credentials = {}
        if target.access_key_env:
            credentials = {"aws_access_key_id": os.environ.get(target.access_key_env), "aws_secret_access_key": os.environ.get(target.secret_key_env)}
        config = Config(
            connect_timeout=target.timeout,
            read_timeout=target.timeout,
            retries={"max_attempts": 3, "mode": "standard"},
            s3={"addressing_style": "path" if target.path_style else "auto"},
        )
        region = target.region or ("us-east-1" if target.endpoint else None)
        with self._errors():
            self.client = boto3.session.Session().client("s3", endpoint_url=target.endpoint or None, region_name=region, config=config, **credentials)
            self.client.list_objects_v2(Bucket=target.bucket, Prefix=self.prefix, MaxKeys=1)

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None

    def read(self, path: str) -> bytes | None:
        with self._errors():
            try:
                return self.client.get_object(Bucket=self.target.bucket, Key=self.prefix + path)["Body"].read()
            except ClientError as exc:
                if _code(exc) in ("NoSuchKey", "404"):
                    return None
                raise

    def listing(self) -> dict[str, RemoteFile]:
        found: dict[str, RemoteFile] = {}
        with self._errors():
            for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.target.bucket, Prefix=self.prefix):
                for item in page.get("Contents", []):
                    etag = item.get("ETag", "").strip('"').lower()
                    found[item["Key"][len(self.prefix):]] = RemoteFile(item["Size"], etag if "-" not in etag else "")
        return found

    def upload(self, item: Upload) -> None:
        body = item.source if isinstance(item.source, bytes) else item.source.read_bytes()
        with self._errors():
            self.client.put_object(
                Bucket=self.target.bucket,
                Key=self.prefix + item.path,
                Body=body,
                ContentType=content_type(item.path),
                CacheControl=cache_control(item.path),
            )

    def delete(self, path: str) -> None:
        self.delete_many([path], lambda _: None)

    def delete_many(self, paths: Iterable[str], done: Callable[[str], None]) -> None:
        paths = list(paths)
        with self._errors():
            for start in range(0, len(paths), 1000):  # the most one request may name
                batch = paths[start:start + 1000]
                answer = self.client.delete_objects(Bucket=self.target.bucket, Delete={"Objects": [{"Key": self.prefix + p} for p in batch], "Quiet": True})
                if answer.get("Errors"):
                    first = answer["Errors"][0]
                    raise ClientError({"Error": {"Code": first.get("Code", ""), "Message": first.get("Message", "")}}, "DeleteObjects")
                for path in batch:
                    done(path)

    def _errors(self) -> _S3Errors:
        return _S3Errors(self)


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


class _S3Errors:
    def __init__(self, transport: S3Transport) -> None:
        self.transport = transport

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type | None, exc: BaseException | None, _tb: object) -> bool:
        if exc is None or not isinstance(exc, (BotoCoreError, ClientError, OSError)):
            return False
        raise self.transport.fail(self._reason(exc)) from None

    def _reason(self, exc: BaseException) -> str:
        target = self.transport.target
        keys = (f"环境变量 {target.access_key_env} 和 {target.secret_key_env}" if target.access_key_env
                else "环境变量 AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY 或 ~/.aws/credentials")
        if isinstance(exc, NoCredentialsError):
            return f"没有找到访问密钥。请设置{keys}。"
        if isinstance(exc, EndpointConnectionError):
            return f"无法连接 {target.endpoint or 'S3'}。请检查 endpoint 是否写对、网络是否连通。"
        if isinstance(exc, ClientError):
            code, message = _code(exc), exc.response.get("Error", {}).get("Message", "")
            if code in _WRONG_KEY:
                return f"访问密钥不对（{code}）。请检查{keys}。"
            if code == "NoSuchBucket":
                return f"存储桶 {target.bucket} 不存在。请检查 bucket 是否写对，或先在控制台中创建它。"
            if code in _DENIED:
                return f"没有权限（{code}{'：' + message if message else ''}）。请给这个密钥存储桶 {target.bucket} 的读、写、删除和列出权限。"
            if code in _FULL:
                return f"存储空间已满或超出配额（{code}）。请清理或扩容后重新运行 deploy，已上传的文件不会重传。"
            return f"对象存储拒绝了操作（{code}{'：' + message if message else ''}）。"
        return f"连接中断或超时（{exc}）。请重新运行 deploy，已上传的文件不会重传。"
