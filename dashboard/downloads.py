"""The heavy public downloads (workbooks, the CSV of every cell, the Fiscal Data Package) built once per version of
what the public sees, kept as files, and served from there to everyone.

Building the workbook of a hundred strategies takes several seconds; twenty readers asking at once used to build it
twenty times and starve every worker, and then the first reader after a publication waited for the build. Now the
largest files are built when the figures change, in the background: after a publication commits
(publication.services.publish) and by ``manage.py build_downloads`` (at a deploy, and from a timer for embargoes that
end with no write). A reader who asks for a file not built yet waits at most DOWNLOADS_WAIT seconds while a build
runs in the background, then is told in their language that it is being made (503 with Retry-After), never left
hanging on the worker's timeout. One build per file and machine: the builders take a file lock in DOWNLOADS_DIR.

Files are named by the figures' key (publication.state.figures_state), or by the dated key for a download that
shows what is late (a strategy's workbook has the Status sheet), so a publication or an ended embargo makes a new
file and the old ones age out. Staff looking at the draft always get a file made for them, never kept.
"""

import fcntl
import functools
import hashlib
import json
import os
import tempfile
import threading
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.http import FileResponse, HttpResponse, JsonResponse, StreamingHttpResponse
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import resolve
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from publication.editions import PUBLIC_VIEW, sees_drafts
from publication.state import figures_state, public_state

KEPT_HEADERS = ("Content-Type", "Content-Disposition")
READ_WHOLE_BYTES = 8 * 2**20
# What a reader asking during a build is told to wait: the workbook of a hundred strategies takes about that.
RETRY_AFTER_SECONDS = 30
# The files built whenever the figures change, in each language of the site: those that take seconds to build.
# (The Fiscal Data Package names the site's address, which only a reader's request gives; it is built on request.)
PREBUILT = ["/export.xlsx", "/en/export.xlsx", "/api/allocations.csv"]

_building: dict[str, "_Builder"] = {}  # this process's builds in the background, by file name
_state = threading.local()  # .inline: this thread builds what it is asked for, as build_downloads' builder does
_lock = threading.Lock()


def _directory() -> Path:
    directory = Path(settings.DOWNLOADS_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _serve(path: Path, headers: dict, streamed: bool) -> HttpResponse:
    """A small file read whole (streamed as one piece where the view streamed it), a large one from the disk."""
    if path.stat().st_size > READ_WHOLE_BYTES:
        response = FileResponse(path.open("rb"), content_type=headers.get("Content-Type"))
    elif streamed:
        response = StreamingHttpResponse([path.read_bytes()], content_type=headers.get("Content-Type"))
    else:
        response = HttpResponse(path.read_bytes(), content_type=headers.get("Content-Type"))
    for name, value in headers.items():
        response[name] = value
    return response


def _prune(directory: Path, keep: Path) -> None:
    """Drop the least recently served files beyond the size allowed."""
    files = sorted(directory.glob("*.file"), key=lambda path: path.stat().st_mtime, reverse=True)
    total = 0
    for path in files:
        total += path.stat().st_size
        if total > settings.DOWNLOADS_BYTES and path != keep:
            for suffix in (".file", ".json", ".lock"):
                path.with_suffix(suffix).unlink(missing_ok=True)


def _write(response, target: Path) -> None:
    """The response's bytes into ``target``, whole or not at all (a crash leaves no half file behind)."""
    handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".part")
    try:
        with os.fdopen(handle, "wb") as stream:
            if response.streaming:
                for chunk in response.streaming_content:
                    stream.write(chunk)
            else:
                stream.write(response.content)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _name(request, dated: bool) -> str:
    state = public_state() if dated else figures_state()
    asked = f"{settings.RELEASE}|{state}|{get_language()}|{request.get_full_path()}"
    return hashlib.sha256(asked.encode()).hexdigest()


