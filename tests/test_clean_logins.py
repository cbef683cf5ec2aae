"""`manage.py clean_logins`: the tables django-axes fills grew by a row of a few kilobytes per unknown username
tried, and were never emptied."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessLog
from django.core.management import call_command
from django.utils import timezone

pytestmark = pytest.mark.django_db


def record(model, username, age, **fields):
    row = model.objects.create(username=username, ip_address="192.0.2.1", user_agent="test", **fields)
    model.objects.filter(pk=row.pk).update(attempt_time=timezone.now() - age)


def test_it_removes_failed_logins_past_the_lock_and_logins_past_ninety_days(client, capsys):
    attempt = {"get_data": "", "post_data": "", "failures_since_start": 1}
    for number in range(50):
        record(AccessAttempt, f"ukendt-{number}", timedelta(hours=2), **attempt)
    record(AccessAttempt, "karin", timedelta(minutes=10), **attempt)
    record(AccessLog, "karin", timedelta(days=91))
    record(AccessLog, "karin", timedelta(days=30))

    call_command("clean_logins")

    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["karin"]
    assert AccessLog.objects.count() == 1
    assert capsys.readouterr().out == "Removed 50 records of failed logins and 1 of successful logins.\n"
