from __future__ import annotations

from django.db import models


class HelpEntry(models.Model):
    """The search index of the factsheets (rebuilt from the package files after migrate)."""

    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    keywords = models.TextField(blank=True)
    body = models.TextField()

    def __str__(self) -> str:
        return self.slug
