"""Members' pages under /c/<slug>/. Public pages are in public_urls.py (/p/<slug>/)."""


app_name = "volunteers"

urlpatterns: list = [
    # roster (views_roster.py)
    # shifts, check-in and attendance (views_shifts.py); a volunteer's own shifts (views_my.py)
]
