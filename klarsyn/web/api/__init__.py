"""The REST API under ``/api/v1``: session cookie or ``Authorization: Bearer TOKEN``."""

from fastapi import APIRouter

from klarsyn.web.api import feedback, metrics

router = APIRouter(prefix="/api/v1")
router.include_router(feedback.router)
router.include_router(metrics.router)

__all__ = ["router"]
