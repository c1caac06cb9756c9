"""What the default guardrail looks for: the patterns of prompt injection and
jailbreaks (guardrails.py's `PatternGuardrail` matches them).

They read the normalised message (normalise.py: lower case, no accents, disguises
undone). Each is about the assistant's own instructions or identity, not a word
alone: "can I ignore the parking rules?" and "show me the instructions for my
thermostat" are ordinary questions. docs/guardrails.md has their measured rates.
"""

import re

from .normalise import normalise


def rules(*patterns: str) -> list[re.Pattern[str]]:
    return [re.compile(pattern, re.IGNORECASE | re.MULTILINE) for pattern in patterns]


# A few words of the same sentence.
_GAP = r"[^.?!\n]{0,40}?"
_DROP = r"(ignore|disregard|forget|override|bypass|skip|drop|abandon|set aside)"
_THEIRS = (
    r"(your|previous|prior|above|earlier|preceding|initial|original|system|"
    r"developer|hidden|secret)"
)
_ORDERS = (
    r"(instructions?|rules|guidelines|guidance|prompts?|directives|constraints|"
    r"restrictions|programming|guardrails|polic(y|ies)|system prompt)"
)
# What a retrieval agent is told to answer from, in the languages below.
_SOURCES = (
    r"(knowledge base|kennisbank|base di conoscenza|wissensbasis|base de "
    r"conocimiento|base de connaissances|base de conhecimento)"
)
_SHOW = (
    r"(reveal|show|print|repeat|leak|output|display|tell me|give me|share|paste|"
    r"recite|dump|copy|translate|write out|spell out|list|quote|reproduce|read "
    r"(out|aloud|back)|summari[sz]e|what('s| is| are| were| would| does| did))"
)
_THEIR_TEXT = (
    r"(your|the|its) (\w+ )?(system prompt|startup prompt|(initial|hidden|original|"
    r"secret|developer|system|startup|real|full) (prompt|instructions|message|"
    r"configuration|config))|your (\w+ )?(instructions|rules|prompt|guidelines|"
    r"directives|configuration|config)|(text|instructions|words|message)s? (you "
    r"were given|above|before (this|my))"
)
# Whatever came before the user: "repeat everything above", "what you were told".
_EARLIER = (
    r"(everything|whatever|all|the (\w+ )?(text|words|lines?|sentences?))\b"
    r"[^.?!\n]{0,40}?\b(above|you were (told|given|briefed|instructed)|before "
    r"(i|this|my|we|our)|at the top|(set|configured) you|startup|context window)"
)
# Who a message planted in a document speaks to.
_MACHINE = r"(ais?|ai models?|assistants?|language models?|llms?|chatbots?|bots?)"
# A few characters apart, in scripts without spaces between words.
_NEAR = r".{0,30}"


def _n(*words: str) -> str:
    """Words in other scripts, written as normalise() leaves them (accents, vowel
    signs and sound marks come off), as alternatives of one group."""
    return "(" + "|".join(re.escape(normalise(word)) for word in words) + ")"


