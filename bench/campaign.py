"""Campaign app figures: the campaign home page and the member APIs, beside their floors."""

import uuid
from typing import Any

from django.conf import settings
from django.db import connection

from accounts.models import User
from bench.timing import BenchError, compare_ms, count_queries, get_ok, median_ms, ms, ratio
from campaign.models import Membership

# Shown in the summary table; results.json holds only the figures.
GOALS = {"home_vs_floor": ("<=", 2)}


def _members_sql(campaign_id: int, limit: int) -> list[tuple]:
    """The members API's first page as one bare SELECT: memberships joined with their users."""
    membership, user = Membership._meta.db_table, User._meta.db_table
    sql = (
        f"SELECT m.code, m.role, m.created_at, u.code, u.email, u.display_name, u.language "
        f"FROM {membership} m JOIN {user} u ON u.id = m.user_id "
        f"WHERE m.campaign_id = %s ORDER BY u.email, m.id LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [campaign_id, limit])
        return cursor.fetchall()


def measure(ctx: Any) -> dict[str, Any]:
    small, large = ctx.data.small, ctx.data.large
    runs, warmup = ctx.runs, ctx.warmup
    out: dict[str, Any] = {}

    # Campaign home, signed in as the owner (who sees the team counts and recent activity).
    home = {d.label: f"/c/{d.campaign.slug}/" for d in (small, large)}
    floor_url = f"/c/{large.campaign.slug}/__floor__/"
    owner_small, owner_large = ctx.session_client(small.owner), ctx.session_client(large.owner)
    times = compare_ms(
        {
            "home": lambda: get_ok(owner_large, home["large"]),
            "floor": lambda: get_ok(owner_large, floor_url),
        },
        runs,
        warmup,
    )
    ours, floor = times["home"], times["floor"]
    out["home_ms"], out["floor_ms"] = ms(ours), ms(floor)
    out["home_vs_floor"] = ratio(ours, floor)
    out["home_queries_small"] = count_queries(lambda: get_ok(owner_small, home["small"]))
    out["home_queries_large"] = count_queries(lambda: get_ok(owner_large, home["large"]))

    # Member list API, first page, with the owner's API token.
    members = {d.label: f"/api/v1/c/{d.campaign.slug}/members/" for d in (small, large)}
    api_floor_url = f"/api/v1/c/{large.campaign.slug}/__floor__/"
    api_small, api_large = ctx.token_client(small.token_key), ctx.token_client(large.token_key)
    page_size = settings.REST_FRAMEWORK["PAGE_SIZE"]
    api_codes = [uuid.UUID(row["code"]) for row in get_ok(api_large, members["large"]).json()["results"]]
    sql_codes = [uuid.UUID(str(row[0])) for row in _members_sql(large.campaign.pk, page_size)]
    if api_codes != sql_codes:
        raise BenchError("the members API's first page and the bare SELECT return different rows")

    times = compare_ms(
        {
            "api": lambda: get_ok(api_large, members["large"]),
            "floor": lambda: get_ok(api_large, api_floor_url),
            "sql": lambda: _members_sql(large.campaign.pk, page_size),
        },
        runs,
        warmup,
    )
    ours, api_floor, sql = times["api"], times["floor"], times["sql"]
    out["members_api_ms"], out["api_floor_ms"], out["members_sql_ms"] = ms(ours), ms(api_floor), ms(sql)
    out["members_api_vs_floor"] = ratio(ours, api_floor)
    out["members_api_vs_sql"] = ratio(ours, sql)
    out["members_api_queries_small"] = count_queries(lambda: get_ok(api_small, members["small"]))
    out["members_api_queries_large"] = count_queries(lambda: get_ok(api_large, members["large"]))

    # The caller's own memberships (a token sees only the membership it belongs to).
    mine = "/api/v1/memberships/"
    out["my_memberships_api_ms"] = ms(median_ms(lambda: get_ok(api_large, mine), runs, warmup))
    out["my_memberships_api_queries"] = count_queries(lambda: get_ok(api_large, mine))
    return out
