"""Members' pages under /c/<slug>/. Public pages are in public_urls.py (/p/<slug>/)."""

from django.urls import path

from volunteers import views_my, views_roster, views_settings, views_shifts

app_name = "volunteers"

urlpatterns: list = [
    # roster (views_roster.py)
    path("volunteers/", views_roster.roster, name="roster"),
    path("volunteers/new/", views_roster.volunteer_edit, name="volunteer_new"),
    path("volunteers/bulk/", views_roster.roster_bulk, name="roster_bulk"),
    path("volunteers/duplicates/", views_roster.duplicates, name="duplicates"),
    path("volunteers/merge/", views_roster.merge, name="merge"),
    path("volunteers/import/", views_roster.import_upload, name="import"),
    path("volunteers/import/<uuid:batch>/", views_roster.import_preview, name="import_preview"),
    path("volunteers/export.csv", views_roster.export_csv, name="export_csv"),
    path("volunteers/export.xlsx", views_roster.export_xlsx, name="export_xlsx"),
    path("volunteers/<uuid:code>/", views_roster.volunteer_detail, name="volunteer_detail"),
    path("volunteers/<uuid:code>/edit/", views_roster.volunteer_edit, name="volunteer_edit"),
    path("volunteers/<uuid:code>/notes/", views_roster.volunteer_note_add, name="note_add"),
    # shifts, check-in and attendance (views_shifts.py); a volunteer's own shifts (views_my.py)
    path("shifts/", views_shifts.shift_list, name="shifts"),
    path("shifts/new/", views_shifts.shift_new, name="shift_new"),
    path("shifts/<uuid:code>/", views_shifts.shift_detail, name="shift_detail"),
    path("shifts/<uuid:code>/edit/", views_shifts.shift_edit, name="shift_edit"),
    path("shifts/<uuid:code>/cancel/", views_shifts.shift_cancel_view, name="shift_cancel"),
    path("shifts/<uuid:code>/poster/", views_shifts.shift_poster, name="shift_poster"),
    path("shifts/<uuid:code>/checkin/", views_shifts.shift_checkin, name="shift_checkin"),
    path("shifts/<uuid:code>/signup/", views_my.shift_signup, name="shift_signup"),
    path("shifts/signups/<uuid:code>/attendance/", views_shifts.signup_attendance, name="signup_attendance"),
    path("shifts/signups/<uuid:code>/hours/", views_shifts.signup_hours, name="signup_hours"),
    path("shifts/signups/<uuid:code>/remove/", views_shifts.signup_remove, name="signup_remove"),
    path("my/shifts/", views_my.my_shifts, name="my_shifts"),
    path("my/signups/<uuid:code>/cancel/", views_my.my_signup_cancel, name="my_signup_cancel"),
    path("my/feed/reset/", views_my.my_feed_reset, name="my_feed_reset"),
    path("volunteers/settings/", views_settings.volunteer_settings, name="settings"),
    path("volunteers/settings/skills/", views_settings.skill_add, name="skill_add"),
    path("volunteers/settings/skills/<uuid:code>/", views_settings.skill_edit, name="skill_edit"),
    path("volunteers/settings/skills/<uuid:code>/remove/", views_settings.skill_delete, name="skill_remove"),
]
