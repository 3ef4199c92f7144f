"""
The web application: the public complaint form and status page, the staff console and the
report page, on FastAPI.

Each web worker process builds the application with :func:`create_app` (uvicorn's
``--factory``) and opens its desk when it starts serving (the lifespan), so that no store is
carried across the fork of ``uvicorn --workers``. Requests share that desk: the handlers are
``async`` and run every desk call in Starlette's thread pool, since the desk blocks on the
database and is thread-safe.
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from iso10002 import (
    Action,
    Actor,
    Channel,
    Complainant,
    ComplaintDesk,
    ComplaintNotFound,
    ConcurrencyConflict,
    ContactDetails,
    Iso10002Error,
    PermissionDenied,
)
from iso10002.errors import ClientKeyReused
from iso10002.monitoring import compute_kpis, report_fragment_css, report_to_html_fragment

from . import commands
from .errors import http_status
from .wiring import STAFF, WEB_INTAKE, Settings, open_desk, visitor

__all__ = ["FailedLookups", "create_app"]

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
STAFF_COOKIE = "webapp_staff"
NO_MATCH = "No complaint matches that reference and e-mail address."
STALE = (
    "Someone else changed this complaint while you were looking at it: nothing was done. "
    "Here it is as it is now; try again if it still applies."
)

T = TypeVar("T")


def _when(value: dt.datetime | None) -> str:
    """An instant as people read it, in UTC."""
    return "" if value is None else value.strftime("%d %b %Y, %H:%M UTC")


TEMPLATES.env.filters["when"] = _when


class FailedLookups:
    """
    At most ``limit`` failed status look-ups per client address in ``window`` seconds, in this
    process. The desk records a refused look-up as an access denial once a minute per visitor
    and complaint; a guesser who types a new address each time is a new visitor each time, so
    this limit per client address keeps a public page from turning guesses into writes.
    """

    def __init__(self, limit: int = 10, window: float = 60.0) -> None:
        self.limit = limit
        self.window = window
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, client: str) -> deque[float]:
        now = time.monotonic()
        seen = self._seen.setdefault(client, deque())
        while seen and now - seen[0] > self.window:
            seen.popleft()
        return seen

    def blocked(self, client: str) -> bool:
        """Whether ``client`` used up its failed look-ups."""
        with self._lock:
            return len(self._recent(client)) >= self.limit

    def failed(self, client: str) -> None:
        """Count one failed look-up of ``client``."""
        with self._lock:
            self._recent(client).append(time.monotonic())


def _page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("staff", _staff(request))
    return TEMPLATES.TemplateResponse(request, template, context, status_code=status_code)


def _desk(request: Request) -> ComplaintDesk:
    desk: ComplaintDesk = request.app.state.desk
    return desk


def _staff(request: Request) -> Actor | None:
    return STAFF.get(request.cookies.get(STAFF_COOKIE, ""))


async def _call(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a blocking desk call in the thread pool, off the event loop."""
    return await run_in_threadpool(function, *args, **kwargs)


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def create_app(settings: Settings | None = None) -> FastAPI:
    """The application; its desk is opened when the serving process starts."""
    config = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.desk = open_desk(config)
        app.state.lookups = FailedLookups()
        try:
            yield
        finally:
            app.state.desk.store.close()

    app = FastAPI(
        title="Complaints", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None
    )
    _public_routes(app)
    _staff_routes(app)
    _report_routes(app)

    @app.exception_handler(Iso10002Error)
    async def refused(request: Request, error: Exception) -> Response:
        # Anything a page did not handle itself is still a message, never a traceback.
        return _page(request, "message.html", http_status(error), message=str(error))

    return app


# -- the public pages ---------------------------------------------------------------------------


def _public_routes(app: FastAPI) -> None:
    @app.get("/", response_class=HTMLResponse)
    async def complaint_form(request: Request) -> Response:
        return _page(request, "form.html", form={}, client_key=secrets.token_urlsafe(16))

    @app.post("/complaints", response_class=HTMLResponse)
    async def submit(request: Request) -> Response:
        form = {k: str(v) for k, v in (await request.form()).items()}
        client_key = form.get("client_key") or secrets.token_urlsafe(16)
        desk = _desk(request)
        try:
            result = await _call(
                desk.receive_or_replay,
                WEB_INTAKE,
                complainant=Complainant(
                    name=form.get("name", "").strip(),
                    contact=ContactDetails(email=form.get("email", "").strip() or None),
                ),
                channel=Channel.WEB_FORM,
                description=form.get("description", "").strip(),
                remedy_requested=form.get("remedy", "").strip() or None,
                client_key=client_key,
            )
        except Iso10002Error as error:
            # Invalid input or a reused key: the form again, with the message; a reused key
            # means different content, which is a new complaint and needs a new key.
            fresh = isinstance(error, ClientKeyReused)
            return _page(
                request,
                "form.html",
                http_status(error),
                form=form,
                client_key=secrets.token_urlsafe(16) if fresh else client_key,
                message=str(error),
            )
        complaint = result.complaint
        if result.created:
            # Acknowledged at once: the acknowledgement letter goes to the outbox in the
            # same transaction, and the worker sends it.
            complaint = await _call(desk.acknowledge, complaint.reference, WEB_INTAKE)
        return _page(
            request,
            "received.html",
            201 if result.created else 200,
            reference=complaint.reference,
            created=result.created,
            email=form.get("email", ""),
        )

    @app.get("/status", response_class=HTMLResponse)
    async def status_form(request: Request) -> Response:
        return _page(request, "status_form.html", reference="", email="")

    @app.post("/status", response_class=HTMLResponse)
    async def status(request: Request) -> Response:
        form = {k: str(v) for k, v in (await request.form()).items()}
        reference = form.get("reference", "").strip().upper()
        email = form.get("email", "").strip()
        lookups: FailedLookups = request.app.state.lookups
        client = _client(request)
        if lookups.blocked(client):
            return _page(
                request,
                "status_form.html",
                429,
                reference=reference,
                email=email,
                message="Too many look-ups that matched nothing; please try again in a minute.",
            )
        try:
            if not reference or not email:
                raise ComplaintNotFound(reference or "?")
            view = await _call(_desk(request).public_view, reference, actor=visitor(email))
        except (ComplaintNotFound, PermissionDenied):
            # The same answer for an unknown reference and a wrong address: a guess learns
            # nothing about which complaints exist.
            lookups.failed(client)
            return _page(
                request,
                "status_form.html",
                404,
                reference=reference,
                email=email,
                message=NO_MATCH,
            )
        return _page(request, "status.html", view=view)


