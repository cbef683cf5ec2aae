import csv
import io
import json
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import frictionless
import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum

from budgets.models import Allocation

pytestmark = pytest.mark.django_db

DIMENSIONS = {"strategy", "chapter", "initiative", "theme", "date"}


def check_fiscal_model(descriptor: dict) -> None:
    """What the Fiscal Data Package model requires, beyond what the tabular profile checks."""
    fields = {field["name"] for field in descriptor["resources"][0]["schema"]["fields"]}
    model = descriptor["model"]
    assert model["measures"] == {
        "amount": {"source": "amount", "currency": "DKK", "factor": 1_000_000, "direction": "expenditure"}
    }
    assert set(model["dimensions"]) == DIMENSIONS
    for dimension in model["dimensions"].values():
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

    def test_it_describes_money_as_a_measure_in_dkk_millions_with_five_dimensions(self, tmp_path):
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
            assert sorted(package.namelist()) == ["allocations.csv", "datapackage.json"]
            package.extractall(tmp_path)
        report = frictionless.validate(tmp_path / "datapackage.json")
        assert report.valid, report.flatten(["type", "note"])
        check_fiscal_model(json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8")))
