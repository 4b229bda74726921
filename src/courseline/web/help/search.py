"""Full-text search over the factsheets: SQLite FTS5 or PostgreSQL full text, one interface."""

from __future__ import annotations

import re

from django.db import connection, transaction

from courseline.web.help.factsheets import all_factsheets
from courseline.web.help.models import HelpEntry

MAX_TERMS = 12
MAX_RESULTS = 20


def _terms(query: str) -> list[str]:
    """Words only (letters and digits): nothing of the query reaches SQL except as data."""
    return re.findall(r"\w+", query.lower())[:MAX_TERMS]


def rebuild_index() -> None:
    """Replace the index with the factsheets shipped in the package."""
    sheets = all_factsheets()
    with transaction.atomic():
        HelpEntry.objects.all().delete()
        HelpEntry.objects.bulk_create(
            HelpEntry(
                slug=s.slug, title=s.meta.title, keywords=" ".join(s.meta.keywords), body=s.text
            )
            for s in sheets
        )
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM help_fts")
                cursor.executemany(
                    "INSERT INTO help_fts (slug, title, keywords, body) VALUES (%s, %s, %s, %s)",
                    [(s.slug, s.meta.title, " ".join(s.meta.keywords), s.text) for s in sheets],
                )


def search(query: str) -> list[str]:
    """Slugs of the factsheets that match any of the words (prefixes too), best first."""
    terms = _terms(query)
    if not terms:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            match = " OR ".join(f'"{term}"*' for term in terms)
            cursor.execute(
                "SELECT slug FROM help_fts WHERE help_fts MATCH %s "
                "ORDER BY bm25(help_fts, 0.0, 10.0, 6.0, 1.0) LIMIT %s",
                [match, MAX_RESULTS],
            )
        elif connection.vendor == "postgresql":
            tsquery = " | ".join(f"{term}:*" for term in terms)
            cursor.execute(
                "SELECT slug FROM (SELECT slug, "
                "setweight(to_tsvector('english', title), 'A') || "
                "setweight(to_tsvector('english', keywords), 'A') || "
                "setweight(to_tsvector('english', body), 'C') AS document "
                "FROM help_helpentry) AS entries, to_tsquery('english', %s) AS query "
                "WHERE document @@ query ORDER BY ts_rank(document, query) DESC, slug LIMIT %s",
                [tsquery, MAX_RESULTS],
            )
        else:  # pragma: no cover - Courseline supports SQLite and PostgreSQL only
            raise NotImplementedError(connection.vendor)
        return [row[0] for row in cursor.fetchall()]
