"""The server-rendered dashboard: one module per page."""

from fastapi import APIRouter

from klarsyn.web.pages import (
    actions,
    admin,
    alerts,
    auth,
    cases,
    customer,
    explain,
    exports,
    feedback,
    overview,
    priorities,
    settings,
    table_exports,
    themes,
)

router = APIRouter(include_in_schema=False)
for module in (auth, overview, table_exports, feedback, exports, customer, settings, admin):
    router.include_router(module.router)
for module in (priorities, themes, explain):
    router.include_router(module.router)
for module in (cases, actions, alerts):
    router.include_router(module.router)

__all__ = ["router"]
