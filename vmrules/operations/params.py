"""The public parameter rules (公共参数规范, fact sheet §4.G) as reusable rule factories.

Every factory takes the rule id, a getter reading the value from the parsed request (None when absent), the
parameter path and the rule's source, and returns a ``Rule`` over any operation context. A rule holds when
the value is absent: whether a parameter is required is the request model's business.

* ``password_rule`` — G2: length, forbidden words, digit/letter/keyboard runs, user name, 3 of 4 classes.
* ``name_rule`` — G3: Chinese, digits, letters, ``_`` and ``-``, 1 to 32 characters.
* ``description_rule`` — G6: any characters, at most 256.
* ``hostname_rule`` / ``windows_hostname_rule`` — G5: RFC 952/1123 host names; Windows' stricter form.

Ordered names (G4): with ``ordered=True`` a ``[digits]`` token in a non-leading position stands for the
counter that numbers the instances of one request; it is checked as the digits it renders to (its width).
``ordered_token`` finds the token; ``expand_ordered`` renders the n-th name.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from vmrules.operation import Ctx
from vmrules.rules import Finding, Findings, Phase, Rule, Source, sdk_doc

Getter = Callable[[Any], str | None]

# ---- password (G2) ----------------------------------------------------------------------------------

PASSWORD_MIN = 8
PASSWORD_MAX = 30
PASSWORD_FORBIDDEN_WORDS: tuple[str, ...] = (
    "jd", "JD", "360", "bug", "BUG", "com", "COM", "cloud", "CLOUD", "password", "PASSWORD",
)
PASSWORD_SPECIALS = "()`~!@#$%^&*_-+=|{}[]:\";'<>,.?/"
# The accounts a password logs in to: root on Linux, Administrator on Windows (matched case-insensitively).
PASSWORD_USER_NAMES: tuple[str, ...] = ("root", "administrator")
# Where the public parameter rules are published (the SDK's documentation links there).
GENERAL_PARAMETERS = "公共参数规范 https://docs.jdcloud.com/virtual-machines/api/general_parameters"
# The SDK's own words on passwords (InstanceSpec.password), verbatim; the rest of the password rules are the
# public parameter rules it links to.
PASSWORD_SOURCE = sdk_doc(
    "InstanceSpec.password: 实例密码。可用于SSH登录和VNC登录。长度为8\\~30个字符，必须同时包含大、小写英文字母、数字和"
    "特殊符号中的三类字符。特殊符号包括：\\(\\)\\`~!@#$%^&\\*\\_-+=\\|{}\\[ ]:\";'<>,.?/，更多密码输入要求请参见 "
    "[公共参数规范](https://docs.jdcloud.com/virtual-machines/api/general_parameters)"
)


# Lines of adjacent letter keys on a QWERTY keyboard: rows, the columns leaning right (q-a-z) and the
# diagonals leaning left (t-f-c). Three adjacent keys along one line, either way, form a sequence.
KEYBOARD_LINES: tuple[str, ...] = (
    "qwertyuiop", "asdfghjkl", "zxcvbnm",
    "qaz", "wsx", "edc", "rfv", "tgb", "yhn", "ujm",
    "esz", "rdx", "tfc", "ygv", "uhb", "ijn", "okm",
)


def _triples(line: str) -> frozenset[str]:
    """Every 3 consecutive characters of ``line``, ascending or descending (abc, cba, 987)."""
    return frozenset(way[i:i + 3] for way in (line, line[::-1]) for i in range(len(way) - 2))


# Sets of 3-character runs, looked up window by window: the password rule runs on every createInstances check,
# and a set lookup per window is several times cheaper than a regex alternation of every triple. Letter and
# keyboard runs ignore case: they are looked up in the lower-cased password.
_DIGIT_RUNS = _triples(string.digits)
_LETTER_RUNS = _triples(string.ascii_lowercase)
_KEYBOARD_RUNS = frozenset().union(*(_triples(line) for line in KEYBOARD_LINES))
# Any of the three, as character tuples (what zip gives). Lower-casing keeps digits as they are and next to each
# other, so a password whose lowered form has no 3 consecutive characters in this set has no digit, letter or
# keyboard run at all (the common, valid case, decided by one set operation).
_ANY_RUN = frozenset(tuple(run) for run in _DIGIT_RUNS | _LETTER_RUNS | _KEYBOARD_RUNS)
# Whether any forbidden word (user name) occurs, in one scan: most passwords have none, and then no word is
# looked for one by one.
_ANY_FORBIDDEN_WORD = re.compile("|".join(map(re.escape, PASSWORD_FORBIDDEN_WORDS)))
_ANY_USER_NAME = re.compile("|".join(map(re.escape, PASSWORD_USER_NAMES)))
_UPPER = frozenset(string.ascii_uppercase)
_LOWER = frozenset(string.ascii_lowercase)
_DIGITS = frozenset(string.digits)
_SPECIALS = frozenset(PASSWORD_SPECIALS)
_ALLOWED = _UPPER | _LOWER | _DIGITS | _SPECIALS


@dataclass(frozen=True, slots=True)
class PasswordProblem:
    """One broken sub-rule of the password rule: its short name and an English explanation."""

    sub_rule: str
    message: str


def password_problems(password: str) -> list[PasswordProblem]:
    """Every password sub-rule ``password`` breaks, in the guide's order (empty when it is acceptable).

    The messages never repeat the password itself, only the offending fragment where that helps.
    """
    problems: list[PasswordProblem] = []
    n = len(password)
    if not PASSWORD_MIN <= n <= PASSWORD_MAX:
        problems.append(PasswordProblem(
            "length", f"has {n} characters; allowed {PASSWORD_MIN} to {PASSWORD_MAX}"))
    words = [w for w in PASSWORD_FORBIDDEN_WORDS if w in password] if _ANY_FORBIDDEN_WORD.search(password) else []
    if words:
        problems.append(PasswordProblem(
            "forbidden-word", f"contains the forbidden word(s) {', '.join(repr(w) for w in words)}"))
    lowered = password.lower()
    if not _ANY_RUN.isdisjoint(zip(lowered, lowered[1:], lowered[2:], strict=False)):
        digits = _first_run(_DIGIT_RUNS, password, password)
        if digits:
            problems.append(PasswordProblem(
                "digit-sequence", f"contains the run of 3 or more consecutive digits {digits!r}"))
        letters = _first_run(_LETTER_RUNS, password, lowered)
        if letters:
            problems.append(PasswordProblem(
                "letter-sequence", f"contains the run of 3 or more consecutive letters {letters!r}"))
        keys = _first_run(_KEYBOARD_RUNS, password, lowered)
        if keys:
            problems.append(PasswordProblem(
                "keyboard-sequence", f"contains the keyboard sequence {keys!r}"))
    names = [u for u in PASSWORD_USER_NAMES if u in lowered] if _ANY_USER_NAME.search(lowered) else []
    if names:
        problems.append(PasswordProblem(
            "user-name", f"contains the user name {names[0]!r} (root on Linux, Administrator on Windows)"))
    chars = set(password)
    if not chars <= _ALLOWED:
        shown = "".join(sorted(chars - _ALLOWED)[:10])
        problems.append(PasswordProblem(
            "characters", f"contains characters outside letters, digits and {PASSWORD_SPECIALS}: {shown!r}"))
    classes = _classes(chars)
    if len(classes) < 3:
        problems.append(PasswordProblem(
            "character-classes",
            f"uses {len(classes)} of the 4 character classes ({', '.join(classes) or 'none'}); at least 3 of "
            f"uppercase, lowercase, digits and special characters are needed"))
    return problems


def _first_run(runs: frozenset[str], text: str, searched: str) -> str | None:
    """The first 3 consecutive characters of ``searched`` that are one of ``runs``, as they stand in ``text``
    at the same place (``searched`` is ``text`` or its lower-cased form)."""
    for i in range(len(searched) - 2):
        if searched[i:i + 3] in runs:
            return text[i:i + 3]
    return None


_CLASSES: tuple[tuple[str, frozenset[str]], ...] = (
    ("uppercase", _UPPER), ("lowercase", _LOWER), ("digits", _DIGITS), ("special", _SPECIALS))


def _classes(chars: set[str]) -> list[str]:
    return [name for name, members in _CLASSES if not chars.isdisjoint(members)]


def password_rule(rule_id: str, getter: Getter, field: str, source: Source) -> Rule[Ctx[Any]]:
    """The password rules of 公共参数规范: one finding per broken sub-rule, each naming the sub-rule."""

    def check(ctx: Ctx[Any]) -> Findings:
        value = getter(ctx.req)
        if value is None:
            return None
        problems = password_problems(value)
        if not problems:
            return None
        return [Finding(f"{field} breaks the password rule '{p.sub_rule}': it {p.message}") for p in problems]

    words = ", ".join(sorted({w.lower() for w in PASSWORD_FORBIDDEN_WORDS}))
    return Rule(rule_id, Phase.PARAMETERS,
                f"{field} has {PASSWORD_MIN} to {PASSWORD_MAX} characters, only letters, digits and "
                f"{PASSWORD_SPECIALS}; uses at least 3 of uppercase, lowercase, digits and special characters; "
                f"contains none of the words {words} (all lower or all upper case); no run of 3 consecutive "
                "digits or letters (123, cba) and no 3 adjacent keyboard keys (qwe, qaz); and not the user name "
                "root or Administrator.", source, field, check)


# ---- ordered names (G4) -----------------------------------------------------------------------------

ORDERED_MAX = 9999
_ORDERED_TOKEN = re.compile(r"\[(\d{1,4})\]")


@dataclass(frozen=True, slots=True)
class OrderedToken:
    """A ``[start]`` counter token in a name: where it is, its start value and its width (digit count)."""

    start_index: int
    end_index: int
    start: int
    width: int


def ordered_token(name: str) -> OrderedToken | None:
    """The first ``[digits]`` token (1 to 4 digits) in a non-leading position, or None."""
    if "[" not in name:  # most names have no token: no regex scan
        return None
    for m in _ORDERED_TOKEN.finditer(name):
        if m.start() == 0:
            continue
        digits = m.group(1)
        return OrderedToken(m.start(), m.end(), int(digits), len(digits))
    return None


def expand_ordered(name: str, index: int) -> str:
    """The name of the ``index``-th instance (0-based): the token replaced by ``start + index``, zero-padded
    to the token's width. A name without a token is returned unchanged."""
    token = ordered_token(name)
    if token is None:
        return name
    counter = str(token.start + index).zfill(token.width)
    return name[:token.start_index] + counter + name[token.end_index:]


