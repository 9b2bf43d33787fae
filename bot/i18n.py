"""Every word the bot itself says, in Spanish and English (quotes stay in their own language).

Templates are HTML. `html()` escapes each argument, so article text or a user's question can
never inject markup; `plain()` is for places Telegram shows as plain text (button labels,
callback alerts, command descriptions), whose templates therefore carry no markup.
"""

from __future__ import annotations

import html as _html
from datetime import datetime

LANGUAGES = ("es", "en")

STRINGS: dict[str, dict[str, str]] = {
    "answer_header": {
        "es": "📰 <b>Esto dice el archivo:</b>",
        "en": "📰 <b>Here is what the archive says:</b>",
    },
    "more_header": {
        "es": "📰 <b>Más resultados ({first}–{last}):</b>",
        "en": "📰 <b>More results ({first}–{last}):</b>",
    },
    "not_found": {
        "es": (
            "🤷 No encontré nada sobre eso en el archivo.\n\n"
            "Prueba con otras palabras: los nombres de personas, lugares u organizaciones "
            "suelen funcionar mejor. El archivo tiene {articles} artículos."
        ),
        "en": (
            "🤷 I found nothing about that in the archive.\n\n"
            "Try other words: names of people, places or organisations usually work best. "
            "The archive has {articles} articles."
        ),
    },
    "empty_question": {
        "es": "✍️ Falta la pregunta. Escríbela así:\n<code>/ask {example}</code>",
        "en": "✍️ The question is missing. Write it like this:\n<code>/ask {example}</code>",
    },
    "too_long": {
        "es": (
            "✂️ La pregunta es demasiado larga ({length} caracteres). "
            "Resúmela en {limit} caracteres como máximo."
        ),
        "en": (
            "✂️ The question is too long ({length} characters). "
            "Please keep it to {limit} characters at most."
        ),
    },
    "rate_limited": {
        "es": (
            "⏳ Vas muy rápido: puedo responder {limit} preguntas por minuto a cada persona. "
            "Vuelve a intentarlo en {seconds} s."
        ),
        "en": (
            "⏳ That is a lot of questions: I answer {limit} a minute per person. "
            "Please try again in {seconds} s."
        ),
    },
    "error": {
        "es": "⚠️ Algo salió mal al responder. Inténtalo de nuevo dentro de un momento.",
        "en": "⚠️ Something went wrong while answering. Please try again in a moment.",
    },
    "help": {
        "es": (
            "<b>Hemeroteca</b> responde preguntas sobre un archivo de noticias citando los "
            "artículos <i>textualmente</i>, con su fuente: título, medio, fecha y enlace. "
            "No redacta respuestas: si el archivo no lo dice, te lo digo.\n\n"
            "📚 {archive}\n\n"
            "<b>Prueba a preguntar:</b>\n<code>{example}</code>\n\n"
            "<b>Comandos</b>\n"
            "/ask <i>pregunta</i> — pregunta al archivo (también en grupos)\n"
            "/subscribe <i>[HH:MM] [zona]</i> — lo nuevo del archivo cada día a tu hora; "
            "/digest — ahora; /unsubscribe — cancelarlo\n"
            "/help — esta ayuda\n\n"
            "En privado, escríbeme la pregunta sin más. En un grupo, menciónme "
            "(@{bot}) o responde a uno de mis mensajes. En cualquier chat puedes escribir "
            "<code>@{bot} pregunta</code> para compartir una cita.\n\n"
            "🔒 Guardo tus preguntas {days} días: para los botones bajo cada respuesta y para "
            "que los administradores vean qué buscó la gente sin encontrarlo. Nada más."
        ),
        "en": (
            "<b>Hemeroteca</b> answers questions about a news archive by quoting its articles "
            "<i>verbatim</i>, with their source: title, outlet, date and link. It writes no "
            "answers of its own: if the archive does not say it, I tell you so.\n\n"
            "📚 {archive}\n\n"
            "<b>Try asking:</b>\n<code>{example}</code>\n\n"
            "<b>Commands</b>\n"
            "/ask <i>question</i> — ask the archive (works in groups too)\n"
            "/subscribe <i>[HH:MM] [zone]</i> — what is new in the archive, daily at your time; "
            "/digest — now; /unsubscribe — stop it\n"
            "/help — this help\n\n"
            "In a private chat, just write your question. In a group, mention me (@{bot}) "
            "or reply to one of my messages. In any chat you can type "
            "<code>@{bot} question</code> to share a quote.\n\n"
            "🔒 I keep your questions for {days} days: for the buttons under each answer and so "
            "the admins can see what people looked for and did not find. Nothing else."
        ),
    },
    "archive_facts": {
        "es": "El archivo tiene {articles} artículos; el más reciente es del {newest}.",
        "en": "The archive has {articles} articles; the newest is from {newest}.",
    },
    "archive_empty": {
        "es": "El archivo todavía está vacío.",
        "en": "The archive is still empty.",
    },
    "example_question": {
        "es": "¿Qué dijo Ucrania sobre la visita de Shoigu?",
        "en": "What did Ukraine say about Shoigu's visit?",
    },
    "untitled": {"es": "Artículo {id}", "en": "Article {id}"},
    # --- daily digests (bot/digest.py, bot/handlers/digest.py) ------------------------------
    "digest_header": {
        "es": "📰 <b>Novedades del archivo</b> · {count}",
        "en": "📰 <b>New in the archive</b> · {count}",
    },
    "digest_more": {
        "es": "…y {n} más. Pregúntame por ellos, por ejemplo:\n<code>/ask {example}</code>",
        "en": "…and {n} more. Ask me about them, for example:\n<code>/ask {example}</code>",
    },
    "digest_more_no_example": {
        "es": "…y {n} más. Pregúntame por ellos con /ask.",
        "en": "…and {n} more. Ask me about them with /ask.",
    },
    "digest_nothing": {
        "es": "📰 Nada nuevo en el archivo desde el último resumen.",
        "en": "📰 Nothing new in the archive since the last digest.",
    },
    "digest_continued": {"es": "(sigue)", "en": "(continued)"},
    "digest_subscribed": {
        "es": (
            "✅ Suscrito: cada día a las <b>{time}</b> ({timezone}) enviaré aquí lo nuevo del "
            "archivo. El próximo resumen: {next}.\nPara cancelarlo: /unsubscribe"
        ),
        "en": (
            "✅ Subscribed: every day at <b>{time}</b> ({timezone}) I will send what is new in "
            "the archive here. Next digest: {next}.\nTo stop it: /unsubscribe"
        ),
    },
    "digest_unsubscribed": {
        "es": "🔕 Suscripción cancelada: no enviaré más resúmenes a este chat.",
        "en": "🔕 Unsubscribed: I will send no more digests to this chat.",
    },
    "digest_not_subscribed": {
        "es": "Este chat no estaba suscrito. Para suscribirlo: /subscribe",
        "en": "This chat was not subscribed. To subscribe it: /subscribe",
    },
    "digest_admins_only": {
        "es": "🔒 Solo los administradores del grupo pueden suscribirlo o cancelar el resumen.",
        "en": "🔒 Only the group's administrators can subscribe it or stop the digest.",
    },
    "digest_bad_time": {
        "es": (
            "⏰ «{value}» no es una hora válida. Usa HH:MM (de 00:00 a 23:59), por ejemplo:"
            "\n<code>/subscribe 07:30 Europe/Madrid</code>"
        ),
        "en": (
            "⏰ “{value}” is not a valid time. Use HH:MM (00:00 to 23:59), for example:"
            "\n<code>/subscribe 07:30 Europe/Madrid</code>"
        ),
    },
    "digest_bad_timezone": {
        "es": (
            "🌍 No conozco la zona horaria «{value}». Usa un nombre IANA como Europe/Madrid o "
            "America/Bogota, por ejemplo:\n<code>/subscribe 07:30 Europe/Madrid</code>"
        ),
        "en": (
            "🌍 I do not know the timezone “{value}”. Use an IANA name such as Europe/Madrid or "
            "America/Bogota, for example:\n<code>/subscribe 07:30 Europe/Madrid</code>"
        ),
    },
    "digest_two_times": {
        "es": "⏰ Indica una sola hora, por ejemplo:\n<code>/subscribe 07:30 Europe/Madrid</code>",
        "en": "⏰ Give one time only, for example:\n<code>/subscribe 07:30 Europe/Madrid</code>",
    },
    "digest_two_timezones": {
        "es": (
            "🌍 Indica una sola zona horaria, por ejemplo:"
            "\n<code>/subscribe 07:30 Europe/Madrid</code>"
        ),
        "en": (
            "🌍 Give one timezone only, for example:\n<code>/subscribe 07:30 Europe/Madrid</code>"
        ),
    },
    "digest_too_many": {
        "es": (
            "Como mucho una hora y una zona horaria, en cualquier orden, por ejemplo:"
            "\n<code>/subscribe 07:30 Europe/Madrid</code>"
        ),
        "en": (
            "At most a time and a timezone, in either order, for example:"
            "\n<code>/subscribe 07:30 Europe/Madrid</code>"
        ),
    },
    # --- plain text (no markup) -----------------------------------------------------------
    "button_more": {"es": "Más resultados ▸", "en": "More results ▸"},
    "button_up": {"es": "👍", "en": "👍"},
    "button_down": {"es": "👎", "en": "👎"},
    "thanks": {"es": "¡Gracias por tu opinión!", "en": "Thanks for your feedback!"},
    "no_more": {"es": "No hay más resultados.", "en": "There are no more results."},
    "expired": {
        "es": "Esta respuesta ya no está disponible; vuelve a preguntar.",
        "en": "This answer is no longer available; please ask again.",
    },
    "not_yours": {
        "es": "Este botón es de la respuesta de otra persona; haz tu propia pregunta.",
        "en": "This button belongs to someone else's answer; ask your own question.",
    },
    "error_plain": {
        "es": "Algo salió mal. Inténtalo de nuevo dentro de un momento.",
        "en": "Something went wrong. Please try again in a moment.",
    },
    "rate_limited_plain": {
        "es": "Vas muy rápido: inténtalo de nuevo en {seconds} s.",
        "en": "Too many questions: try again in {seconds} s.",
    },
    "inline_prompt": {
        "es": "Escribe una pregunta sobre el archivo…",
        "en": "Type a question about the archive…",
    },
    "inline_nothing": {
        "es": "Nada en el archivo sobre eso",
        "en": "Nothing in the archive about that",
    },
    "inline_too_long": {
        "es": "La pregunta es demasiado larga",
        "en": "The question is too long",
    },
    "command_start": {"es": "Qué hace este bot", "en": "What this bot does"},
    "command_help": {"es": "Ayuda y ejemplos", "en": "Help and examples"},
    "command_ask": {"es": "Pregunta al archivo", "en": "Ask the archive"},
    "command_subscribe": {
        "es": "Resumen diario: [HH:MM] [zona]",
        "en": "Daily digest: [HH:MM] [zone]",
    },
    "command_unsubscribe": {"es": "Cancelar el resumen diario", "en": "Stop the daily digest"},
    "command_digest": {"es": "Lo nuevo, ahora", "en": "What is new, now"},
    "digest_count_one": {"es": "1 artículo nuevo", "en": "1 new article"},
    "digest_count_many": {"es": "{n} artículos nuevos", "en": "{n} new articles"},
    # --- admins (bot/handlers/admin.py) ---------------------------------------------------
    "admin_added": {
        "es": "✅ <b>Añadido al archivo</b> (#{id})\n<b>{title}</b>\n{details}"
        "\nPasajes: {passages}",
        "en": "✅ <b>Added to the archive</b> (#{id})\n<b>{title}</b>\n{details}"
        "\nPassages: {passages}",
    },
    "admin_duplicate": {
        "es": "ℹ️ <b>Ya está en el archivo</b>: #{id}\n<b>{title}</b>\n{details}",
        "en": "ℹ️ <b>Already in the archive</b>: #{id}\n<b>{title}</b>\n{details}",
    },
    "admin_refused": {
        "es": "⚠️ No lo he añadido: {reason}",
        "en": "⚠️ Not added: {reason}",
    },
    "admin_empty_post": {
        "es": (
            "🖼️ Ese mensaje no tiene texto ni pie de foto: no hay nada que archivar. "
            "Reenvíame una publicación con texto."
        ),
        "en": (
            "🖼️ That message has no text and no caption: there is nothing to archive. "
            "Forward me a post with text."
        ),
    },
    "admin_add_usage": {
        "es": "🔗 Envíame el enlace así:\n<code>/add https://…</code>",
        "en": "🔗 Send me the link like this:\n<code>/add https://…</code>",
    },
    "admin_file_summary": {
        "es": (
            "📄 <b>{name}</b>: {added} añadidos ({passages} pasajes), {duplicates} ya estaban "
            "en el archivo, {failed} con errores."
        ),
        "en": (
            "📄 <b>{name}</b>: {added} added ({passages} passages), {duplicates} already in "
            "the archive, {failed} failed."
        ),
    },
    "admin_file_failure": {"es": "• {where}: {reason}", "en": "• {where}: {reason}"},
    "admin_file_more_failures": {"es": "… y {n} más.", "en": "… and {n} more."},
    "admin_file_type": {
        "es": "📄 No sé leer «{name}»: envíame un archivo .txt, .md, .html o .jsonl.",
        "en": "📄 I cannot read “{name}”: send me a .txt, .md, .html or .jsonl file.",
    },
    "admin_file_too_big": {
        "es": "📄 «{name}» ocupa {size} MB; el máximo que puedo descargar es {limit} MB.",
        "en": "📄 “{name}” is {size} MB; the most I can download is {limit} MB.",
    },
    "admin_delete_usage": {
        "es": "🗑️ Indica el número del artículo (lo muestra /sources):\n<code>/delete 42</code>",
        "en": "🗑️ Give the article's number (/sources shows it):\n<code>/delete 42</code>",
    },
    "admin_deleted": {
        "es": "🗑️ Borrado #{id}: <b>{title}</b>. Ya no se citará.",
        "en": "🗑️ Deleted #{id}: <b>{title}</b>. It will not be quoted again.",
    },
    "admin_undone": {
        "es": "↩️ Deshecho: #{id} <b>{title}</b> ya no está en el archivo.",
        "en": "↩️ Undone: #{id} <b>{title}</b> is no longer in the archive.",
    },
    "admin_not_found": {
        "es": "🤷 No hay ningún artículo #{id} en el archivo.",
        "en": "🤷 There is no article #{id} in the archive.",
    },
    "admin_sources_header": {
        "es": "📚 <b>Artículos {first}–{last} de {total}</b>, los más recientes primero:",
        "en": "📚 <b>Articles {first}–{last} of {total}</b>, newest first:",
    },
    "admin_sources_row": {
        "es": "<b>#{id}</b> {title}\n{details} · {passages} pasajes",
        "en": "<b>#{id}</b> {title}\n{details} · {passages} passages",
    },
    "admin_sources_empty": {
        "es": "📭 El archivo está vacío: reenvíame publicaciones, mándame enlaces o archivos.",
        "en": "📭 The archive is empty: forward me posts, send me links or files.",
    },
    "admin_stats": {
        "es": (
            "📊 <b>El archivo</b>\nArtículos: {articles}\nPasajes: {passages}\nFuentes: {sources}"
            "\nSuscriptores del resumen: {subscribers}\nPreguntas en las últimas 24 h: {questions}"
            "\nÍndices en disco: {index_size}\nBase de datos: {database_size}"
            "\nModelo: <code>{embedder}</code>"
        ),
        "en": (
            "📊 <b>The archive</b>\nArticles: {articles}\nPassages: {passages}\nSources: {sources}"
            "\nDigest subscribers: {subscribers}\nQuestions in the last 24 h: {questions}"
            "\nIndexes on disk: {index_size}\nDatabase: {database_size}"
            "\nEmbedder: <code>{embedder}</code>"
        ),
    },
    "admin_questions": {
        "es": "{asked} ({unanswered} sin respuesta)",
        "en": "{asked} ({unanswered} without an answer)",
    },
    "admin_unanswered_header": {
        "es": "🔎 <b>Preguntas recientes sin respuesta</b> (¿falta alguna noticia?):",
        "en": "🔎 <b>Recent questions without an answer</b> (is some news missing?):",
    },
    "admin_unanswered_question": {"es": "• «{question}»", "en": "• “{question}”"},
    "admin_only": {
        "es": "Lo siento, solo los administradores del archivo pueden hacer eso.",
        "en": "Sorry, only the archive's admins can do that.",
    },
    "admin_forwarded_label": {"es": "mensaje reenviado", "en": "forwarded message"},
    "admin_untitled": {"es": "(sin título)", "en": "(untitled)"},
    "admin_no_date": {"es": "sin fecha", "en": "no date"},
    "button_undo": {"es": "↩️ Deshacer", "en": "↩️ Undo"},
    "button_newer": {"es": "◂ Más recientes", "en": "◂ Newer"},
    "button_older": {"es": "Más antiguos ▸", "en": "Older ▸"},
    "admin_not_recorded": {"es": "sin registro", "en": "not recorded"},
}

_MONTHS = {
    "es": ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}


def supported(language: str) -> str:
    """`language` if the bot speaks it, else ""."""
    return language if language in LANGUAGES else ""


def html(key: str, language: str, **values: object) -> str:
    """The HTML template `key` in `language`, with every value escaped."""
    return _template(key, language).format(
        **{name: _html.escape(str(value), quote=False) for name, value in values.items()}
    )


def plain(key: str, language: str, **values: object) -> str:
    """The plain-text string `key` in `language` (for buttons, alerts and descriptions)."""
    return _template(key, language).format(**values)


def date(value: datetime, language: str) -> str:
    """A short date people read the same way everywhere: "5 sept 2023", "5 Sep 2023"."""
    months = _MONTHS.get(language, _MONTHS["en"])
    return f"{value.day} {months[value.month - 1]} {value.year}"


def _template(key: str, language: str) -> str:
    texts = STRINGS[key]
    return texts.get(language) or texts[LANGUAGES[0]]
