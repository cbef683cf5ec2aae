from django.db import migrations

# A database from before versions existed: everything it held was public, so that becomes each strategy's version 1,
# dated now. (A new database has no strategies yet; loading the fixtures publishes theirs, dated by the sources.)
FIRST_VERSIONS = """
INSERT INTO publication_publication
    (strategy_id, number, published_at, precision, created_at, note, changed_cells, audit_position)
SELECT strategy.id, 1, now(), 'day', now(), 'Tallene, som de var offentliggjort, da versioner blev indført',
       (SELECT COUNT(*) FROM budgets_allocation cell JOIN budgets_budgetline line ON line.id = cell.line_id
        WHERE line.strategy_id = strategy.id),
       (SELECT COALESCE(MAX(pgh_id), 0) FROM budgets_allocationevent)
FROM initiatives_strategy strategy;

INSERT INTO publication_publishedcell
    (strategy_id, line_id, year, kind, amount, text, remark, is_correction, allocation_id, version, valid_from)
SELECT line.strategy_id, cell.line_id, cell.year, cell.kind, cell.amount, cell.text, cell.remark, cell.is_correction,
       cell.id, cell.version, 1
FROM budgets_allocation cell JOIN budgets_budgetline line ON line.id = cell.line_id;

INSERT INTO publication_publishedyearsum
    (publication_id, strategy_id, chapter_id, theme, year, amount, unknown, financed)
SELECT publication.id, sums.strategy_id, sums.chapter_id, sums.theme, sums.year, sums.amount, sums.unknown,
       sums.financed
FROM budgets_yearsum sums JOIN publication_publication publication ON publication.strategy_id = sums.strategy_id;
"""


def create_roles(apps, schema_editor):
    from editing.roles import ensure_roles

    # Historical app configs have no models module, which create_permissions needs to see their models.
    for config in apps.get_app_configs():
        config.models_module = True
    ensure_roles(apps)
    for config in apps.get_app_configs():
        config.models_module = None


class Migration(migrations.Migration):
    dependencies = [
        ("publication", "0001_initial"),
        ("editing", "0002_roles"),
        ("budgets", "0007_one_rule_for_every_cell"),
    ]

    operations = [
        migrations.RunPython(create_roles, migrations.RunPython.noop),
        migrations.RunSQL(FIRST_VERSIONS, migrations.RunSQL.noop),
    ]
