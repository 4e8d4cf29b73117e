"""The HTML report: one self-contained file with charts, the trend table, top posts and articles."""

from ._charts import Line, languages_chart, posts_chart, signatures_chart
from ._data import PetitionSeries, Report, gather
from ._html import render_html

__all__ = [
    "Line",
    "PetitionSeries",
    "Report",
    "gather",
    "languages_chart",
    "posts_chart",
    "render_html",
    "signatures_chart",
]
