import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from budgets.synthetic import GenerationError, generate_data


class Command(BaseCommand):
    help = _("Add synthetic strategies, for measuring the product at scale. The same seed gives the same data.")

    def add_arguments(self, parser):
        parser.add_argument("--strategies", type=int, default=3, help=_("Number of strategies."))
        parser.add_argument("--initiatives", type=int, default=100, help=_("Initiatives (and budget lines) each."))
        parser.add_argument("--years", type=int, default=10, help=_("Years in each strategy's period."))
        parser.add_argument("--seed", type=int, default=0, help=_("Seed of the random choices."))
        parser.add_argument(
            "--versions", type=int, default=1, help=_("Published versions of each strategy (each changes some cells).")
        )

    def handle(self, *args, strategies, initiatives, years, seed, versions, **options):
        started = time.perf_counter()
        try:
            result = generate_data(strategies, initiatives, years, seed=seed, versions=versions)
        except GenerationError as error:
            raise CommandError(_("Nothing generated: %(error)s") % {"error": error}) from error
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Generated %(strategies)d strategies, %(chapters)d chapters, %(initiatives)d initiatives, "
                    "%(lines)d budget lines, %(allocations)d cells (%(unknown)d unknown, %(financed)d financed "
                    "elsewhere) and %(links)d links between initiatives in %(seconds).1f s."
                )
                % {**result.__dict__, "seconds": time.perf_counter() - started}
            )
        )
