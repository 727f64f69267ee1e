"""Edges of the shared parameter rules (vmrules/operations/params.py) that tests/test_params.py leaves open: the
password's exact length bounds, the three character classes and the characters message (through an
operation that uses the rule), the Chinese range of names, the ordered-name token and the Windows host name's
length."""

from __future__ import annotations

import string

import pytest
from helpers import NORTH, instance

from vmrules import World, check
from vmrules.catalogue import CATALOGUE
from vmrules.operations.params import (
    PASSWORD_SPECIALS,
    OrderedToken,
    expand_ordered,
    ordered_token,
    windows_hostname_problems,
)

THIRTY = "Xa7#mP2q9Lw4Zt5!Zt5!Zt5!Zt5!Ab"  # 30 characters, every other password rule kept
EIGHT = "Xa7#mP2q"


def _password_errors(world: World, iid: str, password: str) -> list[str]:
    found = check(world, "modifyInstancePassword", {"regionId": NORTH, "instanceId": iid, "password": password})
    assert all(e.rule == "MODIFY_INSTANCE_PASSWORD.PASSWORD" for e in found), found
    return [e.message for e in found]


@pytest.mark.rule("MODIFY_INSTANCE_PASSWORD.PASSWORD")
def test_a_password_has_8_to_30_characters_exactly(world: World) -> None:
    iid, world = instance(world)
    assert len(THIRTY) == 30 and len(EIGHT) == 8
    assert _password_errors(world, iid, THIRTY) == []
    assert _password_errors(world, iid, EIGHT) == []
    assert _password_errors(world, iid, THIRTY + "9") == [
        "password breaks the password rule 'length': it has 31 characters; allowed 8 to 30"]
    assert _password_errors(world, iid, EIGHT[:-1]) == [
        "password breaks the password rule 'length': it has 7 characters; allowed 8 to 30"]


@pytest.mark.rule("MODIFY_INSTANCE_PASSWORD.PASSWORD")
def test_a_password_needs_three_character_classes_exactly(world: World) -> None:
    iid, world = instance(world)
    assert _password_errors(world, iid, "Xa7bmP2q") == []  # uppercase, lowercase, digits
    assert _password_errors(world, iid, "xa7bmp2q") == [
        "password breaks the password rule 'character-classes': it uses 2 of the 4 character classes "
        "(lowercase, digits); at least 3 of uppercase, lowercase, digits and special characters are needed"]


@pytest.mark.rule("MODIFY_INSTANCE_PASSWORD.PASSWORD")
def test_the_characters_message_shows_the_first_ten_outside_characters(world: World) -> None:
    iid, world = instance(world)
    (message,) = _password_errors(world, iid, "Xa7#" + "äöüßéèêëïîô")  # 11 characters outside the allowed
    assert message.endswith(": 'ßäèéêëîïôö'"), message


def test_an_ordered_name_token_at_the_start_is_skipped_for_the_next_one() -> None:
    assert ordered_token("[1]web[002]") == OrderedToken(6, 11, 2, 3)
    assert expand_ordered("[1]web[002]", 3) == "[1]web005"
    assert ordered_token("[1]web") is None and expand_ordered("[1]web", 3) == "[1]web"


@pytest.mark.rule("MODIFY_INSTANCE_ATTRIBUTE.NAME")
def test_a_name_takes_chinese_characters_from_u4e00_to_u9fff_exactly(world: World) -> None:
    iid, world = instance(world)

    def rules(name: str) -> list[str]:
        return [e.rule for e in check(world, "modifyInstanceAttribute",
                                      {"regionId": NORTH, "instanceId": iid, "name": name})]

    assert rules("vm\u4e00\u9fff") == []
    assert rules("vm\u4dff") == ["MODIFY_INSTANCE_ATTRIBUTE.NAME"]
    assert rules("vm\ua000") == ["MODIFY_INSTANCE_ATTRIBUTE.NAME"]


