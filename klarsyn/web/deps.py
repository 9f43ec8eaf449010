"""What routes depend on, as types: the store, settings, the mirror, the signed-in user."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request

from klarsyn.config import Settings
from klarsyn.storage.store import Store
from klarsyn.storage.users import Role, User
from klarsyn.web.mirror_cache import MirrorCache
from klarsyn.web.security import NotAuthenticated, request_user, require_role


def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_mirror(request: Request) -> MirrorCache:
    mirror: MirrorCache = request.app.state.mirror
    return mirror


def get_now(request: Request) -> datetime:
    clock: Callable[[], datetime] = request.app.state.clock
    return clock()


StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
MirrorDep = Annotated[MirrorCache, Depends(get_mirror)]
NowDep = Annotated[datetime, Depends(get_now)]


def get_user(request: Request, store: StoreDep) -> User:
    user = request_user(request, store)
    if user is None:
        raise NotAuthenticated(
            "sign in, or send an API token as 'Authorization: Bearer TOKEN'",
            hint="create a token under Settings → API tokens",
        )
    request.state.user = user
    return user


UserDep = Annotated[User, Depends(get_user)]


def role(needed: Role) -> Callable[[User], User]:
    """A dependency that lets through users holding ``needed`` or a higher role."""

    def check(user: UserDep) -> User:
        require_role(user, needed)
        return user

    return check


AnalystDep = Annotated[User, Depends(role(Role.analyst))]
AdminDep = Annotated[User, Depends(role(Role.admin))]
