from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from campaign import views_entry
from config.health import healthz

api_v1 = [
    path("", include("campaign.api_urls")),
    path("", include("volunteers.api_urls")),
    path("", include("fundraising.api_urls")),
    path("", include("canvassing.api_urls")),
    path("", include("inventory.api_urls")),
    path("", include("nominations.api_urls")),
    path("", include("reports.api_urls")),
    path("schema/", SpectacularAPIView.as_view(api_version="v1"), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]

urlpatterns = [
    path("", views_entry.home, name="home"),
    path("campaigns/new/", views_entry.campaign_create, name="campaign_create"),
    path("invitations/<str:token>/", views_entry.invitation_accept, name="invitation_accept"),
    path("c/<slug:campaign_slug>/", include("campaign.urls")),
    path("c/<slug:campaign_slug>/", include("volunteers.urls")),
    path("c/<slug:campaign_slug>/", include("fundraising.urls")),
    path("c/<slug:campaign_slug>/", include("fundraising.reports_urls")),
    path("c/<slug:campaign_slug>/", include("notifications.urls")),
    path("c/<slug:campaign_slug>/", include("canvassing.urls")),
    path("c/<slug:campaign_slug>/", include("inventory.urls")),
    path("c/<slug:campaign_slug>/", include("nominations.urls")),
    path("c/<slug:campaign_slug>/", include("reports.urls")),
    path("p/<slug:campaign_slug>/", include("volunteers.public_urls")),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", include((api_v1, "api"))),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
]
