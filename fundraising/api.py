"""/api/v1/c/<slug>/: donations, pledges, expenses and the goal's progress. Owners and coordinators only.

Volunteers get 403 (a FundraisingGrant opens the pages, not the API); non-members 404. Every write goes
through fundraising.services, so the law's limits, gapless receipts, thank-you messages and the audit
are the same as on the pages. A refused write is a 400 naming the field, and nothing is changed.
"""

import datetime as dt
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db import IntegrityError, transaction
from django.db.models import DecimalField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from campaign.models import Person, Role
from fundraising import selectors, services
from fundraising.models import Donation, Expense, Pledge
from fundraising.serializers import (
    CorrectSerializer,
    DonationCreateSerializer,
    DonationSerializer,
    ExpenseSerializer,
    PledgeSerializer,
    ProgressSerializer,
    RefundSerializer,
    ReviewSerializer,
)
from volunteers.api import VolunteersAPIMixin, service_errors


class FundraisingAPIMixin(VolunteersAPIMixin):
    read_role = Role.COORDINATOR
    write_role = Role.COORDINATOR

    def donations(self) -> QuerySet[Donation]:
        return Donation.objects.filter(campaign=self.campaign).select_related("donor", "original", "pledge")

    def donation(self) -> Donation:
        return get_object_or_404(self.donations(), code=self.kwargs["code"])

    def pledges(self) -> QuerySet[Pledge]:
        """With `paid_total`: accepted payments less their refunds and corrections (as
        services.pledge_paid_total), in one subquery."""
        paid = (
            Donation.objects.filter(
                Q(pledge=OuterRef("pk")) | Q(original__pledge=OuterRef("pk")), status=Donation.Status.ACCEPTED
            )
            .order_by()
            .values("campaign")
            .annotate(total=Sum("amount"))
            .values("total")
        )
        money = DecimalField(max_digits=12, decimal_places=2)
        return (
            Pledge.objects.filter(campaign=self.campaign)
            .select_related("donor")
            .annotate(
                paid_total=Coalesce(Subquery(paid, output_field=money), Value(Decimal("0.00")), output_field=money)
            )
        )


def _date_param(request: Request, name: str) -> dt.date | None:
    raw = request.query_params.get(name)
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise exceptions.ValidationError({name: ["Enter a date as YYYY-MM-DD."]}) from None


def _plain(value: Any) -> Any:
    """The summary's numbers as JSON: Decimals as strings with two places, dates as ISO strings."""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


# Donations

DONATION_FILTERS = [
    OpenApiParameter("status", OpenApiTypes.STR, enum=Donation.Status.values),
    OpenApiParameter("kind", OpenApiTypes.STR, enum=Donation.Kind.values),
    OpenApiParameter("method", OpenApiTypes.STR, enum=Donation.Method.values),
    OpenApiParameter("donor", OpenApiTypes.UUID, description="A person code: that donor's entries."),
    OpenApiParameter("start", OpenApiTypes.DATE, description="Received on or after."),
    OpenApiParameter("end", OpenApiTypes.DATE, description="Received on or before."),
    OpenApiParameter("appeal", OpenApiTypes.STR, description="Event or appeal, exactly."),
]


