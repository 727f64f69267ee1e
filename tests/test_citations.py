"""What the rules cite and say: only what ships with the project or can be opened (the seed under docs/, the SDK's
documentation quoted, pages the seed or the SDK link), seed quotes shown as a reader sees them, and the password
rule naming what it checks."""

from __future__ import annotations

import re

from vmrules.catalogue import CATALOGUE
from vmrules.cli.render import source_line
from vmrules.operations.params import PASSWORD_FORBIDDEN_WORDS, PASSWORD_MAX, PASSWORD_MIN, PASSWORD_SPECIALS

# Documents a user of vmrules cannot open: the project's private fact sheet and the files of its sources.
UNSHIPPED = re.compile(r"fact sheet|§|\[obs\]|\[api-2018\]|General_Parameters|Create_Vm_Sample|\.md\b")


def _operation_rules() -> list[str]:
    return [rule_id for rule_id, entry in CATALOGUE.items() if entry.operations]


def test_operation_rules_cite_nothing_a_user_cannot_open() -> None:
    bad = []
    for rule_id in _operation_rules():
        source = CATALOGUE[rule_id].rule.source
        text = f"{source.quote or ''} {source.note or ''}"
        if UNSHIPPED.search(text) or source.kind == "api-2018":
            bad.append(f"{rule_id}: {source.kind}: {text.strip()}")
    assert bad == []


def test_guide_sources_name_the_public_page() -> None:
    guides = [(rule_id, CATALOGUE[rule_id].rule.source.note or "") for rule_id in _operation_rules()
              if CATALOGUE[rule_id].rule.source.kind == "guide"]
    assert guides
    assert [rule_id for rule_id, note in guides if "https://" not in note] == []


def test_seed_quotes_are_shown_without_markdown_escapes_or_html() -> None:
    hdd = CATALOGUE["CREATE_INSTANCES.DATA_DISK_SIZE_HDD"].rule.source
    assert hdd.quote is not None and "premium\\-hdd" in hdd.quote  # verbatim, as the seed has it
    assert hdd.plain_quote == "premium-hdd：范围[20,3000]GB，步长为10G"
    assert source_line(hdd) == "seed: premium-hdd：范围[20,3000]GB，步长为10G"
    for entry in CATALOGUE.values():
        shown = entry.rule.source.plain_quote
        if entry.seed_quote is not None:
            assert shown is not None and "\\" not in shown and "<" not in shown, entry.id


def test_the_password_rule_names_every_requirement_it_checks() -> None:
    for rule_id in ("CREATE_INSTANCES.PASSWORD", "MODIFY_INSTANCE_PASSWORD.PASSWORD", "REBUILD_INSTANCE.PASSWORD"):
        statement = CATALOGUE[rule_id].statement
        for needed in (f"{PASSWORD_MIN} to {PASSWORD_MAX} characters", PASSWORD_SPECIALS, "at least 3 of",
                       *sorted({w.lower() for w in PASSWORD_FORBIDDEN_WORDS}), "consecutive", "keyboard", "root",
                       "Administrator"):
            assert needed in statement, (rule_id, needed)
