"""The serving and command processes collect garbage less often than Python's default, and skip what start-up loaded."""

import os
import subprocess
import sys

from django.conf import settings

from strategy_tracker.runtime import YOUNG_GENERATION_THRESHOLD


def run(*arguments) -> str:
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "strategy_tracker.settings"}
    return subprocess.run(
        [sys.executable, *arguments], cwd=settings.BASE_DIR, env=environment, capture_output=True, text=True, check=True
    ).stdout.strip()


class TestRuntime:
    def test_it_tunes_the_collector_of_the_wsgi_application(self):
        printed = run("-c", "import gc, strategy_tracker.wsgi; print(gc.get_threshold()[0], gc.get_freeze_count())")

        threshold, frozen = map(int, printed.split())
        assert threshold == YOUNG_GENERATION_THRESHOLD
        assert frozen > 10_000  # the modules, URLs and settings loaded at start-up

    def test_it_tunes_the_collector_of_management_commands(self):
        printed = run("manage.py", "shell", "--no-imports", "-c", "import gc; print(gc.get_threshold()[0])")

        assert printed == str(YOUNG_GENERATION_THRESHOLD)

    def test_it_leaves_a_plain_python_process_alone(self):
        assert run("-c", "import gc; print(gc.get_threshold()[0])") == "700"
