"""Factsheets: Markdown files with front matter, shipped in the package, validated on load.

A translation is data: put ``factsheets/<language>/<slug>.md`` beside the English file and it
is used for that language; anything missing falls back to English.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from importlib import resources

from markdown_it import MarkdownIt
from markdown_it.token import Token
from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator

from courseline.datafiles import parse_yaml_model

FOLDER = "factsheets"
_SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


class FactsheetError(ValueError):
    """A factsheet file is not valid; the message names the file and the field."""


class SourceLink(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    title: str = Field(min_length=3)
    url: HttpUrl


class FrontMatter(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    slug: str = Field(pattern=_SLUG)
    title: str = Field(min_length=3)
    summary: str = Field(min_length=10)
    audience: str = Field(pattern=r"^(public|professional)$")
    keywords: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    last_reviewed: dt.date
    sources: tuple[SourceLink, ...] = Field(min_length=1)

    @field_validator("keywords", mode="before")
    @classmethod
    def _words_as_text(cls, value: object) -> object:
        """YAML reads 999 or 101 as numbers; as search words they are text."""
        if isinstance(value, list | tuple):
            return tuple(str(word) for word in value)
        return value


@dataclass(frozen=True)
class Heading:
    anchor: str
    text: str


@dataclass(frozen=True)
class Factsheet:
    meta: FrontMatter
    html: str
    text: str
    headings: tuple[Heading, ...]

    @property
    def slug(self) -> str:
        return self.meta.slug


_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": True})


def _anchor(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"


_BLOCK_CLASSES = {
    "paragraph_open": "govuk-body",
    "bullet_list_open": "govuk-list govuk-list--bullet",
    "ordered_list_open": "govuk-list govuk-list--number",
}


def _style_links(token: Token) -> None:
    for child in token.children or []:
        if child.type == "link_open":
            child.attrSet("class", "govuk-link")
            if not str(child.attrGet("href") or "").startswith("/"):
                child.attrSet("rel", "noreferrer noopener")


def _render(body: str) -> tuple[str, tuple[Heading, ...]]:
    """Markdown to HTML with GOV.UK classes; h2 headings get anchors for the contents list."""
    tokens = _markdown.parse(body)
    headings: list[Heading] = []
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            level = int(token.tag[1])
            token.attrSet("class", "govuk-heading-m" if level == 2 else "govuk-heading-s")
            if level == 2:
                text = tokens[index + 1].content
                token.attrSet("id", _anchor(text))
                headings.append(Heading(_anchor(text), text))
        elif token.type in _BLOCK_CLASSES:
            token.attrSet("class", _BLOCK_CLASSES[token.type])
        elif token.type == "inline":
            _style_links(token)
    return _markdown.renderer.render(tokens, _markdown.options, {}), tuple(headings)


def parse_factsheet(text: str, *, source_name: str) -> Factsheet:
    match = re.match(r"^---\n(.*?)\n---\n(.*)$", text, re.DOTALL)
    if not match:
        raise FactsheetError(f"{source_name}: front matter between --- lines is missing")
    meta = parse_yaml_model(
        FrontMatter, match.group(1), source_name=source_name, error=FactsheetError
    )
    if f"{meta.slug}.md" != source_name.rsplit("/", 1)[-1]:
        raise FactsheetError(f"{source_name}: slug {meta.slug!r} does not match the file name")
    html, headings = _render(match.group(2))
    plain = re.sub(r"[#*_`>\[\]()]", " ", match.group(2))
    return Factsheet(meta, html, plain, headings)


@functools.cache
def all_factsheets(language: str = "en") -> tuple[Factsheet, ...]:
    """Every factsheet, in title order; a translation replaces its English original."""
    folder = resources.files("courseline.web.help").joinpath(FOLDER)
    found: dict[str, Factsheet] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".md"):
            sheet = parse_factsheet(entry.read_text(encoding="utf-8"), source_name=entry.name)
            found[sheet.slug] = sheet
    translated = folder.joinpath(language)
    if language != "en" and translated.is_dir():
        for entry in translated.iterdir():
            if entry.name.endswith(".md") and entry.name[:-3] in found:
                sheet = parse_factsheet(entry.read_text(encoding="utf-8"), source_name=entry.name)
                found[sheet.slug] = sheet
    return tuple(sorted(found.values(), key=lambda s: s.meta.title.lower()))


def get_factsheet(slug: str, language: str = "en") -> Factsheet | None:
    return next((s for s in all_factsheets(language) if s.slug == slug), None)
