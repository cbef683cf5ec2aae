from django.core.management.base import BaseCommand

from strategy_tracker.login import clean_login_records


class Command(BaseCommand):
    help = (
        "Delete the records of failed logins older than the lock's hour and of successful logins older than "
        "LOGIN_RECORD_DAYS (90). Run it daily."
    )

    def handle(self, *args, **options):
        removed = clean_login_records()
        self.stdout.write(
            f"Removed {removed['attempts']} records of failed logins and {removed['logins']} of successful logins."
        )
