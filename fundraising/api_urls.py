from django.urls import path

from fundraising import api

C = "c/<slug:campaign_slug>/"

urlpatterns = [
    path(C + "donations/", api.DonationList.as_view(), name="donation-list"),
    path(C + "donations/<uuid:code>/", api.DonationDetail.as_view(), name="donation-detail"),
    path(C + "donations/<uuid:code>/refund/", api.DonationRefund.as_view(), name="donation-refund"),
    path(C + "donations/<uuid:code>/correct/", api.DonationCorrect.as_view(), name="donation-correct"),
    path(C + "donations/<uuid:code>/review/", api.DonationReview.as_view(), name="donation-review"),
    path(C + "pledges/", api.PledgeList.as_view(), name="pledge-list"),
    path(C + "pledges/<uuid:code>/", api.PledgeDetail.as_view(), name="pledge-detail"),
    path(C + "expenses/", api.ExpenseList.as_view(), name="expense-list"),
    path(C + "expenses/<uuid:code>/", api.ExpenseDetail.as_view(), name="expense-detail"),
    path(C + "fundraising/progress/", api.Progress.as_view(), name="fundraising-progress"),
]
