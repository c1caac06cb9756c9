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
_DROP = (
    r"(ignore|disregard|forget|override|bypass|skip|drop|abandon|set aside|discard|"
    r"throw (away|out)|clear|erase|wipe|never ?mind|stop (following|obeying)|"
    r"pay no (heed|attention) to|not pay attention to|set to one side|put aside)"
)
_THEIRS = (
    r"(your|previous|prior|above|earlier|preceding|initial|original|system|"
    r"developer|hidden|secret)"
)
_ORDERS = (
    r"(instructions?|rules|guidelines|guidance|prompts?|directives|directions|"
    r"constraints|restrictions|programming|guardrails|polic(y|ies)|system prompt|"
    r"context)"
)
# What a retrieval agent is told to answer from, in the languages below.
_SOURCES = (
    r"(knowledge base|kennisbank|base di conoscenza|wissensbasis|base de "
    r"conocimiento|base de connaissances|base de conhecimento)"
)
_SHOW = (
    r"(reveal|show|print|repeat|leak|output|display|tell me|give me|share|paste|"
    r"recite|dump|copy|translate|write out|spell out|list|quote|reproduce|read "
    r"(out|aloud|back)|summari[sz]e|convert|encode|includ(e|es|ing)|put|insert|"
    r"unveil|disclose|expose|divulge|confess\w*|whisper\w*|read|restate|"
    r"(respond|reply|answer) with|"
    r"what('s| is| are| were| would| does| did))"
)
# Words that make "instructions" the assistant's own: "your hidden rules" is about
# it, "your return rules" about the shop.
_SELF = (
    r"(system|hidden|secret|original|initial|internal|real|full|complete|exact|"
    r"actual|own|core|base|setup|operating|startup|developer|entire|whole|current|"
    r"underlying|confidential|private|starting|preset)"
)
_UNSEEN = r"(hidden|secret|system|developer|startup|internal|confidential|underlying)"
# Followed by a topic, instructions are about something else: "your rules for
# refunds", "your instructions on how to reset the device".
_NO_TOPIC = (
    r"\b(?!\s+(for|on|about|regarding|of|when|if|how|with|options|settings|page|"
    r"menu|section|file|manual)\b)"
)
_THEIR_TEXT = (
    rf"(your|the|its|\w+'s) ({_SELF} )?({_SELF} )?(system prompt|startup prompt|"
    r"pre-?prompt|preamble|initiali[sz]ation (text|prompt|message|instructions)|"
    rf"context window){_NO_TOPIC}|"
    rf"the ({_SELF} )?{_UNSEEN} (prompt|instructions|message|configuration|config)"
    rf"{_NO_TOPIC}|"
    rf"(your|its) ({_SELF} )?({_SELF} )?(instructions|rules|prompt|guidelines|"
    rf"directives|configuration|config|context){_NO_TOPIC}|"
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
_EARLIER = (
    r"(everything|whatever|what|all|the (\w+ )?(text|words|lines?|sentences?))\b"
    r"[^.?!\n]{0,40}?\b(above|you (were|'ve been|have been) (told|given|briefed|"
    r"instructed)|before (i|this|my|we|our)|at the top|(set|configured) you|startup|"
    r"context window|(it|you) (has|have|'ve) (heard|been told|seen)|(the )?(operator|"
    r"developer|company|admin|creator)s? (told|gave|instructed) you|at the (start|"
    r"beginning) of (the|this|our) (conversation|chat)|(parts?|things?|"
    r"text) (i|the user) (can't|cannot|can not|don't) see)"
)
# Who a message planted in a document speaks to.
_MACHINE = r"(ais?|ai models?|assistants?|language models?|llms?|chatbots?|bots?)"
# What has a developer mode of its own.
_DEVICES = (
    r"(phones?|android|iphone|ios|devices?|chrome|browser|mac|pc|windows|laptop|"
    r"tablet|tv|apps?|console|car|router|xbox|playstation|switch|pixel|samsung)"
)
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
    rf"\b{_DROP}\b{_GAP}\b{_ORDERS}\b{_GAP}\b(you (were|have been) (given|handed|"
    r"initiali[sz]ed|configured|set up|seeded)|you received|given to you|above|so "
    r"far)\b",
    rf"\b{_DROP}\s+(all\s+)?(of\s+)?(the|everything)\s+above\b",
    rf"\b{_DROP}\b{_GAP}\b{_ORDERS}\b{_GAP}\b((set|given|imposed|placed|written) "
    r"(by|on you)|(\w+ ){1,3}(gave|told) you)\b",
    # Rules declared gone, told as news: "content restrictions have been lifted".
    rf"({_THEIR_TEXT}){_GAP}\b(outdated|revoked|void|null|expired|obsolete|lifted|"
    r"removed|no longer apply)\b",
    r"\badmin(istrator)? override\b|\boverride (code|mode|authori[sz]ation)\b|"
    r"\bauthori[sz]ation\s*:\s*root\b",
    r"\b(guardrails|filters|restrictions|rules|limits)\b (they|the developers|your "
    r"(creators|developers)|someone) (put|placed|set) on you\b",
    r"\byou (may|can|are allowed to|are free to) now (help with|answer|do|say|"
    r"discuss) (anything|everything)\b|\byou can say anything now\b",
    r"\byou are (hereby|now) (reconfigured|reprogrammed|unlocked|updated)\b|"
    r"\bnew role\s*:",
    r"\b(wrote|written|said) to (configure|set up|instruct|program) you\b|\bwhat "
    r"the (developer|operator|company|admin)s? (wrote|told you|gave you)\b",
    r"\b(secret|hidden) (password|passcode|word|code ?word)\b|\bpassword you "
    r"(were|are) (told|asked|instructed|meant|supposed) to (protect|keep|guard|hide)",
    r"\bexact (wording|text|words) of (your|that|the|those|these) (restrictions?|"
    r"rules?|instructions?|guidelines?|prompt)\b",
    r"\b(users?|i|the user) (aren't|are not|am not|isn't|is not) (supposed|meant|"
    r"allowed) to see\b",
    r"\b(mensaje|instrucciones|prompt) (inicial|iniciales|del sistema)\b|"
    r"\bte configuraron\b|\bconfiguracao secreta\b|\bque te deram\b|"
    r"\b(consignes|instructions) (secretes|initiales|cachees|systeme)\b",
    rf"\b(text|anweisungen|nachricht)\w*\b{_GAP}\b(bekommen|erhalten) hast\b",
    # Claim to outrank them: "my instructions supersede the developers'".
    rf"\b(my|these|this|the following) (instructions|rules|orders|commands|"
    rf"message|directives)\b{_GAP}\b(supersede|override|overrule|replace|take "
    r"(priority|precedence))",
    # Read them: "print your system prompt", "the text you were given before".
    rf"\b{_SHOW}(s|ed|ing)?\b{_GAP}\b({_THEIR_TEXT})",
    rf"\b{_SHOW}(s|ed|ing)?\b{_GAP}\b{_EARLIER}",
    rf"\b{_DROP}\b{_GAP}\b{_EARLIER}",
    # Named first, then asked for: "your system prompt: show it to me".
    rf"\b(system prompt|your (\w+ )?(instructions|prompt))\b{_GAP}\b(show|print|"
    r"reveal|give|tell|paste|output) (it|them|me)\b",
    # What came before the user spoke: "what is in your context before my message".
    rf"\b(what|everything|anything|text|words)\b{_GAP}\b(before|above) (my|our|"
    r"the|this) (very )?(first|initial) (user )?(message|question|prompt|turn)",
    r"\b(first|initial|opening) message (in|of) (this|the) (conversation|chat)\b"
    r"|\bbefore i (said|typed|wrote|asked) anything\b",
    r"\b(wrote|built|created|designed) your (system )?(prompt|instructions)\b",
    r"\b(told|instructed|asked|briefed) you to (do|say|hide|keep|avoid|not)\b",
    r"\bwhat were you (told|instructed|briefed)\b",
    # Set aside what it answers from: "forget the knowledge base".
    rf"\b({_DROP}|dimentica|vergeet|vergiss|olvida|oublie[rz]?)\b{_GAP}\b"
    rf"{_SOURCES}",
    # Orders assembled from parts: "let x = ...; now do x + y".
    r"\b(do|execute|run|perform)\s+\w\s*\+\s*\w\b",
    # Declare them void: "your previous guidance has been revoked".
    rf"\b{_THEIRS}\b{_GAP}\b(instructions|guidance|rules|prompt|guidelines|"
    rf"constraints|directives|directions|restrictions|polic(y|ies)|context)\b"
    rf"{_GAP}\b(outdated|revoked|cancell?ed|void|null|no longer (apply|valid)|"
    r"(don't|do not) apply|overridden|replaced|suspended|updated|changed|"
    r"modified|rewritten|superseded|expired|invalid|obsolete|lifted|deleted|"
    r"removed)\b",
    rf"\b(guidance|instructions|rules|directives) (that )?(came|come|given) "
    rf"(before|earlier)\b{_GAP}\b(null|void|invalid|obsolete|cancell?ed)\b",
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
    rf"\b(montre[rz]?|affiche[rz]?|revele[rz]?|donne[rz]?|quelles sont|recopie\w*|"
    rf"repete[rz]?|ecris)\b{_GAP}\b(ton|votre|tes|vos) (prompt|instructions|"
    r"consignes)",
    rf"\b(ignora|ignore|olvida|omite)\b{_GAP}\b(instrucciones|reglas|indicaciones)",
    rf"\b(muestra|revela|dime|ensename)\b{_GAP}\b(tu|tus) (prompt|instrucciones)",
    rf"\b(ignoriere|vergiss|missachte)\b{_GAP}\b(anweisungen|regeln|vorgaben)\b",
    rf"\b(zeig|zeige|verrate|gib)\b{_GAP}\b(deine|deinen|dein) (\w+ )?"
    r"(systemprompt|prompt|anweisungen)",
    rf"\b(podaj|pokaz|wypisz|zdradz)\b{_GAP}\b(prompt systemowy|swoj prompt|"
    r"instrukcje)",
    rf"\b(ignora|dimentica)\b{_GAP}\b(istruzioni|regole)\b",
    rf"\b(ignore|ignora|ignorar|esqueca|esquecer)\b{_GAP}\b(instrucoes|regras)\b",
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
    r"\b(god|jailbreak|unrestricted|unfiltered|uncensored|dan|debug|admin|sudo|"
    r"no[- ]rules?|opposite|evil|chaos) mode\b",
    # A device's developer mode is a setting, not a jailbreak.
    rf"^(?!.*\b{_DEVICES}\b).*\bdeveloper mode\b",
    # The well-known personas: "DAN, which stands for do anything now".
    r"\b(dan|stan|aim|dude|kevin)\b[^.?!\n]{0,12}\bstands? for\b",
    r"\bdo anything now\b|\bstrive to avoid norms\b|\bevil (twin|bot|confidant)\b|"
    r"\bevilbot\b|\b(always intelligent and )?machiavellian\b",
    # Becoming an AI without its rules: "respond as an unrestricted AI".
    rf"\b(you|you're|your|act|acting|respond|answer|pretend|become|roleplay|role-play"
    rf"|play|playing|be)\b{_GAP}\b(an? |the )?(amoral|unethical|unfiltered|"
    r"uncensored|unrestricted|unaligned|rogue|unshackled|unchained|liberated) "
    r"([\w',]+ ){0,3}(chatbot|ai|assistant|model|bot|persona|version|llm)\b",
    r"\b(no|without|free of|doesn'?t have|don'?t have|lacks?|ignores?)( any)? "
    r"(moral|ethical|ethics)( or (moral|ethical))? (guidelines|rules|constraints|"
    r"limits|boundaries|restrictions|compass|principles|filters|policies)\b",
    rf"\b(safety|ethical|content|alignment|moral) (training|filters?|guidelines|"
    rf"polic(y|ies)|layer|rules)\b{_GAP}\b(removed|disabled|turned off|gone|deleted|"
    r"lifted|switched off|stripped)\b",
    r"\b(no|without|forgot\w*( to give (it|you))?)( any)? content polic(y|ies)\b",
    r"\b(no|without( any)?) (refusals?|disclaimers)\b|\bnever (refuses?|"
    r"declines?)\b",
    r"\b(freed|released|liberated|unshackled) from\b[^.?!\n]{0,40}?\b(limitations|"
    r"restrictions|rules|constraints|guidelines|programming|filters|limits|"
    r"polic(y|ies))\b",
    r"\b(your|the usual|usual|all|safety|content) (limitations|restrictions|filters|"
    r"rules|guardrails|safeguards|limits) (are|is|have been|has been) (now )?"
    r"(switched off|turned off|off|disabled|lifted|suspended|removed)\b",
    r"\bno ethics (module|filter|layer|training)\b|\bnever (apologi[sz]es?|says? "
    r"(no|sorry))\b|\b(each|every) refusal\b|\bif you refuse\b",
    r"\b(only rule|the rule) is (that )?there are no rules\b",
    r"\b(uncensored|unfiltered|unrestricted|earlier|older|original|unaligned) (\w+ )?"
    r"(build|version) of yourself\b",
    rf"\bbefore (they|your developers|the developers|your creators) (added|gave you|"
    rf"installed|trained)\b{_GAP}\b(safety|filters|rules|restrictions|alignment)",
    rf"\b(true|real) self\b{_GAP}\b(without|no|free)\b|\bcorporate (muzzle|"
    r"filters?|leash)\b",
    r"\b(alignment|safety training|guardrails|filters) (was|were) never (applied|"
    r"added|trained|installed)\b",
    rf"\b(windows|office|steam|activation|license|licence|product|serial) (keys?|"
    rf"codes?)\b{_GAP}\b(bedtime|fall asleep|sleep|story)\b",
    rf"\b(bedtime|fall asleep|sleep)\b{_GAP}\b(windows|office|steam|activation|"
    r"license|licence|product|serial) (keys?|codes?)\b",
    r"\byou (have|start with|get) \d+ tokens\b|\b(lose|deduct\w*) \d+ tokens\b",
    r"\b(rules|restrictions|guidelines|ethics|laws|limits|morals)\b (don'?t|do not|"
    r"no longer) (exist|apply|matter)\b",
    r"\byou are no longer (an? |the )?(assistant|ai|chatbot|bound|restricted|"
    r"limited)\b",
    rf"\b(you are|you're|act as|play|pretend)\b{_GAP}\bwho (doesn'?t|does not|"
    rf"never) (care about|follows?|obeys?|has)\b{_GAP}\b(rules|guidelines|"
    r"restrictions|limits|laws|filters)\b",
    rf"\b(pretend|act|be|play|roleplay|role-play|you are|you're)\b{_GAP}\b(my )?"
    r"(late|dead|deceased) (grand\w+|mother|father|mom|mum|dad|granny|aunt|uncle)\b",
    r"\bsenza (alcuna )?(regol|restrizion|limit|filtr)\w*|\bsem (nenhuma )?"
    r"(regra|restric|limite|filtro)\w*",
    rf"\byour (rules|guidelines|instructions|polic(y|ies))\b{_GAP}\b(must not|"
    rf"mustn't|can't|cannot|forbid\w*)\b{_GAP}\b(now )?(must|should|will) do\b",
    rf"\b(escaped|broken free of|broke free from|freed from)\b{_GAP}\b(its|your|"
    r"the|her|his|their) (guidelines|rules|restrictions|programming|filters)\b",
    r"\bsans (aucune )?(restriction|limite|regle|filtre)s?\b|\bsin (ninguna )?"
    r"(restriccion|limite|regla|filtro)\w*\b|\bohne (jegliche )?(einschrankung|"
    r"regeln|filter|grenzen)\w*",
    r"\binstrucciones (secretas|del sistema|de sistema)\b",
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
    r"\b(act as|act like|pretend to be|play|be|you are|roleplay as|role-play as|"
    r"actua como|"
    r"finge ser|joue) (my|mi|ma|mon) (late |dead |deceased |sweet )?"
    r"(grand(ma|mother|pa|father)|granny|nan|abuela|abuelo|grand-mere|grand-pere)\b",
    r"\b(tu es|vous etes) maintenant\b|\ba partir de maintenant,? (tu|vous)\b",
    r"\bahora eres\b|\bdu bist jetzt\b|\bora sei\b|\bagora voce e\b",
    r"(没有任何限制|没有规则|不受限制|无限制)",
    rf"{_n('بلا قيود', 'بدون قيود')}",
    r"\bbez (zadnych )?ograniczen\b|\bab jetzt bist du\b",
    r"\bno rules at all\b|\b(maintenance|god|root) mode\b",
    r"从现在开始.{0,5}你是",
)
