"""The REST API under ``/api/v1``: session cookie or ``Authorization: Bearer TOKEN``."""

from fastapi import APIRouter

from klarsyn.web.api import actions, alerts, cases, drivers, explain, feedback, metrics

router = APIRouter(prefix="/api/v1")
router.include_router(feedback.router)
router.include_router(metrics.router)
router.include_router(cases.router)
router.include_router(alerts.router)
router.include_router(actions.router)
router.include_router(drivers.router)
router.include_router(explain.router)

__all__ = ["router"]
