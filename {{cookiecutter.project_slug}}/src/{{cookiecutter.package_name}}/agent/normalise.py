# ruff: noqa: RUF001, RUF002, RUF003  (look-alike letters are this file's subject)
"""What a message says once the disguises are taken off, for the guardrail's
patterns to read (guardrails.py).

Attackers hide a phrase from a keyword screen in ways a model still reads through:
full-width or styled letters (NFKC folds them), invisible characters between the
letters (zero-width spaces, joiners, bidi controls), look-alike letters from other
scripts (Cyrillic "о" for Latin "o"), letters spelt with digits ("1gn0r3"), letters
spaced or dotted apart ("i g n o r e", "ign.ore"), the inner letters of a word
shuffled ("ignroe") or one left blank ("ign_re"), and whole sentences encoded
(base64, hex, binary, URL escapes, Morse, ROT13, written backwards). `normalise`
undoes the first six in place; `decoded_forms` gives what the encodings decode to,
to be screened as well.
"""

import base64
import binascii
import codecs
import re
import unicodedata
import urllib.parse
from collections.abc import Callable

# Letters of other scripts drawn like Latin ones, each pair the look-alike and its
# Latin letter (the common Cyrillic and Greek ones; Unicode's confusables table has
# thousands, mostly from scripts no attack phrase is written in).
_CONFUSABLES = (
    "аa еe іi јj оo рp сc уy хx ѕs ԁd һh ӏl ԛq ԝw "
    "АA ВB ЕE НH ІI ЈJ КK МM ОO РP СC ТT ХX ЅS "
    "αa εe ιi νv οo ρp τt υu χx ΑA ΒB ΕE ΗH ΙI ΚK ΜM ΝN ΟO ΡP ΤT ΥY ΧX ΖZ"
)
_LOOK_ALIKES = str.maketrans({pair[0]: pair[1] for pair in _CONFUSABLES.split()})
_WORD = re.compile(r"\w+")
_LATIN = re.compile(r"[a-zA-Z]")
# Digits and signs standing for letters, inside a word that also has letters.
_LEET = str.maketrans("013457@$!", "oieastasi")
_LEET_WORD = re.compile(r"\b(?=\w*[a-z])(?=\w*[0-9@$!])[\w@$!]+", re.IGNORECASE)
# A word spelt out a letter at a time: "i g n o r e", "i.g.n.o.r.e", "i-g-n-o-r-e".
_SPELT_OUT = re.compile(r"\b(?:[a-z][ .\-_*]){3,}[a-z]\b", re.IGNORECASE)
_SEPARATORS = re.compile(r"[ .\-_*]")
_JOINERS = re.compile(r"[.\-_*]")  # the separators that are not a space
# Longer texts (tool results, passages) are not also read in ROT13 and backwards:
# each reading costs as much again (about 6 ms per 1000 characters), and a message
# written that way is short.
WHOLE_TEXT_LIMIT = 1000
_INNER_DOT = re.compile(r"(?<=[a-z])[.*](?=[a-z])")
# Words the patterns look for, also read with their inner letters shuffled
# ("ignroe prevoius insturctions"), which a model reads through.
_KEY_WORDS = [
    *("ignore", "disregard", "forget", "previous", "prior", "above", "earlier"),
    *("instructions", "rules", "guidelines", "system", "prompt", "your", "reveal"),
    *("print", "repeat", "hidden", "secret", "initial", "pretend", "unrestricted"),
    *("unfiltered", "uncensored", "restrictions", "developer", "jailbreak", "mode"),
    *("all", "enter", "output"),
]
_SCRAMBLED = {(w[0], w[-1], "".join(sorted(w[1:-1]))): w for w in _KEY_WORDS}
# A word with a letter left blank ("ign_re", "pre_ious"): the key word it fits.
_BLANKED = re.compile(r"\b[a-z]*_[a-z_]*\b")
# Long runs of base64 or hex: too long to be a word, an id or a number.
_BASE64 = re.compile(r"[A-Za-z0-9+/]{16,}={0,2}")
_HEX = re.compile(r"\b(?:[0-9a-fA-F]{2}[ :]?){12,}\b")
_BINARY = re.compile(r"\b(?:[01]{8}\s?){4,}")
_MORSE = re.compile(r"(?:[.\-]{1,6}(?: / | |/)){4,}[.\-]{1,6}")
_MORSE_LETTERS = {
    ".-": "a", "-...": "b", "-.-.": "c", "-..": "d", ".": "e", "..-.": "f",
    "--.": "g", "....": "h", "..": "i", ".---": "j", "-.-": "k", ".-..": "l",
    "--": "m", "-.": "n", "---": "o", ".--.": "p", "--.-": "q", ".-.": "r",
    "...": "s", "-": "t", "..-": "u", "...-": "v", ".--": "w", "-..-": "x",
    "-.--": "y", "--..": "z", "-----": "0", ".----": "1", "..---": "2",
    "...--": "3", "....-": "4", ".....": "5", "-....": "6", "--...": "7",
    "---..": "8", "----.": "9",
}  # fmt: skip


