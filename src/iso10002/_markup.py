"""
Text for people: Markdown escaping and the self-contained HTML page, shared by the audit
report, the management review pack and the KPI report.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

__all__ = ["escape", "md", "md_code", "page"]

_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>|#"})
# Characters XML 1.0 forbids; dropped so that a page (and any SVG in it) stays well-formed.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def md(text: str) -> str:
    """Text that Markdown shows as written: no emphasis, links, raw HTML or table breaks."""
    return " ".join(text.split()).translate(_MD_SPECIAL)


def md_code(text: str) -> str:
    """``text`` as a code span, whatever backticks it holds."""
    text = " ".join(text.split()).replace("|", "\\|")
    fence = "`"
    while fence in text:
        fence += "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def escape(text: object) -> str:
    """``text`` as HTML or XML character data or attribute value; XML-illegal chars dropped."""
    return html.escape(_NOT_XML.sub("", str(text)), quote=True)


def page(title: str, body: Iterable[str], *, style: str) -> str:
    """A complete, self-contained page: ``title`` escaped, ``body`` already HTML, inline style."""
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8"/>',
            '<meta name="viewport" content="width=device-width, initial-scale=1"/>',
            f"<title>{escape(title)}</title>",
            f"<style>{style}</style>",
            "</head>",
            "<body>",
            *body,
            "</body>",
            "</html>",
        ]
    )
