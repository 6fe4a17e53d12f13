"""The published page (``index.html``): one self-contained static page, CSS inline, no script and no
request to anywhere, rendered from :class:`~scoring.output.publish.model.Report` with Jinja2 (every value
escaped)."""

from __future__ import annotations

from importlib import resources

import jinja2
from markupsafe import Markup

from scoring.output.publish.model import Report

__all__ = ["render_page"]

TEMPLATES = "templates"


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("scoring.output.publish", TEMPLATES),
        autoescape=True,  # every value: a unit named <script> is text
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
        keep_trailing_newline=True,
    )


def render_page(report: Report) -> str:
    """The page as HTML text."""
    css = resources.files("scoring.output.publish").joinpath(TEMPLATES, "style.css").read_text("utf-8")
    return _environment().get_template("page.html.j2").render(r=report, css=Markup(css))
