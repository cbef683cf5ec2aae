from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.syndication.views import Feed
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from budgets.figures import budget_table, reconcile
from dashboard.cache import public_page
from initiatives.models import Strategy
from publication import services, versions
from publication.editions import Edition, for_request, sees_drafts
from publication.models import Publication
from publication.permissions import can_publish

REVIEW_ROWS_SHOWN = 1000  # a review of every cell of a 5.000-line strategy is for the workbook, not a page


def _strategy_for_approver(request, slug) -> Strategy:
    strategy = get_object_or_404(Strategy, slug=slug)
    if not can_publish(request.user, strategy):
        raise PermissionDenied(_("Only an approver may publish %(strategy)s.") % {"strategy": strategy})
    return strategy


def _schedule(request) -> datetime | None:
    """The time of an embargo from the form's date and time, in Copenhagen time; None to publish at once."""
    day, moment = request.POST.get("date", "").strip(), request.POST.get("time", "").strip()
    if not day and not moment:
        return None
    try:
        return timezone.make_aware(datetime.fromisoformat(f"{day}T{moment or '00:00'}"))
    except ValueError:
        raise services.PublishError(_("Write the date as YYYY-MM-DD and the time as HH:MM.")) from None


def _review_page(request, strategy, review, *, status=200, errors=(), stale_edits=None):
    draft, public = budget_table(strategy, Edition.draft()), budget_table(strategy, Edition.public())
    own = [
        change
        for change in review.changes
        if any(edit.user_id == request.user.pk or edit.username == request.user.get_username() for edit in change.edits)
    ]
    own_tracking = [change for change in review.tracking if change.made_by(request.user)]
    return render(
        request,
        "publication/publish.html",
        {
            "strategy": strategy,
            "review": review,
            "shown": review.changes[:REVIEW_ROWS_SHOWN],
            "own": own,
            "own_tracking": own_tracking,
            "years": [
                {"year": year, "published": old, "draft": new, "frame": frame, "left": left}
                for year, old, new, frame, left in zip(
                    draft.years, public.totals, draft.totals, draft.frames, draft.left_of_frame, strict=True
                )
            ],
            "problems": [check for check in reconcile(strategy, Edition.draft()) if not check.is_reconciled],
            "errors": errors,
            "stale_edits": stale_edits,
            "note": request.POST.get("note", ""),
            "date": request.POST.get("date", ""),
            "time": request.POST.get("time", ""),
            "newest": services.newest_version(strategy),
        },
        status=status,
    )


@never_cache
@login_required
def publish(request, slug):
    """Review the draft against the newest version (GET) and publish it with a note, now or later (POST)."""
    strategy = _strategy_for_approver(request, slug)
    if request.method != "POST":
        return _review_page(request, strategy, services.review(strategy))
    try:
        publication = services.publish(
            strategy,
            request.user,
            request.POST.get("note", ""),
            at=_schedule(request),
            reviewed=request.POST.get("reviewed", ""),
        )
    except services.StaleReview as stale:
        return _review_page(request, strategy, stale.review, status=409, errors=stale.messages, stale_edits=stale.edits)
    except services.PublishError as error:
        return _review_page(request, strategy, services.review(strategy), status=400, errors=error.messages)
    except PermissionDenied as refused:  # four eyes: the approver's own changes are in the draft
        return _review_page(request, strategy, services.review(strategy), status=403, errors=[str(refused)])
    if publication.is_scheduled:
        when = timezone.localtime(publication.published_at).strftime("%d-%m-%Y %H:%M")
        messages.success(
            request,
            _("Version %(number)d is scheduled; the public sees it from %(time)s.")
            % {"number": publication.number, "time": when},
        )
    else:
        messages.success(request, _("Version %(number)d is published.") % {"number": publication.number})
    return redirect("versions", slug=strategy.slug)


@login_required
@require_POST
def cancel(request, slug, number):
    strategy = _strategy_for_approver(request, slug)
    publication = get_object_or_404(Publication, strategy=strategy, number=number)
    try:
        services.cancel(publication, request.user)
    except services.PublishError as error:
        messages.error(request, str(error))
        return redirect("versions", slug=strategy.slug)
    messages.success(request, _("The scheduled version %(number)d is cancelled.") % {"number": number})
    return redirect("versions", slug=strategy.slug)


def _version_number(request, name: str, default: int | None) -> int | None:
    value = request.GET.get(name, "")
    if not value:
        return default
    if not value.isdecimal() or len(value) > 6:
        raise ValueError(value)
    return int(value)


@require_safe
@public_page
def version_list(request, slug):
    """The strategy's published versions, and what changed between any two of them."""
    strategy = get_object_or_404(Strategy, slug=slug)
    edition = for_request(request)
    staff = sees_drafts(request.user)
    listed = versions.version_list(strategy, edition, scheduled=staff)
    public = [publication for publication in listed if not publication.is_scheduled]
    if not public and not staff:
        return render(request, "publication/versions.html", {"strategy": strategy, "versions": []}, status=404)
    numbers = {publication.number for publication in public}
    newest = max(numbers, default=None)
    status, error = 200, ""
    try:
        new = _version_number(request, "to", newest)
        old = _version_number(request, "from", new - 1 if new and new > 1 else None)
    except ValueError:
        old, new, status, error = None, None, 400, _("Choose two published versions to compare.")
    if (old is not None and old not in numbers) or (new is not None and new not in numbers):
        old, new, status, error = None, None, 400, _("Choose two published versions to compare.")
    return render(
        request,
        "publication/versions.html",
        {
            "strategy": strategy,
            "versions": listed,
            "public_versions": public,
            "old": old,
            "new": new,
            "differences": versions.differences(strategy, old, new) if old and new and old != new else [],
            "error": error,
            "can_publish": can_publish(request.user, strategy),
        },
        status=status,
    )


@require_safe
def as_published(request, slug):
    """The figures as first published beside the newest version: the old address of that comparison."""
    strategy = get_object_or_404(Strategy, slug=slug)
    newest = Publication.objects.for_strategy(strategy).public(timezone.now()).order_by("-number").first()
    address = reverse("versions", args=[strategy.slug])
    if newest is not None and newest.number > 1:
        address += f"?from=1&to={newest.number}"
    return redirect(address, permanent=True)


class PublicationFeed(Feed):
    """Every publication once public, newest first, for journalists and data portals to follow."""

    feed_type = Atom1Feed
    title = gettext_lazy("Strategy Tracker: published versions")
    subtitle = gettext_lazy("Each new published version of the budgets of Denmark's life science strategies.")

    def link(self):
        return reverse("overview")

    def items(self):
        return (
            Publication.objects.public(timezone.now()).select_related("strategy").order_by("-published_at", "-pk")[:50]
        )

    def item_title(self, item):
        return _("%(strategy)s: version %(number)d") % {"strategy": item.strategy.short_title, "number": item.number}

    def item_description(self, item):
        return ngettext(
            "%(note)s. %(count)d cell changed.", "%(note)s. %(count)d cells changed.", item.changed_cells
        ) % {
            "note": item.note,
            "count": item.changed_cells,
        }

    def item_link(self, item):
        return f"{reverse('versions', args=[item.strategy.slug])}?to={item.number}"

    def item_guid(self, item):
        return f"strategy-tracker:{item.strategy.slug}:v{item.number}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.published_at


publications_feed = require_safe(PublicationFeed())
