from django.urls import path

from campaign import views

app_name = "campaign"

urlpatterns = [
    path("", views.campaign_home, name="home"),
    path("settings/", views.campaign_settings, name="settings"),
    path("members/", views.member_list, name="members"),
    path("members/<uuid:code>/role/", views.member_role, name="member_role"),
    path("members/<uuid:code>/remove/", views.member_remove, name="member_remove"),
    path("leave/", views.campaign_leave, name="leave"),
    path("invitations/", views.invitation_list, name="invitations"),
    path("invitations/<uuid:code>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("people/", views.person_list, name="people"),
    path("people/new/", views.person_edit, name="person_new"),
    path("people/<uuid:code>/", views.person_edit, name="person_edit"),
    path("audit/", views.audit_log, name="audit"),
    path("tokens/", views.token_list, name="tokens"),
    path("jobs/<uuid:code>/", views.job_detail, name="job"),
    path("tokens/<uuid:code>/revoke/", views.token_revoke, name="token_revoke"),
]
