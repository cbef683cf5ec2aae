import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"


@pytest.fixture
def user():
    return get_user_model().objects.create_user("karin", "karin@example.org", PASSWORD)


def attempt(client, password):
    return client.post("/accounts/login/", {"username": "karin", "password": password})


class TestLogin:
    def test_it_logs_in_with_the_right_password(self, client, user):
        response = attempt(client, PASSWORD)

        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(user.pk)

    def test_it_refuses_the_sixth_wrong_password_in_a_row_and_then_even_the_right_one(self, client, user):
        for _ in range(5):
            assert attempt(client, "forkert").status_code == 200

        sixth = attempt(client, "forkert")
        locked = attempt(client, PASSWORD)

        assert sixth.status_code == 429
        assert locked.status_code == 429
        assert "For mange mislykkede login" in locked.content.decode()
        assert "_auth_user_id" not in client.session

    def test_it_logs_out_only_by_post(self, client, user):
        client.force_login(user)
        assert client.get("/accounts/logout/").status_code == 405
        assert client.post("/accounts/logout/").status_code == 302

    @pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
    def test_it_refuses_a_username_longer_than_any_with_a_message(self, client, url):
        response = client.post(url, {"username": "x" * 10_000, "password": PASSWORD})

        assert response.status_code == 200
        assert "Denne værdi må højst have 150 tegn" in response.content.decode()
        assert "_auth_user_id" not in client.session


class TestPasswordReset:
    """Password reset mails a link. Without a mail server it answered "mail sent" and sent nothing (the error only in
    the log): it is off until EMAIL_HOST is set, and says so."""

    @pytest.mark.parametrize(
        "url", ["/accounts/password_reset/", "/accounts/password_reset/done/", "/accounts/reset/MQ/x-y/"]
    )
    def test_it_is_off_without_a_mail_server_and_says_whom_to_ask(self, client, user, url):
        response = client.get(url)

        assert response.status_code == 404
        assert "Bed en administrator om at sætte en for dig." in response.content.decode()
        assert "Glemt din adgangskode?" not in client.get("/accounts/login/").content.decode()

    def test_it_sends_nothing_when_asked_without_a_mail_server(self, client, user):
        from django.core import mail

        response = client.post("/accounts/password_reset/", {"email": "karin@example.org"})

        assert response.status_code == 404
        assert mail.outbox == []

    def test_it_mails_a_link_that_sets_a_new_password_where_mail_is_set_up(self, client, user, settings):
        from django.core import mail

        settings.PASSWORD_RESET = True
        assert "Glemt din adgangskode?" in client.get("/accounts/login/").content.decode()

        assert client.post("/accounts/password_reset/", {"email": "karin@example.org"}).status_code == 302
        [sent] = mail.outbox
        link = next(line for line in sent.body.splitlines() if "/accounts/reset/" in line).strip()
        form = client.get(link.replace("http://testserver", ""), follow=True)
        new = "en-helt-ny-og-lang-adgangskode"
        done = client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})

        assert done.status_code == 302
        user.refresh_from_db()
        assert user.check_password(new)


def attempt_from(client, address, password, username="karin", **headers):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address, **headers)


class TestAccountLimit:
    """150 wrong passwords from 30 addresses, five each, all went through the lock per user and address."""

    def test_it_locks_the_account_after_twenty_wrong_passwords_from_many_addresses_and_tells_its_owner(
        self, client, user
    ):
        from django.core import mail

        answers = [attempt_from(client, f"10.0.{n // 5}.{n % 5 + 1}", "forkert").status_code for n in range(150)]
        right = attempt_from(client, "10.9.9.9", PASSWORD)

        assert answers[:19] == [200] * 19
        assert set(answers[19:]) == {429}
        assert right.status_code == 429
        assert "_auth_user_id" not in client.session
        [notice] = mail.outbox
        assert notice.to == ["karin@example.org"]
        assert "20 gange" in notice.body and "fra 20 adresser" in notice.body and "10.0.3.5" in notice.body

    def test_it_lets_the_owner_in_from_an_address_they_logged_in_from_before(self, client, user):
        assert attempt_from(client, "192.0.2.10", PASSWORD).status_code == 302
        client.post("/accounts/logout/")
        for n in range(20):
            attempt_from(client, f"10.1.{n}.1", "forkert")

        assert attempt_from(client, "10.1.99.1", PASSWORD).status_code == 429
        assert attempt_from(client, "192.0.2.10", PASSWORD).status_code == 302

    def test_it_never_locks_an_address_for_everyone_behind_it(self, client, user):
        for name in ("alma", "bent", "carl", "dora"):
            for _ in range(6):
                attempt_from(client, "198.51.100.7", "forkert", username=name)

        assert attempt_from(client, "198.51.100.7", PASSWORD).status_code == 302

    def test_it_takes_the_clients_address_from_the_proxy_and_not_from_the_client(self, client, user, settings):
        from axes.models import AccessAttempt

        settings.BEHIND_PROXY = True
        attempt_from(client, "127.0.0.1", "forkert", HTTP_X_REAL_IP="203.0.113.5")
        attempt_from(client, "127.0.0.1", "forkert", HTTP_X_REAL_IP="not an address")

        assert sorted(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["127.0.0.1", "203.0.113.5"]
