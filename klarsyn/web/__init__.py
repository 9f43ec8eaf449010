"""The web app: the REST API under ``/api/v1`` and the server-rendered dashboard."""

from klarsyn.web.app import create_app

__all__ = ["create_app"]
