"""Logging in: the forms, with the username's length checked before anyone tries to authenticate it, the client's
address behind the proxy, throttling per address and per account, and password reset only where mail is set up."""

import functools
import ipaddress
import logging
from datetime import timedelta

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.mail import send_mail
from django.core.validators import MaxLengthValidator
from django.db.models import Sum
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

logger = logging.getLogger(__name__)


class _UsernameLengthChecked:
    """Django's login form shows the username's maximum length but does not check it, so a longer name went on to
    django-axes, whose record of the failed login cannot hold it: a 500 instead of a message."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        username.validators.append(MaxLengthValidator(username.max_length))


class LoginForm(_UsernameLengthChecked, AuthenticationForm):
    pass


class AdminLoginForm(_UsernameLengthChecked, AdminAuthenticationForm):
    pass


def client_address(request) -> str | None:
    """The address a login came from: behind nginx the one it read off the connection (X-Real-IP, which it sets
    whatever the client sent), else the connection's own; None where there is no valid one.

    Behind the proxy every request comes from the proxy; login throttling per address needs the client's.
    """
    candidates = [request.META.get("REMOTE_ADDR", "")]
    if settings.BEHIND_PROXY:
        candidates.insert(0, request.META.get("HTTP_X_REAL_IP", ""))
    for candidate in candidates:
        try:
            return str(ipaddress.ip_address(candidate.strip()))
        except ValueError:
            continue
    return None


class AccountAndAddressHandler(AxesDatabaseHandler):
    """django-axes' lock of a user at one address (after AXES_FAILURE_LIMIT wrong passwords), and a lock of the
    account itself after ACCOUNT_FAILURE_LIMIT wrong passwords from all addresses together within the cool-off:
    150 guesses spread over 30 addresses, five each, got through the first alone.

    The account lock does not hold at an address the owner has logged in from before, so whoever locks it does
    not lock its owner out; and no lock is ever by address alone, so one address cannot lock out everyone behind
    the same proxy. When the account lock starts, its owner is told by mail.
    """

    def is_locked(self, request, credentials=None) -> bool:
        return super().is_locked(request, credentials) or self._account_locked(request, credentials)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is None or getattr(request, "axes_locked_out", False):
            return
        username = get_client_username(request, credentials)
        # Failures refused by a lock are not recorded, so the count passes the limit once per lock.
        if username and self._account_failures(request, username) == settings.ACCOUNT_FAILURE_LIMIT:
            notify_owner_of_lock(username, self._account_attempts(request, username))
        if self._account_locked(request, credentials):
            request.axes_locked_out = True
            request.axes_credentials = credentials

    def _account_attempts(self, request, username):
        return AccessAttempt.objects.filter(username=username, attempt_time__gte=get_cool_off_threshold(request))

    def _account_failures(self, request, username) -> int:
        failures = self._account_attempts(request, username).aggregate(failures=Sum("failures_since_start"))
        return failures["failures"] or 0

    def _account_locked(self, request, credentials) -> bool:
        username = get_client_username(request, credentials)
        if not username or self._account_failures(request, username) < settings.ACCOUNT_FAILURE_LIMIT:
            return False
        known = AccessLog.objects.filter(
            username=username,
            ip_address=request.axes_ip_address,
            attempt_time__gte=timezone.now() - timedelta(days=settings.LOGIN_RECORD_DAYS),
        )
        return not known.exists()


def notify_owner_of_lock(username: str, attempts) -> None:
    """Mail the owner of the account that it is locked, from how many addresses, and what to do."""
    user = get_user_model().objects.filter(username=username).exclude(email="").first()
    if user is None:
        return
    addresses = sorted({str(attempt.ip_address) for attempt in attempts})
    shown = ", ".join(addresses[:20]) + (" …" if len(addresses) > 20 else "")
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Strategy Tracker: your account is locked after too many wrong passwords")
        body = "\n\n".join(
            [
                _("Dear %(name)s,") % {"name": user.get_username()},
                ngettext(
                    "Someone typed a wrong password for your account in Strategy Tracker %(failures)d times within "
                    "the hour, from %(count)d address: %(addresses)s.",
                    "Someone typed a wrong password for your account in Strategy Tracker %(failures)d times within "
                    "the hour, from %(count)d addresses: %(addresses)s.",
                    len(addresses),
                )
                % {"failures": settings.ACCOUNT_FAILURE_LIMIT, "count": len(addresses), "addresses": shown},
                _(
                    "Logging in to your account is blocked for an hour from every address you have not logged in "
                    "from before; from those you have, you log in as usual."
                ),
                _("If it was not you, tell an administrator: someone may be trying to guess your password."),
            ]
        )
    try:
        send_mail(subject, body, None, [user.email])
    except Exception:  # a mail server that is away must not turn a refused login into an error page
        logger.exception("Could not tell %s that their account is locked", username)


def clean_login_records() -> dict[str, int]:
    """Delete what django-axes recorded that no lock needs any more: attempts from before the cool-off (django-axes
    itself removes them only when another login fails) and successful logins older than LOGIN_RECORD_DAYS. Each
    unknown username tried adds a row of a few kilobytes; `manage.py clean_logins` runs this, daily from cron."""
    attempts, _ = AccessAttempt.objects.filter(attempt_time__lt=timezone.now() - get_cool_off()).delete()
    logins, _ = AccessLog.objects.filter(
        attempt_time__lt=timezone.now() - timedelta(days=settings.LOGIN_RECORD_DAYS)
    ).delete()
    return {"attempts": attempts, "logins": logins}


class Login(LoginView):
    authentication_form = LoginForm

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "password_reset": settings.PASSWORD_RESET}


def only_with_mail(view):
    """A page of password reset, which mails a link: without a mail server (EMAIL_HOST) it would say a mail went
    out when none did, so it answers 404 with a page saying to ask an administrator instead."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not settings.PASSWORD_RESET:
            return render(request, "registration/password_reset_off.html", status=404)
        return view(request, *args, **kwargs)

    return wrapper
