from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from initiatives.models import Strategy
from publication.services import PublishError, publish


class Command(BaseCommand):
    help = _(
        "Publish a strategy's draft as its next version, as the publish page does: the same checks, the same "
        "four-eyes rule. With --at the public sees it from that time (Danish time)."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help=_("The strategy, e.g. 2021."))
        parser.add_argument("--note", required=True, help=_("The version's public note, e.g. “Finanslov 2026”."))
        parser.add_argument("--by", required=True, help=_("The approver's username."))
        parser.add_argument("--at", help=_("Publish from this time instead of now, e.g. “2026-12-12 10:00”."))

    def handle(self, *args, slug, note, by, at, **options):
        strategy = Strategy.objects.filter(slug=slug).first()
        if strategy is None:
            raise CommandError(_("No strategy with slug %(slugs)s.") % {"slugs": slug})
        user = get_user_model().objects.filter(username=by).first()
        if user is None:
            raise CommandError(_("No user named %(name)s.") % {"name": by})
        moment = None
        if at:
            try:
                moment = timezone.make_aware(datetime.fromisoformat(at))
            except ValueError:
                raise CommandError(_("Write the time as “YYYY-MM-DD HH:MM”.")) from None
        try:
            publication = publish(strategy, user, note, at=moment)
        except (PublishError, PermissionDenied) as error:
            raise CommandError(str(error)) from None
        when = timezone.localtime(publication.published_at).strftime("%d-%m-%Y %H:%M")
        self.stdout.write(
            self.style.SUCCESS(
                ngettext(
                    "Published %(strategy)s version %(number)d (%(count)d cell changed), public from %(when)s.",
                    "Published %(strategy)s version %(number)d (%(count)d cells changed), public from %(when)s.",
                    publication.changed_cells,
                )
                % {
                    "strategy": strategy.short_title,
                    "number": publication.number,
                    "count": publication.changed_cells,
                    "when": when,
                }
            )
        )
