from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from budgets.services import FIXTURES_DIR, FixtureError, seed_strategies


class Command(BaseCommand):
    help = _("Load the shipped strategies into an empty database. A database that holds strategies is left as it is.")

    def add_arguments(self, parser):
        parser.add_argument("--fixtures", type=Path, default=FIXTURES_DIR, help=_("Directory with the fixture files."))

    def handle(self, *args, fixtures: Path, **options):
        try:
            result = seed_strategies(fixtures)
        except (FixtureError, OSError, KeyError) as error:
            raise CommandError(_("Nothing loaded: %(error)s") % {"error": error}) from error
        if result.skipped:
            self.stdout.write(
                ngettext(
                    "The database already holds %(count)d strategy; nothing loaded, no edit overwritten.",
                    "The database already holds %(count)d strategies; nothing loaded, no edit overwritten.",
                    result.strategies,
                )
                % {"count": result.strategies}
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Loaded %(strategies)d strategies, %(chapters)d chapters, %(initiatives)d initiatives, "
                    "%(lines)d budget lines, %(allocations)d cells and %(links)d links between initiatives."
                )
                % result.__dict__
            )
        )
