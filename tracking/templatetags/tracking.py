from decimal import Decimal

from django import template
from django.utils.formats import date_format, number_format

from publication.models import DatePrecision
from tracking.progress import progress_of

register = template.Library()

_PERIOD_FORMATS = {DatePrecision.DAY: "j. F Y", DatePrecision.MONTH: "F Y", DatePrecision.YEAR: "Y"}


@register.filter
def value(number: Decimal) -> str:
    """A measured value or target in the reader's notation, with the decimals it has and no more (350, 12,5)."""
    if number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    else:
        number = number.quantize(Decimal(1).scaleb(number.normalize().as_tuple().exponent))
    return number_format(number, use_l10n=True, force_grouping=True)


@register.filter
def period(measurement) -> str:
    """The year, month or day a measured value is for, as precisely as it is known."""
    return date_format(measurement.measured_on, _PERIOD_FORMATS[measurement.precision])


@register.inclusion_tag("tracking/_initiative_progress.html", takes_context=True)
def initiative_progress(context, initiative):
    """An initiative's status history, authority and milestones, as the page's edition has them."""
    edition = getattr(context["request"], "_edition", None)
    if edition is None:
        return {"item": None}
    return {"item": progress_of(edition, [initiative])[initiative.pk]}