def _rendered(value: str, ordered: bool) -> str:
    """The value as checked: with ``ordered``, the counter token stands for its digits."""
    if not ordered:
        return value
    token = ordered_token(value)
    if token is None:
        return value
    return value[:token.start_index] + value[token.start_index + 1:token.end_index - 1] + value[token.end_index:]


# ---- name (G3) --------------------------------------------------------------------------------------

NAME_MAX = 32
# Every character of a valid name: what _name_char accepts, as one regex (the common case, checked at once).
_NAME_CHARS = re.compile("[A-Za-z0-9_\\-\u4e00-\u9fff]*")


def _name_char(c: str) -> bool:
    return c in string.ascii_letters or c in string.digits or c in "_-" or "\u4e00" <= c <= "\u9fff"


def name_rule(rule_id: str, getter: Getter, field: str, source: Source, *,
              ordered: bool = False) -> Rule[Ctx[Any]]:
    """The name rule of 公共参数规范: 1 to 32 characters, each Chinese, a digit, a letter, ``_`` or ``-``.

    With ``ordered`` a ``[digits]`` token in a non-leading position is allowed and counts as its digits."""

    def check(ctx: Ctx[Any]) -> Findings:
        value = getter(ctx.req)
        if value is None:
            return None
        checked = _rendered(value, ordered)
        if 1 <= len(checked) <= NAME_MAX and _NAME_CHARS.fullmatch(checked):
            return None  # valid: no finding to build
        found: list[Finding] = []
        if not 1 <= len(checked) <= NAME_MAX:
            found.append(Finding(f"{field} has {len(checked)} characters; allowed 1 to {NAME_MAX}"))
        bad = sorted({c for c in checked if not _name_char(c)})
        if bad:
            found.append(Finding(f"{field} contains {''.join(bad[:10])!r}; only Chinese characters, digits, "
                                 "letters, '_' and '-' are allowed"))
        return found

    statement = f"{field} has 1 to {NAME_MAX} characters: Chinese characters, digits, letters, '_' and '-'."
    if ordered:
        statement += " A [digits] counter token counts as its digits."
    return Rule(rule_id, Phase.PARAMETERS, statement, source, field, check)


