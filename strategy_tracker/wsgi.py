import os

from django.core.wsgi import get_wsgi_application

from strategy_tracker.runtime import freeze_loaded_objects, tune_garbage_collector

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "strategy_tracker.settings")
tune_garbage_collector()
application = get_wsgi_application()
freeze_loaded_objects()
