"""The kinds of bad row the source contract lists, by the reason code staging gives them.

The demo generator injects each kind; staging quarantines each with this code as its
reason; tests check that both sides agree. Codes are stable: BI dashboards group by them.
"""

from __future__ import annotations

PLATFORM_LAUNCH = "2015-01-01"
"""No valid timestamp is older than the platform."""

BAD_ROW_KINDS: dict[str, str] = {
    "null_key": "a key column is null",
    "duplicate_key": "the key appears more than once; the newest row is kept, the others rejected",
    "invalid_enum": "an enumerated column holds a value outside its set",
    "out_of_range": "a score outside 0-100, an NPS outside 0-10, a rating outside 1-5, "
    "a progress outside 0-100",
    "negative_value": "a negative duration or price, or an amount that is not > 0",
    "end_before_start": "an end time (ended_at, finished_at, completed_at, left_at, resolved_at) "
    "before its start",
    "future_timestamp": "a time after the row was written: occurred_at after received_at, "
    "or any timestamp after updated_at",
    "before_platform": f"a timestamp before the platform existed ({PLATFORM_LAUNCH})",
    "orphan_fk": "a foreign key with no row in the referenced table",
    "malformed_json": "JSON properties that are not a JSON object",
    "invalid_country": "a country code that is not two upper-case letters",
    "invalid_review_target": "a review that names neither or both of content_id and mentor_id",
}
