"""status/fetch post ids stay exact 19-digit ints, as a list or a scalar (§4.7)."""

from __future__ import annotations

import json

import pytest

from autoposter.tiktok import PublishStatus, UnexpectedResponse, parse_post_ids

BIG = 7671932290360020237  # more digits than a float keeps


def test_a_list_of_19_digit_numbers_keeps_every_digit() -> None:
    data = json.loads(
        '{"status":"PUBLISH_COMPLETE","publicaly_available_post_id":[7671932290360020237]}'
    )
    assert PublishStatus.from_json(data).post_ids == (BIG,)


def test_a_scalar_is_accepted_as_one_id() -> None:
    assert parse_post_ids(json.loads("7671932290360020237")) == (BIG,)


def test_ids_given_as_strings_are_accepted() -> None:
    assert parse_post_ids(["7671932290360020237", " 12 "]) == (BIG, 12)
    assert parse_post_ids("7671932290360020237") == (BIG,)


def test_none_or_empty_means_no_post_yet() -> None:
    assert parse_post_ids(None) == ()
    assert parse_post_ids([]) == ()
    assert parse_post_ids("") == ()


def test_a_float_is_refused_because_it_has_already_lost_digits() -> None:
    with pytest.raises(UnexpectedResponse):
        parse_post_ids([7.671932290360020e18])


def test_the_status_exposes_the_failure_in_words() -> None:
    status = PublishStatus.from_json({"status": "FAILED", "fail_reason": "internal"})
    assert status.is_final
    assert status.failure is not None and status.failure.retryable
    assert PublishStatus.from_json({"status": "PROCESSING_UPLOAD"}).failure is None
