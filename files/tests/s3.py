"""The S3 storage of the ``s3`` tests (conftest.py): one boto3 session for the whole run.

Each test gets a storage of its own (a bucket of its own), but a new boto3 session loads the S3
service description again, which cost more than the test itself.
"""

from functools import cache

import boto3
from storages.backends.s3 import S3Storage


@cache
def _session(access_key: str, secret_key: str) -> boto3.Session:
    return boto3.Session(aws_access_key_id=access_key, aws_secret_access_key=secret_key)


class SharedSessionS3Storage(S3Storage):
    def _create_session(self):
        return _session(self.access_key, self.secret_key)
