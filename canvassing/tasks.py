"""Celery discovers only `<app>/tasks.py`: each canvassing part keeps its tasks in its own module and
imports them here."""

from canvassing.tasks_import import household_import_apply, household_import_validate
from canvassing.tasks_maps import map_version_apply_task
from canvassing.tasks_turfs import turfs_cut_task

__all__ = ["household_import_apply", "household_import_validate", "map_version_apply_task", "turfs_cut_task"]