def _build(view, request, args, kwargs, name: str) -> HttpResponse | None:
    """Build the file under the machine's lock, unless another process built it meanwhile; the view's answer where
    it is not a file to keep (a 400 for a wrong query), else None."""
    directory = _directory()
    path = directory / f"{name}.file"
    with (directory / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if path.exists():
            return None
        response = view(request, *args, **kwargs)
        if response.status_code != 200:
            return response
        kept = {header: response[header] for header in KEPT_HEADERS if header in response}
        (directory / f"{name}.json").write_text(json.dumps({"headers": kept, "streamed": response.streaming}))
        _write(response, path)
        _prune(directory, path)
    return None


class _Builder(threading.Thread):
    """A thread of this process building one file; ``outcome`` is the view's answer where it is not a file."""

    def __init__(self, view, request, args, kwargs, name: str):
        super().__init__(name=f"download {name[:8]}", daemon=True)
        self.build = functools.partial(_build, view, request, args, kwargs, name)
        self.language, self.file_name, self.outcome = get_language(), name, None

    def run(self):
        try:
            with translation.override(self.language):
                self.outcome = self.build()
        finally:
            with _lock:
                _building.pop(self.file_name, None)
            connection.close()  # the thread's own connection, which no request's end closes


def _build_in_background(view, request, args, kwargs, name: str) -> _Builder:
    """The thread building the file in this process, started if none is."""
    with _lock:
        builder = _building.get(name)
        if builder is None:
            builder = _building[name] = _Builder(view, request, args, kwargs, name)
            builder.start()
    return builder


def being_built(request) -> HttpResponse:
    """What a reader asking during a build gets: 503 in their language, told when to try again."""
    message = _("The file is being made from the newest figures. Try again in a minute.")
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=503, json_dumps_params={"ensure_ascii": False})
    else:
        response = HttpResponse(
            render_to_string("dashboard/download_pending.html", {"message": message}, request=request), status=503
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


def built_once(view=None, *, dated: bool = False):
    """Serve the public's copy of a download from a file built once per public state; staff's drafts pass by.
    ``dated``: the file also changes at midnight (it shows what is late)."""
    if view is None:
        return functools.partial(built_once, dated=dated)

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if sees_drafts(request.user) and request.GET.get("view") != PUBLIC_VIEW:
            return view(request, *args, **kwargs)
        name = _name(request, dated)
        path = _directory() / f"{name}.file"
        if not path.exists():
            wait = settings.DOWNLOADS_WAIT
            if wait is None or getattr(_state, "inline", False):
                outcome = _build(view, request, args, kwargs, name)
            else:
                builder = _build_in_background(view, request, args, kwargs, name)
                builder.join(wait)
                if builder.is_alive():
                    return being_built(request)
                outcome = builder.outcome
            if outcome is not None:
                return outcome
        try:
            os.utime(path)  # served now: the last to be pruned
            meta = json.loads(path.with_suffix(".json").read_text())
            return _serve(path, **meta)
        except FileNotFoundError:  # pruned meanwhile by another build
            return view(request, *args, **kwargs)

    return wrapper


def build(address: str, host: str | None = None) -> float:
    """Build the public's file of one address as a reader's request would find it; the seconds it took."""
    started = time.perf_counter()
    language = translation.get_language_from_path(address) or settings.LANGUAGE_CODE
    with translation.override(language):
        request = RequestFactory().get(address, HTTP_ACCEPT_LANGUAGE=language, HTTP_HOST=host or _host())
        request.user = AnonymousUser()
        match = resolve(request.path_info)
        _state.inline = True
        try:
            response = match.func(request, *match.args, **match.kwargs)
        finally:
            _state.inline = False
        if isinstance(response, FileResponse):
            response.close()
    return time.perf_counter() - started


def _host() -> str:
    allowed = [host for host in settings.ALLOWED_HOSTS if host != "*" and not host.startswith(".")]
    return allowed[0] if allowed else "localhost"


def build_prebuilt() -> dict[str, float]:
    """Every file of PREBUILT for the figures as they stand: the seconds each took (nothing where it was built)."""
    return {address: build(address) for address in PREBUILT}


def build_after_commit() -> None:
    """Build the prebuilt files in a thread of their own once the current transaction commits (a publication)."""
    if not settings.DOWNLOADS_BUILD_ON_PUBLISH:
        return

    def build_all():
        try:
            build_prebuilt()
        finally:
            connection.close()

    transaction.on_commit(lambda: threading.Thread(target=build_all, name="downloads", daemon=True).start())
