"""Who owns which tables in the archive's SQLite file, and at which version.

Every owner of tables (the bot's features today; the archive's own tables are created by
corpus/store.py) declares a `Schema`: its name and the steps that build its tables, one step per
version. `apply_schemas` brings each owner to its latest version through the store's one
migration mechanism (`ArticleStore.migrate`, recorded in `schema_versions`), once, when the
archive is opened for them: no constructor creates tables on the side.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from corpus.store import ArticleStore

__all__ = ["Schema", "apply_schemas"]


@dataclass(frozen=True)
class Schema:
    """`steps[n]` turns version n into n + 1; the first must be idempotent (CREATE … IF NOT
    EXISTS), since archives written before versions were recorded are at version 0."""

    owner: str
    steps: tuple[tuple[str, ...], ...]

    @property
    def version(self) -> int:
        return len(self.steps)


def apply_schemas(store: ArticleStore, schemas: Iterable[Schema]) -> dict[str, int]:
    """Migrate every owner; returns each owner's version before (0: new, or never recorded)."""
    return {schema.owner: store.migrate(schema.owner, schema.steps) for schema in schemas}
