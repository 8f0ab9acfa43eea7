from django.urls import path

from campaign import api

urlpatterns = [
    path("me/", api.MeView.as_view(), name="me"),
    path("memberships/", api.MyMembershipList.as_view(), name="my-memberships"),
    path("c/<slug:campaign_slug>/", api.CampaignDetail.as_view(), name="campaign-detail"),
    path("c/<slug:campaign_slug>/members/", api.MemberList.as_view(), name="member-list"),
    path("c/<slug:campaign_slug>/members/<uuid:code>/", api.MemberDetail.as_view(), name="member-detail"),
    path("c/<slug:campaign_slug>/invitations/", api.InvitationList.as_view(), name="invitation-list"),
    path("c/<slug:campaign_slug>/invitations/<uuid:code>/", api.InvitationDetail.as_view(), name="invitation-detail"),
    path("c/<slug:campaign_slug>/people/", api.PersonList.as_view(), name="person-list"),
    path("c/<slug:campaign_slug>/people/<uuid:code>/", api.PersonDetail.as_view(), name="person-detail"),
]
