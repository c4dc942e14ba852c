"""The lookup limits live in Redis when configured: two worker processes share one count."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

REDIS = ("127.0.0.1", 6379)
DB_NUMBER = 15  # a database of its own; only keys under this test's prefix are touched
ROOT = Path(__file__).resolve().parents[3]

WORKER = """
import json, sys
from app import create_app
app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "SQLALCHEMY_DATABASE_URI": sys.argv[1],
                  "LOOKUP_CLIENT_LIMIT": "3 per minute", "LOOKUP_CODE_LIMIT": "100 per minute"})
client = app.test_client()
codes = [client.post("/api/v1/lookup", json={"code": f"X-{n}", "pin": "123456"}).status_code
         for n in range(int(sys.argv[2]))]
print(json.dumps({"codes": codes, "storage": app.config["RATELIMIT_STORAGE_URI"]}))
"""


def _redis_up() -> bool:
    try:
        socket.create_connection(REDIS, timeout=0.5).close()
        return True
    except OSError:
        return False


def _worker(database_url: str, requests: int, prefix: str) -> dict:
    env = {**os.environ, "MOTCUA_RATELIMIT_STORAGE_URI": f"redis://{REDIS[0]}:{REDIS[1]}/{DB_NUMBER}",
           "MOTCUA_RATELIMIT_KEY_PREFIX": prefix}
    out = subprocess.run([sys.executable, "-c", WORKER, database_url, str(requests)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(not _redis_up(), reason="Redis is not running on 127.0.0.1:6379")
def test_two_workers_share_the_per_client_limit_through_redis(database_url):
    import redis

    prefix = f"motcua-test-{uuid.uuid4().hex}"
    store = redis.Redis(*REDIS, db=DB_NUMBER)
    try:
        first = _worker(database_url, 2, prefix)
        second = _worker(database_url, 2, prefix)
        assert first["storage"].startswith("redis://")
        assert first["codes"] == [404, 404] and second["codes"] == [404, 429]
        assert list(store.scan_iter(f"*{prefix}*"))
    finally:
        for key in store.scan_iter(f"*{prefix}*"):
            store.delete(key)
