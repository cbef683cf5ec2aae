from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from editing.services import grant_editor
from initiatives.models import Strategy


class Command(BaseCommand):
    help = _("Let a user edit the budgets of the given strategies (all strategies when none are given).")

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("slugs", nargs="*", help=_("Strategy slugs, e.g. 2021 2030."))

    def handle(self, *args, username, slugs, **options):
        try:
            user = get_user_model().objects.get_by_natural_key(username)
        except get_user_model().DoesNotExist:
            raise CommandError(
                _("No user named %(name)s; create one with createsuperuser or the admin.") % {"name": username}
            ) from None
        strategies = list(Strategy.objects.filter(slug__in=slugs))
        missing = set(slugs) - {strategy.slug for strategy in strategies}
        if missing:
            raise CommandError(_("No strategy with slug %(slugs)s.") % {"slugs": ", ".join(sorted(missing))})
        grant_editor(user, strategies)
        scope = ", ".join(strategy.short_title for strategy in strategies) or _("every strategy")
        self.stdout.write(
            self.style.SUCCESS(_("%(name)s may now edit %(scope)s.") % {"name": username, "scope": scope})
        )
