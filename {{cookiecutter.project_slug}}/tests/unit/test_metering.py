"""What a run consumed: counted from callbacks, priced, logged once."""

import logging

import pytest
from langchain_core.messages import AIMessage, HumanMessage
from langchain_core.outputs import ChatGeneration, LLMResult

from {{ cookiecutter.package_name }}.observability.metering import Metering, RunMeter
from {{ cookiecutter.package_name }}.settings import ModelPrice, Settings

from ..fakes.scripted_model import ScriptedChatModel

METERING_LOGGER = "{{ cookiecutter.package_name }}.metering"
PRICE = ModelPrice(input_usd_per_million=0.5, output_usd_per_million=3.0)


def model_reply(input_tokens: int, output_tokens: int) -> LLMResult:
    message = AIMessage(
        "hi",
        usage_metadata={
            "input_tokens": input_tokens,
            "output_tokens": output_tokens,
            "total_tokens": input_tokens + output_tokens,
        },
    )
    return LLMResult(generations=[[ChatGeneration(message=message)]])


def metering(price: ModelPrice | None = PRICE, *, inputs: bool = False) -> Metering:
    return Metering(
        model="gemini-test",
        prompt_version="system/v1@abc",
        price=price,
        log_user_inputs=inputs,
    )


def finished_meter() -> RunMeter:
    meter = RunMeter()
    for tokens in ((100, 10), (300, 40)):
        meter.on_chat_model_start({}, [])
        meter.on_llm_new_token("")  # a tool call streams no text
        meter.on_llm_end(model_reply(*tokens))
    meter.on_llm_new_token("Hel")
    meter.on_llm_new_token("lo")
    return meter


def test_a_run_adds_up_its_model_calls() -> None:
    summary = metering().finish(
        finished_meter(), thread_id="t", run_id="r", status="completed"
    )

    assert summary.model_calls == 2
    assert (summary.input_tokens, summary.output_tokens) == (400, 50)
    assert summary.total_tokens == 450
    assert summary.time_to_first_token_ms is not None
    assert summary.time_to_first_token_ms <= summary.latency_ms
    assert summary.cost_usd == pytest.approx(400 * 0.5e-6 + 50 * 3.0e-6)


def test_without_a_price_the_cost_is_unknown_not_zero() -> None:
    summary = metering(price=None).finish(
        finished_meter(), thread_id="t", run_id="r", status="completed"
    )
    assert summary.cost_usd is None


def test_a_run_that_streamed_no_text_has_no_time_to_first_token() -> None:
    meter = RunMeter()
    meter.on_llm_new_token("")
    summary = metering().finish(meter, thread_id="t", run_id="r", status="failed")
    assert summary.time_to_first_token_ms is None


async def test_the_meter_makes_the_model_stream_so_the_first_token_is_timed() -> None:
    # No one reads the tokens (as in /invoke): the meter alone asks for them.
    meter = RunMeter()
    model = ScriptedChatModel(turns=["General Kenobi, you are a bold one."])

    reply = await model.ainvoke([HumanMessage("Hello there")], {"callbacks": [meter]})

    assert reply.text == "General Kenobi, you are a bold one."
    assert meter.model_calls == 1
    assert meter.first_token_at is not None
    assert meter.output_tokens > 0


def test_one_log_line_per_run_without_the_users_words_by_default(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO, logger=METERING_LOGGER):
        metering().finish(
            finished_meter(),
            thread_id="t",
            run_id="r",
            status="completed",
            user_input="my secret question",
        )

    [record] = [r for r in caplog.records if r.getMessage() == "run finished"]
    run = record.run  # type: ignore[attr-defined]
    assert run["thread_id"] == "t"
    assert run["run_id"] == "r"
    assert run["prompt_version"] == "system/v1@abc"
    assert run["model"] == "gemini-test"
    assert run["total_tokens"] == 450
    assert "input" not in run
    assert "my secret question" not in caplog.text


def test_the_users_words_are_logged_when_asked_for(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO, logger=METERING_LOGGER):
        metering(inputs=True).finish(
            RunMeter(), thread_id="t", run_id="r", status="completed", user_input="hi"
        )
    [record] = [r for r in caplog.records if r.getMessage() == "run finished"]
    assert record.run["input"] == "hi"  # type: ignore[attr-defined]


def test_prices_come_from_the_settings_and_the_local_model_is_free() -> None:
    prices = {"gemini-test": PRICE}
    vertex = Settings(
        _env_file=None,
        model_provider="vertex",
        model_name="gemini-test",
        google_cloud_project="p",
        model_prices=prices,
    )
    assert vertex.model_price == PRICE
    assert Settings(_env_file=None, model_prices=prices).model_price == ModelPrice(
        input_usd_per_million=0, output_usd_per_million=0
    )
    unpriced = Settings(
        _env_file=None,
        model="vertex:gemini-other",
        google_cloud_project="p",
        model_prices=prices,
    )
    assert unpriced.model_price is None
    # A price may also be keyed by the whole MODEL value.
    keyed = unpriced.model_copy(update={"model_prices": {"vertex:gemini-other": PRICE}})
    assert keyed.model_price == PRICE


def test_a_negative_price_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "MODEL_PRICES",
        '{"m": {"input_usd_per_million": -1, "output_usd_per_million": 1}}',
    )
    with pytest.raises(ValueError, match="input_usd_per_million"):
        Settings(_env_file=None)
