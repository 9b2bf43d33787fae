"""The bot serving while an admin runs `hemeroteca ingest` or `delete` from a shell."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

from bot.context import BotApplication
from tests.botapi import BotAPI
from tests.support import HEMEROTECA, REPO, SHOIGU_QUESTION, run_command

LIGHTHOUSE = (
    "# El faro de Cabo Vidío vuelve a funcionar\n\n"
    "El faro de Cabo Vidío, en Asturias, volvió a encenderse el martes tras dos años de obras. "
    "La Autoridad Portuaria de Avilés explicó que la nueva linterna alcanza veinte millas. "
    "Los vecinos de Oviñana celebraron el regreso de la luz con una fiesta en el acantilado.\n"
)


async def hemeroteca(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """A real `hemeroteca` process on the bot's archive, run off the event loop."""
    env = {"HEMEROTECA_DATA_DIR": str(data_dir), "HEMEROTECA_CONFIG": str(REPO / "config.toml")}
    return await asyncio.to_thread(run_command, [*HEMEROTECA, *args], env)


async def ask(botapi: BotAPI, question: str) -> str:
    person = botapi.user(language_code="es")
    chat = botapi.private_chat(person)
    botapi.send_message(chat, person, question)
    [answer] = await botapi.wait_for("sendMessage", chat_id=chat["id"])
    return str(answer.params["text"])


async def test_an_article_added_from_the_shell_is_answered_within_seconds(
    bot: BotApplication, botapi: BotAPI, data_dir: Path, tmp_path: Path
) -> None:
    question = "¿Cuándo volvió a encenderse el faro de Cabo Vidío?"
    assert "Cabo Vidío" not in await ask(botapi, question)
    article = tmp_path / "faro.md"
    article.write_text(LIGHTHOUSE)
    done = await hemeroteca(data_dir, "ingest", str(article))
    assert done.returncode == 0, done.stderr
    await asyncio.sleep(1.1)  # the bot replays other processes' changes at most once a second
    assert "volvió a encenderse el martes" in await ask(botapi, question)


async def test_an_article_deleted_from_the_shell_is_never_an_error(
    bot: BotApplication, botapi: BotAPI, data_dir: Path
) -> None:
    assert "realmente reveladora" in await ask(botapi, SHOIGU_QUESTION)
    done = await hemeroteca(data_dir, "delete", "1")
    assert done.returncode == 0, done.stderr
    for _ in range(2):  # at once, and after the bot has replayed the delete
        answer = await ask(botapi, SHOIGU_QUESTION)
        assert "Algo salió mal" not in answer
        assert "realmente reveladora" not in answer
        await asyncio.sleep(1.1)