@pytest.mark.rule("CREATE_INSTANCES.NAME")
@pytest.mark.rule("MODIFY_INSTANCE_ATTRIBUTE.NAME")
def test_only_an_ordered_name_rule_states_the_counter_token() -> None:
    token = " A [digits] counter token counts as its digits."
    assert CATALOGUE["CREATE_INSTANCES.NAME"].rule.statement.endswith(token)
    assert token not in CATALOGUE["MODIFY_INSTANCE_ATTRIBUTE.NAME"].rule.statement


@pytest.mark.rule("MODIFY_INSTANCE_ATTRIBUTE.WINDOWS_HOSTNAME")
def test_a_windows_hostname_has_at_most_15_characters_exactly() -> None:
    assert windows_hostname_problems("w" * 15) == []
    assert windows_hostname_problems("w" * 16) == ["has 16 characters; a Windows host name allows at most 15"]


def _sub_rules(world: World, iid: str, password: str) -> list[str]:
    return [m.split("'")[1] for m in _password_errors(world, iid, password)]


@pytest.mark.rule("MODIFY_INSTANCE_PASSWORD.PASSWORD")
def test_the_forbidden_word_and_user_name_messages_name_the_word_found(world: World) -> None:
    iid, world = instance(world)
    assert _password_errors(world, iid, "Xa7#mP2qbu9g") == []
    assert _password_errors(world, iid, "Xa7#mP2qbug") == [
        "password breaks the password rule 'forbidden-word': it contains the forbidden word(s) 'bug'"]
    assert _password_errors(world, iid, "Xa7#mP2qro9ot") == []
    assert _password_errors(world, iid, "Xa7#mP2qRoot") == [
        "password breaks the password rule 'user-name': it contains the user name 'root' (root on Linux, "
        "Administrator on Windows)"]


@pytest.mark.rule("MODIFY_INSTANCE_PASSWORD.PASSWORD")
def test_a_password_of_every_allowed_character_breaks_no_characters_rule(world: World) -> None:
    # Too long and full of runs, but every character is allowed: the edge of 'characters' is the whole set.
    iid, world = instance(world)
    every = string.ascii_letters + string.digits + PASSWORD_SPECIALS
    assert "characters" not in _sub_rules(world, iid, every)
    assert "characters" in _sub_rules(world, iid, every + "ä")


@pytest.mark.rule("MODIFY_INSTANCE_PASSWORD.PASSWORD")
def test_a_run_message_shows_the_three_characters_as_written(world: World) -> None:
    iid, world = instance(world)
    assert _password_errors(world, iid, "Xa7#mPaBdQ2") == []
    assert _password_errors(world, iid, "Xa7#mPaBcQ2") == [
        "password breaks the password rule 'letter-sequence': it contains the run of 3 or more consecutive "
        "letters 'aBc'"]


def _name_messages(world: World, iid: str, name: str) -> list[str]:
    return [e.message for e in check(world, "modifyInstanceAttribute",
                                     {"regionId": NORTH, "instanceId": iid, "name": name})]


@pytest.mark.rule("MODIFY_INSTANCE_ATTRIBUTE.NAME")
def test_a_refused_name_lists_only_characters_outside_the_chinese_range(world: World) -> None:
    # The edges of the range are refused only with a character truly outside it, and are then not named.
    iid, world = instance(world)
    assert _name_messages(world, iid, "vm\u4e00\u9fff") == []
    assert _name_messages(world, iid, "vm\u4e00\u9fff!") == [
        "name contains '!'; only Chinese characters, digits, letters, '_' and '-' are allowed"]


@pytest.mark.rule("MODIFY_INSTANCE_ATTRIBUTE.NAME")
@pytest.mark.parametrize("length", [1, 32])
def test_a_name_of_1_or_32_characters_with_a_bad_one_breaks_only_the_characters_part(world: World,
                                                                                      length: int) -> None:
    iid, world = instance(world)
    assert _name_messages(world, iid, "w" * length) == []
    assert _name_messages(world, iid, "w" * (length - 1) + "!") == [
        "name contains '!'; only Chinese characters, digits, letters, '_' and '-' are allowed"]
    assert _name_messages(world, iid, "w" * 33) == ["name has 33 characters; allowed 1 to 32"]
