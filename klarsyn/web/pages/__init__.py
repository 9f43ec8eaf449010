"""The server-rendered dashboard: one module per page."""

from fastapi import APIRouter

from klarsyn.web.pages import (
    admin,
    auth,
    customer,
    exports,
    feedback,
    overview,
    settings,
    table_exports,
)

router = APIRouter(include_in_schema=False)
for module in (auth, overview, table_exports, feedback, exports, customer, settings, admin):
    router.include_router(module.router)

__all__ = ["router"]
