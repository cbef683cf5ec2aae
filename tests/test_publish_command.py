"""manage.py publish: the publish page's service, for scripts and the ministry's release routine."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from editing.services import grant_approver
from publication.models import Publication
from tests.test_publication import save

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(make_editor):
    editor, approver = make_editor("redaktoer", "2021"), make_editor("godkender")
    grant_approver(approver)
    save(editor, "26", 2022, "17,0")
    return editor, approver


class TestPublishCommand:
    def test_it_publishes_and_says_so_in_one_line(self, draft, capsys):
        call_command("publish", "2021", "--note", "Finanslov 2026", "--by", "godkender")

        out = capsys.readouterr().out
        assert out.count("\n") == 1 and "Strategi 2021 version 2 (1 celle ændret)" in out
        assert Publication.objects.get(strategy__slug="2021", number=2).approved_by.username == "godkender"

    def test_it_schedules_a_publication(self, draft):
        when = (timezone.localtime() + timedelta(days=2)).replace(second=0, microsecond=0)

        call_command(
            "publish", "2021", "--note", "Senere", "--by", "godkender", "--at", when.strftime("%Y-%m-%d %H:%M")
        )

        assert Publication.objects.get(strategy__slug="2021", number=2).published_at == when

    @pytest.mark.parametrize(
        "arguments, message",
        [
            (["2019", "--note", "x", "--by", "godkender"], "Ingen strategi"),
            (["2021", "--note", "x", "--by", "nobody"], "ingen bruger"),
            (["2021", "--note", "x", "--by", "redaktoer"], "godkender"),
            (["2021", "--note", "", "--by", "godkender"], "Skriv en offentlig note"),
            (["2021", "--note", "x", "--by", "godkender", "--at", "i morgen"], "ÅÅÅÅ-MM-DD TT:MM"),
        ],
    )
    def test_it_fails_with_a_message_and_publishes_nothing(self, draft, arguments, message):
        with pytest.raises(CommandError, match=message):
            call_command("publish", *arguments)
        assert not Publication.objects.filter(strategy__slug="2021", number=2).exists()

    def test_it_keeps_the_four_eyes_rule(self, draft):
        _editor, approver = draft
        save(approver, "27", 2022, "17,0")

        with pytest.raises(CommandError, match="en anden godkender"):
            call_command("publish", "2021", "--note", "x", "--by", "godkender")
