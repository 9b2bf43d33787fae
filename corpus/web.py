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
from urllib.parse import urljoin, urlsplit

from corpus.loaders import LoadError, parse_html, parse_text_document
from corpus.models import ArticleDraft
from corpus.problems import Problem, ProblemError
from corpus.settings import FetchSettings

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
    """GET `url`, following redirects, each hop checked; a body over the size cap is refused."""
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
            return _page(current, response, connection, settings, deadline)
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
    timeout = _remaining(deadline, url)
    connection: http.client.HTTPConnection = (
        _PinnedHTTPSConnection(host, port, address, timeout)
        if scheme == "https"
        else _PinnedHTTPConnection(host, port, address, timeout)
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
        raise FetchError(Problem.of("unreachable", url=url, detail=_describe(error))) from error


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


def _page(
    url: str,
    response: http.client.HTTPResponse,
    connection: http.client.HTTPConnection,
    settings: FetchSettings,
    deadline: float,
) -> FetchedPage:
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
        # One recv at a time with the time that is left: a server dripping bytes cannot hold us.
        left = _remaining(deadline, url)
        if isinstance(connection, _Pinned) and connection.pinned_socket is not None:
            connection.pinned_socket.settimeout(left)
        try:
            block = response.read1(_READ_BLOCK)
        except (OSError, http.client.HTTPException) as error:
            raise FetchError(Problem.of("download", url=url, detail=_describe(error))) from error
        if not block:
            break
        body += block
        if len(body) > settings.max_bytes:
            raise FetchError(_too_big(url, settings))
    charset = header.get_content_charset() or ""
    return FetchedPage(url, content_type, charset, bytes(body))


def _too_big(url: str, settings: FetchSettings) -> Problem:
    return Problem.of("too_big", url=url, maximum=settings.max_bytes)


def _remaining(deadline: float, url: str) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchError(Problem.of("timeout", url=url))
    return left


def _describe(error: BaseException) -> str:
    if isinstance(error, TimeoutError | socket.timeout):
        return "timed out"
    return str(error) or type(error).__name__


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").removeprefix("www.")


class _Pinned:
    """Keeps the socket: http.client drops `sock` once the response owns it, we still time it."""

    pinned_socket: socket.socket | None = None


class _PinnedHTTPConnection(http.client.HTTPConnection, _Pinned):
    """HTTP to a host name, but connected to the address we already checked."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = self.pinned_socket = socket.create_connection(
            (self._address, self.port), self.timeout
        )


class _PinnedHTTPSConnection(http.client.HTTPSConnection, _Pinned):
    """HTTPS likewise: the certificate is still checked against the host name (SNI)."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        self._tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self._tls)
        self._address = address

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self.pinned_socket = self._tls.wrap_socket(raw, server_hostname=self.host)
