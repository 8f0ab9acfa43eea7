import datetime as dt

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import User
from campaign.models import Campaign, Membership, Person, Role

faker_zh = factory.Faker._get_faker("zh_CN")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    display_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def verified(self, create: bool, extracted: bool | None, **kwargs) -> None:
        if create and extracted is not False:
            self.save()
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class CampaignFactory(DjangoModelFactory):
    class Meta:
        model = Campaign

    slug = factory.Sequence(lambda n: f"campaign-{n}")
    name = factory.Sequence(lambda n: f"Campaign {n}")
    candidate_name = factory.Faker("name")
    office = "District Council"
    district = factory.Faker("city")
    election_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=90))
    time_zone = "Asia/Hong_Kong"


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    campaign = factory.SubFactory(CampaignFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.VOLUNTEER


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    campaign = factory.SubFactory(CampaignFactory)
    given_name = factory.LazyFunction(faker_zh.first_name)
    family_name = factory.LazyFunction(faker_zh.last_name)
    email = factory.Sequence(lambda n: f"contact{n}@example.test")
    phone = factory.Sequence(lambda n: f"+8529{n:07d}")
