"""Inventory under /api/v1/c/<slug>/inventory/."""

from django.urls import path

from inventory import api

C = "c/<slug:campaign_slug>/inventory/"

urlpatterns: list = [
    path(C + "items/", api.ItemList.as_view(), name="inventory-item-list"),
    path(C + "items/<uuid:code>/", api.ItemDetail.as_view(), name="inventory-item-detail"),
    path(C + "variants/", api.VariantList.as_view(), name="inventory-variant-list"),
    path(C + "variants/<uuid:code>/", api.VariantDetail.as_view(), name="inventory-variant-detail"),
    path(C + "locations/", api.LocationList.as_view(), name="inventory-location-list"),
    path(C + "locations/<uuid:code>/", api.LocationDetail.as_view(), name="inventory-location-detail"),
    path(C + "movements/", api.MovementList.as_view(), name="inventory-movement-list"),
    path(C + "on-hand/", api.OnHandList.as_view(), name="inventory-on-hand"),
    path(C + "my-bag/", api.MyBag.as_view(), name="inventory-my-bag"),
]
