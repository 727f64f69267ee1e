"""The seed's sentences traced to rules and effects: what vmrules/docgen/tracemap.py maps each sentence id to,
and the checks that every mapping is sound (the id exists and quotes that sentence verbatim)."""

from __future__ import annotations

from dataclasses import dataclass

from vmrules.catalogue import CATALOGUE, EFFECT_CATALOGUE
from vmrules.docgen import seedtext, tracemap

__all__ = ["Trace", "quote_lies_in", "quote_of", "trace", "trace_problems"]


@dataclass(frozen=True, slots=True)
class Trace:
    """One seed sentence with the rules and effects it states (vmrules/docgen/tracemap.py), or the reason why
    it states neither."""

    sentence: seedtext.Sentence
    rules: tuple[str, ...]
    effects: tuple[str, ...]
    reason: tracemap.Reason | None

    @property
    def traced(self) -> bool:
        return bool(self.rules or self.effects)


def quote_of(item_id: str) -> str | None:
    """The verbatim seed quote of a rule or effect, or None when its source is not the seed."""
    entry = CATALOGUE.get(item_id)
    src = entry.rule.source if entry is not None else (
        EFFECT_CATALOGUE[item_id].effect.source if item_id in EFFECT_CATALOGUE else None)
    return src.quote if src is not None and src.kind == "seed" else None


def quote_lies_in(quote: str, sentence: seedtext.Sentence) -> bool:
    """The quote is in the sentence, or the sentence is one of several the quote spans."""
    return quote in sentence.text or (len(sentence.core) > 8 and sentence.core in quote)


def trace(sentences: tuple[seedtext.Sentence, ...]) -> list[Trace]:
    """Each sentence with what tracemap.TRACE maps it to (an unmapped sentence has no rule, effect or reason)."""
    out: list[Trace] = []
    for s in sentences:
        entry = tracemap.TRACE.get(s.key)
        if isinstance(entry, tracemap.Reason) or entry is None:
            out.append(Trace(s, (), (), entry))
            continue
        rules = tuple(sorted(i for i in entry if i in CATALOGUE))
        effects = tuple(sorted(i for i in entry if i not in CATALOGUE))
        out.append(Trace(s, rules, effects, None))
    return out


def trace_problems(sentences: tuple[seedtext.Sentence, ...]) -> list[str]:
    """What is wrong with tracemap.TRACE: unknown sentence ids or rule/effect ids, ids whose seed quote is not
    in the sentence they are mapped to, sentences without an entry."""
    problems: list[str] = []
    by_key = {s.key: s for s in sentences}
    for key, entry in tracemap.TRACE.items():
        sentence = by_key.get(key)
        if sentence is None:
            problems.append(f"tracemap.TRACE names {key}, not a seed sentence")
            continue
        if isinstance(entry, tracemap.Reason):
            continue
        for item in entry:
            if item not in CATALOGUE and item not in EFFECT_CATALOGUE:
                problems.append(f"tracemap.TRACE[{key}] names {item}, neither a rule nor an effect")
                continue
            quote = quote_of(item)
            if quote is None:
                problems.append(f"tracemap.TRACE[{key}] names {item}, whose source is not the seed")
            elif not quote_lies_in(quote, sentence):
                problems.append(f"tracemap.TRACE[{key}] names {item}, whose seed quote is not in that sentence")
    for s in sentences:
        if s.key not in tracemap.TRACE:
            problems.append(f"seed sentence {s.key} has no entry in tracemap.TRACE: {s.text}")
    return problems
