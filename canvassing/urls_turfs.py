"""Canvassing pages: turfs (the list, cutting an area, a turf's map and walk list, print, edits)."""

from django.urls import path

from canvassing import views_turfs

P = "canvassing/turfs/"

urlpatterns: list = [
    path(P, views_turfs.turf_list, name="turfs"),
    path(P + "cut/", views_turfs.turf_cut, name="turf_cut"),
    path(P + "<uuid:code>/", views_turfs.turf_detail, name="turf_detail"),
    path(P + "<uuid:code>/print/", views_turfs.turf_print, name="turf_print"),
    path(P + "<uuid:code>/settings/", views_turfs.turf_settings, name="turf_settings"),
    path(P + "<uuid:code>/lock/", views_turfs.turf_lock, name="turf_lock"),
    path(P + "<uuid:code>/complete/", views_turfs.turf_complete, name="turf_complete"),
    path(P + "<uuid:code>/split/", views_turfs.turf_split, name="turf_split"),
    path(P + "<uuid:code>/merge/", views_turfs.turf_merge, name="turf_merge"),
    path(P + "<uuid:code>/move/", views_turfs.turf_move, name="turf_move"),
]
