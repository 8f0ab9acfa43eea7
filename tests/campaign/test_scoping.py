"""Every campaign-owned model must refuse to be queried outside a campaign scope."""

import pytest
from django.apps import apps
from django_scopes import ScopeError

from campaign.models import Campaign


def campaign_owned_models():
    for model in apps.get_models():
        fields = {f.name: f for f in model._meta.get_fields() if getattr(f, "many_to_one", False)}
        if "campaign" in fields and fields["campaign"].related_model is Campaign:
            yield model


def test_there_are_campaign_owned_models():
    assert len(list(campaign_owned_models())) >= 6


@pytest.mark.parametrize("model", list(campaign_owned_models()), ids=lambda m: m._meta.label)
def test_default_manager_is_scoped(model, db):
    with pytest.raises(ScopeError):
        list(model._default_manager.all())
    with pytest.raises(ScopeError):
        list(model.objects.all())


@pytest.mark.parametrize(
    "model", [m for m in apps.get_models() if m._meta.app_label in {"campaign"}], ids=lambda m: m._meta.label
)
def test_every_model_of_ours_other_than_campaign_has_a_campaign(model):
    if model is Campaign:
        return
    assert model in list(campaign_owned_models()), f"{model._meta.label} has no direct campaign foreign key"
