"""The help feature without Telegram: archive facts, and the help text built from registrations."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from bot.app import FEATURES
from bot.help.service import ArchiveFacts, archive_facts
from bot.help.view import help_message
from corpus.store import ArticleStore
from tests.botapi import parse_html

LINES = [(f.help_rank, f.help_line) for f in FEATURES if f.help_line]


def test_help_message_tells_archive_facts_example_and_commands():
    facts = ArchiveFacts(12, datetime(2024, 1, 3))
    shown = parse_html(help_message(facts, LINES, "en", "hemeroteca_bot", 30))
    assert "12 articles" in shown and "3 Jan 2024" in shown
    assert "/ask" in shown and "/help" in shown and "@hemeroteca_bot" in shown
    assert "I keep your questions for 30 days" in shown
    empty = parse_html(help_message(ArchiveFacts(0, None), LINES, "es", "b", 7))
    assert "archivo todavía está vacío" in empty and "Guardo tus preguntas 7 días" in empty


def test_commands_are_listed_from_what_the_features_register_in_their_order():
    shown = parse_html(help_message(ArchiveFacts(1, None), LINES, "es", "b", 30))
    ask, subscribe, help_ = (shown.index(c) for c in ("/ask ", "/subscribe ", "/help "))
    assert ask < subscribe < help_
    assert "/digest — ahora" in shown
    only_help = parse_html(help_message(ArchiveFacts(1, None), LINES[:1], "en", "b", 30))
    assert "/help — this help" in only_help and "/subscribe" not in only_help


def test_every_menu_command_of_a_feature_is_in_the_help(tmp_path: Path):
    shown = parse_html(help_message(ArchiveFacts(1, None), LINES, "en", "b", 30))
    for feature in FEATURES:
        for command in feature.commands:
            if command.name != "start":  # /start is /help's other name
                assert f"/{command.name}" in shown, command.name


def test_archive_facts_read_the_store(tmp_path: Path):
    store = ArticleStore(tmp_path / "a.sqlite3")
    try:
        assert archive_facts(store) == ArchiveFacts(0, None)
    finally:
        store.close()
