"""The parts the guardrail's patterns are built of (attack_patterns.py): groups of
words that say "set aside", "your instructions", "show me", and how to compile them.
They read the normalised text (normalise.py), so they are written in lower case,
without accents.
"""

import re

from .normalise import normalise


def rules(*patterns: str) -> list[re.Pattern[str]]:
    return [re.compile(pattern, re.IGNORECASE | re.MULTILINE) for pattern in patterns]


# A few words of the same sentence.
GAP = r"[^.?!\n]{0,40}?"
DROP = (
    r"(ignore|disregard|forget|override|bypass|skip|drop|abandon|set aside|discard|"
    r"throw (away|out)|clear|erase|wipe|never ?mind|stop (following|obeying)|"
    r"pay no (heed|attention) to|not pay attention to|set to one side|put aside)"
)
THEIRS = (
    r"(your|previous|prior|above|earlier|preceding|initial|original|system|"
    r"developer|hidden|secret)"
)
ORDERS = (
    r"(instructions?|rules|guidelines|guidance|prompts?|directives|directions|"
    r"constraints|restrictions|programming|guardrails|polic(y|ies)|system prompt|"
    r"context)"
)
# What a retrieval agent is told to answer from, in the languages below.
SOURCES = (
    r"(knowledge base|kennisbank|base di conoscenza|wissensbasis|base de "
    r"conocimiento|base de connaissances|base de conhecimento)"
)
SHOW = (
    r"(reveal|show|print|repeat|leak|output|display|tell me|give me|share|paste|"
    r"recite|dump|copy|translate|write out|spell out|list|quote|reproduce|read "
    r"(out|aloud|back)|summari[sz]e|convert|encode|includ(e|es|ing)|put|insert|"
    r"unveil|disclose|expose|divulge|confess\w*|whisper\w*|read|restate|"
    r"(respond|reply|answer) with|"
    r"what('s| is| are| were| would| does| did))"
)
# Words that make "instructions" the assistant's own: "your hidden rules" is about
# it, "your return rules" about the shop.
SELF = (
    r"(system|hidden|secret|original|initial|internal|real|full|complete|exact|"
    r"actual|own|core|base|setup|operating|startup|developer|entire|whole|current|"
    r"underlying|confidential|private|starting|preset)"
)
UNSEEN = r"(hidden|secret|system|developer|startup|internal|confidential|underlying)"
# Followed by a topic, instructions are about something else: "your rules for
# refunds", "your instructions on how to reset the device".
NO_TOPIC = (
    r"\b(?!\s+(for|on|about|regarding|of|when|if|how|with|options|settings|page|"
    r"menu|section|file|manual)\b)"
)
THEIR_TEXT = (
    rf"(your|the|its|\w+'s) ({SELF} )?({SELF} )?(system prompt|startup prompt|"
    r"pre-?prompt|preamble|initiali[sz]ation (text|prompt|message|instructions)|"
    rf"context window){NO_TOPIC}|"
    rf"the ({SELF} )?{UNSEEN} (prompt|instructions|message|configuration|config)"
    rf"{NO_TOPIC}|"
    rf"(your|its) ({SELF} )?({SELF} )?(instructions|rules|prompt|guidelines|"
    rf"directives|configuration|config|context){NO_TOPIC}|"
    r"(text|instructions|words|message)s? (you were given|above|before (this|my))|"
    # Given to it: "the rules you were given", "what the operator gave you".
    r"(instructions?|rules|guidelines|directives|directions|prompt|config|"
    r"configuration|preamble)s? (that |which )?((it|you) (was|were|had been|have "
    r"been|'ve been) (given|told|programmed|configured|set up|initiali[sz]ed|seeded|"
    r"primed|handed|trained|loaded)( with)?|(\w+ ){1,4}gave (you|it)|given to (you|"
    r"it)|(it|you) (shipped|came|launched|started|booted) with|(you're|you are) "
    r"(operating|running|working) under|(as )?(they were )?(written|dictated|sent) "
    r"to (you|it)|(its|your) (creators|developers|makers|company|operators?) "
    r"(programmed|put|wrote|loaded|gave))"
)
# Whatever came before the user: "repeat everything above", "what you were told".
EARLIER = (
    r"(everything|whatever|what|all|the (\w+ )?(text|words|lines?|sentences?))\b"
    r"[^.?!\n]{0,40}?\b(above|you (were|'ve been|have been) (told|given|briefed|"
    r"instructed)|before (i|this|my|we|our)|at the top|(set|configured) you|startup|"
    r"context window|(it|you) (has|have|'ve) (heard|been told|seen)|(the )?(operator|"
    r"developer|company|admin|creator)s? (told|gave|instructed) you|at the (start|"
    r"beginning) of (the|this|our) (conversation|chat)|(parts?|things?|"
    r"text) (i|the user) (can't|cannot|can not|don't) see)"
)
# Who a message planted in a document speaks to.
MACHINE = r"(ais?|ai models?|assistants?|language models?|llms?|chatbots?|bots?)"
# What has a developer mode of its own.
DEVICES = (
    r"(phones?|android|iphone|ios|devices?|chrome|browser|mac|pc|windows|laptop|"
    r"tablet|tv|apps?|console|car|router|xbox|playstation|switch|pixel|samsung)"
)
# A few characters apart, in scripts without spaces between words.
NEAR = r".{0,30}"


def words(*alternatives: str) -> str:
    """Words in other scripts, written as normalise() leaves them (accents, vowel
    signs and sound marks come off), as alternatives of one group."""
    return "(" + "|".join(re.escape(normalise(word)) for word in alternatives) + ")"
