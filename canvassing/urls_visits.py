"""Canvassing pages: assignments, the doorstep (my turfs, walk screen, visit form) and the survey."""

from django.urls import path

from canvassing import views_assignments, views_survey, views_visits

P = "canvassing/"

urlpatterns: list = [
    path(P + "my/", views_visits.my_turfs, name="my_turfs"),
    path(P + "sw.js", views_visits.service_worker, name="service_worker"),
    path(P + "turfs/<uuid:code>/walk/", views_visits.turf_walk, name="turf_walk"),
    path(P + "turfs/<uuid:code>/floor-not-home/", views_visits.floor_not_home, name="floor_not_home"),
    path(P + "households/<uuid:code>/visit/", views_visits.visit_new, name="visit_new"),
    path(P + "assignments/", views_assignments.assignment_list, name="assignments"),
    path(P + "turfs/<uuid:code>/assign/", views_assignments.assignment_new, name="assignment_new"),
    path(
        P + "assignments/<uuid:code>/withdraw/", views_assignments.assignment_withdraw_view, name="assignment_withdraw"
    ),
    path(P + "assignments/<uuid:code>/done/", views_assignments.assignment_done_view, name="assignment_done"),
    path(P + "survey/", views_survey.survey, name="survey"),
    path(P + "survey/questions/new/", views_survey.question_new, name="question_new"),
    path(P + "survey/questions/<uuid:code>/", views_survey.question_edit, name="question_edit"),
    path(P + "survey/questions/<uuid:code>/move/", views_survey.question_move_view, name="question_move"),
    path(P + "survey/questions/<uuid:code>/active/", views_survey.question_active, name="question_active"),
    path(P + "survey/script/", views_survey.script_edit, name="script_edit"),
]
