"""Staff pages kept out of every cache."""

from django.utils.cache import add_never_cache_headers

# The modules of the staff's own pages: the budget's (editing) and the tracking's.
STAFF_VIEWS = ("editing.views", "tracking.staff")


class StaffPagesUncached:
    """Every answer of the editing pages (grid, change log and its workbook, baselines, import, the tracking's) and
    of the admin, refusals and errors included, goes out with Cache-Control: private, no-store (and no-cache,
    must-revalidate, max-age=0): they show unpublished figures, history and names, which no browser or proxy may
    keep."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if match is not None and (match.namespace == "admin" or match.func.__module__ in STAFF_VIEWS):
            add_never_cache_headers(response)
        return response
