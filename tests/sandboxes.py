"""The local sandbox services (tools/sandboxes/) as real processes on free 127.0.0.1 ports, for the tests."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SANDBOXES = ROOT / "tools" / "sandboxes"
SECRETS = {"SANDBOX_IDP_CLIENTS": "motcua:motcua-sandbox-secret:http://127.0.0.1:*,http://localhost:*",
           "SANDBOX_REGISTRY_KEY": "motcua-registry-key", "SANDBOX_PAY_MERCHANTS": "MOTCUA:motcua-pay-secret",
           "SANDBOX_POST_CLIENTS": "MOTCUA:motcua-post-secret", "SANDBOX_PORTAL_CLIENTS": "MOTCUA:motcua-portal-secret"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Sandbox:
    """One sandbox process; `stop()` and `start()` let a test take the service down and bring it back."""

    name: str
    args: list[str] = field(default_factory=list)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Sandbox:
        self.process = subprocess.Popen(
            [sys.executable, str(SANDBOXES / f"{self.name}.py"), "--port", str(self.port), *self.args],
            cwd=SANDBOXES, env={**os.environ, **SECRETS}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"sandbox {self.name} died: {self.process.stderr.read().decode()[-2000:]}")
            try:
                urllib.request.urlopen(f"{self.url}/healthz", timeout=1).close()  # noqa: S310 (local sandbox)
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"sandbox {self.name} did not answer on {self.url}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None


@dataclass
class Sandboxes:
    idp: Sandbox
    registry: Sandbox
    payment: Sandbox
    post: Sandbox
    portal: Sandbox

    def all(self) -> tuple[Sandbox, ...]:
        return self.idp, self.registry, self.payment, self.post, self.portal

    def config(self) -> dict[str, str]:
        """The application settings that point it at these sandboxes (what the Procfile sets for `make run`)."""
        return {"OIDC_ISSUER": self.idp.url, "OIDC_CLIENT_ID": "motcua", "OIDC_CLIENT_SECRET": "motcua-sandbox-secret",
                "REGISTRY_URL": self.registry.url, "REGISTRY_KEY": SECRETS["SANDBOX_REGISTRY_KEY"],
                "PAYMENT_URL": self.payment.url, "PAYMENT_MERCHANT": "MOTCUA", "PAYMENT_SECRET": "motcua-pay-secret",
                "POST_URL": self.post.url, "POST_CLIENT_ID": "MOTCUA", "POST_SECRET": "motcua-post-secret",
                "PORTAL_URL": self.portal.url, "PORTAL_CLIENT_ID": "MOTCUA", "PORTAL_SECRET": "motcua-portal-secret"}


def start_sandboxes() -> Sandboxes:
    boxes = Sandboxes(Sandbox("idp"), Sandbox("registry"), Sandbox("payment"), Sandbox("post"), Sandbox("portal"))
    try:
        for box in boxes.all():
            box.start()
    except Exception:
        for box in boxes.all():
            box.stop()
        raise
    return boxes