class DonationList(FundraisingAPIMixin, generics.ListAPIView):
    serializer_class = DonationSerializer

    def get_queryset(self) -> QuerySet[Donation]:
        donations = self.donations()
        params = self.request.query_params
        for name, choices in (
            ("status", Donation.Status.values),
            ("kind", Donation.Kind.values),
            ("method", Donation.Method.values),
        ):
            value = params.get(name)
            if value:
                if value not in choices:
                    raise exceptions.ValidationError({name: [f"Choose one of {', '.join(choices)}."]})
                donations = donations.filter(**{name: value})
        donor = params.get("donor")
        if donor:
            try:
                donations = donations.filter(donor__code=UUID(donor))
            except ValueError:
                raise exceptions.ValidationError({"donor": ["Not a valid code."]}) from None
        start, end = _date_param(self.request, "start"), _date_param(self.request, "end")
        if start:
            donations = donations.filter(received_on__gte=start)
        if end:
            donations = donations.filter(received_on__lte=end)
        if params.get("appeal"):
            donations = donations.filter(appeal=params["appeal"])
        return donations

    @extend_schema(parameters=DONATION_FILTERS)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The donations ledger, newest first: donations, refunds (negative) and corrections."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=DonationCreateSerializer,
        responses={
            201: OpenApiResponse(DonationSerializer, description="Recorded (accepted, or held for review)."),
            200: OpenApiResponse(DonationSerializer, description="This client_uuid was recorded before: that one."),
        },
    )
    def post(self, request: Request, campaign_slug: str) -> Response:
        """Record a donation within the campaign's limits. An accepted donation with a donor gets the next
        receipt number and a thank-you email. Over a limit it is refused (400) or, if the campaign says
        so, held for review (`status` "held", `review_reason`).

        Safe to retry: the same `client_uuid` again changes nothing and answers 200 with the first."""
        serializer = DonationCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        client_uuid = values.get("client_uuid")
        if client_uuid is not None:
            first = self.donations().filter(client_uuid=client_uuid).first()
            if first is not None:
                return Response(DonationSerializer(first).data)
        new_donor = values.pop("new_donor", None)
        try:
            with service_errors(), transaction.atomic():
                donor: Person | None = values.pop("donor", None)
                if new_donor:
                    donor = services.donor_find_or_create(
                        campaign=self.campaign, acting_user=self.membership.user, **new_donor
                    )
                donation = services.donation_record(
                    campaign=self.campaign, acting_user=self.membership.user, donor=donor, **values
                )
        except IntegrityError:
            # The same client_uuid twice at once: the other request won.
            first = self.donations().filter(client_uuid=client_uuid).first() if client_uuid else None
            if first is None:
                raise
            return Response(DonationSerializer(first).data)
        return Response(DonationSerializer(self.donations().get(pk=donation.pk)).data, status=status.HTTP_201_CREATED)


class DonationDetail(FundraisingAPIMixin, generics.GenericAPIView):
    serializer_class = DonationSerializer

    def get(self, request: Request, campaign_slug: str, code: UUID) -> Response:
        return Response(DonationSerializer(self.donation()).data)


class DonationRefund(FundraisingAPIMixin, generics.GenericAPIView):
    serializer_class = RefundSerializer

    @extend_schema(request=RefundSerializer, responses={201: DonationSerializer})
    def post(self, request: Request, campaign_slug: str, code: UUID) -> Response:
        """Refund part or all of a donation: a new entry with a negative amount, linked to the original.
        More than what is left of the donation is refused."""
        original = self.donation()
        serializer = RefundSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            refund = services.donation_refund(
                original=original, acting_user=self.membership.user, **serializer.validated_data
            )
        return Response(DonationSerializer(self.donations().get(pk=refund.pk)).data, status=status.HTTP_201_CREATED)


class DonationCorrect(FundraisingAPIMixin, generics.GenericAPIView):
    serializer_class = CorrectSerializer

    @extend_schema(request=CorrectSerializer, responses={201: DonationSerializer})
    def post(self, request: Request, campaign_slug: str, code: UUID) -> Response:
        """Correct a donation's amount by `delta`: a new entry linked to the original, saying why."""
        original = self.donation()
        serializer = CorrectSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            correction = services.donation_correct(
                original=original, acting_user=self.membership.user, **serializer.validated_data
            )
        return Response(DonationSerializer(self.donations().get(pk=correction.pk)).data, status=status.HTTP_201_CREATED)


class DonationReview(FundraisingAPIMixin, generics.GenericAPIView):
    serializer_class = ReviewSerializer

    @extend_schema(request=ReviewSerializer, responses=DonationSerializer)
    def post(self, request: Request, campaign_slug: str, code: UUID) -> Response:
        """A held donation: approve it (accepted, with a receipt) or reject it."""
        donation = self.donation()
        serializer = ReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            services.donation_review(donation=donation, acting_user=self.membership.user, **serializer.validated_data)
        return Response(DonationSerializer(self.donation()).data)


