from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns: list = [
    path("outbox/", views.outbox, name="outbox"),
    path("outbox/<uuid:code>/retry/", views.message_retry_view, name="message_retry"),
]
