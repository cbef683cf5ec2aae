from django.db import migrations

EDITOR_PERMISSIONS = [
    ("budgets", "allocation", ["add", "change", "delete", "view"]),
    ("budgets", "budgetline", ["change", "view"]),
    ("initiatives", "initiative", ["add", "change", "view"]),
    ("initiatives", "chapter", ["add", "change", "view"]),
    ("initiatives", "initiativelink", ["add", "change", "delete", "view"]),
]
ADMINISTRATOR_EXTRA = [
    ("auth", "user", ["add", "change", "view"]),
    ("initiatives", "strategy", ["add", "change", "view"]),
    ("budgets", "fundingframe", ["add", "change", "view"]),
    ("budgets", "frameamount", ["add", "change", "delete", "view"]),
    ("editing", "strategyeditor", ["add", "change", "delete", "view"]),
]


def create_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for config in apps.get_app_configs():
        config.models_module = True
        create_permissions(config, apps=apps, verbosity=0)
        config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def permissions(spec):
        for app_label, model, actions in spec:
            for action in actions:
                yield Permission.objects.get(content_type__app_label=app_label, codename=f"{action}_{model}")

    editor, _ = Group.objects.get_or_create(name="Redaktør")
    editor.permissions.set(list(permissions(EDITOR_PERMISSIONS)))
    administrator, _ = Group.objects.get_or_create(name="Administrator")
    administrator.permissions.set(list(permissions(EDITOR_PERMISSIONS + ADMINISTRATOR_EXTRA)))


class Migration(migrations.Migration):
    dependencies = [
        ("editing", "0001_initial"),
        ("budgets", "0002_allocationevent_budgetlineevent_frameamountevent_and_more"),
        ("initiatives", "0002_chapterevent_initiativeevent_initiativelinkevent_and_more"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
