"""Front doors onto the archive: the `hemeroteca` command (cli) and the Telegram bot (app).

See the README's "How it works" for the layout: config, app and context at the top; core and
i18n shared; one package per feature (ask, digest, admin, help).
"""

__all__ = ["admin", "app", "ask", "cli", "config", "context", "core", "digest", "help", "i18n"]
