"""Questions answered with quotes: handlers (Telegram), service (logic), view (HTML), state
(answer pages, votes, the question log)."""

from bot.ask.service import AskResult, AskService
from bot.ask.state import ASK_SCHEMA, AnswerLog, QuestionLog

__all__ = ["ASK_SCHEMA", "AnswerLog", "AskResult", "AskService", "QuestionLog"]
