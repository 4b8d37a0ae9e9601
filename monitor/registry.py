"""The rule registry: `@rule(code, severity=...)` registers a small pure function `(db, ctx) -> findings`.

A rule never reads the clock, the settings or the network: everything it may depend on is in `ctx`
(see monitor/context.py). Its docstring (Chinese first, then English) is what users read.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from monitor.findings import SEVERITIES, Finding

# Every rule code of INTERFACE.md §5; names must not change.
RULE_CODES = (
    "late",
    "missing",
    "unreachable",
    "inconsistent.balance",
    "inconsistent.outcome_total",
    "inconsistent.row_total",
    "inconsistent.appeals_total",
    "inconsistent.carryover",
    "inconsistent.prose",
    "format.wrong_template",
    "format.missing_section",
    "format.missing_table",
    "format.empty_section",
    "format.unreadable",
    "duplicate",
    "revised",
    "implausible",
)

# Where a rule runs: "agency" rules see one batch of agencies (with their reports of the year and
# the year before) at a time and their results are cached per agency; "year" rules see the whole
# year at once (duplicate detection compares agencies with each other).
SCOPES = ("agency", "year")

RuleFunc = Callable[..., Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str
    func: RuleFunc
    scope: str = "agency"

    @property
    def doc(self) -> str:
        return (self.func.__doc__ or "").strip()


_RULES: dict[str, Rule] = {}


def rule(code: str, *, severity: str, scope: str = "agency") -> Callable[[RuleFunc], RuleFunc]:
    """Register `func` under `code`. A code can be registered once; a second registration raises."""
    if severity not in SEVERITIES:
        raise ValueError(f"rule {code}: severity must be one of {SEVERITIES}, not {severity!r}")
    if scope not in SCOPES:
        raise ValueError(f"rule {code}: scope must be one of {SCOPES}, not {scope!r}")

    def register(func: RuleFunc) -> RuleFunc:
        if code in _RULES:
            raise ValueError(f"rule {code} is already registered (by {_RULES[code].func.__qualname__})")
        _RULES[code] = Rule(code=code, severity=severity, func=func, scope=scope)
        return func

    return register


def load_rules() -> None:
    """Import every module of monitor.rules once, which registers its rules."""
    import monitor.rules

    for info in pkgutil.iter_modules(monitor.rules.__path__):
        importlib.import_module(f"monitor.rules.{info.name}")


def all_rules() -> list[Rule]:
    """Every registered rule, in the order of RULE_CODES (then any others by code)."""
    load_rules()
    order = {code: i for i, code in enumerate(RULE_CODES)}
    return sorted(_RULES.values(), key=lambda r: (order.get(r.code, len(order)), r.code))


def get_rule(code: str) -> Rule:
    load_rules()
    return _RULES[code]
