"""schemathesis, a client nobody here wrote, calls every operation of the live OpenAPI description with data it
makes up from it, valid and not, and checks each answer against the description: 0 failures."""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, assume, given, settings
from schemathesis.generation.modes import GenerationMode

from strategy_tracker.wsgi import application

pytestmark = pytest.mark.django_db

# Bounded: each operation gets this many made-up requests of each kind, the same ones every run.
EXAMPLES = 12


@pytest.fixture
def api_schema():
    """The description read through the app as any client reads it. The app keeps the test's database connection
    between requests, as Django's test client has it do: closing it would end the test's transaction."""
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    finally:
        for signal in (signals.request_started, signals.request_finished):
            signal.connect(close_old_connections)


def within_rules_openapi_cannot_state(query: dict) -> bool:
    """Rules between parameters, which OpenAPI 3.0 has no way to state: ?version= names a version of the strategy
    that ?strategy= names, and a range of years does not run backwards. The API answers 400 to the rest."""
    if query.get("version") is not None and not query.get("strategy"):
        return False
    first, last = query.get("year_from"), query.get("year_to")
    return not (isinstance(first, int) and isinstance(last, int) and first > last)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_operation_answers_as_it_is_described(api_schema, mode):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    failures = []
    for operation in operations:
        if mode is GenerationMode.NEGATIVE and not list(operation.iter_parameters()):
            continue  # a file with no parameters (the package, the catalogue) has no request to make invalid

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
        def call(case):
            assume(within_rules_openapi_cannot_state(case.query or {}))
            case.call_and_validate()

        try:
            call()
        except Exception as failure:  # every operation's failures, not only the first operation's
            failures.append(f"{operation.method.upper()} {operation.path}: {failure}")

    assert len(operations) >= 11
    assert not failures, "\n\n".join(failures)
