import pytest

pytestmark = pytest.mark.django_db


class TestSourceDocument:
    def test_it_serves_a_source_document_as_utf8_text(self, client, sources_dir):
        response = client.get("/sources/faktaark-2021-udmoentning.txt")

        assert response.status_code == 200
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        assert b"".join(response.streaming_content) == (sources_dir / "faktaark-2021-udmoentning.txt").read_bytes()

    @pytest.mark.parametrize("name", ["..%2Fpyproject.toml", "nothing.txt", "settings.py", "%2Fetc%2Fpasswd"])
    def test_it_serves_nothing_outside_the_source_documents(self, client, name):
        assert client.get(f"/sources/{name}").status_code == 404
