"""Normalisation used for dedupe: two copies of one article must hash alike."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import urlsplit, urlunsplit

_WHITESPACE = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    """Case-, width- and whitespace-insensitive form of a text."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _WHITESPACE.sub(" ", folded).strip()


def content_hash(text: str) -> str:
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()


def normalise_url(url: str) -> str:
    """Drop the fragment, a trailing slash and case differences in scheme and host."""
    url = url.strip()
    if not url:
        return ""
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))