# -- the staff console --------------------------------------------------------------------------


def _staff_routes(app: FastAPI) -> None:
    @app.get("/staff", response_class=HTMLResponse)
    async def console(request: Request) -> Response:
        staff = _staff(request)
        if staff is None:
            return _page(request, "sign_in.html", people=list(STAFF.values()))
        desk = _desk(request)
        queue = await _call(desk.query, actor=staff, is_open=True, limit=100)
        breaches = await _call(desk.sla_queue, actor=staff, within=dt.timedelta(days=2))
        return _page(request, "queue.html", queue=queue.items, breaches=breaches)

    @app.post("/staff/sign-in")
    async def sign_in(request: Request) -> Response:
        form = await request.form()
        response = RedirectResponse("/staff", status_code=303)
        person = str(form.get("staff", ""))
        if person in STAFF:
            response.set_cookie(STAFF_COOKIE, person, httponly=True, samesite="strict")
        return response

    @app.post("/staff/sign-out")
    async def sign_out() -> Response:
        response = RedirectResponse("/staff", status_code=303)
        response.delete_cookie(STAFF_COOKIE)
        return response

    @app.get("/staff/complaints/{reference}", response_class=HTMLResponse)
    async def complaint(request: Request, reference: str, done: str = "") -> Response:
        staff = _staff(request)
        if staff is None:
            return RedirectResponse("/staff", status_code=303)
        message = f"Done: {done.replace('_', ' ')}." if done else None
        return await _complaint_page(request, staff, reference, message=message, kind="ok")

    @app.post("/staff/complaints/{reference}/commands/{method}")
    async def command(request: Request, reference: str, method: str) -> Response:
        staff = _staff(request)
        if staff is None:
            return RedirectResponse("/staff", status_code=303)
        form = {k: str(v) for k, v in (await request.form()).items()}
        try:
            version = int(form.get("version", ""))
        except ValueError:
            version = -1
        try:
            await _call(
                commands.run, _desk(request), reference, staff, method, form, version=version
            )
        except Iso10002Error as error:
            # The refusal as a message on the complaint as it is now.
            message = STALE if isinstance(error, ConcurrencyConflict) else str(error)
            return await _complaint_page(
                request, staff, reference, message=message, status_code=http_status(error)
            )
        return RedirectResponse(f"/staff/complaints/{reference}?done={method}", status_code=303)


async def _complaint_page(
    request: Request,
    staff: Actor,
    reference: str,
    *,
    message: str | None = None,
    kind: str = "error",
    status_code: int = 200,
) -> Response:
    desk = _desk(request)
    try:
        current = await _call(desk.get, reference, actor=staff)
        history = await _call(desk.history, reference, actor=staff)
        available = await _call(desk.available_commands, reference, actor=staff)
    except Iso10002Error as error:
        return _page(request, "message.html", http_status(error), message=str(error))
    return _page(
        request,
        "complaint.html",
        status_code,
        complaint=current,
        history=history,
        available=available,
        forms=commands.FORMS,
        message=message,
        message_kind=kind,
    )


# -- the report ---------------------------------------------------------------------------------


def _report_routes(app: FastAPI) -> None:
    @app.get("/report", response_class=HTMLResponse)
    async def report(request: Request) -> Response:
        staff = _staff(request)
        if staff is None:
            return RedirectResponse("/staff", status_code=303)
        desk = _desk(request)
        try:
            await _call(desk.authorize, staff, Action.REPORT)
        except PermissionDenied as error:
            return _page(request, "message.html", 403, message=str(error))
        now = desk.clock.now()
        start = (now - dt.timedelta(days=183)).replace(
            day=1, hour=0, minute=0, second=0, microsecond=0
        )
        kpis = await _call(compute_kpis, desk.store, start=start, end=now, clock=desk.clock)
        return _page(
            request,
            "report.html",
            fragment=report_to_html_fragment(kpis),
            stylesheet=report_fragment_css(),
        )
