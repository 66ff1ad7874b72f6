"""A local fake SMS provider over real HTTP (issue 17): an http.server on 127.0.0.1 that answers as Brevo's
transactional SMS API does, records every request, and can be told to answer errors or to wait.

    with FakeSms() as fake:            # fake.url → AGIR_SMS_URL
        fake.script = [500, 201]       # the next answers, in order (then 201)
        fake.delay = 2.0               # seconds to wait before answering (timeouts)
        fake.requests                  # [{"headers": {...}, "json": {...}}, ...]
"""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeSms:
    def __init__(self):
        self.requests: list[dict] = []
        self.script: list[int] = []
        self.delay = 0.0
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                with fake.lock:
                    fake.requests.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                                          "json": json.loads(body or b"{}")})
                    number = len(fake.requests)
                    status = fake.script.pop(0) if fake.script else 201
                    delay = fake.delay
                if delay:
                    time.sleep(delay)
                answer = {"reference": f"ref-{number}", "messageId": number} if status < 300 else {
                    "code": "error", "message": "fake failure"}
                data = json.dumps(answer).encode()
                try:
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout)
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/v3/transactionalSMS/sms"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)
