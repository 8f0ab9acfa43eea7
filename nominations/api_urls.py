"""Nominations under /api/v1/c/<slug>/."""

from django.urls import path

from nominations import api

C = "c/<slug:campaign_slug>/nominations/"

urlpatterns = [
    path(C + "drives/", api.DriveList.as_view(), name="nomination-drive-list"),
    path(C + "drives/<uuid:code>/", api.DriveDetail.as_view(), name="nomination-drive-detail"),
    path(C + "drives/<uuid:code>/progress/", api.DriveProgress.as_view(), name="nomination-drive-progress"),
    path(C + "drives/<uuid:code>/sheets/", api.SheetList.as_view(), name="nomination-sheet-list"),
    path(C + "sheets/<uuid:code>/", api.SheetDetail.as_view(), name="nomination-sheet-detail"),
    path(C + "signatures/", api.SignatureList.as_view(), name="nomination-signature-list"),
    path(C + "signatures/<uuid:code>/", api.SignatureDetail.as_view(), name="nomination-signature-detail"),
    path(C + "signatures/<uuid:code>/review/", api.SignatureReview.as_view(), name="nomination-signature-review"),
]
