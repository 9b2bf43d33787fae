"""Front doors onto the archive: the `hemeroteca` command and the Telegram bot."""
