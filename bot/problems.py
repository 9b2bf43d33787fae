"""Why an article was not added, worded for the admin in the chat's language.

corpus.problems holds the codes and the English wording; Spanish lives here, with the bot's
other words. Every code has a Spanish wording (a test checks it), so an admin never gets a
reason in a language the rest of the message is not in.
"""

from __future__ import annotations

from corpus.problems import Problem

SPANISH: dict[str, str] = {
    "binary": "es un archivo binario, no texto",
    "not_utf8": "no es texto UTF-8 válido (byte {byte})",
    "unsupported_type": "tipo de archivo no admitido ({suffix})",
    "upload_type": "tipo de archivo no admitido ({suffix}); acepto: {accepted}",
    "missing_path": "no existe ese archivo o carpeta",
    "unreadable": "no se puede leer el archivo ({detail})",
    "empty": "el artículo está vacío",
    "no_page_text": "no encontré el texto de ningún artículo en la página",
    "bad_date": "'published' no es una fecha ISO 8601: {value}",
    "bad_json": "no es JSON válido ({detail})",
    "not_object": "cada línea debe ser un objeto JSON",
    "no_text": "falta 'text' o está vacío",
    "not_strings": "'title', 'source', 'url' y 'language' deben ser texto",
    "date_not_string": "'published' debe ser una fecha ISO 8601 en texto",
    "too_short": "el artículo es demasiado corto ({length} caracteres; el mínimo es {minimum})",
    "too_long": (
        "el artículo tiene {length} caracteres y el límite es {maximum} (ingest.max_article_chars)"
    ),
    "removed": "el artículo se borró mientras se estaba añadiendo",
    "no_location": "{url}: redirección ({status}) sin dirección de destino",
    "http_status": "{url}: el servidor respondió {status} {reason}",
    "redirects": "{url}: más de {maximum} redirecciones",
    "not_public": "no descargo de {address}: es una dirección {kind}, no pública",
    "bad_networks": "fetch.allowed_networks tiene una entrada no válida: {detail}",
    "scheme": "{url}: solo puedo descargar enlaces http y https",
    "no_host": "{url}: el enlace no tiene nombre de servidor",
    "bad_port": "{url}: el puerto no es válido",
    "unreachable": "{url}: no pude descargar la página ({detail})",
    "unresolvable": "no encuentro el servidor {host}",
    "not_page": "{url}: no es una página web ni texto (es {content_type})",
    "too_big": "{url}: la página ocupa más de {maximum} bytes (fetch.max_bytes)",
    "download": "{url}: la descarga falló ({detail})",
    "timeout": "{url}: se agotó el tiempo (fetch.timeout_seconds)",
}

# The address kinds check_address names, as Spanish adjectives.
_KINDS = {
    "loopback": "local (loopback)",
    "link-local": "de enlace local",
    "multicast": "multidifusión",
    "unspecified": "sin especificar",
    "reserved": "reservada",
    "private": "privada",
    "non-public": "no pública",
}


def describe(problem: Problem, language: str) -> str:
    """The reason in `language` (Spanish or English), as plain text."""
    template = SPANISH.get(problem.code) if language == "es" else None
    if template is None:
        return str(problem)
    values = {name: _spanish_value(name, value) for name, value in problem.details}
    return template.format(**values)


def _spanish_value(name: str, value: object) -> object:
    if name == "kind" and isinstance(value, str):
        return _KINDS.get(value, value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 10_000:
        return f"{value:,}".replace(",", ".")  # Spanish groups thousands with points
    return value
