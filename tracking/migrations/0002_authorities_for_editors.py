from django.db import migrations


def complete_roles(apps, schema_editor):
    from editing.roles import ensure_roles

    # Historical app configs have no models module, which create_permissions needs to see their models.
    for config in apps.get_app_configs():
        config.models_module = True
    ensure_roles(apps)
    for config in apps.get_app_configs():
        config.models_module = None


class Migration(migrations.Migration):
    """Editors keep the list of responsible authorities (editing.roles.EDITOR_PERMISSIONS)."""

    dependencies = [
        ("tracking", "0001_progress_and_targets"),
        ("editing", "0002_roles"),
        ("publication", "0002_roles_and_first_versions"),
    ]

    operations = [migrations.RunPython(complete_roles, migrations.RunPython.noop)]
