from django.urls import path

from volunteers import api

C = "c/<slug:campaign_slug>/"

urlpatterns = [
    path(C + "skills/", api.SkillList.as_view(), name="skill-list"),
    path(C + "volunteers/", api.VolunteerList.as_view(), name="volunteer-list"),
    path(C + "volunteers/me/", api.MyVolunteer.as_view(), name="volunteer-me"),
    path(C + "volunteers/me/signups/", api.MySignupList.as_view(), name="volunteer-me-signups"),
    path(C + "volunteers/<uuid:code>/", api.VolunteerDetail.as_view(), name="volunteer-detail"),
    path(C + "shifts/", api.ShiftList.as_view(), name="shift-list"),
    path(C + "shifts/<uuid:code>/", api.ShiftDetail.as_view(), name="shift-detail"),
    path(C + "shifts/<uuid:code>/signups/", api.ShiftSignupList.as_view(), name="shift-signups"),
    path(C + "shifts/<uuid:code>/check-in/", api.ShiftCheckIn.as_view(), name="shift-check-in"),
    path(C + "signups/<uuid:code>/", api.SignupDetail.as_view(), name="signup-detail"),
    path(C + "signups/<uuid:code>/attendance/", api.SignupAttendance.as_view(), name="signup-attendance"),
    path(C + "signups/<uuid:code>/hours/", api.SignupHours.as_view(), name="signup-hours"),
]
