from django.db import migrations


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
        ("editing", "0001_initial"),
        ("budgets", "0002_allocationevent_budgetlineevent_frameamountevent_and_more"),
        ("initiatives", "0002_chapterevent_initiativeevent_initiativelinkevent_and_more"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