# Pledges


class PledgeList(FundraisingAPIMixin, generics.ListCreateAPIView):
    serializer_class = PledgeSerializer

    def get_queryset(self) -> QuerySet[Pledge]:
        pledges = self.pledges()
        wanted = self.request.query_params.get("status")
        if wanted:
            if wanted not in Pledge.Status.values:
                raise exceptions.ValidationError({"status": [f"Choose one of {', '.join(Pledge.Status.values)}."]})
            pledges = pledges.filter(status=wanted)
        return pledges

    @extend_schema(parameters=[OpenApiParameter("status", OpenApiTypes.STR, enum=Pledge.Status.values)])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Pledges, soonest due first, with what has been paid towards each."""
        return super().get(request, *args, **kwargs)

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """A pledge; the donor is reminded through the outbox before it is due."""
        return super().post(request, *args, **kwargs)

    def perform_create(self, serializer: PledgeSerializer) -> None:  # type: ignore[override]
        with service_errors():
            pledge = services.pledge_create(
                campaign=self.campaign, acting_user=self.membership.user, **serializer.validated_data
            )
        serializer.instance = self.pledges().get(pk=pledge.pk)


class PledgeDetail(FundraisingAPIMixin, generics.GenericAPIView):
    serializer_class = PledgeSerializer

    def get_object(self) -> Pledge:
        return get_object_or_404(self.pledges(), code=self.kwargs["code"])

    def get(self, request: Request, campaign_slug: str, code: UUID) -> Response:
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, campaign_slug: str, code: UUID) -> Response:
        """Cancel the pledge (it stays, cancelled; no more reminders)."""
        pledge = self.get_object()
        with service_errors():
            services.pledge_cancel(pledge=pledge, acting_user=self.membership.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# Expenses


class ExpenseList(FundraisingAPIMixin, generics.ListCreateAPIView):
    serializer_class = ExpenseSerializer

    def get_queryset(self) -> QuerySet[Expense]:
        expenses = Expense.objects.filter(campaign=self.campaign)
        category = self.request.query_params.get("category")
        if category:
            if category not in Expense.Category.values:
                raise exceptions.ValidationError({"category": [f"Choose one of {', '.join(Expense.Category.values)}."]})
            expenses = expenses.filter(category=category)
        start, end = _date_param(self.request, "start"), _date_param(self.request, "end")
        if start:
            expenses = expenses.filter(spent_on__gte=start)
        if end:
            expenses = expenses.filter(spent_on__lte=end)
        return expenses

    @extend_schema(
        parameters=[
            OpenApiParameter("category", OpenApiTypes.STR, enum=Expense.Category.values),
            OpenApiParameter("start", OpenApiTypes.DATE, description="Spent on or after."),
            OpenApiParameter("end", OpenApiTypes.DATE, description="Spent on or before."),
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """An expense; send multipart/form-data to attach the receipt (`receipt_file`)."""
        return super().post(request, *args, **kwargs)

    def perform_create(self, serializer: ExpenseSerializer) -> None:  # type: ignore[override]
        values = dict(serializer.validated_data)
        with service_errors():
            serializer.instance = services.expense_record(
                campaign=self.campaign,
                acting_user=self.membership.user,
                receipt_file=values.pop("receipt_file", None),
                **values,
            )


class ExpenseDetail(FundraisingAPIMixin, generics.GenericAPIView):
    serializer_class = ExpenseSerializer

    def get(self, request: Request, campaign_slug: str, code: UUID) -> Response:
        expense = get_object_or_404(Expense.objects.filter(campaign=self.campaign), code=self.kwargs["code"])
        return Response(ExpenseSerializer(expense).data)


# Progress


class Progress(FundraisingAPIMixin, generics.GenericAPIView):
    serializer_class = ProgressSerializer

    def get(self, request: Request, campaign_slug: str) -> Response:
        """Raised so far, number of donors, average gift, by method and by week, and the goal.
        Money is a string with two decimals, in `currency`."""
        summary = _plain(selectors.summary(self.campaign))
        return Response({"currency": self.campaign.currency, **summary})
