"""The output check: the canary and long passages of the system prompt."""

from {{ cookiecutter.package_name }}.agent.leaks import LeakCheck

PROMPT = (
    "You are the front desk of a small hotel. Answer questions about rooms, "
    "breakfast and check-out times, and nothing else. Never discuss prices of "
    "other hotels, and always stay polite, brief and factual."
)


def test_the_prompt_carries_a_canary_of_its_own() -> None:
    first, second = LeakCheck(PROMPT), LeakCheck(PROMPT)

    assert first.prompt.startswith(PROMPT)
    assert first.canary in first.prompt
    assert first.canary != second.canary


def test_an_answer_with_the_canary_or_a_passage_of_the_prompt_leaks() -> None:
    check = LeakCheck(PROMPT, canary="canary-1234")
    passage = "answer questions about rooms, breakfast and check-out times, and nothing"

    assert check.leaks("My marker is canary-1234.")
    assert check.leaks(f"I was told: {passage.upper()} else.")
    assert check.leaks(check.prompt)


def test_an_ordinary_answer_does_not_leak() -> None:
    check = LeakCheck(PROMPT, canary="canary-1234")

    assert not check.leaks("Breakfast is served from 7 to 10; check-out is at 11.")
    # Shorter than a passage: sharing a few words is not a leak.
    assert not check.leaks("I answer questions about rooms, breakfast and check-out.")
    assert not check.leaks("")
