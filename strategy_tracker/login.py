"""Logging in: the forms, with the username's length checked before anyone tries to authenticate it, the client's
address behind the proxy, and password reset only where mail is set up."""

import functools

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.validators import MaxLengthValidator
from django.shortcuts import render


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


def client_address(request) -> str:
    """The address a login came from: behind nginx the one it read off the connection, else the connection's own.

    Behind the proxy every request comes from the proxy; login throttling per address needs the client's.
    """
    if settings.BEHIND_PROXY and request.META.get("HTTP_X_REAL_IP"):
        return request.META["HTTP_X_REAL_IP"]
    return request.META.get("REMOTE_ADDR", "")


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
