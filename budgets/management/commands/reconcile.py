from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from budgets.figures import reconcile
from budgets.numbers import format_amount
from initiatives.models import Strategy
from publication.editions import Edition

ROW = "  {:<6}{:<34}{:>8}  {:>14}  {:>14}  {:>8}  {}"


def _amount(value) -> str:
    return "–" if value is None else format_amount(value)


class Command(BaseCommand):
    help = _(
        "Hold every published total and subtotal against the sum of its rows; "
        "exit non-zero where a difference has no explanation."
    )

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", help=_("Strategies to check (default: all)."))
        parser.add_argument("--chapters", action="store_true", help=_("Also print the chapter subtotals that agree."))
        parser.add_argument(
            "--published", action="store_true", help=_("Check the published versions instead of the draft.")
        )

    def handle(self, *args, slugs, chapters, published, **options):
        edition = Edition.public() if published else Edition.draft()
        strategies = Strategy.objects.all()
        if slugs:
            strategies = strategies.filter(slug__in=slugs)
            missing = set(slugs) - set(strategies.values_list("slug", flat=True))
            if missing:
                raise CommandError(_("No strategy with slug %(slugs)s.") % {"slugs": ", ".join(sorted(missing))})
        if not strategies.exists():
            raise CommandError(_("The database holds no strategies; run seed_strategies first."))

        columns = (_("Year"), _("Scope"), _("Frame"), _("Sum of rows"), _("Published"), _("Difference"), _("Note"))
        problems = checked = 0
        for strategy in strategies:
            price_basis = strategy.price_basis or _("price basis not stated")
            self.stdout.write(f"\n{strategy.title} ({strategy.slug}), {_('mio. kr.')}, {price_basis}")
            self.stdout.write(ROW.format(*columns))
            for check in reconcile(strategy, edition):
                if check.published is not None:
                    checked += 1
                if check.frame is None and check.is_reconciled and not chapters:
                    continue
                rows = _amount(check.rows.amount) if check.rows.is_complete else _("unknown")
                note = check.problem or check.note
                self.stdout.write(
                    ROW.format(
                        check.year,
                        check.scope[:33],
                        _amount(check.frame),
                        rows,
                        _amount(check.published),
                        _amount(check.difference),
                        note,
                    )
                )
                if not check.is_reconciled:
                    problems += 1
        if problems:
            raise CommandError(
                _("%(problems)d of %(checked)d published figures do not reconcile.")
                % {"problems": problems, "checked": checked}
            )
        self.stdout.write(self.style.SUCCESS(_("All %(checked)d published figures reconcile.") % {"checked": checked}))
