"""HTML to PDF with WeasyPrint, never fetching anything from outside the document."""

from __future__ import annotations

from typing import Any, NoReturn


class ExternalResourceRefused(Exception):
    """A document asked for a URL; Courseline's PDFs are self-contained by design."""


def _refuse(url: str, *args: Any, **kwargs: Any) -> NoReturn:
    raise ExternalResourceRefused(f"PDF rendering does not fetch {url[:80]}")


def html_to_pdf(html: str, *, stylesheet: str = "") -> bytes:
    """Render a complete, self-contained HTML document (styles inline) to PDF bytes."""
    from weasyprint import CSS, HTML

    document = HTML(string=html, url_fetcher=_refuse, base_url=None)
    sheets = [CSS(string=stylesheet, url_fetcher=_refuse)] if stylesheet else []
    pdf: bytes = document.write_pdf(stylesheets=sheets)
    return pdf
