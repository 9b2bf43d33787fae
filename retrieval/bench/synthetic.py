"""Synthetic Spanish news for the scale benchmark: deterministic from a seed, cheap to make.

The articles only have to look like real input to the pipeline, not make sense: paragraphs of
a few sentences (so chunking cuts them as it cuts news, a few long ones included so that
sentence splitting with overlap is exercised too), names, places and figures (so the keyword
index sees a long-tailed vocabulary, not a few hundred words repeated), and full metadata. The
benchmark embeds with the hash stand-in, so meaning plays no part.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from corpus.models import ArticleDraft

# (name, domain, section): eight outlets, as a regional archive would hold.
OUTLETS = (
    ("El Diario del Sur", "diariodelsur.es", "actualidad"),
    ("La Gaceta de Levante", "gacetadelevante.es", "comunidad"),
    ("Crónica del Norte", "cronicadelnorte.com", "region"),
    ("El Observador Peninsular", "observadorpeninsular.es", "politica"),
    ("Noticias de la Meseta", "noticiasdelameseta.es", "sociedad"),
    ("La Voz del Puerto", "lavozdelpuerto.es", "local"),
    ("Heraldo Insular", "heraldoinsular.com", "islas"),
    ("Agencia Ibérica de Noticias", "agenciaiberica.es", "nacional"),
)
FIRST_NAMES = (
    "Ana", "Luis", "María", "Javier", "Carmen", "José", "Lucía", "Antonio", "Elena", "Manuel",
    "Isabel", "Francisco", "Laura", "David", "Marta", "Pablo", "Cristina", "Sergio", "Pilar",
    "Jorge", "Rosa", "Miguel", "Teresa", "Alberto", "Beatriz", "Fernando", "Nuria", "Raúl",
    "Sonia", "Andrés", "Inés", "Ramón", "Silvia", "Óscar", "Eva", "Diego", "Alicia", "Ignacio",
    "Mercedes", "Rubén",
)  # fmt: skip
SURNAMES = (
    "García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez", "Pérez",
    "Gómez", "Martín", "Jiménez", "Ruiz", "Hernández", "Díaz", "Moreno", "Álvarez", "Muñoz",
    "Romero", "Alonso", "Gutiérrez", "Navarro", "Torres", "Domínguez", "Vázquez", "Ramos",
    "Gil", "Ramírez", "Serrano", "Blanco", "Molina", "Morales", "Suárez", "Ortega", "Delgado",
    "Castro", "Ortiz", "Rubio", "Marín", "Sanz", "Iglesias", "Núñez", "Medina", "Garrido",
    "Cortés", "Castillo", "Santos", "Lozano", "Guerrero", "Cano", "Prieto", "Méndez", "Cruz",
    "Calvo", "Gallego", "Vidal", "León", "Herrera", "Márquez", "Peña", "Cabrera",
)  # fmt: skip
PLACES = (
    "Madrid", "Barcelona", "Valencia", "Sevilla", "Zaragoza", "Málaga", "Murcia", "Palma",
    "Bilbao", "Alicante", "Córdoba", "Valladolid", "Vigo", "Gijón", "Granada", "Oviedo",
    "Pamplona", "Almería", "Santander", "Burgos", "Salamanca", "Logroño", "Badajoz", "Huelva",
    "Tarragona", "León", "Cádiz", "Jaén", "Ourense", "Lugo", "Girona", "Cáceres", "Toledo",
    "Segovia", "Soria", "Teruel", "Huesca", "Cuenca", "Ávila", "Zamora", "Palencia", "Albacete",
    "Castellón", "Lleida", "Melilla", "Ceuta", "Santiago de Compostela", "Las Palmas",
    "Santa Cruz de Tenerife", "Marbella", "Cartagena", "Jerez", "Elche", "Ferrol", "Ibiza",
    "Lisboa", "Oporto", "Rabat", "Bruselas", "Estrasburgo",
)  # fmt: skip
ROLES = (
    "la alcaldesa", "el alcalde", "la consejera de Sanidad", "el consejero de Economía",
    "la portavoz del Gobierno", "el delegado del Gobierno", "la presidenta de la patronal",
    "el secretario general del sindicato", "la directora del hospital", "el rector",
    "la fiscal jefe", "el jefe de bomberos", "la ministra de Transportes",
    "el concejal de Urbanismo",
    "la presidenta de la asociación de vecinos", "el portavoz de la oposición",
)  # fmt: skip
ORGANISATIONS = (
    "el Ayuntamiento", "la Diputación", "el Ministerio de Hacienda", "la Junta", "el Gobierno",
    "la patronal", "el sindicato mayoritario", "la Guardia Civil", "la Policía Nacional",
    "el Tribunal Superior de Justicia", "la Autoridad Portuaria", "la Confederación Hidrográfica",
    "el Instituto Nacional de Estadística", "la Cámara de Comercio", "la universidad",
    "la Agencia Estatal de Meteorología", "el servicio de salud", "la Fiscalía",
    "la asociación de consumidores", "el colegio de médicos",
)  # fmt: skip
VERBS = (
    "aseguró", "afirmó", "explicó", "advirtió", "denunció", "anunció", "reconoció", "defendió",
    "señaló", "recordó", "insistió en", "lamentó",
)  # fmt: skip
MONTHS = (
    "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
    "octubre", "noviembre", "diciembre",
)  # fmt: skip
WEEKDAYS = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
# (topic as a phrase, a title for it, its keywords): an article is about one topic.
TOPICS = (
    (
        "la huelga del transporte",
        "Huelga de autobuses",
        ("huelga", "conductores", "autobuses", "servicios mínimos", "convenio"),
    ),
    (
        "el nuevo presupuesto municipal",
        "Presupuesto municipal",
        ("presupuesto", "inversiones", "impuestos", "deuda", "pleno"),
    ),
    (
        "el incendio forestal",
        "Incendio en el monte",
        ("incendio", "hectáreas", "bomberos", "desalojo", "brigadas"),
    ),
    (
        "la sequía",
        "Restricciones de agua",
        ("sequía", "embalses", "restricciones", "regantes", "reservas"),
    ),
    (
        "la ampliación del puerto",
        "Ampliación del puerto",
        ("puerto", "contenedores", "muelle", "dársena", "tráfico marítimo"),
    ),
    (
        "las listas de espera",
        "Listas de espera sanitarias",
        ("listas de espera", "cirugías", "especialistas", "urgencias", "enfermeras"),
    ),
    (
        "el precio de la vivienda",
        "Vivienda y alquiler",
        ("alquiler", "vivienda", "hipotecas", "desahucios", "pisos turísticos"),
    ),
    (
        "las elecciones autonómicas",
        "Campaña electoral",
        ("elecciones", "candidatos", "encuestas", "votos", "coalición"),
    ),
    (
        "el cierre de la fábrica",
        "Cierre de la planta",
        ("fábrica", "despidos", "expediente", "plantilla", "deslocalización"),
    ),
    (
        "la temporada turística",
        "Balance turístico",
        ("turistas", "hoteles", "ocupación", "cruceros", "pernoctaciones"),
    ),
    (
        "la obra del tranvía",
        "Obras del tranvía",
        ("tranvía", "obras", "retrasos", "licitación", "sobrecoste"),
    ),
    (
        "el juicio por corrupción",
        "Juicio por corrupción",
        ("juicio", "acusados", "contratos", "comisiones", "sentencia"),
    ),
    (
        "la ola de calor",
        "Ola de calor",
        ("calor", "temperaturas", "aviso rojo", "golpes de calor", "refugios climáticos"),
    ),
    (
        "la vendimia",
        "Vendimia",
        ("vendimia", "uva", "bodegas", "cosecha", "denominación de origen"),
    ),
    (
        "la reforma educativa",
        "Reforma educativa",
        ("colegios", "profesores", "ratios", "becas", "selectividad"),
    ),
    (
        "el festival de cine",
        "Festival de cine",
        ("festival", "películas", "jurado", "estreno", "taquilla"),
    ),
    (
        "la final de copa",
        "Final de copa",
        ("final", "afición", "estadio", "entradas", "entrenador"),
    ),
    (
        "la central solar",
        "Nueva central solar",
        ("placas solares", "megavatios", "renovables", "red eléctrica", "autoconsumo"),
    ),
    (
        "el temporal de lluvia",
        "Temporal de lluvia",
        ("lluvias", "inundaciones", "carreteras cortadas", "crecida", "daños"),
    ),
    (
        "la pesca de arrastre",
        "Cuotas de pesca",
        ("pesca", "cuotas", "flota", "lonja", "caladeros"),
    ),
    (
        "el hospital comarcal",
        "El nuevo hospital",
        ("hospital", "camas", "quirófanos", "médicos", "ambulancias"),
    ),
    (
        "la inflación",
        "Subida de precios",
        ("precios", "inflación", "cesta de la compra", "salarios", "energía"),
    ),
    (
        "el tren de alta velocidad",
        "Alta velocidad",
        ("tren", "estación", "trayecto", "viajeros", "cercanías"),
    ),
    (
        "la despoblación rural",
        "Pueblos vacíos",
        ("despoblación", "pueblos", "escuelas rurales", "teletrabajo", "ayudas"),
    ),
)
# Sentences of news prose; {kw} and {kw2} are keywords of the article's topic.
SENTENCES = (
    "{Role} {person} {verb} este {weekday} en {place} que {topic} «exige una respuesta inmediata».",
    "Según los datos de {org}, {topic} afectó a {number} personas durante {month}, un "
    "{percent} % más que el año anterior.",
    "{Org} {verb} que las medidas sobre {kw} entrarán en vigor antes de {month}.",
    "Los vecinos de {place} llevan semanas reclamando soluciones para {kw} y {kw2}.",
    "La reunión, celebrada en la sede de {org} en {place}, terminó sin acuerdo sobre {kw}.",
    "{person}, {role} de {place}, {verb} que {kw} «no puede esperar más».",
    "El presupuesto destinado a {kw} asciende a {money} millones de euros, según fuentes de {org}.",
    "La oposición pidió explicaciones en el pleno por {kw} y exigió la comparecencia de {person}.",
    "Fuentes de {org} consultadas por este periódico señalaron que {kw} seguirá en la agenda "
    "durante las próximas semanas.",
    "En {year}, {place} ya vivió una situación parecida, cuando {kw} obligó a cambiar los "
    "planes de {org}.",
    "{Role} recordó que {kw} depende también de {org} y pidió «lealtad institucional».",
    "El informe, de {pages} páginas, cifra en {number} los afectados por {kw} en la provincia.",
    "Varios colectivos convocaron una concentración el próximo {weekday} frente a la sede de "
    "{org} en {place}.",
    "«Hemos hecho todo lo posible con {kw}», {verb} {person} al término de la reunión.",
    "La medida, que afecta a {number} hogares, fue aprobada con {votes} votos a favor.",
    "¿Quién pagará {kw}? La pregunta se repitió durante toda la jornada en {place}.",
    "Los técnicos de {org} revisarán {kw} antes del {day} de {month}.",
    "{person} {verb} que la situación de {kw} en {place} «es la peor de la última década».",
    "El {percent} % de los encuestados considera que {topic} es el principal problema de {place}.",
    "La Sra. {surname} y el Dr. {surname2} comparecerán ante la comisión para explicar {kw}.",
    "El acuerdo con {org} incluye {number} actuaciones sobre {kw} y {kw2} hasta {year2}.",
    "Durante la rueda de prensa, {role} {person} evitó pronunciarse sobre {kw2}.",
    "La empresa {company} presentó alegaciones contra el plan de {kw} aprobado por {org}.",
    "Fuentes del sector calculan que {kw} supondrá un gasto de {money} millones en {place}.",
)  # fmt: skip
# Syllables for the long tail of names (companies, hamlets, surnames) that real news is full
# of: without it the keyword index would see a few hundred words, far fewer than a real archive.
_SYLLABLES = (
    "ba", "be", "ca", "co", "da", "de", "fe", "ga", "go", "la", "le", "lo", "ma", "me", "mo",
    "na", "ne", "pa", "ra", "re", "ri", "ro", "sa", "se", "ta", "te", "to", "va", "vi", "za",
    "lla", "rra", "cha", "gue", "qui", "mar", "sol", "tor", "ver", "bel",
)  # fmt: skip
RARE_NAMES = 50_000
_START = datetime(2023, 1, 1, tzinfo=UTC)
SPAN_DAYS = 730  # two years of news
LATEST_DAY = _START + timedelta(days=SPAN_DAYS - 1, hours=12)  # "today" for the archive
_SLUG = re.compile(r"[^a-z0-9]+")


def _rare_name(number: int) -> str:
    """The `number`-th name of the long tail: the same number always spells the same name."""
    parts = []
    value = number
    for _ in range(2 + number % 3):
        value, digit = divmod(value, len(_SYLLABLES))
        parts.append(_SYLLABLES[digit])
        value = value * 7 + 3  # spread names that share their first syllables
    return "".join(parts).capitalize()


def _slug(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return _SLUG.sub("-", ascii_title.lower()).strip("-")[:60]


@dataclass
class SyntheticNews:
    """An endless, reproducible stream of articles: the same seed gives the same archive."""

    seed: int = 0

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)
        self._serial = 0

    def articles(self) -> Iterator[ArticleDraft]:
        while True:
            yield self.article()

    def article(self) -> ArticleDraft:
        r = self._random
        self._serial += 1
        topic, topic_title, keywords = r.choice(TOPICS)
        place = r.choice(PLACES)
        outlet, domain, section = r.choice(OUTLETS)
        published = _START + timedelta(seconds=r.randrange(SPAN_DAYS * 86_400))
        people = [self._person() for _ in range(3)]
        paragraphs = [
            self._paragraph(topic, keywords, place, people) for _ in range(r.randint(3, 6))
        ]
        title = f"{place}: {topic_title.lower() if r.random() < 0.5 else topic_title}"
        title = f"{title}, {r.choice(people)} {r.choice(VERBS)} {r.choice(keywords)}"
        url = (
            f"https://www.{domain}/{section}/{published:%Y/%m/%d}/"
            f"{_slug(title)}-{self._serial}.html"
        )
        return ArticleDraft(
            title=title,
            text="\n\n".join(paragraphs),
            source=outlet,
            url=url,
            published=published,
            # A bulk import carries the language; detecting it costs ~8 ms an article, which
            # the benchmark reports on its own (detect_language_ms).
            language="es",
        )

    def _person(self) -> str:
        r = self._random
        surname = r.choice(SURNAMES) if r.random() < 0.7 else self._rare()
        return f"{r.choice(FIRST_NAMES)} {surname}"

    def _rare(self) -> str:
        # Log-uniform over the pool: a few names recur often, most rarely (as in real news).
        return _rare_name(int(RARE_NAMES ** self._random.random()))

    def _paragraph(
        self, topic: str, keywords: tuple[str, ...], place: str, people: list[str]
    ) -> str:
        r = self._random
        count = r.randint(6, 9) if r.random() < 0.1 else r.randint(2, 5)  # some run long
        return " ".join(self._sentence(topic, keywords, place, people) for _ in range(count))

    def _sentence(
        self, topic: str, keywords: tuple[str, ...], place: str, people: list[str]
    ) -> str:
        r = self._random
        role, org = r.choice(ROLES), r.choice(ORGANISATIONS)
        year = r.randint(2005, 2022)
        sentence = r.choice(SENTENCES).format(
            Role=role[0].upper() + role[1:],
            role=role,
            Org=org[0].upper() + org[1:],
            org=org,
            person=r.choice(people),
            verb=r.choice(VERBS),
            place=place if r.random() < 0.7 else r.choice(PLACES),
            topic=topic,
            kw=r.choice(keywords),
            kw2=r.choice(keywords),
            number=f"{r.randint(20, 98_000):,}".replace(",", "."),
            percent=r.randint(2, 60),
            money=f"{r.randint(1, 900)},{r.randint(0, 9)}",
            month=r.choice(MONTHS),
            weekday=r.choice(WEEKDAYS),
            day=r.randint(1, 28),
            year=year,
            year2=r.randint(2025, 2032),
            pages=r.randint(12, 400),
            votes=r.randint(9, 31),
            surname=r.choice(SURNAMES),
            surname2=self._rare(),
            company=f"{self._rare()} {r.choice(('S.A.', 'Grupo', 'Logística', 'Energía'))}",
        )
        return sentence


# Questions: most about what the articles are about, some about nothing in the archive.
_QUESTIONS = (
    "¿Qué dijo {person} sobre {kw}?",
    "¿Qué pasó con {topic} en {place}?",
    "¿Cuánto dinero se destinó a {kw} en {place}?",
    "¿Quién denunció {kw} en {place}?",
    "¿Qué medidas anunció {org} sobre {kw}?",
    "¿Cuántas personas afectó {topic}?",
    "{kw} {place}",
    "¿Qué opina {role} de {place} sobre {kw2}?",
)
_UNANSWERED = (
    "¿Cuál es la receta tradicional de la tortilla de patatas?",
    "¿Quién ganó el premio Nobel de literatura en 1956?",
    "¿Cuántas lunas tiene Júpiter?",
    "¿Cómo se cuida un bonsái en invierno?",
)


def questions(count: int = 200, seed: int = 0) -> list[str]:
    """`count` distinct questions (stripped, as the searcher keeps them), reproducibly."""
    r = random.Random(seed + 1)
    found: dict[str, None] = {}
    while len(found) < count:
        if r.random() < 0.1:
            question = f"{r.choice(_UNANSWERED)[:-1]} en {r.choice(PLACES)}?"
        else:
            topic, _, keywords = r.choice(TOPICS)
            surname = r.choice(SURNAMES) if r.random() < 0.8 else _rare_name(r.randrange(99))
            question = r.choice(_QUESTIONS).format(
                person=f"{r.choice(FIRST_NAMES)} {surname}",
                kw=r.choice(keywords),
                kw2=r.choice(keywords),
                topic=topic,
                place=r.choice(PLACES),
                org=r.choice(ORGANISATIONS),
                role=r.choice(ROLES),
            )
        found[question.strip()] = None
    return list(found)
