"""A link an admin sends → an article draft, without letting the link reach inside our network.

Anyone who can make the bot fetch a URL can make it knock on doors the public cannot: the
metadata service at 169.254.169.254, a database on localhost, the router. So every hop (the first
URL and each redirect) is resolved here, every address it resolves to is checked, and the
connection is made to the checked address itself, so a second DNS answer cannot swap it (DNS
rebinding). Only the standard library is used: it lets us pin the address without reaching into a
client's private transport.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass, replace
from email.message import Message
from typing import TYPE_CHECKING, cast
from urllib.parse import urljoin, urlsplit

from corpus.loaders import LoadError, parse_html, parse_text_document
from corpus.models import ArticleDraft
from corpus.problems import Problem, ProblemError
from corpus.settings import FetchSettings

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer, WriteableBuffer

__all__ = ["FetchError", "FetchedPage", "check_address", "fetch_article", "fetch_page"]

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_USER_AGENT = "Hemeroteca/0.1 (news archive bot; fetches pages its admins send)"
_READ_BLOCK = 64 * 1024
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class FetchError(ProblemError):
    """A link that cannot become an article; the problem says why, for the admin to read."""


@dataclass(frozen=True)
class FetchedPage:
    """What the server sent, after redirects: `url` is the final address."""

    url: str
    content_type: str
    charset: str
    body: bytes


def fetch_article(url: str, settings: FetchSettings) -> ArticleDraft:
    """Fetch `url` and extract the article (main text, title, site name, date)."""
    page = fetch_page(url, settings)
    try:
        if page.content_type == "text/plain":
            draft = parse_text_document(page.body.decode(page.charset or "utf-8", "replace"))
        else:
            draft = parse_html(page.body, url=page.url)
    except LoadError as error:
        raise FetchError(error.problem) from error
    # The address we actually read is the citation: a page's own canonical claim is not checked.
    return replace(draft, url=page.url, source=draft.source or _host(page.url))


def fetch_page(url: str, settings: FetchSettings) -> FetchedPage:
    """GET `url`, following redirects, each hop checked; a body over the size cap is refused.

    `timeout_seconds` bounds the whole download: connecting, TLS, status line, headers, every
    redirect hop and the body (not the DNS lookup, which the standard library cannot time out).
    """
    deadline = time.monotonic() + settings.timeout_seconds
    current = url.strip()
    for _ in range(settings.max_redirects + 1):
        response, connection = _request(current, settings, deadline)
        try:
            if response.status in _REDIRECTS:
                location = response.getheader("Location")
                if not location:
                    raise FetchError(Problem.of("no_location", url=current, status=response.status))
                current = urljoin(current, location)
                continue
            if response.status != 200:
                raise FetchError(
                    Problem.of(
                        "http_status", url=current, status=response.status, reason=response.reason
                    )
                )
            return _page(current, response, settings)
        finally:
            connection.close()
    raise FetchError(Problem.of("redirects", url=url, maximum=settings.max_redirects))


def check_address(address: IPAddress, settings: FetchSettings) -> None:
    """Refuse addresses that are not on the public internet, unless config allows them."""
    if settings.allow_private_addresses:
        return
    mapped = getattr(address, "ipv4_mapped", None)
    if mapped is not None:
        address = mapped
    if any(address in network for network in _networks(settings)):
        return
    kind = _private_kind(address)
    if kind:
        raise FetchError(Problem.of("not_public", address=str(address), kind=kind))


def _networks(settings: FetchSettings) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    try:
        return [ipaddress.ip_network(value, strict=False) for value in settings.allowed_networks]
    except ValueError as error:
        raise FetchError(Problem.of("bad_networks", detail=str(error))) from error


def _private_kind(address: IPAddress) -> str:
    checks = (
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("unspecified", address.is_unspecified),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
        ("non-public", not address.is_global),
    )
    return next((name for name, hit in checks if hit), "")


def _request(
    url: str, settings: FetchSettings, deadline: float
) -> tuple[http.client.HTTPResponse, http.client.HTTPConnection]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchError(Problem.of("scheme", url=url))
    host = parts.hostname
    if not host:
        raise FetchError(Problem.of("no_host", url=url))
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError as error:
        raise FetchError(Problem.of("bad_port", url=url)) from error
    address = _resolve(host, port, settings)
    connection: http.client.HTTPConnection = (
        _PinnedHTTPSConnection(host, port, address, deadline)
        if scheme == "https"
        else _PinnedHTTPConnection(host, port, address, deadline)
    )
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    try:
        connection.request(
            "GET",
            path,
            headers={
                "User-Agent": _USER_AGENT,
                "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9",
                "Accept-Encoding": "identity",  # the size cap counts the bytes we parse
            },
        )
        return connection.getresponse(), connection
    except (OSError, http.client.HTTPException) as error:
        connection.close()
        raise _failure("unreachable", url, error) from error


def _resolve(host: str, port: int, settings: FetchSettings) -> str:
    """Resolve once and check every answer: one private answer is enough to refuse."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchError(Problem.of("unresolvable", host=host)) from error
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
    if not addresses:
        raise FetchError(Problem.of("unresolvable", host=host))
    for address in addresses:
        check_address(address, settings)
    return str(addresses[0])


