"""What buttons carry: the callback data formats, and keyboards as plain data for the views.

Telegram allows 64 bytes of callback data, chosen by the client: anyone can send any data, so
each format is matched whole by a strict pattern and a handler re-checks who may press it.
Views describe keyboards with `Button` rows (no Telegram types); core/replies.py turns them into
Telegram's markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["FEEDBACK", "MORE", "SOURCES", "UNDO", "Button", "ButtonData", "Keyboard"]

# A page token is URL-safe base64 (bot/ask/state.py); anything else is not our button.
_TOKEN = r"[A-Za-z0-9_-]{1,64}"


@dataclass(frozen=True)
class ButtonData:
    """One format: `prefix:part[:part…]`, each part matched by the pattern's groups."""

    prefix: str
    parts: str  # regex of what follows "prefix:", with one group per part

    @property
    def pattern(self) -> re.Pattern[str]:
        return re.compile(rf"^{re.escape(self.prefix)}:{self.parts}$")

    def make(self, *parts: object) -> str:
        return ":".join([self.prefix, *(str(part) for part in parts)])

    def parse(self, data: str | None) -> tuple[str, ...] | None:
        """The parts of `data` if it is this format, else None."""
        match = self.pattern.match(data or "")
        return match.groups() if match else None


MORE = ButtonData("more", f"({_TOKEN})")  # more:<page token>
FEEDBACK = ButtonData("fb", f"({_TOKEN}):([+-])")  # fb:<page token>:+ or -
UNDO = ButtonData("adm:undo", r"(\d+)")  # adm:undo:<article id>
SOURCES = ButtonData("adm:src", r"(\d+)")  # adm:src:<page>


@dataclass(frozen=True)
class Button:
    label: str
    data: str


Keyboard = tuple[tuple[Button, ...], ...]
