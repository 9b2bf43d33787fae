"""Who said it: reported speech in an article, each statement tied to its speaker.

News reports speech in a few fixed shapes, and rules read them well:
- "X dijo/afirmó/señaló/… que …", "X said …" (the speaker before a speech verb);
- "«…», declaró X" and '"…," X said' (the speaker after the quote);
- "según X, …", "according to X";
- a sentence of quotes with no verb of its own continues the previous speaker's statement.
The speaker is then resolved to a person with a role, when the article introduces them
("Vadim Skibitski, de los servicios de Inteligencia del Ministerio de Defensa de Ucrania … —
Skibitski ha asegurado …"), and to the country or organisation behind them
(corpus/gazetteer.py: "el ministro ucraniano" → Ucrania).

Everything here is a pure function of the article's text, so attributions can be recomputed
whenever these rules improve (ATTRIBUTION_VERSION).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from functools import lru_cache

from corpus.alternation import alternation
from corpus.gazetteer import country_of, fold, mentioned_countries, mentioned_countries_all
from corpus.models import Span
from corpus.sentences import paragraph_spans, sentence_spans

__all__ = ["ATTRIBUTION_VERSION", "SPEECH_VERBS", "Attribution", "attribute"]

ATTRIBUTION_VERSION = 6  # bump when the rules change: stored attributions are recomputed


@dataclass(frozen=True)
class Attribution:
    """A sentence (`start`..`end` in the article text) and who says it.

    `speaker` is what users see ("Vadim Skibitski, Inteligencia del Ministerio de Defensa de
    Ucrania"); `name` the person's name when there is one; `role` what the article calls them
    or the organisation speaking; `country` the country or organisation behind them.
    """

    start: int
    end: int
    speaker: str
    name: str = ""
    role: str = ""
    country: str = ""


# --- speech verbs -------------------------------------------------------------------------

_AR = """afirm señal asegur declar indic destac subray explic recalc record reconoc denunci
anunci insist apunt manifest expres sentenci descart consider opin critic reclam exig lament
celebr admit respond replic alert avis precis detall coment aclar confirm estim calcul cifr
valor justific conden acus calific argument matiz zanj puntualiz remarc enfatiz resalt asever
avanz adelant agreg añad ratific reiter defend cont plante esper"""
# (stem, preterite, plural preterite, present, plural present, participle) for irregular
# verbs and -er/-ir verbs; -ar stems above are conjugated by rule.
_IRREGULAR = [
    ("dijo", "dijeron", "dice", "dicen", "dicho"),
    ("sostuvo", "sostuvieron", "sostiene", "sostienen", "sostenido"),
    ("advirtió", "advirtieron", "advierte", "advierten", "advertido"),
    ("pidió", "pidieron", "pide", "piden", "pedido"),
    ("negó", "negaron", "niega", "niegan", "negado"),
    ("concluyó", "concluyeron", "concluye", "concluyen", "concluido"),
    ("defendió", "defendieron", "defiende", "defienden", "defendido"),
    ("reconoció", "reconocieron", "reconoce", "reconocen", "reconocido"),
    ("respondió", "respondieron", "responde", "responden", "respondido"),
    ("añadió", "añadieron", "añade", "añaden", "añadido"),
    ("insistió", "insistieron", "insiste", "insisten", "insistido"),
    ("admitió", "admitieron", "admite", "admiten", "admitido"),
    ("prometió", "prometieron", "promete", "prometen", "prometido"),
    ("atribuyó", "atribuyeron", "atribuye", "atribuyen", "atribuido"),
    ("mantuvo", "mantuvieron", "mantiene", "mantienen", "mantenido"),
    ("expuso", "expusieron", "expone", "exponen", "expuesto"),
    ("describió", "describieron", "describe", "describen", "descrito"),
    ("escribió", "escribieron", "escribe", "escriben", "escrito"),
    ("sugirió", "sugirieron", "sugiere", "sugieren", "sugerido"),
    ("resumió", "resumieron", "resume", "resumen", "resumido"),
]
_ENGLISH = """said says told stated added warned noted explained argued insisted announced
claimed stressed acknowledged denied urged wrote described admitted confirmed replied
responded cautioned predicted declared maintained suggested""".split()


# Present forms that are also common nouns ("una condena", "la cifra") are left out.
_NOUN_LIKE = frozenset(
    {
        "cifra",
        "condena",
        "denuncia",
        "critica",
        "alerta",
        "aviso",
        "avisa",
        "calcula",
        "estima",
        "valora",
        "recorda",
        "recordan",
        "opina",
        "precisa",
    }
)


def _spanish_forms() -> list[str]:
    forms: list[str] = []
    for stem in _AR.split():
        forms += [stem + "ó", stem + "aron"]
        forms += [f for f in (stem + "a", stem + "an") if f not in _NOUN_LIKE]
        forms += [f"{aux} {stem}ado" for aux in ("ha", "han", "había", "habían")]
    for preterite, plural, present, present_plural, participle in _IRREGULAR:
        forms += [preterite, plural, present, present_plural]
        forms += [f"{aux} {participle}" for aux in ("ha", "han", "había", "habían")]
    return forms


def _cue_pattern(forms: list[str]) -> re.Pattern[str]:
    """A speech verb, possibly after a clitic or "se" ("le ha dicho", "se ha referido")."""
    verbs = alternation([*forms, "ha referido", "se refirió"])
    return re.compile(rf"\b(?:(?:se|le|les)\s+)?(?P<verb>{verbs})\b")


# Spanish and English verbs overlap ("describe", "admite" …): an article's own language
# picks its list; an article in another language gets both.
_CUES = {"es": _cue_pattern(_spanish_forms()), "en": _cue_pattern(_ENGLISH)}
_CUE = _cue_pattern(_spanish_forms() + _ENGLISH)
SPEECH_VERBS = frozenset(_spanish_forms() + _ENGLISH)
# Every cue ends in one of these words. Most sentences hold none of them, and a set lookup
# over their words tells so far faster than the cue pattern's hundreds of alternatives, which
# Python's regex engine tries at every word (ingest time at a million passages).
_CUE_LAST_WORDS = frozenset(form.split()[-1] for form in SPEECH_VERBS) | {"referido", "refirió"}
_WORD = re.compile(r"\w+")
_QUOTE = re.compile(r"[«»“”\"]")
# Where a postposed speaker's description stops: a relative clause, a place or circumstance.
_DESCRIPTION_END = re.compile(
    r",\s*(?:que|quien|quienes|who|which|cuyo|cuya|tras|después|durante|en una?|en el|"
    r"ante|antes|mientras)\b|\s+(?:en una?|en el|en la|en declaraciones|durante|tras|ante|"
    r"before|after|during|in a|on \w+day|at a|this|last|que|quien)\b|[.;:!?(]"
)
# Adverbials between a speech verb and its subject: "declaró a la prensa X", "dijo ayer X".
_AFTER_VERB = re.compile(
    r"^(?:\s*(?:a la prensa|a los periodistas|a reporters|en un comunicado|en una entrevista"
    r"|este \w+|el \w+ pasado|ayer|hoy|también|además|luego|después|al respecto|"
    r"on \w+day|tras la votación|en rueda de prensa)\b,?)*\s*"
)
_DISCOURSE = re.compile(
    r"^(?:por su parte|por otro lado|en ese sentido|no obstante|sin embargo|además|asimismo|"
    r"mientras tanto|al respecto|desde|en cambio|por último|también|finalmente|however|"
    r"meanwhile|in a statement|for its part|in france|en francia)\b[^,]*,\s*",
    re.IGNORECASE,
)
_PRONOUN_SUBJECT = re.compile(r"^(?:él|ella|ellos|ellas|he|she|they|it|we|i|you|esto|eso)$")

# --- people introduced in the article --------------------------------------------------------

_CAPITAL = r"[A-ZÁÉÍÓÚÑÜ][\w'’-]+"
_PARTICLE = r"(?:\s+(?:de|del|da|do|dos|van|von|la|y)\b)?"
_NAME = rf"{_CAPITAL}(?:{_PARTICLE}\s+{_CAPITAL}){{1,3}}"
_ROLE = r"[a-záéíóúñ][^,.;:()«»“”\"]{2,200}?"
_ROLE_END = re.compile(
    r"\s+(?:en una?|en el|en la|en declaraciones|durante|tras|ante|quien|que|who|in an?|at a)\b"
)
# "según X", with the name after a role: "según el comisario de Comercio, Henrik Vaaler, …".
# A speech verb may come first: "según confirmaron ambas partes" credits "ambas partes".
_INFORMED = ("informó", "informaron", "ha informado", "han informado")
_ACCORDING = re.compile(
    r"\b(?:según|de acuerdo con|in the words of|according to)\s+"
    rf"(?:(?:{alternation([*SPEECH_VERBS, *_INFORMED])})\s+)?"
    rf"(?P<who>[^,.;:]+(?:,\s+{_NAME}(?=[,.;:]))?)",
    re.IGNORECASE,
)
_ENDS_WITH_ACCORDING = re.compile(r"\b(?:según|according to)$", re.IGNORECASE)
# "según el último balance difundido por la Dirección General de Salud": who released it.
_RELEASED_BY = re.compile(
    r"\b(?:difundid[oa]s?|publicad[oa]s?|elaborad[oa]s?|emitid[oa]s?|divulgad[oa]s?|"
    r"facilitad[oa]s?|ofrecid[oa]s?|presentad[oa]s?|hech[oa]s? públic[oa]s?|released|"
    r"published|issued|compiled|provided)\b[^,;:]*?\b(?:por|by)\s+(?P<agent>\S.*)",
    re.IGNORECASE,
)
# "Marta Quiroga, ministra de Sanidad," / "Alberto Pinilla, de CCOO,"
_NAME_THEN_ROLE = re.compile(
    rf"(?P<name>{_NAME}),\s+(?:the\s+)?(?P<role>{_ROLE})(?=[,.;:]|\s+que\b)"
)
# "la ministra de Sanidad, Marta Quiroga" / "Su portavoz, Jorge Ballarín"
_ROLE_THEN_NAME = re.compile(
    rf"\b(?:[Ee]l|[Ll]a|[Ll]os|[Ll]as|[Ss]u|[Ss]us|[Tt]he|[Ii]ts|[Hh]is|[Hh]er)\s+"
    rf"(?P<role>{_ROLE}),\s+(?P<name>{_NAME})\b"
)
# "Health minister Marta Quiroga" / "el senador Hernán Colipí" / "Aragon's environment minister"
_TITLE_NAME = re.compile(
    rf"\b(?P<role>(?:[Ee]l|[Ll]a)\s+(?:senador|senadora|ministro|ministra|presidente|presidenta|"
    rf"alcalde|alcaldesa|portavoz|director|directora|consejero|consejera|diputado|diputada|"
    rf"gobernador|gobernadora|canciller|secretario|secretaria)(?:\s+[a-záéíóú]+)?|"
    rf"[A-Z][a-z]+(?:'s)?\s+(?:[a-z]+\s+)?(?:minister|secretary|president|mayor|spokesman|"
    rf"spokeswoman|spokesperson|chief|director|governor|senator|commissioner))\s+"
    rf"(?P<name>{_NAME})\b"
)


@dataclass(frozen=True)
class _Person:
    name: str
    role: str


def _people(text: str) -> dict[str, _Person]:
    """People the article introduces with a role, by full name and by surname."""
    people: dict[str, _Person] = {}
    # "la ministra de Sanidad, Marta Quiroga" is the surest shape, so it is read first.
    for pattern in (_ROLE_THEN_NAME, _TITLE_NAME, _NAME_THEN_ROLE):
        for match in pattern.finditer(text):
            name, role = _without_opener(match["name"].strip()), _clean_role(match["role"])
            if not role or _looks_like_clause(role) or not _is_person_name(name):
                continue
            person = _Person(name, role)
            # By full name and by each name: "Skibitski", and "Kim" for Kim Jong-un.
            for key in (name, *(w for w in name.split() if len(w) > 2 and w[0].isupper())):
                people.setdefault(key, person)
    return people


# Capitalised only because they open the sentence: "Según Daniel Kerrigan, consejero…".
_OPENERS = frozenset("Según Desde Para Por Tras Ante Con Sin Como According".split())


def _without_opener(name: str) -> str:
    first, _, rest = name.partition(" ")
    return rest if first in _OPENERS and " " in rest else name


def _looks_like_clause(role: str) -> bool:
    """'que cifró en más de 40…', 'who runs the hospital', 'ha afirmado': not a role."""
    return bool(
        re.match(r"^(?:que|quien|who|which|y|and|pero|but|con|with|ha|han|se|le|no)\b", role)
        or _CUE.match(role)
        or re.search(r"\d", role)
        or len(role.split()) > 14
    )


@lru_cache(maxsize=8192)  # pure, and asked about the same roles over and over
def _clean_role(role: str) -> str:
    """A role as shown: without the preposition and generic words that lead into it, and
    without the circumstances after it ("… en una entrevista para …")."""
    role = re.sub(r"\s+", " ", role).strip(" ,")
    role = re.split(_ROLE_END, role, maxsplit=1)[0]
    role = re.sub(r"^(?:el|la|los|las|the|su|sus|its)\s+", "", role, flags=re.IGNORECASE)
    role = re.sub(
        r"^(?:de|del)\s+(?:(?:el|la|los|las)\s+)?(?:servicios\s+de\s+)?", "", role, flags=re.I
    )
    return role


# --- speakers in sentences -------------------------------------------------------------------


def attribute(text: str, language: str = "") -> list[Attribution]:
    """Every sentence of `text` that reports what someone said, with its speaker."""
    cues = _CUES.get(language, _CUE)
    people = _people(text)
    attributions: list[Attribution] = []
    for paragraph in paragraph_spans(text):
        previous: Attribution | None = None
        for sentence in sentence_spans(text, paragraph.start, paragraph.end):
            found = _speaker_phrase(text[sentence.start : sentence.end], cues)
            if found:
                attribution = _resolve(found, sentence, people)
            elif previous is not None and _QUOTE.search(text[sentence.start : sentence.end]):
                # A quote with no speech verb of its own goes on with the last speaker.
                attribution = Attribution(sentence.start, sentence.end, *_fields(previous))
            else:
                attribution = None
            if attribution is not None:
                attributions.append(attribution)
            previous = attribution
    # A speaker whose description names no country speaks, as a rule, for the country the
    # article is about: "Marta Quiroga, ministra de Sanidad" in a story about Portugal.
    if all(a.country for a in attributions):
        return attributions
    home = _main_country(text)
    return [a if a.country or not home else replace(a, country=home) for a in attributions]


def _main_country(text: str) -> str:
    """The country the article names most often, when one clearly leads."""
    counts = Counter(mentioned_countries_all(text))
    if not counts:
        return ""
    (first, top), *rest = counts.most_common(2)
    return first if not rest or top > rest[0][1] else ""


def _fields(attribution: Attribution) -> tuple[str, str, str, str]:
    return attribution.speaker, attribution.name, attribution.role, attribution.country


def _speaker_phrase(sentence: str, cues: re.Pattern[str]) -> str:
    """The words naming who speaks in `sentence`, or "" when it reports no speech."""
    according = _ACCORDING.search(sentence)
    has_cue = not _CUE_LAST_WORDS.isdisjoint(_WORD.findall(sentence))
    for cue in cues.finditer(sentence) if has_cue else ():
        before = sentence[: cue.start()].rstrip()
        if _ENDS_WITH_ACCORDING.search(before):
            continue  # "…, según confirmaron ambas partes": the "según" phrase names them
        after = sentence[cue.end() :]
        after_quote = before.endswith(("»", "”", '"', "’", "»,", "”,", '",', "’,"))
        if after_quote or not before or "refer" in cue["verb"]:
            # "«…», declaró el ministro X, que …" (or a sentence opening with the verb)
            who = _postposed(after) or _preposed(before)  # English: '"…," Quiroga said'
        else:
            # "Rusia, por su parte, justificó …"; else "…, dijo ayer el alcalde"
            who = _preposed(before) or (_postposed(after) if before.endswith(",") else "")
        if who:
            # "Bruselas respondió …, según anunció la portavoz …, Annelie Dufresne": the
            # person the sentence credits says more than the institution acting.
            if according and not _person_in(who) and _person_in(according["who"]):
                return _credited(according["who"])
            return who
    if according:
        return _credited(according["who"])
    return ""


def _credited(phrase: str) -> str:
    """Who a "según" phrase credits: the figures' source, not the figures ("según el balance
    difundido por la Dirección General de Salud" credits the Dirección General de Salud)."""
    released = _RELEASED_BY.search(phrase)
    return _noun_phrase(released["agent"] if released else phrase)


def _person_in(phrase: str) -> str:
    """The first person's name in `phrase` (not an institution's or a place's), or ""."""
    return next((m.group(0) for m in re.finditer(_NAME, phrase) if _is_person_name(m.group(0))), "")


_CONNECTORS = frozenset({"de", "del", "la", "las", "los", "el", "y", "e", "of", "the", "and"})


def _noun_phrase(words: str) -> str:
    """The name at the start of `words`: "el Ejecutivo generaba …" → "el Ejecutivo"."""
    kept: list[str] = []
    named = False
    for word in words.split():
        if named and word[:1].islower() and word not in _CONNECTORS:
            break
        named = named or word[:1].isupper()
        kept.append(word)
    while kept and kept[-1] in _CONNECTORS:
        kept.pop()
    return " ".join(kept)


def _postposed(after: str) -> str:
    after = _AFTER_VERB.sub("", after, count=1)
    if re.match(r"^(?:que|that|to|a|de|en|con|por|with|the deal|it)\b", after, re.IGNORECASE):
        return ""
    end = _DESCRIPTION_END.search(after)
    who = after[: end.start()] if end else after
    return who.strip(" ,") if _names_someone(who) else ""


def _preposed(before: str) -> str:
    """The subject at the start of the sentence, before its speech verb."""
    # Quotes before the subject: '"…," Quiroga said' → Quiroga.
    quoted = re.search(r"[»”\"’],?\s*([^«»“”\"]*)$", before)
    subject = quoted.group(1) if quoted else before
    # "La tramitación comenzará en la Cámara, y el Gobierno chileno espera …": the last clause
    subject = re.split(r",\s+(?:y|e|pero|mientras que|and|but|while)\s+|;\s*", subject)[-1]
    subject = _DISCOURSE.sub("", subject.strip().rsplit(":", 1)[-1])
    # "Duarte Falcão, who runs the hospital," → "Duarte Falcão"
    subject = re.sub(r",\s*(?:who|which|que|quien|quienes|cuyo|cuya)\b[^,]*,?", ",", subject)
    subject = re.sub(r",\s*(?:por su parte|además|también|en cambio)\s*,?", ",", subject)
    subject = re.sub(
        r"\s+(?:también|además|ya|hoy|ayer|este \w+|el \w+ pasado|on \w+day|then|also)$",
        "",
        subject.strip(" ,"),
    )
    words = subject.split()
    if not words or len(words) > 16 or _PRONOUN_SUBJECT.match(fold(subject)):
        return ""
    # A subject starts the clause with a capital or an article, and holds no verb of its own
    # that would make it a clause ("La campaña empieza y Quiroga …" is not a subject).
    if not (subject[0].isupper() or re.match(r"^(?:el|la|los|las|su|sus)\b", subject)):
        return ""
    if re.search(r"\b(?:que|porque|cuando|donde|if|that|because|when)\b", subject):
        return ""
    return subject if _names_someone(subject) else ""


_FUNCTION_WORDS = frozenset(
    """el la los las lo un una unos unas su sus este esta estos estas ese esa hay the a an
    its his her their this that these those en de por para con sin sobre desde no pero y
    según mientras tras aunque si ya también además it he she they we i""".split()
)


def _names_someone(phrase: str) -> bool:
    """A person, a role or an organisation: a capitalised word (not just the one opening the
    sentence) or a role noun."""
    phrase = phrase.strip()
    if not phrase or len(phrase) > 160:
        return False
    return bool(
        any(w[:1].isupper() and fold(w) not in _FUNCTION_WORDS for w in phrase.split())
        or re.search(
            r"\b(?:ministr[oa]|portavoz|president[ea]|alcald(?:e|esa)|director[a]?|"
            r"autoridades|gobierno|ejecutivo|sindicato|empresa|compañía|oposición|"
            r"fuentes|expertos|vecinos|officials|government|company|union|spokesman|"
            r"spokeswoman|minister|mayor)\b",
            phrase,
            re.IGNORECASE,
        )
    )


def _resolve(phrase: str, sentence: Span, people: dict[str, _Person]) -> Attribution:
    """The speaker a phrase names: a known person with their role, or the phrase itself."""
    phrase = re.sub(r"\s+", " ", phrase).strip(" ,")
    person = _known_person(phrase, people)
    if person is not None:
        role = person.role
        speaker = f"{person.name}, {role}" if role else person.name
        country = country_of(f"{role} {phrase}")
        return Attribution(sentence.start, sentence.end, speaker, person.name, role, country)
    role = _clean_role(phrase)
    name = _person_in(phrase)  # "la portavoz de la Comisión Europea, Annelie Dufresne"
    if name and "," in phrase:
        # "el ministro ucraniano de Energía, Oleh Savchuk": role, then name (or the reverse)
        parts = [p.strip() for p in phrase.split(",") if p.strip()]
        others = [p for p in parts if name not in p]
        role = _clean_role(others[0]) if others else ""
        speaker = f"{name}, {role}" if role else name
    elif name:
        rest = _clean_role(phrase.replace(name, "").strip(" ,"))
        role = rest
        speaker = f"{name}, {rest}" if rest else name
    else:
        speaker = role[:1].upper() + role[1:]
    return Attribution(sentence.start, sentence.end, speaker, name, role, country_of(phrase))


def _known_person(phrase: str, people: dict[str, _Person]) -> _Person | None:
    """The person `phrase` names, by a name, or by a bare role that only one person has
    ("declaró la ministra" after "La ministra de Sanidad, Marta Quiroga, …")."""
    for key in sorted(people, key=len, reverse=True):
        # The substring test first: compiling a pattern per name and phrase costs more.
        if key in phrase and re.search(rf"(?<!\w){re.escape(key)}(?!\w)", phrase):
            return people[key]
    role = fold(_clean_role(phrase))
    if role and len(role.split()) <= 2 and not re.search(r"[A-ZÁÉÍÓÚÑ]", phrase[1:]):
        holders = {p for p in people.values() if fold(p.role).startswith(role)}
        if len(holders) == 1:
            return holders.pop()
    return None


_INSTITUTION_WORDS = frozenset(
    fold(w)
    for w in """Según Desde Para Por Ministerio Gobierno Junta Comisión Consejo Fuerza Aérea
    Dirección General
    Confederación Hidrográfica Ayuntamiento Generalitat Federación Unión Sindicato Plataforma
    Comunidad Royal College Department Ministry Government Union Council Commission Kremlin
    Casa Blanca Estado Ejecutivo Senado Congreso Parlamento Tribunal Banco Partido Agencia
    Organización Mundial Salud Europea Europeo National Nacional Instituto Servicio Oficina
    Asociación Cámara Comité Estados Unidos Reino Unido Corea Norte Sur Health Secretary
    Policía Guardia Civil Ejército Defensa Fiscalía Autoridad Autoridades Energía Economía
    Sanidad Salud Hacienda Minería Agricultura Comercio Cultura Vivienda Interior Exteriores
    Educación Trabajo Industria Transportes Ambiente Medio Justicia Igualdad Ciencia Turismo
    Seguridad Social Finanzas Asuntos Hospital Museo Universidad""".split()
)


@lru_cache(maxsize=8192)  # pure, and asked about the same names over and over
def _is_person_name(candidate: str) -> bool:
    """A person's name, not an institution's or a place's ("Energía de Ucrania")."""
    words = [fold(w) for w in candidate.split() if w[:1].isupper()]
    return (
        bool(words)
        and not any(w in _INSTITUTION_WORDS for w in words)
        and not mentioned_countries(candidate)
    )