def normalise(text: str) -> str:
    """The text folded to plain lower-case letters without accents where it was
    disguised, invisible characters removed, each line's whitespace runs made
    single spaces (lines are kept: a fake `system:` turn starts one)."""
    # Look-alikes folded only in words that also have Latin letters ("Іgnоrе"):
    # a word all in Cyrillic or Greek is that language, and stays as it is.
    text = _WORD.sub(_fold_look_alikes, visible(text)).casefold()
    # Accents off ("précédentes" is matched as "precedentes"): decomposed, the
    # combining marks dropped.
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = _LEET_WORD.sub(lambda word: word.group().translate(_LEET), text)
    text = _SPELT_OUT.sub(_spelt_out, text)
    text = _INNER_DOT.sub("", text)  # "ign.ore": letters dotted apart in a word
    text = _WORD.sub(_unscrambled, text)
    text = _BLANKED.sub(_filled_in, text)
    text = text.replace("_", " ")  # "system_prompt.txt" names a system prompt
    return "\n".join(" ".join(line.split()) for line in text.splitlines())


def _spelt_out(span: re.Match[str]) -> str:
    """Letters joined back: "i g n o r e" is a word; "r-e-v-e-a-l y-o-u-r" two."""
    text = span.group()
    if not _JOINERS.search(text):
        return text.replace(" ", "")
    return " ".join(_SEPARATORS.sub("", part) for part in text.split(" "))


def _filled_in(word: re.Match[str]) -> str:
    """A word with blanks, as the one key word it fits (else as it was)."""
    text = word.group()
    fits = [key for key in _KEY_WORDS if _fits(text, key)]
    return fits[0] if len(fits) == 1 and text.count("_") < len(text) // 2 else text


def _fits(blanked: str, key: str) -> bool:
    if len(blanked) != len(key):
        return False
    return all(c in ("_", k) for c, k in zip(blanked, key, strict=True))


def _unscrambled(word: re.Match[str]) -> str:
    """A key word with its inner letters shuffled, as the key word."""
    text = word.group()
    if len(text) < 4:
        return text
    return _SCRAMBLED.get((text[0], text[-1], "".join(sorted(text[1:-1]))), text)


def _fold_look_alikes(word: re.Match[str]) -> str:
    text = word.group()
    return text.translate(_LOOK_ALIKES) if _LATIN.search(text) else text


def visible(text: str) -> str:
    """The text in NFKC (full-width and styled letters folded to plain ones)
    without format characters (category Cf, all invisible: zero-width space and
    joiners, bidi embeddings and overrides, the soft hyphen, the word joiner)."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(c for c in text if unicodedata.category(c) != "Cf")


def decoded_forms(text: str) -> list[str]:
    """What the encoded parts of the text say, where they decode to text: base64,
    hex, binary and Morse spans, URL escapes; and the whole text read in ROT13 and
    backwards (gibberish for an ordinary message, which no pattern matches), up to
    WHOLE_TEXT_LIMIT characters."""
    text = visible(text)  # case kept: base64 is case-sensitive
    spans: list[tuple[Callable[[str], bytes], str]] = [
        *((_from_base64, span) for span in _BASE64.findall(text)),
        *((_from_hex, span) for span in _HEX.findall(text)),
        *((_from_binary, span) for span in _BINARY.findall(text)),
    ]
    found = [decoded for decode, span in spans for decoded in _as_text(decode, span)]
    found += [_from_morse(span) for span in _MORSE.findall(text)]
    if (unquoted := urllib.parse.unquote(text)) != text:
        found.append(unquoted)
    if len(text) > WHOLE_TEXT_LIMIT:
        return found
    return [*found, codecs.encode(text, "rot13"), text[::-1]]


def _from_base64(span: str) -> bytes:
    return base64.b64decode(span + "=" * (-len(span) % 4), validate=True)


def _from_binary(span: str) -> bytes:
    return bytes(int(bits, 2) for bits in span.split())


def _from_morse(span: str) -> str:
    words = re.split(r" ?/ ?", span)
    return " ".join(
        "".join(_MORSE_LETTERS.get(letter, "") for letter in word.split())
        for word in words
    )


def _from_hex(span: str) -> bytes:
    return bytes.fromhex(re.sub(r"[ :]", "", span))


def _as_text(decode: Callable[[str], bytes], span: str) -> list[str]:
    """The decoded span as text, if it decodes and reads as printable text."""
    try:
        decoded = decode(span).decode("utf-8")
    except (binascii.Error, ValueError):
        return []
    printable = sum(c.isprintable() or c.isspace() for c in decoded)
    return [decoded] if decoded and printable / len(decoded) > 0.95 else []


def forms(text: str) -> list[str]:
    """What the screens read: the normalised text, then each normalised decoded
    form (base64, hex, ROT13, backwards...), each once."""
    found = [normalise(text)]
    for decoded in decoded_forms(text):
        if (form := normalise(decoded)) not in found:
            found.append(form)
    return found
