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
