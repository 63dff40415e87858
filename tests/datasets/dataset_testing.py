"""Helpers of the dataset tests: a real HTTP server on 127.0.0.1 whose misbehaviour each test controls,
catalog sources for given bytes, small archives, and a picklable note encoder for the ML tests."""

from __future__ import annotations

import hashlib
import http.server
import io
import threading
import time
import urllib.parse
import zipfile
from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from muspy_like.datasets.catalog import SourceSpec


@dataclass
class Route:
    """What the server does for one path.

    mode: ``normal`` (honours Range/If-Range), ``ignore_range`` (always 200 with the whole body),
    ``status`` (answers ``status`` with no body), ``confirm`` (like ``normal``, but only for a request
    whose query holds ``confirm=<confirm_token>``, and the ``download_warning`` cookie too when
    ``require_cookie``; any other request gets ``page``, an HTML page, and the cookie: Google Drive's
    large-file confirmation flow).
    framing: how the body's end is shown: ``length`` (Content-Length), ``chunked`` (chunked transfer
    encoding: a cut body lacks its terminating chunk) or ``close`` (neither: the body ends when the
    connection closes, so a cut body looks complete).
    truncate_first: for the first N requests, send only ``truncate_at`` bytes of the body and close.
    stall_first: for the first N requests, sleep ``stall_seconds`` before sending the body.
    trickle_seconds: send the body one byte at a time, this many seconds apart.
    fail_first: for the first N requests, answer HTTP 503.
    content_type: the Content-Type of the body.
    """

    data: bytes = b""
    mode: str = "normal"
    status: int = 200
    etag: str = '"v1"'
    truncate_first: int = 0
    truncate_at: int = 0
    stall_first: int = 0
    stall_seconds: float = 0.0
    fail_first: int = 0
    framing: str = "length"
    trickle_seconds: float = 0.0
    content_type: str = "application/octet-stream"
    page: str = ""
    confirm_token: str = "t"
    require_cookie: bool = False
    requests: list[dict] = field(default_factory=list)


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    routes: dict[str, Route] = {}

    def log_message(self, *args) -> None:  # keep the test output clean
        pass

    def do_GET(self) -> None:
        route = self.routes.get(self.path) or self.routes.get(self.path.split("?")[0])
        if route is None:
            self._plain(404)
            return
        route.requests.append({**dict(self.headers), "path": self.path})
        count = len(route.requests)
        if route.mode == "status":
            self._plain(route.status)
            return
        if count <= route.fail_first:
            self._plain(503)
            return
        if route.mode == "confirm" and not self._confirmed(route):
            page = route.page.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Set-Cookie", f"download_warning={route.confirm_token}; Path=/")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)
            return
        data, start = route.data, 0
        range_header = self.headers.get("Range")
        if_range = self.headers.get("If-Range")
        honour = route.mode in ("normal", "confirm") and range_header and (if_range is None or if_range == route.etag)
        if honour:
            start = int(range_header.split("=")[1].split("-")[0])
            if start >= len(data):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(data)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        body = data[start:]
        if route.framing == "length":
            self.send_header("Content-Length", str(len(body)))
        elif route.framing == "chunked":
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.send_header("Content-Type", route.content_type)
        self.send_header("ETag", route.etag)
        self.send_header("Accept-Ranges", "bytes" if route.mode != "ignore_range" else "none")
        self.end_headers()
        if count <= route.stall_first:
            time.sleep(route.stall_seconds)
        cut = count <= route.truncate_first
        try:
            self._send_body(route, body[: route.truncate_at] if cut else body, ended=not cut)
        except (BrokenPipeError, ConnectionResetError):
            pass
        if cut:
            self.close_connection = True

    def _confirmed(self, route: Route) -> bool:
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
        token_ok = query.get("confirm") == [route.confirm_token]
        cookie_ok = f"download_warning={route.confirm_token}" in (self.headers.get("Cookie") or "")
        return token_ok and (cookie_ok or not route.require_cookie)

    def _send_body(self, route: Route, body: bytes, ended: bool) -> None:
        step = 1 if route.trickle_seconds else 8192
        for at in range(0, len(body), step):
            piece = body[at : at + step]
            self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece) if route.framing == "chunked" else piece)
            self.wfile.flush()
            if route.trickle_seconds:
                time.sleep(route.trickle_seconds)
        if route.framing == "chunked" and ended:
            self.wfile.write(b"0\r\n\r\n")  # the terminating chunk: absent from a cut body
        self.wfile.flush()

    def _plain(self, status: int) -> None:
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()


class LocalServer:
    """A threaded HTTP server on an ephemeral port of 127.0.0.1."""

    def __init__(self) -> None:
        handler = type("Handler", (_Handler,), {"routes": {}})
        self.routes: dict[str, Route] = handler.routes
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def add(self, path: str, **kwargs) -> Route:
        route = Route(**kwargs)
        self.routes[path] = route
        return route

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def source_for(
    data: bytes, url: str, name: str = "data.bin", archive: str = "none", mirrors=(), **overrides
) -> SourceSpec:
    """A catalog source with the true size and hashes of ``data`` (overridable to make them wrong)."""
    fields = dict(
        url=url,
        filename=name,
        archive=archive,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        md5=hashlib.md5(data).hexdigest(),
        mirrors=tuple(mirrors),
    )
    fields.update(overrides)
    return SourceSpec(**fields)


def zip_bytes(members: dict[str, bytes]) -> bytes:
    """A zip archive (deflated) of ``name -> bytes``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, data in members.items():
            bundle.writestr(name, data)
    return buffer.getvalue()


def payload(size: int, seed: int = 0) -> bytes:
    """Deterministic incompressible bytes."""
    out, counter = bytearray(), 0
    while len(out) < size:
        out += hashlib.sha256(f"{seed}:{counter}".encode()).digest()
        counter += 1
    return bytes(out[:size])


def wrong_digest(kind: Optional[str] = "sha256") -> str:
    return "0" * (64 if kind == "sha256" else 32)


def note_matrix(music, max_notes=None):
    """(notes, 3) array of onset, pitch, duration over all tracks, sorted: an independent small encoder."""
    rows = [np.stack([t.notes.time, t.notes.pitch, t.notes.duration], axis=1) for t in music.tracks if len(t.notes)]
    matrix = np.concatenate(rows) if rows else np.zeros((0, 3), dtype=np.int64)
    matrix = matrix[np.lexsort((matrix[:, 1], matrix[:, 0]))].astype(np.int64)
    return matrix[:max_notes] if max_notes else matrix
