"""The roles as Django groups: which permissions an editor, an approver and an administrator hold."""

from django.contrib.auth.management import create_permissions

EDITOR_GROUP = "Redaktør"
ADMINISTRATOR_GROUP = "Administrator"
# Approvers publish drafts (publication.services.publish); they see every change before it is public.
APPROVER_GROUP = "Godkender"

EDITOR_PERMISSIONS = [
    ("budgets", "allocation", ["add", "change", "delete", "view"]),
    ("budgets", "budgetline", ["change", "view"]),
    ("initiatives", "initiative", ["add", "change", "view"]),
    ("initiatives", "chapter", ["add", "change", "view"]),
    ("initiatives", "initiativelink", ["add", "change", "delete", "view"]),
    # The list of responsible authorities the tracking page offers (tracking.models.Authority).
    ("tracking", "authority", ["add", "change", "view"]),
]
APPROVER_PERMISSIONS = [
    ("publication", "publication", ["add", "view"]),
]
ADMINISTRATOR_PERMISSIONS = (
    EDITOR_PERMISSIONS
    + APPROVER_PERMISSIONS
    + [
        ("auth", "user", ["add", "change", "view"]),
        ("initiatives", "strategy", ["add", "change", "view"]),
        ("budgets", "fundingframe", ["add", "change", "view"]),
        ("budgets", "frameamount", ["add", "change", "delete", "view"]),
        ("editing", "strategyeditor", ["add", "change", "delete", "view"]),
    ]
)


def ensure_roles(apps) -> dict:
    """Create or complete both groups; ``apps`` is the app registry, or a migration's historical one."""
    for config in apps.get_app_configs():
        create_permissions(config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def exists(app_label, model) -> bool:
        # A migration's registry knows only the models made so far: a later migration completes the groups.
        try:
            apps.get_model(app_label, model)
        except LookupError:
            return False
        return True

    def permissions(spec):
        return [
            Permission.objects.get(content_type__app_label=app_label, codename=f"{action}_{model}")
            for app_label, model, actions in spec
            if exists(app_label, model)
            for action in actions
        ]

    groups = {}
    for name, spec in (
        (EDITOR_GROUP, EDITOR_PERMISSIONS),
        (APPROVER_GROUP, APPROVER_PERMISSIONS),
        (ADMINISTRATOR_GROUP, ADMINISTRATOR_PERMISSIONS),
    ):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(permissions(spec))
        groups[name] = group
    return groups


def complete_roles(apps, schema_editor) -> None:
    """A migration's step that completes the groups with the permissions of the models made so far."""
    # Historical app configs have no models module, which create_permissions needs to see their models.
    for config in apps.get_app_configs():
        config.models_module = True
    ensure_roles(apps)
    for config in apps.get_app_configs():
        config.models_module = None
