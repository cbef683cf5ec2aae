from django.db import migrations

from editing.roles import complete_roles


class Migration(migrations.Migration):
    """Editors keep the list of responsible authorities (editing.roles.EDITOR_PERMISSIONS)."""

    dependencies = [
        ("tracking", "0001_progress_and_targets"),
        ("editing", "0002_roles"),
        ("publication", "0002_roles_and_first_versions"),
    ]

    operations = [migrations.RunPython(complete_roles, migrations.RunPython.noop)]
