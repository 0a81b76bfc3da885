"""A real ERP-side receiver for the webhook tests: an HTTP server on 127.0.0.1 (a random port) in a thread,
verifying every request with the ``verify_webhook`` of docs/API.md, as an ERP would."""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from django.conf import settings

DOCS = Path(settings.BASE_DIR) / "docs" / "API.md"


def docs_verifier():
    """``verify_webhook`` and ``InvalidWebhook`` exactly as docs/API.md shows them to the ERP's developers."""
    section = DOCS.read_text(encoding="utf-8").split("## Webhooks", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)
    namespace: dict = {}
    exec(compile(code, str(DOCS), "exec"), namespace)  # noqa: S102 - our own documentation
    return namespace["verify_webhook"], namespace["InvalidWebhook"]


@dataclass
class Received:
    headers: dict
    body: bytes
    verified: bool
    answered: int | None


@dataclass
class Receiver:
    """``plan``: what to do with each request in turn (an HTTP status, or ("sleep", seconds) then 200);
    when it runs out, 200. ``requests``: what arrived, verified or not."""

    secret: str = ""
    plan: list = field(default_factory=list)
    requests: list[Received] = field(default_factory=list)
    url: str = ""

    def next_step(self):
        return self.plan.pop(0) if self.plan else 200


def start(receiver: Receiver):
    verify, invalid = docs_verifier()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            try:
                verify(receiver.secret, self.headers, body)
                verified = True
            except invalid:
                verified = False
            step = receiver.next_step() if verified else 400
            if isinstance(step, tuple):  # too slow for the sender's timeout
                time.sleep(step[1])
                step = 200
            receiver.requests.append(Received(dict(self.headers), body, verified, step))
            try:
                self.send_response(step)
                self.send_header("Content-Type", "text/plain")
                if 300 <= step < 400:
                    self.send_header("Location", receiver.url + "?redirected")
                self.end_headers()
                self.wfile.write(b"ok" if 200 <= step < 300 else b"nu")
            except OSError:  # the sender gave up waiting
                pass

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/erp/webhook"
    return server
