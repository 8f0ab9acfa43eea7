"""Inventory pages under /c/<slug>/inventory/."""

from django.urls import path

from inventory import views

app_name = "inventory"

urlpatterns: list = [
    path("inventory/", views.home, name="home"),
    path("inventory/items/new/", views.item_new, name="item_new"),
    path("inventory/items/<uuid:code>/", views.item_detail, name="item_detail"),
    path("inventory/items/<uuid:code>/edit/", views.item_edit, name="item_edit"),
    path("inventory/items/<uuid:code>/delete/", views.item_delete, name="item_delete"),
    path("inventory/items/<uuid:code>/variants/new/", views.variant_new, name="variant_new"),
    path("inventory/variants/<uuid:code>/edit/", views.variant_edit, name="variant_edit"),
    path("inventory/variants/<uuid:code>/delete/", views.variant_delete, name="variant_delete"),
    path("inventory/places/", views.location_list, name="locations"),
    path("inventory/places/new/", views.location_new, name="location_new"),
    path("inventory/places/<uuid:code>/", views.location_detail, name="location_detail"),
    path("inventory/places/<uuid:code>/edit/", views.location_edit, name="location_edit"),
    path("inventory/places/<uuid:code>/archive/", views.location_archive, name="location_archive"),
    path("inventory/on-hand/", views.on_hand, name="on_hand"),
    path("inventory/on-hand.csv", views.on_hand_csv, name="on_hand_csv"),
    # One page per kind of movement, each its own fixed path.
    path("inventory/receive/", views.movement_new, {"kind": "received"}, name="receive"),
    path("inventory/issue/", views.movement_new, {"kind": "issued"}, name="issue"),
    path("inventory/return/", views.movement_new, {"kind": "returned"}, name="return"),
    path("inventory/transfer/", views.movement_new, {"kind": "transferred"}, name="transfer"),
    path("inventory/give/", views.movement_new, {"kind": "given"}, name="give"),
    path("inventory/write-off/", views.movement_new, {"kind": "written_off"}, name="write_off"),
    path("inventory/adjust/", views.movement_new, {"kind": "adjusted"}, name="adjust"),
    path("inventory/count/", views.stock_count, name="stock_count"),
    path("inventory/ledger/", views.ledger, name="ledger"),
    path("inventory/ledger.csv", views.ledger_csv, name="ledger_csv"),
    path("inventory/tshirts/", views.tshirts, name="tshirts"),
    path("inventory/shortfalls/", views.shortfall_list, name="shortfalls"),
    path("inventory/shortfalls/<uuid:code>/resolve/", views.shortfall_resolve, name="shortfall_resolve"),
    path("inventory/my-bag/", views.my_bag, name="my_bag"),
]
