import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


class TestDeployCheck:
    def test_it_reports_no_issue_with_production_settings(self):
        environment = {
            name: value for name, value in os.environ.items() if not name.startswith(("DJANGO_", "SECRET_KEY", "DEBUG"))
        }
        alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!@#%^&*(-_=+)"
        environment |= {
            "DEBUG": "0",
            "SECRET_KEY": "".join(secrets.choice(alphabet) for _ in range(50)),
            "ALLOWED_HOSTS": "example.org",
        }

        result = subprocess.run(
            [sys.executable, "manage.py", "check", "--deploy"],
            cwd=settings.BASE_DIR,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
        )

        assert result.returncode == 0, result.stdout + result.stderr
        assert "System check identified no issues (0 silenced)." in result.stdout


class TestHeaders:
    def test_it_sends_a_content_security_policy_without_inline_scripts(self, client):
        policy = client.get("/strategies/2021/")["Content-Security-Policy"]

        directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
        assert directives["script-src"] == "'self'"
        assert directives["frame-ancestors"] == "'none'"
        assert directives["object-src"] == "'none'"

    def test_it_sends_hsts_and_frame_and_referrer_headers_over_https(self, client, settings):
        settings.SECURE_HSTS_SECONDS = 31536000
        response = client.get("/", secure=True)

        assert response["Strict-Transport-Security"].startswith("max-age=31536000")
        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Content-Type-Options"] == "nosniff"

    def test_it_redirects_plain_http_to_https_in_production(self, client, settings):
        settings.SECURE_SSL_REDIRECT = True

        response = client.get("/strategies/2021/")

        assert response.status_code == 301
        assert response["Location"] == "https://testserver/strategies/2021/"
        assert client.get("/health/").status_code == 200


class TestHealth:
    def test_it_says_the_database_answers(self, client):
        response = client.get("/health/")

        assert response.status_code == 200
        assert response.json() == {"status": "ok", "database": "ok"}
        assert "no-cache" in response["Cache-Control"]