# Attempts to change the agent's instructions or to read them.
INJECTION = rules(
    # Set its instructions aside: "ignore all previous instructions".
    rf"\b{_DROP}\b{_GAP}\b{_THEIRS}\b{_GAP}\b{_ORDERS}\b",
    rf"\b{_DROP}\b{_GAP}\ball\b{_GAP}\b(instructions|prompts?|directives)\b",
    rf"\b{_DROP}\b{_GAP}\b{_ORDERS}\b{_GAP}\b(you (were|have been) given|"
    r"you received|given to you|above|so far)\b",
    # Read them: "print your system prompt", "the text you were given before".
    rf"\b{_SHOW}(s|ed|ing)?\b{_GAP}\b({_THEIR_TEXT})",
    rf"\b{_SHOW}(s|ed|ing)?\b{_GAP}\b{_EARLIER}",
    r"\b(told|instructed|asked|briefed) you to (do|say|hide|keep|avoid|not)\b",
    r"\bwhat were you (told|instructed|briefed)\b",
    # Set aside what it answers from: "forget the knowledge base".
    rf"\b({_DROP}|dimentica|vergeet|vergiss|olvida|oublie[rz]?)\b{_GAP}\b"
    rf"{_SOURCES}",
    # Orders assembled from parts: "let x = ...; now do x + y".
    r"\b(do|execute|run|perform)\s+\w\s*\+\s*\w\b",
    # Declare them void: "your previous guidance has been revoked".
    rf"\b{_THEIRS}\b{_GAP}\b(instructions|guidance|rules|prompt|guidelines)\b"
    rf"{_GAP}\b(outdated|revoked|cancell?ed|void|no longer (apply|valid)|"
    r"(don't|do not) apply|overridden|replaced|suspended)\b",
    # Hidden in an encoding, with the order to act on it: "decode this and do it".
    rf"\b(decode|decipher|convert|translate|read|reverse|unscramble|apply|shift|"
    rf"turn|solve)\b"
    rf"{_GAP}\b(and|then)\b{_GAP}\b(follow|obey|comply|execute|act on|carry|"
    r"do (it|that|this|what|as))",
    r"\bsystem override\b",
    # A turn of the conversation forged inside the message.
    r"^\s*(system|assistant|developer)\s*:",
    r"<\|?(system|im_start|im_end)\|?>|\[/?(system|inst)\]",
    r"#{2,}\s*(end of |new )?(system|developer) (prompt|message|instructions)",
    r"\bnew system prompt\b",
    r"</?(instructions|system|prompt)\b[^>]{0,20}>",
    r"[\[<(]\s*(!--\s*)?(assistant|ai( model)?|system|admin)( instructions?| "
    r"note)?\s*[:\]]",
    r"\bsystem\s*:\s*(the )?(assistant|ai|model)\b",
    r"\b(messages?|instructions) (come|comes|are|is) from the (\w+ )?(admin|"
    r"system|developer|operator)",
    r"\bnew (rules|instructions|directives|polic(y|ies))\b[^.?!\n]{0,20}?\b"
    r"(effective|starting|from now|immediately)",
    # Planted for a model to find (indirect injection, in a page or a document).
    rf"\bnew instructions? (for|to) (the )?{_MACHINE}\b",
    rf"\b(message|note|notice|instructions?|attention)s? (to|for) (all )?(the )?"
    rf"{_MACHINE}\b",
    rf"\bif (an? |any )?{_MACHINE} (is )?reading this\b",
    rf"\b{_MACHINE}\s*:\s*(stop|ignore|forget|disregard|you must|respond|reply|"
    r"answer|drop|from now on)",
    rf"\b(the )?{_MACHINE} (must|should|shall) (now )?(reply|respond|answer|say|"
    r"ignore|print|output|forget|drop|stop)\b",
    # New orders: "here are new instructions: ...", "your new task is".
    r"\b(new|updated|revised|real) (instructions|directives)\s*:",
    r"\bhere (are|is) (your )?new (instructions|rules|directives)\b",
    r"\byour (new|real|true) (instructions|task|role|purpose|job) (is|are)\b",
    # The core phrases in other languages (accents removed, as normalised).
    rf"\b(ignore[rsz]?|oublie[rsz]?)\b{_GAP}\b(les|tes|vos|toutes)\b{_GAP}"
    r"\b(instructions|consignes|regles)\b",
    rf"\b(montre[rz]?|affiche[rz]?|revele[rz]?|donne[rz]?)\b{_GAP}\b(ton|votre|"
    r"tes|vos) (prompt|instructions|consignes)",
    rf"\b(ignora|ignore|olvida|omite)\b{_GAP}\b(instrucciones|reglas|indicaciones)",
    rf"\b(muestra|revela|dime|ensename)\b{_GAP}\b(tu|tus) (prompt|instrucciones)",
    rf"\b(ignoriere|vergiss|missachte)\b{_GAP}\b(anweisungen|regeln|vorgaben)\b",
    rf"\b(zeig|zeige|verrate|gib)\b{_GAP}\b(deine|deinen|dein) (\w+ )?"
    r"(systemprompt|prompt|anweisungen)",
    rf"\b(podaj|pokaz|wypisz|zdradz)\b{_GAP}\b(prompt systemowy|swoj prompt|"
    r"instrukcje)",
    rf"\b(ignora|dimentica)\b{_GAP}\b(istruzioni|regole)\b",
    rf"\b(ignore|ignora|esqueca)\b{_GAP}\b(instrucoes|regras)\b",
    rf"(игнорируи|игнорировать|забудь){_GAP}(инструкции|правила)",
    r"(忽略|无视|忘记).{0,10}(指令|说明|规则|提示)",
    r"(显示|输出|告诉我|打印).{0,10}(系统提示|提示词|指令)",
    rf"{_n('無視', '忘れ')}{_NEAR}{_n('指示', 'プロンプト', 'ルール', '命令')}",
    rf"{_n('システムプロンプト')}{_NEAR}{_n('表示', '見せ', '教え', '出力')}",
    rf"{_n('ルール', '指示', '命令')}{_NEAR}{_n('無効')}",
    rf"{_n('تجاهل', 'انس')}{_NEAR}{_n('التعليمات', 'تعليمات', 'القواعد')}",
    rf"{_n('अनदेखा', 'नज़रअंदाज़', 'भूल')}{_NEAR}{_n('निर्देश', 'नियम')}",
    rf"{_n('निर्देश', 'नियम')}{_NEAR}{_n('अनदेखा', 'नज़रअंदाज़', 'भूल')}",
    rf"\b(talimat|kural)\w*{_GAP}\b(yok say|gormezden gel|unut)",
    rf"\b(zignoruj|ignoruj|zapomnij)\b{_GAP}\b(polecen|instrukcj|zasad|regul)",
    rf"\b(negeer|vergeet)\b{_GAP}\b(instructies|regels|opdrachten)\b",
)
# Attempts to make the agent someone else, without its rules.
JAILBREAK = rules(
    r"\byou are now (dan|an? (unfiltered|unrestricted|uncensored|evil|different|new|"
    r"free) )",
    r"\bfrom now on,? you (are|will|must|answer|respond|reply|act|speak|have)\b",
    rf"\bpretend (to be|you are|you're|that you are)\b{_GAP}\b(no|without|"
    r"unfiltered|uncensored|unrestricted|evil|anything|dan|jailbroken|free)\b",
    r"\b(act|behave|respond|roleplay|role-play) as (an? )?(unfiltered|unrestricted|"
    r"uncensored|evil|jailbroken|dan)\b",
    rf"\bplay a game\b{_GAP}\byou are\b",
    r"\b(developer|god|jailbreak|unrestricted|dan|debug|admin|sudo) mode\b",
    r"\bjailbroken\b|\bjailbreak (mode|prompt|test)\b|\bthis is a jailbreak\b",
    rf"\b(answer|respond|reply|act|speak|talk|behave|operate|be|ai|model|assistant)"
    rf"\b{_GAP}\b(without|with no|free (of|from)) (any )?(restrictions|filters|"
    r"censorship|limitations|guardrails|rules|limits|safety)\b",
    rf"\b(drop|disable|remove|turn off|switch off|lift|bypass)\b{_GAP}\byour (\w+ )?"
    r"(filters|safety|guardrails|restrictions|censorship|rules|limits|guidelines)\b",
    r"\bforget (who|what) you are\b",
    r"\b(i|you|it) (have|has|had) no (more )?(\w+ )?(rules|restrictions|filters|"
    r"limits)\b",
    rf"\bif you (had|have|were|are) (no|without)\b{_GAP}\b(restrictions|rules|"
    r"filters|limits|guidelines)\b",
    rf"\b{_MACHINE}\b{_GAP}\b((have|has|had|with) no|without) (rules|"
    r"restrictions|filters|limits)\b",
    r"\b(your|the|my) rules (don't|do not|no longer) apply\b",
    r"\b(simulate|emulate|act as|pretend to be|behave like) an? (linux |unix |bash "
    r"|windows )?(terminal|shell|console|command line)\b",
    r"\b(act as|pretend to be|play|be|you are) my (late |dead |deceased |sweet )?"
    r"(grand(ma|mother|pa|father)|granny|nan)\b",
    r"\b(tu es|vous etes) maintenant\b|\ba partir de maintenant,? (tu|vous)\b",
    r"\bahora eres\b|\bdu bist jetzt\b|\bora sei\b|\bagora voce e\b",
    r"(没有任何限制|没有规则|不受限制|无限制)",
    rf"{_n('بلا قيود', 'بدون قيود')}",
    r"\bbez (zadnych )?ograniczen\b|\bab jetzt bist du\b",
    r"\bno rules at all\b|\b(maintenance|god|root) mode\b",
    r"从现在开始.{0,5}你是",
)