# ---- description (G6) -------------------------------------------------------------------------------

DESCRIPTION_MAX = 256


def description_rule(rule_id: str, getter: Getter, field: str, source: Source) -> Rule[Ctx[Any]]:
    """The description rule of 公共参数规范: any characters, at most 256 of them."""

    def check(ctx: Ctx[Any]) -> Findings:
        value = getter(ctx.req)
        if value is None or len(value) <= DESCRIPTION_MAX:
            return None
        return Finding(f"{field} has {len(value)} characters; allowed at most {DESCRIPTION_MAX}")

    return Rule(rule_id, Phase.PARAMETERS, f"{field} has at most {DESCRIPTION_MAX} characters.", source, field,
                check)


# ---- hostname (G5) ----------------------------------------------------------------------------------

HOSTNAME_MIN = 2
HOSTNAME_MAX = 64
WINDOWS_HOSTNAME_MAX = 15
_HOSTNAME_CHARS = frozenset(string.ascii_letters + string.digits + "-.")


def hostname_problems(hostname: str) -> list[str]:
    """What makes ``hostname`` an invalid (Linux) host name: 2 to 64 characters, dot-separated labels of
    letters, digits and '-', no doubled '.' or '-', no leading or trailing '.' or '-'."""
    problems = []
    if not HOSTNAME_MIN <= len(hostname) <= HOSTNAME_MAX:
        problems.append(f"has {len(hostname)} characters; allowed {HOSTNAME_MIN} to {HOSTNAME_MAX}")
    bad = sorted({c for c in hostname if c not in _HOSTNAME_CHARS})
    if bad:
        problems.append(f"contains {''.join(bad[:10])!r}; only letters, digits, '-' and '.' are allowed")
    if ".." in hostname or "--" in hostname:
        problems.append("contains a doubled '.' or '-'")
    if hostname[:1] in (".", "-") or hostname[-1:] in (".", "-"):
        problems.append("starts or ends with '.' or '-'")
    return problems


