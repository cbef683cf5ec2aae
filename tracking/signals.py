"""What the public sees of the tracking outside a version moves the figures' generation, so cached pages go.

Measured values are public from their save, and the names of authorities, targets and indicators show on public
pages; the draft's status and milestones need no such signal (the public sees them only once published, and
publishing moves the generation).
"""

from django.db.models.signals import post_delete, post_save

from budgets.changes import figures_changed
from tracking.models import Authority, Indicator, Measurement, Target, Vision

WATCHED = [Authority, Vision, Target, Indicator, Measurement]


def connect() -> None:
    for model in WATCHED:
        post_save.connect(figures_changed, sender=model, dispatch_uid=f"tracking-changed-save-{model.__name__}")
        post_delete.connect(figures_changed, sender=model, dispatch_uid=f"tracking-changed-delete-{model.__name__}")
