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
