"""Nominations pages under /c/<slug>/nominations/."""

from django.urls import path

from nominations import views

app_name = "nominations"

N = "nominations/"

urlpatterns = [
    path(N, views.drives, name="drives"),
    path(N + "new/", views.drive_new, name="drive_new"),
    path(N + "recheck/", views.recheck, name="recheck"),
    path(N + "fell-out/", views.fell_out, name="fell_out"),
    path(N + "<uuid:code>/", views.drive_detail, name="drive_detail"),
    path(N + "<uuid:code>/edit/", views.drive_edit, name="drive_edit"),
    path(N + "<uuid:code>/sheets/", views.sheets, name="sheets"),
    path(N + "<uuid:code>/signatures/", views.signatures, name="signatures"),
    path(N + "<uuid:code>/households/", views.household_search, name="household_search"),
    path(N + "<uuid:code>/export.csv", views.export_csv, name="export_csv"),
    path(N + "sheets/<uuid:code>/", views.sheet_detail, name="sheet_detail"),
    path(N + "sheets/<uuid:code>/checkout/", views.sheet_checkout, name="sheet_checkout"),
    path(N + "sheets/<uuid:code>/return/", views.sheet_return, name="sheet_return"),
    path(N + "sheets/<uuid:code>/print/", views.sheet_print, name="sheet_print"),
    path(N + "signatures/<uuid:code>/review/", views.signature_review, name="signature_review"),
    path(N + "signatures/<uuid:code>/signature.png", views.signature_image, name="signature_image"),
    path(N + "door/<uuid:household>/", views.sign_at_door, name="sign_at_door"),
]
