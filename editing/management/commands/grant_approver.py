from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from editing.services import grant_approver


class Command(BaseCommand):
    help = _("Let a user publish the strategies' drafts (the approver role, “Godkender”).")

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        try:
            user = get_user_model().objects.get_by_natural_key(username)
        except get_user_model().DoesNotExist:
            raise CommandError(
                _("No user named %(name)s; create one with createsuperuser or the admin.") % {"name": username}
            ) from None
        grant_approver(user)
        self.stdout.write(self.style.SUCCESS(_("%(name)s may now publish every strategy.") % {"name": username}))
