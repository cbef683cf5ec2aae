"""Who may publish: approvers ("Godkender"), administrators and superusers."""

from editing.roles import ADMINISTRATOR_GROUP, APPROVER_GROUP


def can_publish(user, strategy=None) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name__in=[APPROVER_GROUP, ADMINISTRATOR_GROUP]).exists()
