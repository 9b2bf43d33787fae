"""corpus/web.py against a real HTTP server on 127.0.0.1: what is fetched, and what is refused."""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from corpus.settings import FetchSettings
from corpus.web import FetchError, check_address, fetch_article, fetch_page

ARTICLE_HTML = """<!doctype html>
<html lang="es"><head>
<meta charset="utf-8">
<title>El puerto de Valencia bate su récord de contenedores</title>
<meta property="og:site_name" content="Diario del Turia">
<meta name="date" content="2024-03-05">
</head><body>
<nav><a href="/">Portada</a> <a href="/deportes">Deportes</a></nav>
<article>
<h1>El puerto de Valencia bate su récord de contenedores</h1>
<p>El puerto de Valencia movió en febrero más contenedores que en ningún otro mes de su
historia, según los datos publicados este martes por la autoridad portuaria.</p>
<p>La autoridad portuaria atribuye el aumento al desvío de rutas desde el mar Rojo y a la
ampliación de la terminal norte, que entró en servicio a finales del año pasado.</p>
<p>Los estibadores advierten de que la plantilla no ha crecido al mismo ritmo que el tráfico y
piden nuevas contrataciones antes del verano.</p>
</article>
<footer>© Diario del Turia</footer>
</body></html>
"""

PLAIN_TEXT = "Nota breve\n\nEl ayuntamiento aprobó ayer el presupuesto municipal para 2025.\n"

Route = Callable[[BaseHTTPRequestHandler], None]


def _send(status: int, body: bytes, content_type: str = "text/html; charset=utf-8") -> Route:
    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return route


def _redirect(location: str, status: int = 302) -> Route:
    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        handler.send_header("Location", location)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return route


def _unsized(body: bytes) -> Route:
    """No Content-Length: the cap must be enforced while reading."""

    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.wfile.write(body)

    return route


def _slow(handler: BaseHTTPRequestHandler) -> None:
    time.sleep(1.5)
    _send(200, ARTICLE_HTML.encode())(handler)


