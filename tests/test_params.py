"""The public parameter rules (公共参数规范) of vmrules.operations.params, tested through their factories."""

from __future__ import annotations

from typing import Any

import pytest

from vmrules import World
from vmrules.operation import Ctx, Request
from vmrules.operations.params import (
    description_rule,
    expand_ordered,
    hostname_rule,
    name_rule,
    ordered_token,
    password_problems,
    password_rule,
    windows_hostname_rule,
)
from vmrules.rules import Rule, inferred

SOURCE = inferred("test")


class _Req(Request):
    value: str | None = None


def _errors(r: Rule[Ctx[Any]], value: str | None) -> list[str]:
    ctx = Ctx(World.default(), "alice", _Req(regionId="cn-north-1", value=value))
    return [e.message for e in r.errors(ctx)]


def _get(req: Any) -> str | None:
    value: str | None = req.value
    return value


PASSWORD = password_rule("T.PASSWORD", _get, "password", SOURCE)


def _subrules(password: str) -> list[str]:
    return [p.sub_rule for p in password_problems(password)]


def test_good_passwords_pass() -> None:
    for good in ("Xk7#mP2v", "Vm9!rT4eQ8", "a1B2c3D4e5!", "Zq8-Wn5_Tp2"):
        assert _subrules(good) == [], good
        assert _errors(PASSWORD, good) == []
    assert _errors(PASSWORD, None) == []


@pytest.mark.parametrize(("password", "sub_rule"), [
    ("Xk7#mP2", "length"),
    ("Xk7#mP2v" * 4, "length"),
    ("Xk7#jdP2v", "forbidden-word"),
    ("Xk7#360Pv", "forbidden-word"),
    ("Xk7#CLOUDv", "forbidden-word"),
    ("Xk7#comPv", "forbidden-word"),
    ("Xk#P1234v", "digit-sequence"),
    ("Xk#P9876v", "digit-sequence"),
    ("X7#mPabcv", "letter-sequence"),
    ("X7#mPCBAv", "letter-sequence"),
    ("X7#mPaBcv", "letter-sequence"),
    ("X7#mPqazv", "keyboard-sequence"),
    ("X7#mPwsxv", "keyboard-sequence"),
    ("X7#mPtfcv", "keyboard-sequence"),
    ("X7#mPtrewq", "keyboard-sequence"),
    ("X7#mPqwe1", "keyboard-sequence"),
    ("X7#Root5v", "user-name"),
    ("X7#administratorv", "user-name"),
    ("Xk7#mP2v 9", "characters"),
    ("Xk7#mP2v中", "characters"),
    ("xk7mp2vz", "character-classes"),
    ("XKMPVZ#!", "character-classes"),
])
def test_each_password_sub_rule(password: str, sub_rule: str) -> None:
    assert sub_rule in _subrules(password)
    messages = _errors(PASSWORD, password)
    assert any(f"'{sub_rule}'" in m for m in messages), messages


def test_one_finding_per_broken_sub_rule() -> None:
    # too short, a forbidden word, a digit run, only two classes
    messages = _errors(PASSWORD, "jd123")
    assert len(messages) == 4
    assert [m.split("'")[1] for m in messages] == ["length", "forbidden-word", "digit-sequence",
                                                    "character-classes"]


def test_password_words_are_matched_as_listed() -> None:
    # The guide lists jd/JD, bug/BUG...: mixed-case spellings are not in the list.
    assert "forbidden-word" not in _subrules("Xk7#Jd5Pv")
    assert "forbidden-word" not in _subrules("Xk7#Bug5v")


def test_non_adjacent_sequences_pass() -> None:
    assert _subrules("Xk7#mP2vac135") == []  # a, c and 1, 3, 5 are not consecutive
    assert _subrules("Xk7#qwP2v") == []  # two keyboard keys are not a sequence
    assert _subrules("Xk7#890Pv") == []  # the digit row does not wrap around


NAME = name_rule("T.NAME", _get, "name", SOURCE)
ORDERED_NAME = name_rule("T.NAME", _get, "name", SOURCE, ordered=True)


def test_name_rule() -> None:
    for good in ("web", "web-01_a", "网站服务器", "a" * 32):
        assert _errors(NAME, good) == [], good
    assert _errors(NAME, "") == ["name has 0 characters; allowed 1 to 32"]
    assert _errors(NAME, "a" * 33) == ["name has 33 characters; allowed 1 to 32"]
    assert len(_errors(NAME, "web.server")) == 1
    assert len(_errors(NAME, "web server")) == 1
    assert len(_errors(NAME, "web-[001]")) == 1  # no counter token unless the operation allows one


def test_ordered_name_counts_the_token_as_its_digits() -> None:
    assert _errors(ORDERED_NAME, "web-[001]") == []
    assert _errors(ORDERED_NAME, "a" * 28 + "[01]") == []  # 28 + 2 digits
    assert _errors(ORDERED_NAME, "a" * 30 + "[001]") == ["name has 33 characters; allowed 1 to 32"]
    assert len(_errors(ORDERED_NAME, "[001]-web")) == 1  # a leading token is not a counter
    assert len(_errors(ORDERED_NAME, "web-[0001]-[2]")) == 1  # only the first token counts


def test_ordered_expansion() -> None:
    assert ordered_token("web") is None
    assert ordered_token("[1]web") is None
    token = ordered_token("web-[007]-x")
    assert token is not None and (token.start, token.width) == (7, 3)
    assert [expand_ordered("web-[007]-x", i) for i in range(3)] == ["web-007-x", "web-008-x", "web-009-x"]
    assert expand_ordered("w[9]", 2) == "w11"
    assert expand_ordered("plain", 5) == "plain"


DESCRIPTION = description_rule("T.DESC", _get, "description", SOURCE)


def test_description_rule() -> None:
    assert _errors(DESCRIPTION, "任意 characters! " * 10) == []
    assert _errors(DESCRIPTION, "x" * 256) == []
    assert _errors(DESCRIPTION, "x" * 257) == ["description has 257 characters; allowed at most 256"]


HOSTNAME = hostname_rule("T.HOST", _get, "hostname", SOURCE)


def test_hostname_rule() -> None:
    for good in ("web01", "web-01.example.internal", "a1", "x" * 64):
        assert _errors(HOSTNAME, good) == [], good
    assert len(_errors(HOSTNAME, "a")) == 1
    assert len(_errors(HOSTNAME, "x" * 65)) == 1
    assert len(_errors(HOSTNAME, "web_01")) == 1
    assert len(_errors(HOSTNAME, "web..01")) == 1
    assert len(_errors(HOSTNAME, "web--01")) == 1
    assert len(_errors(HOSTNAME, "-web")) == 1
    assert len(_errors(HOSTNAME, "web.")) == 1
    ordered = hostname_rule("T.HOST", _get, "hostname", SOURCE, ordered=True)
    assert _errors(ordered, "web-[01]") == []
    assert len(_errors(HOSTNAME, "web-[01]")) == 1


def test_windows_hostname_rule() -> None:
    windows = windows_hostname_rule("T.WINHOST", _get, "hostname", SOURCE, lambda ctx: "windows")
    linux = windows_hostname_rule("T.WINHOST", _get, "hostname", SOURCE, lambda ctx: "linux")
    assert _errors(windows, "web-01") == []
    assert len(_errors(windows, "x" * 16)) == 1
    assert len(_errors(windows, "web.local")) == 1
    assert len(_errors(windows, "12345")) == 1
    assert _errors(linux, "web.local") == []
