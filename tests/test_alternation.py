"""The shared-prefix alternation matches exactly what a longest-first plain alternation does."""

from __future__ import annotations

import random
import re

from corpus.alternation import alternation


def test_matches_what_a_plain_longest_first_alternation_matches() -> None:
    chooser = random.Random(7)
    words = {"corea", "corea del norte", "corea del sur", "ha dicho", "ha dich", "dijo", "a.b"}
    words |= {"".join(chooser.choice("abc ") for _ in range(chooser.randint(1, 6))).strip() or "a"
              for _ in range(200)}  # fmt: skip
    plain = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    expected = re.compile(rf"(?<!\w)(?:{plain})(?!\w)")
    shared = re.compile(rf"(?<!\w)(?:{alternation(words)})(?!\w)")
    texts = ["la corea del norte y corea del sureste, corea", "ha dicho que dijo a.b"]
    texts += ["".join(chooser.choice("abc .") for _ in range(80)) for _ in range(300)]
    for text in texts:
        assert [m.span() for m in shared.finditer(text)] == [
            m.span() for m in expected.finditer(text)
        ]
    assert shared.fullmatch("corea del norte") and not shared.fullmatch("corea del")
