"""Canvassing API: assignments, visits (and the offline sync), survey questions and scripts."""

from django.urls import path

from canvassing import api_visits

C = "c/<slug:campaign_slug>/"

urlpatterns: list = [
    path(C + "assignments/", api_visits.AssignmentList.as_view(), name="assignment-list"),
    path(C + "assignments/<uuid:code>/", api_visits.AssignmentDetail.as_view(), name="assignment-detail"),
    path(C + "assignments/<uuid:code>/withdraw/", api_visits.AssignmentWithdraw.as_view(), name="assignment-withdraw"),
    path(C + "assignments/<uuid:code>/done/", api_visits.AssignmentDone.as_view(), name="assignment-done"),
    path(C + "visits/", api_visits.VisitList.as_view(), name="visit-list"),
    path(C + "visits/sync/", api_visits.VisitSync.as_view(), name="visit-sync"),
    path(C + "survey-questions/", api_visits.SurveyQuestionList.as_view(), name="survey-question-list"),
    path(C + "survey-questions/<uuid:code>/", api_visits.SurveyQuestionDetail.as_view(), name="survey-question-detail"),
    path(C + "scripts/", api_visits.ScriptList.as_view(), name="script-list"),
]
