"""The self-contained HTML report, rendered by Jinja2 from ``templates/report.html``.

The template is autoescaped: every label, genre, error and note reaching it is escaped
by Jinja2, so a pipeline name or an error message can never inject markup.  The only
values marked safe are the base64 data URIs of the figures, which are built here from
the PNG files and hold nothing but base64 characters.  The stylesheet
(``templates/report.css``) is included inline, so the file needs nothing else.
"""

import base64
import functools
from pathlib import Path

from .._common import one_line

__all__ = ["render_html"]


@functools.cache
def _environment():
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("mir_genre.report", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,  # a misspelt name fails instead of vanishing
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["one_line"] = one_line
    return env


def _data_uri(path):
    from markupsafe import Markup

    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    # Safe by construction: a fixed prefix and base64 characters only.
    return Markup(f"data:image/png;base64,{data}")


def _embedded(path):
    return None if path is None else _data_uri(path)


def render_html(results, figures, board):
    """Render ``report.html``: the leaderboard, the verdict and every figure embedded.

    Parameters
    ----------
    results : dict
        The comparison results (see `mir_genre.report`).
    figures : dict
        What `make_figures` returned; each PNG is embedded as a data URI.
    board : Leaderboard
        ``build_leaderboard(results)``.

    Returns
    -------
    str
        The HTML document.

    Examples
    --------
    >>> from mir_genre.report import build_leaderboard
    >>> results = {"dataset": {"name": "<toy> & co"}, "protocols": [], "pipelines": []}
    >>> figures = {"leaderboard": None, "per_genre_f1": None, "confusion": {},
    ...            "learning_curves": {}}
    >>> page = render_html(results, figures, build_leaderboard(results))
    >>> "<h1>Genre classification: &lt;toy&gt; &amp; co</h1>" in page
    True
    """
    dataset = results.get("dataset", {})
    versions = results.get("versions", {})
    context = {
        "dataset": {
            "name": dataset.get("name", ""),
            "n_tracks": dataset.get("n_tracks", "?"),
            "n_genres": dataset.get("n_genres", "?"),
            "n_artists": dataset.get("n_artists", "?"),
            "sha256": dataset.get("sha256", ""),
        },
        "protocols": results.get("protocols", []),
        "created": results.get("created", ""),
        "interrupted": bool(results.get("interrupted")),
        "board": board,
        "figures": {
            "leaderboard": _embedded(figures.get("leaderboard")),
            "per_genre_f1": _embedded(figures.get("per_genre_f1")),
            "confusion": [(k, _data_uri(v)) for k, v in figures.get("confusion", {}).items()],
            "learning_curves": [
                (k, _data_uri(v)) for k, v in figures.get("learning_curves", {}).items()
            ],
        },
        "specs": [
            (p["label"], p["spec"])
            for p in results.get("pipelines", [])
            if p["label"] != p["spec"]
        ],
        "notes": [
            f"{p['label']} / {run['protocol']}: {warning}"
            for p in results.get("pipelines", [])
            for run in p.get("runs", [])
            for warning in run.get("warnings", [])
        ]
        + list(results.get("notes", [])),
        "command": results.get("command", ""),
        "seed": str(results.get("seed")),
        "keras_backend": str(results.get("keras_backend") or "not used"),
        "versions": ", ".join(f"{k} {v}" for k, v in versions.items()),
    }
    return _environment().get_template("report.html").render(context)
