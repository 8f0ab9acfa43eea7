"""Demo data for canvassing, in the order a campaign builds it: households, the map, turfs, then visits.

Each part lives in canvassing/demo_<part>.py with the same `seed()` signature as every app's demo.py.
"""

import random
from importlib import import_module

from faker import Faker

from campaign.models import Campaign

PARTS = ["households", "maps", "turfs", "visits"]


def seed(*, campaign: Campaign, scale: str, rng: random.Random, fake_zh: Faker, fake_en: Faker) -> None:
    for part in PARTS:
        try:
            module = import_module(f"canvassing.demo_{part}")
        except ModuleNotFoundError:
            continue
        module.seed(campaign=campaign, scale=scale, rng=rng, fake_zh=fake_zh, fake_en=fake_en)