def _page(url: str, response: http.client.HTTPResponse, settings: FetchSettings) -> FetchedPage:
    header = Message()
    header["content-type"] = response.getheader("Content-Type") or "text/html"
    content_type = header.get_content_type()
    if content_type not in _HTML_TYPES and content_type != "text/plain":
        raise FetchError(Problem.of("not_page", url=url, content_type=content_type))
    declared = response.getheader("Content-Length")
    if declared and declared.isdigit() and int(declared) > settings.max_bytes:
        raise FetchError(_too_big(url, settings))
    body = bytearray()
    while True:
        try:
            block = response.read1(_READ_BLOCK)
        except (OSError, http.client.HTTPException) as error:
            raise _failure("download", url, error) from error
        if not block:
            break
        body += block
        if len(body) > settings.max_bytes:
            raise FetchError(_too_big(url, settings))
    charset = header.get_content_charset() or ""
    return FetchedPage(url, content_type, charset, bytes(body))


def _too_big(url: str, settings: FetchSettings) -> Problem:
    return Problem.of("too_big", url=url, maximum=settings.max_bytes)


def _left(deadline: float) -> float:
    """The time left, for the next blocking call; TimeoutError, like the socket's own, once gone.

    Not FetchError: this is raised inside http.client, which turns some ValueErrors (FetchError
    is one) into IncompleteRead.
    """
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("fetch.timeout_seconds has run out")
    return left


def _failure(code: str, url: str, error: OSError | http.client.HTTPException) -> FetchError:
    # Every socket call is given only the time left, so any timeout is the deadline running out.
    if isinstance(error, TimeoutError):
        return FetchError(Problem.of("timeout", url=url))
    return FetchError(Problem.of(code, url=url, detail=str(error) or type(error).__name__))


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").removeprefix("www.")


class _DeadlineSocket(socket.socket):
    """TCP whose every read and write gets only what is left of the download's time.

    A socket timeout bounds one call, and http.client reads the status line, headers and chunk
    sizes a recv at a time: a server sending a byte a second would restart it for ever.
    """

    deadline: float

    def recv_into(self, buffer: WriteableBuffer, nbytes: int = 0, flags: int = 0) -> int:
        self.settimeout(_left(self.deadline))
        return super().recv_into(buffer, nbytes, flags)

    def sendall(self, data: ReadableBuffer, flags: int = 0, /) -> None:
        self.settimeout(_left(self.deadline))
        super().sendall(data, flags)


class _DeadlineTLSSocket(ssl.SSLSocket):
    """The same for TLS, whose reads go through OpenSSL and never reach the raw socket's."""

    deadline: float

    def recv_into(self, buffer: WriteableBuffer, nbytes: int | None = None, flags: int = 0) -> int:
        self.settimeout(_left(self.deadline))
        return super().recv_into(buffer, nbytes, flags)

    def sendall(self, data: ReadableBuffer, flags: int = 0) -> None:
        self.settimeout(_left(self.deadline))
        super().sendall(data, flags)


def _connect(address: str, port: int, deadline: float) -> _DeadlineSocket:
    """TCP to the checked address itself; one address, so create_connection's fallbacks are moot."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = _DeadlineSocket(family, socket.SOCK_STREAM)
    sock.deadline = deadline
    try:
        sock.settimeout(_left(deadline))
        sock.connect((address, port))
    except BaseException:
        sock.close()
        raise
    return sock


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP to a host name, but connected to the address we already checked."""

    def __init__(self, host: str, port: int, address: str, deadline: float) -> None:
        super().__init__(host, port)
        self._address = address
        self._deadline = deadline

    def connect(self) -> None:
        self.sock = _connect(self._address, self.port, self._deadline)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS likewise: the certificate is still checked against the host name (SNI)."""

    def __init__(self, host: str, port: int, address: str, deadline: float) -> None:
        self._tls = ssl.create_default_context()
        self._tls.sslsocket_class = _DeadlineTLSSocket
        super().__init__(host, port, context=self._tls)
        self._address = address
        self._deadline = deadline

    def connect(self) -> None:
        raw = _connect(self._address, self.port, self._deadline)
        try:
            # The handshake is one call to OpenSSL, which holds it to the timeout as a whole.
            raw.settimeout(_left(self._deadline))
            tls = cast(_DeadlineTLSSocket, self._tls.wrap_socket(raw, server_hostname=self.host))
        except BaseException:
            raw.close()
            raise
        tls.deadline = self._deadline
        self.sock = tls
