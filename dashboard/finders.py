from pathlib import Path

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

PLOTLY_JS = "vendor/plotly.min.js"


class PlotlyFinder(BaseFinder):
    """Serves plotly.min.js from the installed plotly package: no CDN, and the version the Python side expects."""

    directory = Path(plotly.__file__).parent / "package_data"

    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        if path != PLOTLY_JS:
            return [] if find_all or kwargs.get("all") else None
        found = str(self.directory / "plotly.min.js")
        return [found] if find_all or kwargs.get("all") else found

    def list(self, ignore_patterns):
        storage = FileSystemStorage(location=self.directory)
        storage.prefix = "vendor"
        yield "plotly.min.js", storage
