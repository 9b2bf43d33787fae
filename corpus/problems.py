"""Why an input could not become an article: a code, its details, and the English wording.

The code lets a front end word the reason in its reader's language (the bot speaks Spanish and
English); the English text here is what the CLI, the logs and the exceptions show.
"""

from __future__ import annotations

from dataclasses import dataclass

ENGLISH: dict[str, str] = {
    # Reading files and lines.
    "binary": "binary file, not text",
    "not_utf8": "not valid UTF-8 text (byte {byte})",
    "unsupported_type": "unsupported file type {suffix!r}",
    "upload_type": "unsupported file type {suffix!r}; accepted: {accepted}",
    "missing_path": "no such file or folder",
    "unreadable": "cannot read the file ({detail})",
    "empty": "the article is empty",
    "no_page_text": "no article text found in the page",
    "bad_date": "'published' is not an ISO 8601 date: {value!r}",
    "bad_json": "not valid JSON ({detail})",
    "not_object": "a line must be a JSON object",
    "no_text": "missing or empty 'text'",
    "not_strings": "'title', 'source', 'url' and 'language' must be strings",
    "date_not_string": "'published' must be an ISO 8601 string",
    # The archive's limits.
    "too_short": "the article is too short ({length} characters, at least {minimum})",
    "too_long": (
        "the article has {length:,} characters, over the limit of {maximum:,} "
        "(ingest.max_article_chars)"
    ),
    "removed": "the article was removed while it was being added",
    # Fetching links.
    "no_location": "{url}: redirect ({status}) without a Location",
    "http_status": "{url}: the server answered {status} {reason}",
    "redirects": "{url}: more than {maximum} redirects",
    "not_public": "refusing to fetch from {address}: it is a {kind} address, not a public one",
    "bad_networks": "fetch.allowed_networks has an invalid entry: {detail}",
    "scheme": "{url}: only http and https links can be fetched",
    "no_host": "{url}: the link has no host name",
    "bad_port": "{url}: invalid port",
    "unreachable": "{url}: could not fetch the page ({detail})",
    "unresolvable": "cannot resolve the host {host!r}",
    "not_page": "{url}: not a web page or text (it is {content_type})",
    "too_big": "{url}: the page is larger than {maximum:,} bytes (fetch.max_bytes)",
    "download": "{url}: the download failed ({detail})",
    "timeout": "{url}: timed out (fetch.timeout_seconds)",
}


@dataclass(frozen=True)
class Problem:
    """One reason, as a code from ENGLISH and the values its wording needs."""

    code: str
    details: tuple[tuple[str, object], ...] = ()

    @classmethod
    def of(cls, code: str, **details: object) -> Problem:
        if code not in ENGLISH:
            raise KeyError(f"unknown problem code {code!r}")
        return cls(code, tuple(details.items()))

    @property
    def values(self) -> dict[str, object]:
        return dict(self.details)

    def __str__(self) -> str:
        return ENGLISH[self.code].format(**self.values)


class ProblemError(ValueError):
    """An error that carries its Problem, so callers can word it for their reader."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem
