"""Countries and organisations behind speakers: names, demonyms, capitals and seats of power.

"El ministro ucraniano", "Kiev", "the Ukrainian government" and "Ucrania" all point to one
country, so a question about what Ukraine said can find each of them. Keys are matched as
whole words, lowercased and without accents; the value is the name shown and compared.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from corpus.alternation import alternation

__all__ = [
    "country_of",
    "country_words",
    "fold",
    "mentioned_countries",
    "mentioned_countries_all",
]

# canonical name: the words that point to it (names, demonyms in every gender and number,
# capitals and seats of power used as metonyms, the English forms).
_ENTRIES: dict[str, tuple[str, ...]] = {
    "España": ("españa", "español", "española", "españoles", "españolas", "spain", "spanish",
               "madrid", "moncloa"),
    "Ucrania": ("ucrania", "ucraniano", "ucraniana", "ucranianos", "ucranianas", "ukraine",
                "ukrainian", "ukrainians", "kiev", "kyiv"),
    "Rusia": ("rusia", "ruso", "rusa", "rusos", "rusas", "russia", "russian", "russians",
              "moscú", "moscow", "kremlin"),
    "Estados Unidos": ("estados unidos", "estadounidense",
                       "estadounidenses", "norteamericano", "norteamericana", "united states",
                       "american", "americans", "washington", "casa blanca",
                       "white house", "pentágono", "pentagon", "departamento de estado",
                       "state department"),
    "Corea del Norte": ("corea del norte", "norcoreano", "norcoreana", "norcoreanos",
                        "north korea", "north korean", "pyongyang"),
    "Corea del Sur": ("corea del sur", "surcoreano", "surcoreana", "south korea",
                      "south korean", "seúl", "seoul"),
    "China": ("china", "chino", "china", "chinos", "chinese", "pekín", "beijing"),
    "Francia": ("francia", "francés", "francesa", "franceses", "francesas", "france",
                "french", "parís", "paris", "elíseo", "elysee"),
    "Alemania": ("alemania", "alemán", "alemana", "alemanes", "alemanas", "germany",
                 "german", "berlín", "berlin"),
    "Reino Unido": ("reino unido", "británico", "británica", "británicos", "united kingdom",
                    "britain", "british", "londres", "london", "downing street",
                    "inglaterra", "england"),
    "Portugal": ("portugal", "portugués", "portuguesa", "portugueses", "portuguese",
                 "lisboa", "lisbon"),
    "Italia": ("italia", "italiano", "italiana", "italianos", "italy", "italian", "roma"),
    "Chile": ("chile", "chileno", "chilena", "chilenos", "chilean"),
    "Argentina": ("argentina", "argentino", "argentinos", "argentinian", "buenos aires",
                  "casa rosada"),
    "México": ("méxico", "mexicano", "mexicana", "mexicanos", "mexico", "mexican"),
    "Brasil": ("brasil", "brasileño", "brasileña", "brasileños", "brazil", "brazilian",
               "brasilia"),
    "Uruguay": ("uruguay", "uruguayo", "uruguaya", "uruguayos", "uruguayan", "montevideo"),
    "Paraguay": ("paraguay", "paraguayo", "paraguaya", "paraguayan"),
    "Colombia": ("colombia", "colombiano", "colombiana", "colombian", "bogotá"),
    "Venezuela": ("venezuela", "venezolano", "venezolana", "venezuelan", "caracas"),
    "Perú": ("perú", "peruano", "peruana", "peru", "peruvian"),
    "Cuba": ("cuba", "cubano", "cubana", "cuban", "la habana", "havana"),
    "Irán": ("irán", "iraní", "iraníes", "iran", "iranian", "teherán", "tehran"),
    "Israel": ("israel", "israelí", "israelíes", "israeli", "jerusalén", "jerusalem"),
    "Palestina": ("palestina", "palestino", "palestina", "palestinos", "palestinian", "gaza"),
    "Turquía": ("turquía", "turco", "turca", "turcos", "turkey", "turkish", "ankara"),
    "India": ("india", "indio", "india", "indian", "nueva delhi", "new delhi"),
    "Japón": ("japón", "japonés", "japonesa", "japoneses", "japan", "japanese", "tokio",
              "tokyo"),
    "Marruecos": ("marruecos", "marroquí", "marroquíes", "morocco", "moroccan", "rabat"),
    "Argelia": ("argelia", "argelino", "argelina", "algeria", "algerian", "argel"),
    "Egipto": ("egipto", "egipcio", "egipcia", "egypt", "egyptian", "el cairo", "cairo"),
    "Siria": ("siria", "sirio", "siria", "syria", "syrian", "damasco", "damascus"),
    "Polonia": ("polonia", "polaco", "polaca", "polacos", "poland", "polish", "varsovia",
                "warsaw"),
    "Bielorrusia": ("bielorrusia", "bielorruso", "bielorrusa", "belarus", "belarusian",
                    "minsk"),
    "Hungría": ("hungría", "húngaro", "húngara", "hungary", "hungarian", "budapest"),
    "Grecia": ("grecia", "griego", "griega", "greece", "greek", "atenas", "athens"),
    "Países Bajos": ("países bajos", "holanda", "neerlandés", "neerlandesa", "holandés",
                     "holandesa", "netherlands", "dutch", "ámsterdam", "la haya"),
    "Bélgica": ("bélgica", "belga", "belgas", "belgium", "belgian"),
    "Suiza": ("suiza", "suizo", "suiza", "switzerland", "swiss", "berna"),
    "Suecia": ("suecia", "sueco", "sueca", "sweden", "swedish", "estocolmo"),
    "Noruega": ("noruega", "noruego", "noruega", "norway", "norwegian", "oslo"),
    "Canadá": ("canadá", "canadiense", "canadienses", "canada", "canadian", "ottawa"),
    "Australia": ("australia", "australiano", "australiana", "australian", "canberra"),
    "Unión Europea": ("unión europea", "european union", "comisión europea",
                      "european commission", "bruselas", "brussels", "comunitario",
                      "comunitaria", "parlamento europeo", "european parliament",
                      "comisario europeo", "comisaria europea"),
    "ONU": ("naciones unidas", "united nations"),
    "OTAN": (),
    "OMS": ("organización mundial de la salud", "world health organization"),
}  # fmt: skip
# Acronyms count only in capitals: "who", "un", "usa" (Spanish "uses") are ordinary words.
_ACRONYMS = {
    "EE.UU.": "Estados Unidos", "EEUU": "Estados Unidos", "EE. UU.": "Estados Unidos",
    "USA": "Estados Unidos", "U.S.": "Estados Unidos", "US": "Estados Unidos",
    "UK": "Reino Unido", "NHS": "Reino Unido", "UE": "Unión Europea", "EU": "Unión Europea",
    "ONU": "ONU", "UN": "ONU", "OTAN": "OTAN", "NATO": "OTAN", "OMS": "OMS", "WHO": "OMS",
}  # fmt: skip


_COMBINING = re.compile(r"[\u0300-\u036f]")


def fold(text: str) -> str:
    """Lowercase without accents, for matching names whatever the spelling (a regex over the
    decomposed text: ingest folds whole articles, where a per-character loop costs ms)."""
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text.lower()))


@dataclass(frozen=True)
class _Patterns:
    words: re.Pattern[str]  # every folded name, demonym and capital
    lookup: dict[str, str]  # folded word -> its country
    acronyms: re.Pattern[str]


@lru_cache(maxsize=1)
def _patterns() -> _Patterns:
    lookup = {fold(word): country for country, words in _ENTRIES.items() for word in words}
    acronyms = "|".join(re.escape(a) for a in sorted(_ACRONYMS, key=len, reverse=True))
    return _Patterns(
        re.compile(rf"(?<![\w.])(?:{alternation(lookup)})(?![\w])"),
        lookup,
        re.compile(rf"(?<![\w.])(?:{acronyms})(?![\w])"),
    )


def mentioned_countries_all(text: str) -> list[str]:
    """Every mention of a country or organisation in `text`, repeats included, in order."""
    patterns = _patterns()
    mentions = [
        (m.start(), patterns.lookup[m.group(0)]) for m in patterns.words.finditer(fold(text))
    ]
    # Folding keeps offsets for precomposed text; the order only needs to be roughly right.
    mentions += [(m.start(), _ACRONYMS[m.group(0)]) for m in patterns.acronyms.finditer(text)]
    return [country for _, country in sorted(mentions)]


def mentioned_countries(text: str) -> list[str]:
    """The countries and organisations `text` names, in order of mention, without repeats."""
    return list(_mentioned_once(text))


def country_of(text: str) -> str:
    """The first country or organisation `text` names, or ""."""
    found = _mentioned_once(text)
    return found[0] if found else ""


@lru_cache(maxsize=8192)
def _mentioned_once(text: str) -> tuple[str, ...]:
    # Remembered: ingest asks about the same names and roles over and over.
    return tuple(dict.fromkeys(mentioned_countries_all(text)))


def country_words(country: str) -> frozenset[str]:
    """Every word that may name `country` in a phrase ("portuguesa", "Lisboa"), folded."""
    names = [
        country,
        *_ENTRIES.get(country, ()),
        *(a for a, c in _ACRONYMS.items() if c == country),
    ]
    return frozenset(w for name in names for w in re.findall(r"[\w'-]+", fold(name)))
