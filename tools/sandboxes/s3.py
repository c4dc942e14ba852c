"""A local S3-compatible server for development and tests (moto's server on 127.0.0.1), with the bucket made.

    python tools/sandboxes/s3.py --port 5130 --bucket motcua-documents
    MOTCUA_DOCUMENT_STORAGE=s3 MOTCUA_S3_ENDPOINT_URL=http://127.0.0.1:5130 MOTCUA_S3_ACCESS_KEY_ID=sandbox \
        MOTCUA_S3_SECRET_ACCESS_KEY=sandbox flask --app wsgi run

Objects live in this process's memory: a sandbox, not a store.
"""
from __future__ import annotations

import argparse
import threading


def start(port: int = 0, bucket: str = "motcua-documents"):
    """Start the server in this process (a thread); return (server, endpoint URL)."""
    import boto3
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    host, real_port = server.get_host_and_port()
    endpoint = f"http://{host}:{real_port}"
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="sandbox",
                 aws_secret_access_key="sandbox").create_bucket(Bucket=bucket)  # noqa: S106 (the sandbox's own)
    return server, endpoint


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=5130)
    parser.add_argument("--bucket", default="motcua-documents")
    args = parser.parse_args()
    _server, endpoint = start(args.port, args.bucket)
    print(f"S3 sandbox on {endpoint}, bucket {args.bucket}", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
