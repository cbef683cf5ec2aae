"""Settings for the app when a test runs it as a server process of its own (tests/live_app.py).

As deployed, bar two things the tests leave out, as conftest.py does for the in-process tests.
"""

from strategy_tracker.settings import *  # noqa: F403
from strategy_tracker.settings import STORAGES

# Production serves the hashed files of collectstatic, which the tests do not run.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_USE_FINDERS = True
STATIC_ROOT = None
# What these tests measure is saving, not logging in: PBKDF2's deliberate slowness would take most of their time.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
