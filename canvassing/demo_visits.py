"""Demo data for the doorstep: three survey questions, the script in English and Chinese, a few turfs
assigned to the demo volunteers (the demo volunteer account among them, so a person trying the demo sees
a turf under "My turfs"), and a week of visits on some turfs. Nothing when no turf exists yet."""

import datetime as dt
import random
import uuid

from django.utils import timezone
from django_scopes import scope
from faker import Faker

from campaign.models import Campaign, Membership, Role
from canvassing.models import Assignment, Household, Script, SurveyQuestion, Turf, Visit
from canvassing.services_visits import VisitInput, visits_record_batch

DEMO_VOLUNTEER = "volunteer@demo.groundswell.test"

QUESTIONS = [
    ("yes_no", {"en": "Will you vote?", "zh-hans": "您会去投票吗？"}, []),
    ("scale", {"en": "How important is transport?", "zh-hans": "交通问题对您有多重要？"}, []),
    (
        "choice",
        {"en": "Top issue", "zh-hans": "最关心的问题"},
        [
            {"value": "housing", "label": {"en": "Housing", "zh-hans": "住房"}},
            {"value": "transport", "label": {"en": "Transport", "zh-hans": "交通"}},
            {"value": "elderly-care", "label": {"en": "Elderly care", "zh-hans": "安老服务"}},
            {"value": "jobs", "label": {"en": "Jobs", "zh-hans": "就业"}},
        ],
    ),
]
SCRIPTS = {
    "en": "Hello! I'm a volunteer for {candidate}, standing for {office}.\n\n"
    "- Ask what matters most on this street (transport, housing, care).\n"
    "- Listen first; note one thing they said.\n"
    "- Ask if they plan to vote on {date}, and whether we can count on their support.\n"
    "- Leave a leaflet and thank them.",
    "zh-hans": "您好！我是{candidate}的义工，{candidate}正参选{office}。\n\n"
    "- 请问这条街最需要改善的是什么（交通、住房、安老）？\n"
    "- 先聆听，记下对方提到的一件事。\n"
    "- 请问{date}会不会去投票，可否支持我们。\n"
    "- 留下单张并道谢。",
}


def seed(*, campaign: Campaign, scale: str, rng: random.Random, fake_zh: Faker, fake_en: Faker) -> None:
    with scope(campaign=campaign.pk):
        turfs = list(Turf.objects.filter(campaign=campaign).order_by("name"))
        if not turfs:
            return
        questions = []
        for position, (kind, prompt, choices) in enumerate(QUESTIONS, start=1):
            question, _created = SurveyQuestion.objects.get_or_create(
                campaign=campaign, position=position, defaults={"kind": kind, "prompt": prompt, "choices": choices}
            )
            questions.append(question)
        words = {"candidate": campaign.candidate_name, "office": campaign.office, "date": campaign.election_date}
        for language, body in SCRIPTS.items():
            Script.objects.update_or_create(
                campaign=campaign, language=language, defaults={"body": body.format(**words)}
            )
        volunteers = list(
            Membership.objects.filter(campaign=campaign, role=Role.VOLUNTEER).select_related("user").order_by("pk")
        )
        volunteers.sort(key=lambda m: m.user.email != DEMO_VOLUNTEER)  # the demo account first
        if not volunteers:
            return
        today = timezone.localdate(timezone=campaign.tzinfo)
        # The walks below began a week ago, but `seed_demo` made the campaign a moment ago, and visits
        # from before a campaign began are refused: the demo campaign began a month ago instead.
        began = timezone.now() - dt.timedelta(days=28)
        if campaign.created_at > began:
            Campaign.objects.filter(pk=campaign.pk).update(created_at=began)
            campaign.created_at = began
        assigned = []
        for index, turf in enumerate(turfs[: min(len(turfs), max(3, len(volunteers)))]):
            member = volunteers[index % len(volunteers)]
            assignment, _created = Assignment.objects.get_or_create(
                campaign=campaign,
                turf=turf,
                membership=member,
                status=Assignment.Status.ACTIVE,
                defaults={"due_on": today + dt.timedelta(days=rng.randint(2, 10))},
            )
            # Walks began a week ago, so the visits below count on them.
            Assignment.objects.filter(pk=assignment.pk).update(created_at=timezone.now() - dt.timedelta(days=8))
            assigned.append(assignment)
        # Visits in the past week on all but the first turf (the demo volunteer's is left to walk).
        for assignment in assigned[1:]:
            doors = list(Household.objects.filter(turf=assignment.turf, status="active").order_by("pk"))
            doors = doors[: len(doors) * 2 // 3]
            if not doors or Visit.objects.filter(turf=assignment.turf).exists():
                continue
            start = timezone.now() - dt.timedelta(days=rng.randint(1, 6), hours=rng.randint(1, 5))
            items = []
            for n, door in enumerate(doors):
                outcome = rng.choices(
                    ["contacted", "not_home", "come_back", "refused", "moved", "do_not_contact"], [40, 35, 10, 10, 3, 2]
                )[0]
                item = VisitInput(
                    code=uuid.uuid4(),
                    household=door.code,
                    outcome=outcome,
                    visited_at=start + dt.timedelta(minutes=2 * n, seconds=rng.randint(0, 90)),
                )
                if outcome == "contacted":
                    item.support_level = rng.randint(1, 5)
                    item.answers = {
                        str(questions[0].code): rng.choice(["yes", "no"]),
                        str(questions[1].code): rng.randint(1, 5),
                        str(questions[2].code): rng.choice([c["value"] for c in questions[2].choices]),
                    }
                items.append(item)
            if assignment is assigned[1] and len(items) > 1:
                # Two doors logged 15 s apart, so the coordinators' review queue has a visit to look at.
                items[1].visited_at = items[0].visited_at + dt.timedelta(seconds=15)
            for chunk in range(0, len(items), 100):
                results = visits_record_batch(
                    canvasser=assignment.membership,
                    items=items[chunk : chunk + 100],
                    acting_user=assignment.membership.user,
                )
                refused = [result.errors for result in results if result.errors]
                if refused:  # a demo with silently missing visits is worse than one that stops and says why
                    raise RuntimeError(f"Demo visits refused on {assignment.turf.name}: {refused[0]}")