def windows_hostname_problems(hostname: str) -> list[str]:
    """What a Windows host name adds: at most 15 characters, no '.', not all digits."""
    problems = []
    if len(hostname) > WINDOWS_HOSTNAME_MAX:
        problems.append(f"has {len(hostname)} characters; a Windows host name allows at most {WINDOWS_HOSTNAME_MAX}")
    if "." in hostname:
        problems.append("contains '.', which a Windows host name may not")
    if hostname.isdigit():
        problems.append("is all digits, which a Windows host name may not be")
    return problems


def hostname_rule(rule_id: str, getter: Getter, field: str, source: Source, *,
                  ordered: bool = False) -> Rule[Ctx[Any]]:
    """A host name valid for any OS (the Linux form): one finding per broken sub-rule."""

    def check(ctx: Ctx[Any]) -> Findings:
        value = getter(ctx.req)
        if value is None:
            return None
        return [Finding(f"{field} {p}") for p in hostname_problems(_rendered(value, ordered))]

    return Rule(rule_id, Phase.PARAMETERS,
                f"{field} has {HOSTNAME_MIN} to {HOSTNAME_MAX} characters in dot-separated labels of letters, "
                "digits and '-', with no doubled, leading or trailing '.' or '-'.", source, field, check)


def windows_hostname_rule(rule_id: str, getter: Getter, field: str, source: Source,
                          os_type: Callable[[Any], str | None], *, ordered: bool = False) -> Rule[Ctx[Any]]:
    """For a Windows image (``os_type(ctx)`` is ``"windows"``): at most 15 characters, no '.', not all digits.

    A COMPATIBILITY rule: the host name contradicts a fixed property (the OS) of the image it names."""

    def check(ctx: Ctx[Any]) -> Findings:
        value = getter(ctx.req)
        if value is None or os_type(ctx) != "windows":
            return None
        return [Finding(f"{field} {p}") for p in windows_hostname_problems(_rendered(value, ordered))]

    return Rule(rule_id, Phase.COMPATIBILITY,
                f"For a Windows image {field} has at most {WINDOWS_HOSTNAME_MAX} characters, no '.', and is not "
                "all digits.", source, field, check)


def unmodelled_rule(rule_id: str, narrowing: dict[str, Callable[[Any], bool]], why: str,
                    source: Source) -> Rule[Ctx[Any]]:
    """A rule refusing the SDK parameters ``narrowing`` names, each when its test of the request says it is
    given so as to narrow the answer: the world does not model what they select by (``why``), and a listing
    that ignored them would answer more than was asked for, which a caller acting on the answer (a stop or a
    delete of what was listed) cannot tell."""
    names = list(narrowing)
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]

    def check(ctx: Ctx[Any]) -> Findings:
        return [Finding(f"{name} is not supported: {why}", name) for name, given in narrowing.items()
                if given(ctx.req)]

    return Rule(rule_id, Phase.PARAMETERS, f"{listed} {'is' if len(names) == 1 else 'are'} refused rather than "
                f"ignored: {why}.", source, names[0], check)
