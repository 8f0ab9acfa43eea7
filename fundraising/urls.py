"""Fundraising pages under /c/<slug>/fundraising/ (views.py, views_donations.py)."""

from django.urls import path

from fundraising import views, views_donations

app_name = "fundraising"

urlpatterns: list = [
    path("fundraising/", views.summary, name="summary"),
    path("fundraising/donations/", views_donations.donation_list, name="donations"),
    path("fundraising/donations/new/", views_donations.donation_new, name="donation_new"),
    path("fundraising/donations/<uuid:code>/", views_donations.donation_detail, name="donation_detail"),
    path("fundraising/donations/<uuid:code>/refund/", views_donations.donation_refund_view, name="donation_refund"),
    path("fundraising/donations/<uuid:code>/correct/", views_donations.donation_correct_view, name="donation_correct"),
    path("fundraising/donations/<uuid:code>/review/", views_donations.donation_review_view, name="donation_review"),
    path("fundraising/donations/<uuid:code>/receipt/", views_donations.donation_receipt, name="donation_receipt"),
    path(
        "fundraising/donations/<uuid:code>/receipt/reissue/",
        views_donations.donation_receipt_reissue,
        name="receipt_reissue",
    ),
    path("fundraising/pledges/", views.pledge_list, name="pledges"),
    path("fundraising/pledges/new/", views.pledge_new, name="pledge_new"),
    path("fundraising/pledges/<uuid:code>/cancel/", views.pledge_cancel_view, name="pledge_cancel"),
    path("fundraising/expenses/", views.expense_list, name="expenses"),
    path("fundraising/expenses/new/", views.expense_new, name="expense_new"),
    path("fundraising/expenses/<uuid:code>/", views.expense_detail, name="expense_detail"),
    path("fundraising/expenses/<uuid:code>/receipt/", views.expense_receipt, name="expense_receipt"),
    path("fundraising/settings/", views.fundraising_settings, name="settings"),
]
