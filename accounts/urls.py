from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("language/", views.language_set, name="language"),
    path("profile/", views.profile, name="profile"),
]
