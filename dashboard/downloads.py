"""The heavy public downloads (workbooks, the CSV of every cell, the Fiscal Data Package) built once per version of
what the public sees, kept as files, and served from there to everyone after.

Building the workbook of a hundred strategies takes half a minute; twenty readers asking at once used to build it
twenty times and starve every worker. Now the first reader after a publication builds it while the others wait on a
file lock for that one file, then all are served the file. Files are named by the public state
(publication.state.public_state), so a publication or an ended embargo makes a new file and the old ones age out.
Staff looking at the draft always get a file made for them, never kept.
"""

import fcntl
import functools
import hashlib
import json
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils.translation import get_language

from publication.editions import PUBLIC_VIEW, sees_drafts
from publication.state import public_state

KEPT_HEADERS = ("Content-Type", "Content-Disposition")
READ_WHOLE_BYTES = 8 * 2**20


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


def built_once(view):
    """Serve the public's copy of a download from a file built once per public state; staff's drafts pass by."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if sees_drafts(request.user) and request.GET.get("view") != PUBLIC_VIEW:
            return view(request, *args, **kwargs)
        asked = f"{settings.RELEASE}|{public_state()}|{get_language()}|{request.get_full_path()}"
        name = hashlib.sha256(asked.encode()).hexdigest()
        directory = _directory()
        path, meta = directory / f"{name}.file", directory / f"{name}.json"
        if not path.exists():
            # One build per file across every worker process: the others wait here, then find the file.
            with (directory / f"{name}.lock").open("w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                if not path.exists():
                    response = view(request, *args, **kwargs)
                    if response.status_code != 200:
                        return response
                    kept = {header: response[header] for header in KEPT_HEADERS if header in response}
                    meta.write_text(json.dumps({"headers": kept, "streamed": response.streaming}))
                    _write(response, path)
                    _prune(directory, path)
        try:
            os.utime(path)  # served now: the last to be pruned
            return _serve(path, **json.loads(meta.read_text()))
        except FileNotFoundError:  # pruned meanwhile by another build
            return view(request, *args, **kwargs)

    return wrapper
