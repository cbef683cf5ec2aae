from django.db import connection
from django.http import JsonResponse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@require_safe
@never_cache
def health(request):
    """For load balancers and monitors: 200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any failure to reach the database means the same to a monitor
        return unreachable()
    return JsonResponse({"status": "ok", "database": "ok"})


def unreachable() -> JsonResponse:
    """The answer while the database is away, also when it fails before the view (strategy_tracker.errors)."""
    response = JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    add_never_cache_headers(response)
    return response
