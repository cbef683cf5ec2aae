from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.http import AMOUNTS_AS_TEXT
from budgets.exports import UNIT, AllocationExport, FootnoteExport, PublishedTotalExport
from budgets.models import FrameAmount, FundingFrame
from initiatives.models import Chapter, Initiative, InitiativeLink, Strategy


@extend_schema_field(
    {
        "anyOf": [
            {"type": "number"},
            {"type": "string", "pattern": r"^-?\d+\.\d$", "description": "with ?amounts=string"},
        ],
        "nullable": True,
    }
)
class AmountField(serializers.DecimalField):
    """An amount in mio. kr. as a JSON number with one decimal (16.8, 20.0), or, for clients that asked for
    ``?amounts=string``, as a decimal string ("16.8"); null when nobody knows it, never 0."""

    def __init__(self, **kwargs):
        super().__init__(max_digits=9, decimal_places=1, coerce_to_string=False, allow_null=True, **kwargs)

    def to_representation(self, value):
        if value is None:
            return None
        value = super().to_representation(value)
        return str(value) if self.context.get(AMOUNTS_AS_TEXT) else value


class StrategySerializer(serializers.ModelSerializer):
    unit = serializers.SerializerMethodField()
    initiatives = serializers.SerializerMethodField(
        help_text="How many initiatives the strategy has, as published (the 2018 growth plan: 36)"
    )
    initiatives_named = serializers.SerializerMethodField(
        help_text="How many of them /api/initiatives/ holds: those the sources found name (2018: 18)"
    )

    class Meta:
        model = Strategy
        fields = [
            "slug",
            "title",
            "short_title",
            "published_year",
            "first_year",
            "last_year",
            "price_basis",
            "unit",
            "initiatives",
            "initiatives_named",
            "description",
            "source",
        ]

    def get_unit(self, strategy) -> str:
        return UNIT

    def get_initiatives(self, strategy) -> int:
        return strategy.initiative_count(self.get_initiatives_named(strategy))

    def get_initiatives_named(self, strategy) -> int:
        return Initiative.objects.for_strategy(strategy).count()


class ChapterSerializer(serializers.ModelSerializer):
    strategy = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Chapter
        fields = ["id", "strategy", "number", "title", "source"]


class LinkSerializer(serializers.ModelSerializer):
    class Meta:
        model = InitiativeLink
        fields = ["predecessor", "successor", "relation", "source"]


class InitiativeSerializer(serializers.ModelSerializer):
    strategy = serializers.CharField(source="chapter.strategy.slug", read_only=True)
    budget_lines = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    predecessors = LinkSerializer(source="predecessor_links", many=True, read_only=True)
    successors = LinkSerializer(source="successor_links", many=True, read_only=True)

    class Meta:
        model = Initiative
        fields = [
            "id",
            "strategy",
            "chapter",
            "number",
            "title",
            "theme",
            "source",
            "budget_lines",
            "predecessors",
            "successors",
        ]


class ExportSerializer(serializers.Serializer):
    """The export's row for each object (budgets.exports), so the API and the CSV agree. ``lists`` are the export's
    space-separated ids, which JSON gives as lists of whole numbers or of texts."""

    export = None
    lists: dict = {}

    def get_fields(self) -> dict:
        # Declared from the export's own field list, so the OpenAPI description cannot drift from the rows.
        kinds = {
            "integer": lambda field: serializers.IntegerField(help_text=field.description, allow_null=True),
            "number": lambda field: AmountField(help_text=field.description),
            "string": lambda field: serializers.CharField(help_text=field.description, allow_blank=True),
        }
        fields = {field.name: kinds[field.type](field) for field in self.export.fields}
        for name, child in self.lists.items():
            fields[name] = serializers.ListField(child=child(), help_text=fields[name].help_text)
        return fields

    def to_representation(self, instance) -> dict:
        row = self.export.row(instance)
        for field in self.export.fields:
            if field.type == "number":
                row[field.name] = self.fields[field.name].to_representation(row[field.name])
        for name, child in self.lists.items():
            row[name] = [child().to_internal_value(item) for item in row[name].split()]
        return row


class AllocationSerializer(ExportSerializer):
    export = AllocationExport
    lists = {"initiative_ids": serializers.IntegerField, "initiative_numbers": serializers.CharField}


class FootnoteSerializer(ExportSerializer):
    export = FootnoteExport
    lists = {"line_ids": serializers.IntegerField, "total_years": serializers.IntegerField}


class PublishedTotalSerializer(ExportSerializer):
    export = PublishedTotalExport


class FrameAmountSerializer(serializers.ModelSerializer):
    amount = AmountField()

    class Meta:
        model = FrameAmount
        fields = ["year", "amount"]


class FrameSerializer(serializers.ModelSerializer):
    strategy = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    amounts = FrameAmountSerializer(many=True, read_only=True)
    unit = serializers.SerializerMethodField()

    class Meta:
        model = FundingFrame
        fields = ["id", "strategy", "name", "kind", "amounts", "unit", "note", "source"]

    def get_unit(self, frame) -> str:
        return UNIT


class VersionSerializer(serializers.Serializer):
    """A published version of a strategy: its number, when it became public, its note and the cells it changed."""

    version = serializers.IntegerField(source="number")
    published_at = serializers.DateTimeField()
    date_known_to = serializers.CharField(source="precision", help_text="day, month or year")
    note = serializers.CharField()
    changed_cells = serializers.IntegerField()


class ComparisonFigureSerializer(serializers.Serializer):
    """A sum of the comparison: unknown (null) when any of its cells is unknown, with what is known beside it."""

    amount = AmountField(help_text="The sum; null when any of its cells is unknown")
    known_amount = AmountField(help_text="The sum of its known cells")
    unknown_cells = serializers.IntegerField(help_text="How many of its cells are unknown")
    complete = serializers.BooleanField(help_text="Whether every cell of the sum is known")


# "from" is a Python keyword, so the change's fields are declared as a dict.
ComparisonChangeSerializer = type(
    "ComparisonChangeSerializer",
    (serializers.Serializer,),
    {
        "from": serializers.IntegerField(),
        "to": serializers.IntegerField(),
        "change": AmountField(help_text="mio. kr.; null when either sum is unknown or outside the strategy's period"),
        "change_percent": AmountField(help_text="Per cent; null where the change is, or the first sum is 0"),
    },
)


class ComparisonRowSerializer(serializers.Serializer):
    key = serializers.CharField(
        help_text='The row in every language: a theme\'s code, "<strategy>:<chapter number>", "reserves" or "total"'
    )
    label = serializers.CharField(help_text="The row's name in the reader's language")
    figures = serializers.DictField(child=ComparisonFigureSerializer(), help_text="Each year's sum, keyed by year")
    changes = ComparisonChangeSerializer(many=True)


class ComparisonTotalSerializer(serializers.Serializer):
    key = serializers.CharField()
    figures = serializers.DictField(child=ComparisonFigureSerializer())
    changes = ComparisonChangeSerializer(many=True)


class ComparisonSerializer(serializers.Serializer):
    """The compare page's figures (documentation of the response; the view writes it directly)."""

    strategies = serializers.ListField(child=serializers.CharField())
    years = serializers.ListField(child=serializers.IntegerField())
    by = serializers.ChoiceField(choices=["theme", "chapter"])
    unit = serializers.CharField()
    rows = ComparisonRowSerializer(many=True)
    total = ComparisonTotalSerializer()
