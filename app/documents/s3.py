"""Document storage in an S3-compatible bucket (MinIO, Ceph, a cloud provider) through boto3.

Same contract as LocalStorage: keys are the SHA-256 of the content (`ab/<sha256>`), writing the same bytes twice
stores them once, and every read is checked against its key. The bucket is created by whoever runs the store
(`tools/sandboxes/s3.py` locally), never by the application.
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from app.documents.storage import SHA256, StorageError, _checked, digest_of


class S3Storage:
    name = "s3"

    def __init__(self, client: Any, bucket: str) -> None:
        self.client, self.bucket = client, bucket

    @classmethod
    def from_config(cls, config: dict) -> S3Storage:
        import boto3
        from botocore.config import Config

        client = boto3.client(
            "s3", endpoint_url=config.get("S3_ENDPOINT_URL"), region_name=config.get("S3_REGION") or "us-east-1",
            aws_access_key_id=config.get("S3_ACCESS_KEY_ID"), aws_secret_access_key=config.get("S3_SECRET_ACCESS_KEY"),
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 3, "mode": "standard"},
                          connect_timeout=5, read_timeout=30))
        return cls(client, config.get("S3_BUCKET") or "motcua-documents")

    @staticmethod
    def _key(digest: str) -> str:
        digest = _checked(digest)
        return f"{digest[:2]}/{digest}"

    def exists(self, digest: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(digest))
            return True
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise StorageError(f"S3 head {digest}: {error}") from error

    def put(self, data: bytes) -> str:
        digest = digest_of(data)
        key = self._key(digest)
        if not self.exists(digest):
            self.client.put_object(Bucket=self.bucket, Key=key, Body=data,
                                   ChecksumAlgorithm="SHA256")  # the store checks the bytes it received
        else:  # written again now: a copy onto itself renews LastModified (the garbage collection's grace period)
            self.client.copy_object(Bucket=self.bucket, Key=key, CopySource={"Bucket": self.bucket, "Key": key},
                                    MetadataDirective="REPLACE")
        return digest

    def get(self, digest: str) -> bytes:
        from botocore.exceptions import ClientError

        try:
            data = self.client.get_object(Bucket=self.bucket, Key=self._key(digest))["Body"].read()
        except ClientError as error:
            raise StorageError(f"no stored object {digest}: {error}") from error
        if digest_of(data) != digest:
            raise StorageError(f"stored object {digest} does not match its hash")
        return data

    def keys(self) -> Iterator[tuple[str, datetime]]:
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket):
            for item in page.get("Contents", []):
                name = item["Key"].rsplit("/", 1)[-1]
                if SHA256.match(name):
                    yield name, item["LastModified"]

    def delete(self, digest: str, *, written_before: datetime | None = None) -> bool:
        from botocore.exceptions import ClientError

        key = self._key(digest)
        if written_before is not None:
            try:
                if self.client.head_object(Bucket=self.bucket, Key=key)["LastModified"] > written_before:
                    return False
            except ClientError:
                return False
        self.client.delete_object(Bucket=self.bucket, Key=key)
        return True