def _drip(handler: BaseHTTPRequestHandler) -> None:
    """Headers at once, then a byte every 50 ms: each read is quick, the whole is not."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.send_header("Content-Length", "100")
    handler.end_headers()
    for _ in range(100):
        handler.wfile.write(b"x")
        handler.wfile.flush()
        time.sleep(0.05)


def _trickle(head: bytes, body: bytes = b"", every: float = 0.2) -> Route:
    """The status line and headers a byte at a time: each recv is quick, the whole is not.

    Bounded by the length of `head`, and it stops sooner once the client has hung up.
    """

    def route(handler: BaseHTTPRequestHandler) -> None:
        for byte in head:
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()
            time.sleep(every)
        handler.wfile.write(body)

    return route


HEAD_DRIP = (
    b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 2\r\nConnection: close\r\n\r\n"
)


def _chunk_size_drip(handler: BaseHTTPRequestHandler) -> None:
    """Chunked body whose size line drips: http.client reads it with readline, recv after recv."""
    handler.wfile.write(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n"
        b"Connection: close\r\n\r\n"
    )
    _trickle(b"0" * 40 + b"1\r\n", b"x\r\n0\r\n\r\n")(handler)


def _slow_redirect(location: str, delay: float = 0.35) -> Route:
    def route(handler: BaseHTTPRequestHandler) -> None:
        time.sleep(delay)
        _redirect(location)(handler)

    return route


ROUTES: dict[str, Route] = {
    "/article": _send(200, ARTICLE_HTML.encode()),
    "/note.txt": _send(200, PLAIN_TEXT.encode(), "text/plain; charset=utf-8"),
    "/moved": _redirect("/article", 301),
    "/hop": _redirect("/moved"),
    "/to-private": _redirect("http://10.20.30.40/admin"),
    "/to-metadata": _redirect("http://169.254.169.254/latest/meta-data/"),
    "/to-file": _redirect("file:///etc/passwd"),
    "/loop": _redirect("/loop"),
    "/no-location": _send(302, b""),
    "/missing": _send(404, b"not here"),
    "/image.png": _send(200, b"\x89PNG\r\n", "image/png"),
    "/empty": _send(200, b"<html><head><title>Sin texto</title></head><body></body></html>"),
    "/big": _send(200, b"<html>" + b"a" * 5000 + b"</html>"),
    "/big-unsized": _unsized(b"<html>" + b"a" * 5000 + b"</html>"),
    "/slow": _slow,
    "/drip": _drip,
    "/head-drip": _trickle(HEAD_DRIP, b"ok"),
    "/chunk-size-drip": _chunk_size_drip,
    # Each hop is well inside the timeout; the chain of them is not.
    **{f"/slow-hop/{n}": _slow_redirect(f"/slow-hop/{n + 1}") for n in range(1, 5)},
    "/slow-hop/5": _slow_redirect("/article"),
}


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.server.requests.append(self.path)  # type: ignore[attr-defined]
        # The client giving up (timeout and size tests) is the point, not an error.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            ROUTES.get(self.path, _send(404, b""))(self)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[ThreadingHTTPServer]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    httpd.requests = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def url(server: ThreadingHTTPServer, path: str) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}{path}"


LOCAL = FetchSettings(timeout_seconds=5, max_bytes=100_000, allowed_networks=("127.0.0.1/32",))
DEFAULT = FetchSettings()


def test_fetches_main_text_title_site_and_date(server: ThreadingHTTPServer) -> None:
    draft = fetch_article(url(server, "/article"), LOCAL)
    assert draft.title == "El puerto de Valencia bate su récord de contenedores"
    assert "desvío de rutas desde el mar Rojo" in draft.text
    assert "Portada" not in draft.text  # the navigation is not the article
    assert draft.source == "Diario del Turia"
    assert draft.published is not None and draft.published.date() == date(2024, 3, 5)
    assert draft.url == url(server, "/article")


def test_plain_text_pages_use_the_text_loader(server: ThreadingHTTPServer) -> None:
    draft = fetch_article(url(server, "/note.txt"), LOCAL)
    assert draft.title == "Nota breve"
    assert draft.text.startswith("El ayuntamiento aprobó")
    assert draft.source == "127.0.0.1"


def test_redirects_are_followed_and_the_final_url_kept(server: ThreadingHTTPServer) -> None:
    draft = fetch_article(url(server, "/hop"), LOCAL)
    assert draft.url == url(server, "/article")


def test_allow_private_addresses_lets_loopback_through(server: ThreadingHTTPServer) -> None:
    settings = FetchSettings(allow_private_addresses=True)
    assert fetch_page(url(server, "/article"), settings).body == ARTICLE_HTML.encode()


def test_loopback_is_refused_by_default_before_any_request(server: ThreadingHTTPServer) -> None:
    before = len(server.requests)  # type: ignore[attr-defined]
    with pytest.raises(FetchError, match=r"refusing to fetch from 127\.0\.0\.1: .*loopback"):
        fetch_article(url(server, "/article"), DEFAULT)
    assert len(server.requests) == before  # type: ignore[attr-defined]


def test_host_names_are_checked_after_resolution(server: ThreadingHTTPServer) -> None:
    port = server.server_address[1]
    with pytest.raises(FetchError, match="loopback"):
        fetch_article(f"http://localhost:{port}/article", DEFAULT)


@pytest.mark.parametrize(
    ("path", "refused"),
    [("/to-private", "10.20.30.40: it is a private"), ("/to-metadata", "link-local")],
)
def test_every_redirect_hop_is_checked(
    server: ThreadingHTTPServer, path: str, refused: str
) -> None:
    started = time.monotonic()
    with pytest.raises(FetchError, match=refused):
        fetch_article(url(server, path), LOCAL)
    assert time.monotonic() - started < 2  # refused, not attempted and timed out


@pytest.mark.parametrize(
    ("link", "message"),
    [
        ("ftp://example.org/file", "only http and https"),
        ("file:///etc/passwd", "only http and https"),
        ("javascript:alert(1)", "only http and https"),
        ("http:///nohost", "no host name"),
        ("http://[::1]:8080/", "loopback"),
        ("http://[::ffff:127.0.0.1]/", "loopback"),
        ("http://0.0.0.0/", "unspecified"),
        ("http://192.168.1.1/", "private"),
        ("http://224.0.0.1/", "multicast"),
    ],
)
def test_bad_links_are_refused_with_a_reason(link: str, message: str) -> None:
    with pytest.raises(FetchError, match=message):
        fetch_article(link, DEFAULT)


def test_a_redirect_to_another_scheme_is_refused(server: ThreadingHTTPServer) -> None:
    with pytest.raises(FetchError, match="only http and https"):
        fetch_article(url(server, "/to-file"), LOCAL)


def test_redirect_loops_stop(server: ThreadingHTTPServer) -> None:
    with pytest.raises(FetchError, match="more than 5 redirects"):
        fetch_article(url(server, "/loop"), LOCAL)


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/missing", "answered 404"),
        ("/no-location", "redirect .302. without a Location"),
        ("/image.png", "not a web page or text .it is image/png."),
        ("/empty", "no article text found"),
    ],
)
def test_server_answers_that_are_not_articles(
    server: ThreadingHTTPServer, path: str, message: str
) -> None:
    with pytest.raises(FetchError, match=message):
        fetch_article(url(server, path), LOCAL)


@pytest.mark.parametrize("path", ["/big", "/big-unsized"])
def test_the_size_cap_is_enforced(server: ThreadingHTTPServer, path: str) -> None:
    settings = FetchSettings(max_bytes=1000, allowed_networks=("127.0.0.1/32",))
    with pytest.raises(FetchError, match=r"larger than 1,000 bytes \(fetch.max_bytes\)"):
        fetch_page(url(server, path), settings)


@pytest.mark.parametrize("path", ["/slow", "/drip"])
def test_the_timeout_covers_the_whole_download(server: ThreadingHTTPServer, path: str) -> None:
    settings = FetchSettings(timeout_seconds=0.4, allowed_networks=("127.0.0.1/32",))
    started = time.monotonic()
    with pytest.raises(FetchError, match="timed out") as caught:
        fetch_page(url(server, path), settings)
    assert time.monotonic() - started < 1.2
    assert caught.value.problem.code == "timeout"


@pytest.mark.parametrize("path", ["/head-drip", "/chunk-size-drip", "/slow-hop/1"])
def test_a_dripping_server_cannot_hold_the_fetch_past_its_timeout(
    server: ThreadingHTTPServer, path: str
) -> None:
    """Status line, headers, chunk sizes and redirect hops all share the one deadline.

    Every byte arrives well inside any per-read timeout, so only a deadline kept across reads
    stops these; without one the head drip alone holds the fetch for over 15 s.
    """
    settings = FetchSettings(timeout_seconds=1, allowed_networks=("127.0.0.1/32",))
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"timed out \(fetch\.timeout_seconds\)") as caught:
        fetch_page(url(server, path), settings)
    assert time.monotonic() - started < 2
    assert caught.value.problem.code == "timeout"


def test_a_dripping_tls_handshake_is_held_to_the_timeout() -> None:
    """The start of a TLS record, then a byte every 0.2 s: the handshake shares the deadline."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(5)

    def serve() -> None:
        with listener, contextlib.suppress(OSError):
            connection, _ = listener.accept()
            with connection:
                for byte in b"\x16\x03\x01\x40\x00" + b"\x01" * 50:
                    connection.sendall(bytes([byte]))
                    time.sleep(0.2)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    settings = FetchSettings(timeout_seconds=1, allowed_networks=("127.0.0.1/32",))
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"timed out \(fetch\.timeout_seconds\)"):
        fetch_page(f"https://127.0.0.1:{listener.getsockname()[1]}/", settings)
    assert time.monotonic() - started < 2


