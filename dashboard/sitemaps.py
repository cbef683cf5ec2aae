"""sitemap.xml: every public page in Danish and English, each with its alternate in the other language."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from initiatives.models import Initiative
from publication.editions import Edition


class PublicSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True


class PagesSitemap(PublicSitemap):
    def items(self):
        return ["overview", "compare", "initiative_list", "api_index", "sources", "accessibility"]

    def location(self, item):
        return reverse(item)


class StrategiesSitemap(PublicSitemap):
    def items(self):
        return [
            (name, strategy.slug)
            for strategy in Edition.public().strategies()
            for name in ("strategy_detail", "versions")
        ]

    def location(self, item):
        name, slug = item
        return reverse(name, args=[slug])


class InitiativesSitemap(PublicSitemap):
    def items(self):
        return Initiative.objects.filter(chapter__strategy__in=Edition.public().strategies()).order_by("pk")

    def location(self, item):
        return item.get_absolute_url()


SITEMAPS = {"pages": PagesSitemap, "strategies": StrategiesSitemap, "initiatives": InitiativesSitemap}
