"""A real S3-protocol server for tests (moto's server on a loopback port), so stored files go
through django-storages' S3Storage and boto3 over HTTP, as against any object store.

    with running_s3_server() as server:      # anywhere
        server.keys()                        # the bucket's object keys
        server.environment()                 # S3_* variables for a web server or worker process

    def test_files(s3_storage):              # pytest: Django's default storage is the bucket
        ...

To use the fixture in a test module, import it: `from proteacher.testing.s3 import s3_storage  # noqa: F401`.
"""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
import requests

from proteacher.testing.smtp import LOOPBACK

BUCKET = "proteacher-files"
ACCESS_KEY = "testing"
SECRET_KEY = "testing"  # moto's test credentials
REGION = "us-east-1"


@dataclass
class S3Server:
    endpoint_url: str
    bucket: str
    client: object  # a boto3 S3 client on the server, for looking at the bucket as it is

    def keys(self) -> list[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket)
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=key)

    def storage_options(self) -> dict:
        """The S3Storage options settings.py builds from the S3_* variables."""
        return {
            "bucket_name": self.bucket,
            "endpoint_url": self.endpoint_url,
            "access_key": ACCESS_KEY,
            "secret_key": SECRET_KEY,
            "region_name": REGION,
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        }

    def environment(self) -> dict[str, str]:
        """The variables that point settings.py's storage at this server."""
        return {
            "S3_BUCKET": self.bucket,
            "S3_ENDPOINT_URL": self.endpoint_url,
            "S3_ACCESS_KEY": ACCESS_KEY,
            "S3_SECRET_KEY": SECRET_KEY,
            "S3_REGION": REGION,
        }


@contextmanager
def running_s3_server(host: str = LOOPBACK) -> Iterator[S3Server]:
    """Start moto's S3-protocol server on a free loopback port with a new, empty bucket; stop it on exit.

    moto keeps its buckets in the process, across servers: each server gets a bucket of its own.
    """
    import boto3
    from moto.server import ThreadedMotoServer

    # Port 0: the server binds a free port itself and tells which.
    server = ThreadedMotoServer(ip_address=host, port=0, verbose=False)
    server.start()
    try:
        bound_host, port = server.get_host_and_port()
        endpoint_url = f"http://{bound_host}:{port}"
        client = boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name=REGION,
        )
        bucket = f"{BUCKET}-{uuid.uuid4().hex[:12]}"
        client.create_bucket(Bucket=bucket)
        yield S3Server(endpoint_url=endpoint_url, bucket=bucket, client=client)
        # Forget every bucket and object this process's moto holds.
        requests.post(f"{endpoint_url}/moto-api/reset", timeout=10)
    finally:
        server.stop()


def use_s3_server(settings, server: S3Server) -> None:
    """Make the S3-protocol server Django's default storage (pytest-django's `settings` fixture undoes it)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": server.storage_options()},
    }


@pytest.fixture
def s3_storage(settings) -> Iterator[S3Server]:
    """A running S3-protocol server whose bucket is Django's default storage for the test."""
    with running_s3_server() as server:
        use_s3_server(settings, server)
        yield server
