import uuid

import pytest
from django.core.signing import BadSignature
from hypothesis import given
from hypothesis import strategies as st

from campaign.tokens import LENGTH, make_token, read_token


@given(code=st.uuids(), letter=st.sampled_from("abcxyz019"))
def test_a_token_reads_back_as_what_it_was_made_of(code, letter):
    token = make_token(salt="s", code=code, letter=letter)
    assert len(token) == LENGTH and read_token(salt="s", token=token) == (code, letter)


@given(code=st.uuids(), position=st.integers(min_value=0, max_value=LENGTH - 1), char=st.sampled_from("AbZ09-_"))
def test_any_changed_character_is_refused(code, position, char):
    token = make_token(salt="s", code=code, letter="a")
    forged = token[:position] + char + token[position + 1 :]
    if forged != token:
        with pytest.raises(BadSignature):
            read_token(salt="s", token=forged)


def test_a_token_of_another_purpose_or_malformed_is_refused():
    token = make_token(salt="opt-out", code=uuid.uuid4(), letter="e")
    for bad in (token[:-1], token + "A", "", "x" * LENGTH):
        with pytest.raises(BadSignature):
            read_token(salt="opt-out", token=bad)
    with pytest.raises(BadSignature):
        read_token(salt="signup-action", token=token)
