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
    list_exports,
    overview,
    priorities,
    settings,
    table_exports,
    themes,
)

router = APIRouter(include_in_schema=False)
# The exports come before the pages: /cases/list.csv must not be read as case "list.csv".
for module in (auth, table_exports, list_exports, exports, overview, feedback, customer):
    router.include_router(module.router)
for module in (settings, admin):
    router.include_router(module.router)
for module in (priorities, themes, explain):
    router.include_router(module.router)
for module in (cases, actions, alerts):
    router.include_router(module.router)

__all__ = ["router"]