def test_a_slow_but_timely_head_is_still_read(server: ThreadingHTTPServer) -> None:
    """The deadline is for the whole download, not a tighter per-read one."""
    settings = FetchSettings(timeout_seconds=5, allowed_networks=("127.0.0.1/32",))
    page = fetch_page(url(server, "/slow-hop/4"), settings)
    assert page.url == url(server, "/article")
    assert page.body == ARTICLE_HTML.encode()


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("10.0.0.1", "private"),
        ("172.16.5.4", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("224.0.0.251", "multicast"),
        ("240.0.0.1", "reserved"),
        ("100.64.0.1", "non-public"),
        ("fd00::1", "private"),
    ],
)
def test_check_address_names_the_kind(address: str, kind: str) -> None:
    with pytest.raises(FetchError, match=f"it is a {kind} address"):
        check_address(ipaddress.ip_address(address), DEFAULT)


def test_public_addresses_pass_and_allowed_networks_are_narrow() -> None:
    check_address(ipaddress.ip_address("93.184.216.34"), DEFAULT)
    check_address(ipaddress.ip_address("2a00:1450:4001::1"), DEFAULT)
    check_address(ipaddress.ip_address("127.0.0.1"), LOCAL)
    with pytest.raises(FetchError, match="loopback"):
        check_address(ipaddress.ip_address("127.0.0.2"), LOCAL)


def test_an_invalid_allowed_network_is_reported() -> None:
    settings = FetchSettings(allowed_networks=("not-a-network",))
    with pytest.raises(FetchError, match=r"fetch\.allowed_networks has an invalid entry"):
        check_address(ipaddress.ip_address("10.0.0.1"), settings)
