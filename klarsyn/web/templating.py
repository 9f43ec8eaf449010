"""Server-rendered pages: one Jinja2 environment with autoescaping on for every template.

Feedback text is untrusted input; autoescaping makes ``<script>`` in a comment plain text, and
the Content-Security-Policy (see ``app.py``) refuses inline scripts should anything slip through.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from klarsyn import __version__
from klarsyn.storage.driver_inputs import theme_flag, theme_of
from klarsyn.storage.store import Store
from klarsyn.storage.users import User
from klarsyn.text.catalogue import stored_taxonomy
from klarsyn.web.i18n import LOCALES, Formatter, pick_locale
from klarsyn.web.security import CSRF_FIELD, csrf_token, store_csrf_cookie

TEMPLATES = Path(__file__).with_name("templates")


def _json_script(value: Any) -> Markup:
    """JSON safe inside ``<script type="application/json">``: no ``<``, ``>`` or ``&`` survive."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


# Score bands: detractor/passive/promoter for NPS, and the equivalent low/middle/high elsewhere.
BANDS = {"nps": (6, 8), "csat": (2, 3), "ces": (3, 4), "rating": (2, 3)}


def score_class(name: str, value: int) -> str:
    """``low``, ``mid`` or ``high``: the colour a score is shown in."""
    low, mid = BANDS[name]
    return "low" if value <= low else "mid" if value <= mid else "high"


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["json_script"] = _json_script
    env.globals["version"] = __version__
    env.globals["locales"] = LOCALES
    env.globals["csrf_field"] = CSRF_FIELD
    env.globals["score_class"] = score_class
    return env


class ThemeNames:
    """Theme ids to their names in the reader's language, read from the store when first asked.

    Unknown ids (a theme since removed from the taxonomy) are shown as they are.
    """

    def __init__(self, store: Store, locale: str) -> None:
        self._store = store
        self._locale = locale
        self._names: dict[str, str] | None = None

    def __call__(self, theme_id: str) -> str:
        return self.all().get(theme_id, theme_id)

    def all(self) -> dict[str, str]:
        """Every theme of the taxonomy: id to name."""
        if self._names is None:
            taxonomy = stored_taxonomy(self._store)
            self._names = {theme.id: theme.label(self._locale) for theme in taxonomy.themes}
        return self._names

    def driver(self, name: str) -> str:
        """A key driver's name: a theme's by its name (as on Priorities), others as they are."""
        theme = theme_of(name)
        return self(theme) if theme != name else name

    def drivers(self) -> dict[str, str]:
        """The drivers that top-level themes give (``delivery_negative``), to their names."""
        return {theme_flag(theme): name for theme, name in self.all().items() if "." not in theme}


def formatter(request: Request) -> Formatter:
    user: User | None = getattr(request.state, "user", None)
    locale = user.locale if user else pick_locale(request.headers.get("accept-language"))
    return Formatter(locale=locale, time_zone=request.app.state.settings.timezone)


def render(
    request: Request, name: str, context: dict[str, Any], *, status_code: int = 200
) -> HTMLResponse:
    """Render ``templates/name`` with what every page needs: user, formatter, CSRF token."""
    env: Environment = request.app.state.templates
    fmt = formatter(request)
    page = env.get_template(name).render(
        request=request,
        user=getattr(request.state, "user", None),
        fmt=fmt,
        t=fmt.t,
        csrf=csrf_token(request),
        path=request.url.path,
        theme_name=ThemeNames(request.app.state.store, fmt.locale),
        **context,
    )
    response = HTMLResponse(page, status_code=status_code)
    store_csrf_cookie(request, response)
    return response
