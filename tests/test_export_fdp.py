import csv
import io
import json
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import frictionless
import jsonschema
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db.models import Sum

from budgets.models import Allocation

pytestmark = pytest.mark.django_db

DIMENSIONS = {"strategy", "chapter", "initiative", "theme", "cell", "date"}
SPEC = json.loads((Path(__file__).parent / "schemas" / "fiscal-data-package.json").read_text(encoding="utf-8"))


def check_fiscal_model(descriptor: dict) -> None:
    """What the Fiscal Data Package model requires, beyond what the tabular profile checks."""
    fields = {field["name"] for field in descriptor["resources"][0]["schema"]["fields"]}
    model = descriptor["model"]
    assert model["measures"] == {
        "amount": {
            "source": "amount",
            "currency": "DKK",
            "factor": 1_000_000,
            "direction": "expenditure",
            "phase": "approved",
        }
    }
    assert set(model["dimensions"]) == DIMENSIONS
    for dimension in model["dimensions"].values():
        if dimension["dimensionType"] == "classification":  # the spec requires their code
            assert "code" in dimension["attributes"]
        assert {attribute["source"] for attribute in dimension["attributes"].values()} <= fields
        keys = dimension["primaryKey"] if isinstance(dimension["primaryKey"], list) else [dimension["primaryKey"]]
        assert set(keys) <= set(dimension["attributes"])


class TestExportFdp:
    def test_it_writes_a_package_that_frictionless_validates(self, tmp_path, capsys):
        call_command("export_fdp", str(tmp_path / "fdp"))

        report = frictionless.validate(tmp_path / "fdp" / "datapackage.json")
        assert report.valid, report.flatten(["type", "note"])
        out = capsys.readouterr().out
        assert "217" in out and "datapackage.json" in out

    def test_it_leaves_the_amount_of_an_unknown_cell_empty_and_says_it_is_unknown(self, tmp_path):
        call_command("export_fdp", str(tmp_path))
        with (tmp_path / "allocations.csv").open(encoding="utf-8") as stream:
            growth_plan = [row for row in csv.DictReader(stream) if row["strategy"] == "2018"]

        assert len(growth_plan) == 18 * 4
        assert {(row["cell_kind"], row["amount"]) for row in growth_plan} == {("unknown", "")}
        marked = {row["initiative_numbers"]: row["line_footnotes"][:5] for row in growth_plan if row["line_footnotes"]}
        assert marked == {"2": "***: ", "": "*: Ki"}  # nr. 2 and the unnumbered life science unit

    def test_it_passes_the_frictionless_command_line_validator(self, tmp_path):
        call_command("export_fdp", str(tmp_path))
        validator = Path(sys.executable).with_name("frictionless")

        result = subprocess.run(
            [str(validator), "validate", "--json", str(tmp_path / "datapackage.json")],
            capture_output=True,
            text=True,
            timeout=120,
        )

        assert result.returncode == 0, result.stdout + result.stderr
        assert json.loads(result.stdout)["valid"] is True

    def test_it_describes_money_as_a_measure_in_dkk_millions_with_six_dimensions(self, tmp_path):
        call_command("export_fdp", str(tmp_path))

        descriptor = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
        assert descriptor["profile"] == "tabular-data-package"
        assert descriptor["fiscalPeriod"] == {"start": "2018-01-01", "end": "2027-12-31"}
        check_fiscal_model(descriptor)

    def test_its_rows_hold_exactly_the_databases_figures(self, tmp_path):
        call_command("export_fdp", str(tmp_path))

        with (tmp_path / "allocations.csv").open(encoding="utf-8") as stream:
            rows = list(csv.DictReader(stream))
        assert len(rows) == Allocation.objects.count()
        for slug in ("2021", "2030"):
            exported = sum(Decimal(row["amount"]) for row in rows if row["strategy"] == slug and row["amount"])
            stored = Allocation.objects.filter(line__strategy__slug=slug).aggregate(total=Sum("amount"))["total"]
            assert exported == stored

    def test_it_says_so_when_it_cannot_write(self, tmp_path):
        blocker = tmp_path / "taken"
        blocker.write_text("a file, not a directory")

        with pytest.raises(CommandError, match="taken"):
            call_command("export_fdp", str(blocker))


class TestFiscalDataPackageDownload:
    def test_it_serves_the_same_package_as_a_zip(self, client, tmp_path):
        response = client.get("/api/fiscal-data-package.zip")

        assert response["Content-Type"] == "application/zip"
        with zipfile.ZipFile(io.BytesIO(response.content)) as package:
            assert sorted(package.namelist()) == [
                "allocations.csv",
                "datapackage.json",
                "footnotes.csv",
                "published_totals.csv",
                *sorted(f"sources/{path.name}" for path in settings.SOURCES_DIR.glob("*.txt")),
            ]
            package.extractall(tmp_path)
        report = frictionless.validate(tmp_path / "datapackage.json")
        assert report.valid, report.flatten(["type", "note"])
        check_fiscal_model(json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8")))


class TestFullerPackage:
    @pytest.fixture
    def package(self, client):
        response = client.get("/api/fiscal-data-package.zip")
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            return {name: archive.read(name) for name in archive.namelist()}

    def test_it_validates_against_the_fiscal_data_package_json_schema(self, package):
        jsonschema.Draft4Validator(SPEC).validate(json.loads(package["datapackage.json"]))

    def test_it_says_where_it_lives_which_version_it_is_and_what_it_is_about(self, package):
        descriptor = json.loads(package["datapackage.json"])

        assert descriptor["homepage"] == "http://testserver/api/"
        assert descriptor["version"] == f"1.{len(descriptor['publications'])}.0"  # version 1 of each strategy
        assert "life science" in descriptor["keywords"]
        assert {"title": "Erhvervsministeriet", "role": "publisher"}.items() <= descriptor["contributors"][0].items()
        for resource in descriptor["resources"]:
            assert resource["title"] and resource["description"] and resource["title_en"] and resource["description_en"]
        for source in descriptor["sources"]:
            assert source["path"] in package

    def test_it_holds_the_footnotes_and_the_totals_as_printed(self, package):
        footnotes = list(csv.DictReader(io.StringIO(package["footnotes.csv"].decode())))
        totals = list(csv.DictReader(io.StringIO(package["published_totals.csv"].decode())))

        bridge = next(row for row in footnotes if row["strategy"] == "2030" and "0,9" in row["text"])
        total_2024 = next(
            row for row in totals if row["strategy"] == "2030" and row["year"] == "2024" and not row["chapter_number"]
        )
        # The table prints 100,0 for 2024; its rows sum to 99,1; the footnote's 0,9 bridge financing is the rest.
        assert (total_2024["amount"], total_2024["explained_difference"]) == ("100.0", "0.9")
        assert total_2024["footnote_marker"] == bridge["marker"] == "**"
        assert "2024" in bridge["total_years"].split()

    def test_the_same_figures_give_the_same_bytes_dated_by_their_publication(self, client, settings, tmp_path):
        first = client.get("/api/fiscal-data-package.zip")
        settings.DOWNLOADS_DIR = tmp_path / "elsewhere"  # built again, later
        again = client.get("/api/fiscal-data-package.zip")

        assert first.content == again.content
        assert first["ETag"] == again["ETag"]
        descriptor = json.loads(zipfile.ZipFile(io.BytesIO(first.content)).read("datapackage.json"))
        newest = max(publication["published"] for publication in descriptor["publications"])
        assert descriptor["created"] == newest[:19] + "+00:00"
