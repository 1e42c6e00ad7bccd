"""Wire-format check of the stand-in with Anthropic's official Python SDK.

Run through scripts/python-sdk-test.sh, which starts the server and sets ANTHROPIC_BASE_URL and
ANTHROPIC_API_KEY. If the SDK parses every response and maps every error to the right exception
class, the stand-in is faithful enough for devteam's own client to be tested against it.
"""

import json
import os
import urllib.request

import anthropic
import pytest

BASE = os.environ["ANTHROPIC_BASE_URL"]
KEY = os.environ["ANTHROPIC_API_KEY"]
MODEL = "claude-sonnet-4-6"  # minimum cacheable prefix: 1024 tokens


def client(**kwargs):
    return anthropic.Anthropic(base_url=BASE, api_key=KEY, **kwargs)


def control(path, body=None):
    """Calls a /_standin/ endpoint: POST with a JSON body, or GET when body is None."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{BASE}/_standin/{path}", data=data, method="GET" if data is None else "POST")
    request.add_header("content-type", "application/json")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def ledger():
    return control("ledger")


def script(*rules):
    control("script", {"rules": list(rules)})


def system(tokens, ttl="5m"):
    """A system prompt of exactly `tokens` stand-in tokens (4 chars each), cached with `ttl`."""
    return [{"type": "text", "text": "s" * (tokens * 4), "cache_control": {"type": "ephemeral", "ttl": ttl}}]


def user(text):
    return [{"role": "user", "content": text}]


@pytest.fixture(autouse=True)
def fresh_server():
    control("reset", {})


def test_plain_create():
    message = client().messages.create(model=MODEL, max_tokens=100, messages=user("hello"))
    assert message.type == "message" and message.role == "assistant"
    assert message.content[0].type == "text" and message.content[0].text
    assert message.stop_reason == "end_turn"
    assert message.usage.input_tokens > 0 and message.usage.output_tokens > 0
    assert message._request_id.startswith("req_")


def test_caching_usage_fields_are_parsed():
    c = client()
    first = c.messages.create(model=MODEL, max_tokens=50, system=system(2000, "1h"), messages=user("a"))
    assert first.usage.cache_creation_input_tokens == 2000
    assert first.usage.cache_creation.ephemeral_1h_input_tokens == 2000
    assert first.usage.cache_creation.ephemeral_5m_input_tokens == 0
    assert first.usage.cache_read_input_tokens == 0
    second = c.messages.create(model=MODEL, max_tokens=50, system=system(2000, "1h"), messages=user("b"))
    assert second.usage.cache_read_input_tokens == 2000
    assert second.usage.cache_creation_input_tokens == 0
    counted = c.messages.count_tokens(model=MODEL, system=system(2000, "1h"), messages=user("b"))
    u = second.usage
    assert counted.input_tokens == u.input_tokens + u.cache_read_input_tokens + u.cache_creation_input_tokens


def test_count_tokens():
    counted = client().messages.count_tokens(model=MODEL, messages=user("x" * 400))
    assert counted.input_tokens == 100 + 3  # ceil(400 / 4) plus the per-message overhead
    assert ledger() == []  # free, never billed


def test_stream_helper_final_message_usage():
    with client().messages.stream(model=MODEL, max_tokens=200, messages=user("stream it")) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    billed = ledger()[-1]
    assert billed["stream"] is True
    assert final.content[0].text == text
    assert final.stop_reason == "end_turn"
    assert final.usage.output_tokens == billed["usage"]["output_tokens"]


def test_raw_stream_message_deltas_are_cumulative():
    events = list(client().messages.create(model=MODEL, max_tokens=200, messages=user("go"), stream=True))
    kinds = [e.type for e in events]
    assert kinds[0] == "message_start" and kinds[-1] == "message_stop"
    outputs = [e.usage.output_tokens for e in events if e.type == "message_delta"]
    assert len(outputs) >= 2 and outputs == sorted(outputs)
    assert outputs[-1] == ledger()[-1]["usage"]["output_tokens"]


def test_batches_create_retrieve_results():
    c = client()
    params = {"model": MODEL, "max_tokens": 50, "messages": user("batched")}
    bad = {"model": "claude-nonexistent", "max_tokens": 50, "messages": user("x")}
    batch = c.messages.batches.create(
        requests=[{"custom_id": "ok-1", "params": params}, {"custom_id": "bad-1", "params": bad}]
    )
    assert batch.processing_status == "in_progress" and batch.request_counts.processing == 2
    control("clock", {"advance_secs": 3600})
    batch = c.messages.batches.retrieve(batch.id)
    assert batch.processing_status == "ended" and batch.ended_at is not None
    assert (batch.request_counts.succeeded, batch.request_counts.errored) == (1, 1)
    results = {r.custom_id: r.result for r in c.messages.batches.results(batch.id)}
    assert results["ok-1"].type == "succeeded"
    assert results["ok-1"].message.usage.service_tier == "batch"
    assert results["bad-1"].type == "errored"
    assert results["bad-1"].error.error.type == "not_found_error"
    assert [e["price_multiplier"] for e in ledger()] == [0.5]


def test_rate_limit_maps_to_rate_limit_error():
    script({"fault": {"kind": "rate_limit", "retry_after_secs": 1}})
    with pytest.raises(anthropic.RateLimitError) as caught:
        client(max_retries=0).messages.create(model=MODEL, max_tokens=10, messages=user("x"))
    assert caught.value.status_code == 429
    assert caught.value.response.headers["retry-after"] == "1"
    assert caught.value.body["error"]["type"] == "rate_limit_error"


def test_spend_cap_is_not_retried():
    script({"fault": {"kind": "spend_cap"}})
    with pytest.raises(anthropic.RateLimitError) as caught:
        client(max_retries=2).messages.create(model=MODEL, max_tokens=10, messages=user("x"))
    assert "retry-after" not in caught.value.response.headers
    # SDKs that know the error code raise the dedicated subclass of RateLimitError.
    enforced = getattr(anthropic, "EnforcedSpendLimitReachedError", None)
    if enforced is not None:
        assert isinstance(caught.value, enforced)
    assert len(control("requests")) == 1  # x-should-retry: false stops the SDK's retries


def test_overloaded_529_is_an_api_status_error_and_is_retried():
    script({"fault": {"kind": "overloaded"}, "times": "once"})
    with pytest.raises(anthropic.APIStatusError) as caught:
        client(max_retries=0).messages.create(model=MODEL, max_tokens=10, messages=user("x"))
    assert caught.value.status_code == 529
    script({"fault": {"kind": "overloaded"}, "times": "once"})
    message = client(max_retries=2).messages.create(model=MODEL, max_tokens=10, messages=user("x"))
    assert message.stop_reason == "end_turn"


def test_other_errors_map_to_their_classes():
    with pytest.raises(anthropic.AuthenticationError):
        anthropic.Anthropic(base_url=BASE, api_key="wrong-key").messages.create(
            model=MODEL, max_tokens=10, messages=user("x")
        )
    with pytest.raises(anthropic.NotFoundError):
        client().messages.create(model="claude-nonexistent", max_tokens=10, messages=user("x"))
    too_many = [{"type": "text", "text": f"b{i}", "cache_control": {"type": "ephemeral"}} for i in range(5)]
    with pytest.raises(anthropic.BadRequestError):
        client().messages.create(model=MODEL, max_tokens=10, messages=[{"role": "user", "content": too_many}])
    # anthropic 2.x dropped `temperature` from create's signature, so it goes in as an extra field.
    with pytest.raises(anthropic.BadRequestError):
        client().messages.create(
            model="claude-opus-4-7", max_tokens=10, messages=user("x"), extra_body={"temperature": 0.2}
        )


def test_dropped_connection_and_mid_stream_error():
    script({"fault": {"kind": "drop_connection"}, "times": "once"})
    with pytest.raises(anthropic.APIConnectionError):
        client(max_retries=0).messages.create(model=MODEL, max_tokens=10, messages=user("x"))
    script({"fault": {"kind": "stream_error"}, "times": "once"})
    with pytest.raises(anthropic.APIStatusError) as caught:
        with client(max_retries=0).messages.stream(model=MODEL, max_tokens=100, messages=user("x")) as stream:
            for _ in stream:
                pass
    assert "overloaded" in str(caught.value).lower()


def test_refusal_and_max_tokens_stop_reasons():
    script({"match": {"user_contains": "refuse"}, "fault": {"kind": "refusal"}}, {"fault": {"kind": "max_tokens"}})
    assert client().messages.create(model=MODEL, max_tokens=10, messages=user("refuse")).stop_reason == "refusal"
    capped = client().messages.create(model=MODEL, max_tokens=10, messages=user("x"))
    assert (capped.stop_reason, capped.usage.output_tokens) == ("max_tokens", 10)
