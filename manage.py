#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "strategy_tracker.settings")
    from django.core.management import execute_from_command_line

    from strategy_tracker.runtime import tune_garbage_collector

    tune_garbage_collector()
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
