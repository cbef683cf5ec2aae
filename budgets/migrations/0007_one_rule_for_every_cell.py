from decimal import Decimal

from django.db import migrations, models

# The rules every cell keeps, whichever way it is written (the grid, the workbook import, the admin, a command or
# plain SQL): the database holds them again behind the one parser and validation of budgets.cells and
# editing.services.
#
# The bounds and the text rules are added NOT VALID: PostgreSQL then holds every row written from now on to them
# without refusing the migration over a row written before they existed (the admin once accepted 99.999,9 and
# "\x01"); such a row must meet them when it is next changed.
NOT_VALID_CONSTRAINTS = {
    "allocation_amount_within_bounds": "amount IS NULL OR (amount >= -10000.0 AND amount <= 10000.0)",
    "allocation_text_without_control_characters": (
        "NOT (text::text ~ '[\\u0001-\\u001f\\u007f]') AND NOT (remark::text ~ '[\\u0001-\\u001f\\u007f]')"
    ),
    "allocation_remark_has_words": "remark = '' OR NOT (remark::text ~ '^[[:space:][:digit:][:punct:]]+$')",
}

# A cell outside its strategy's period is shown nowhere, summed nowhere, and still counted by the API. Checked once
# per statement over the rows it wrote, so a bulk load of a million cells pays one join, not a million look-ups.
PERIOD = """
CREATE OR REPLACE FUNCTION budgets_cells_in_period() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    outside record;
BEGIN
    SELECT cell.year, strategy.slug, strategy.first_year, strategy.last_year INTO outside
    FROM new_cells cell
    JOIN budgets_budgetline line ON line.id = cell.line_id
    JOIN initiatives_strategy strategy ON strategy.id = line.strategy_id
    WHERE cell.year NOT BETWEEN strategy.first_year AND strategy.last_year
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'A cell of % in % lies outside the strategy''s period %-%',
            outside.slug, outside.year, outside.first_year, outside.last_year
            USING ERRCODE = 'check_violation', CONSTRAINT = 'allocation_year_in_period';
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER budgets_cells_inserted_in_period AFTER INSERT ON budgets_allocation
    REFERENCING NEW TABLE AS new_cells FOR EACH STATEMENT EXECUTE FUNCTION budgets_cells_in_period();
CREATE TRIGGER budgets_cells_updated_in_period AFTER UPDATE ON budgets_allocation
    REFERENCING NEW TABLE AS new_cells FOR EACH STATEMENT EXECUTE FUNCTION budgets_cells_in_period();

-- A strategy's period may shrink, and a line may move to another strategy, only where no cell is left outside.
CREATE OR REPLACE FUNCTION budgets_period_keeps_cells() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    outside record;
BEGIN
    SELECT cell.year, strategy.slug, strategy.first_year, strategy.last_year INTO outside
    FROM budgets_allocation cell
    JOIN budgets_budgetline line ON line.id = cell.line_id
    JOIN initiatives_strategy strategy ON strategy.id = line.strategy_id
    WHERE (CASE WHEN TG_TABLE_NAME = 'initiatives_strategy' THEN strategy.id ELSE line.id END) = NEW.id
      AND cell.year NOT BETWEEN strategy.first_year AND strategy.last_year
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'A cell of % in % would lie outside the strategy''s period %-%',
            outside.slug, outside.year, outside.first_year, outside.last_year
            USING ERRCODE = 'check_violation', CONSTRAINT = 'allocation_year_in_period';
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER initiatives_strategy_period_keeps_cells AFTER UPDATE OF first_year, last_year ON initiatives_strategy
    FOR EACH ROW EXECUTE FUNCTION budgets_period_keeps_cells();
CREATE TRIGGER budgets_line_move_keeps_cells AFTER UPDATE OF strategy_id ON budgets_budgetline
    FOR EACH ROW EXECUTE FUNCTION budgets_period_keeps_cells();

-- Every change of what a cell holds counts as a save of it, whoever writes it: an edit in the admin or in SQL
-- must refuse a grid opened before it, as a save through the grid does. A writer that counts the version itself
-- (editing.services.save_grid) is left as it is.
CREATE OR REPLACE FUNCTION budgets_cell_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.kind, NEW.amount, NEW.text, NEW.remark, NEW.is_correction, NEW.line_id, NEW.year)
            IS DISTINCT FROM (OLD.kind, OLD.amount, OLD.text, OLD.remark, OLD.is_correction, OLD.line_id, OLD.year)
            AND NEW.version <= OLD.version THEN
        NEW.version := OLD.version + 1;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER budgets_cell_version BEFORE UPDATE ON budgets_allocation
    FOR EACH ROW EXECUTE FUNCTION budgets_cell_version();
"""

REVERSE_PERIOD = """
DROP TRIGGER budgets_cell_version ON budgets_allocation;
DROP FUNCTION budgets_cell_version();
DROP TRIGGER budgets_line_move_keeps_cells ON budgets_budgetline;
DROP TRIGGER initiatives_strategy_period_keeps_cells ON initiatives_strategy;
DROP FUNCTION budgets_period_keeps_cells();
DROP TRIGGER budgets_cells_updated_in_period ON budgets_allocation;
DROP TRIGGER budgets_cells_inserted_in_period ON budgets_allocation;
DROP FUNCTION budgets_cells_in_period();
"""


def _not_valid(name: str, condition: models.Q) -> migrations.SeparateDatabaseAndState:
    return migrations.SeparateDatabaseAndState(
        state_operations=[
            migrations.AddConstraint(
                model_name="allocation", constraint=models.CheckConstraint(condition=condition, name=name)
            )
        ],
        database_operations=[
            migrations.RunSQL(
                f"ALTER TABLE budgets_allocation ADD CONSTRAINT {name} CHECK ({NOT_VALID_CONSTRAINTS[name]}) NOT VALID",
                reverse_sql=f"ALTER TABLE budgets_allocation DROP CONSTRAINT {name}",
            )
        ],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("budgets", "0006_cell_remarks"),
        ("initiatives", "0003_retirement"),
    ]

    operations = [
        _not_valid(
            "allocation_amount_within_bounds",
            models.Q(
                ("amount__isnull", True),
                models.Q(("amount__gte", Decimal("-10000.0")), ("amount__lte", Decimal("10000.0"))),
                _connector="OR",
            ),
        ),
        _not_valid(
            "allocation_text_without_control_characters",
            models.Q(
                models.Q(("text__regex", "[\\u0001-\\u001f\\u007f]"), _negated=True),
                models.Q(("remark__regex", "[\\u0001-\\u001f\\u007f]"), _negated=True),
            ),
        ),
        _not_valid(
            "allocation_remark_has_words",
            models.Q(
                ("remark", ""),
                models.Q(("remark__regex", "^[[:space:][:digit:][:punct:]]+$"), _negated=True),
                _connector="OR",
            ),
        ),
        migrations.RunSQL(PERIOD, reverse_sql=REVERSE_PERIOD),
    ]
