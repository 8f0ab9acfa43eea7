"""Fundraising reports and their CSV exports under /c/<slug>/fundraising/reports/ (views_reports.py)."""

from django.urls import path

from fundraising import views_reports

app_name = "fundraising_reports"

urlpatterns: list = [
    path("fundraising/reports/", views_reports.reports, name="reports"),
    path("fundraising/reports/income.csv", views_reports.income_csv, name="income_csv"),
    path("fundraising/reports/disclosure.csv", views_reports.disclosure_csv, name="disclosure_csv"),
]
