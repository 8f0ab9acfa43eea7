"""Canvassing pages: households and the household file import."""

from django.urls import path

from canvassing import views_households as households
from canvassing import views_imports as imports

H = "canvassing/households/"
I = "canvassing/imports/"  # noqa: E741

urlpatterns: list = [
    path(H, households.household_list, name="households"),
    path(H + "new/", households.household_edit, name="household_new"),
    path(H + "door/", households.household_door, name="household_door"),
    path(H + "review/", households.household_review, name="household_review"),
    path(H + "<uuid:code>/", households.household_detail, name="household_detail"),
    path(H + "<uuid:code>/edit/", households.household_edit, name="household_edit"),
    path(H + "<uuid:code>/status/", households.household_status, name="household_status"),
    path(H + "<uuid:code>/residents/", households.household_resident_add, name="household_resident_add"),
    path(H + "<uuid:code>/accept/", households.household_accept, name="household_accept"),
    path(H + "<uuid:code>/merge/", households.household_merge, name="household_merge"),
    path(H + "<uuid:code>/delete/", households.household_delete, name="household_delete"),
    path(I, imports.import_list, name="imports"),
    path(I + "<uuid:code>/", imports.import_detail, name="import_detail"),
    path(I + "<uuid:code>/apply/", imports.import_apply, name="import_apply"),
    path(I + "<uuid:code>/discard/", imports.import_discard, name="import_discard"),
]
