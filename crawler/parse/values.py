"""Reading cell values (FORMATS.md §8a value domain, §10): never guess a number.

Each cell has a kind: `count` (non-negative integer), `signed` (an integer that may carry + or -)
or `amount` (万元, decimal allowed, 元 converted). `read_cell` reads one cell whose boundaries are
known; `split_run` places run-together values (flattened text) into a row's cells, and gives up
unless exactly one placement is possible.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

WHITESPACE = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")
PLACEHOLDERS = frozenset({"", "-", "--", "—", "——", "－", "/", "\\", "无", "空", "―", "─", "–"})
COUNT_UNITS = "件个条项次宗人次"
AMOUNT = re.compile(r"^(\d+(?:\.\d+)?)(万元|元|万)?$")
GROUPED = re.compile(r"^\d{1,3}(?:,\d{3})+$")


# Full-width ASCII forms (，（）：１２) and the ideographic space: NFKC maps each of them to the one
# ASCII character it decomposes to.
FULLWIDTH = re.compile("[\uff01-\uff5e\u3000]")


def _ascii_of(m: re.Match) -> str:
    ch = m.group()
    return " " if ch == "\u3000" else chr(ord(ch) - 0xFEE0)


def nfkc(text: str) -> str:
    """unicodedata.normalize("NFKC", text), the same result, faster on Chinese text.

    For speed (NFKC was the parser's costliest call): replacing the full-width forms first leaves
    text that normalize() usually returns after its quick check in C, without the slow composition
    pass. Exact, since each replacement is the character's whole compatibility decomposition.
    """
    if text.isascii():
        return text
    if len(text) <= 200:
        return _nfkc_line(text)
    return _nfkc(text)


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", FULLWIDTH.sub(_ascii_of, text))


# Lines are normalised several times each (title, headings, bylines, table rows); short ones are cached.
_nfkc_line = lru_cache(maxsize=4096)(_nfkc)


@lru_cache(maxsize=65536)
def norm(text: str | None) -> str:
    """NFKC (full-width digits and brackets to ASCII) and no whitespace at all."""
    if not text:
        return ""
    return WHITESPACE.sub("", nfkc(text))


@dataclass(frozen=True)
class Cell:
    value: float | int | None
    problem: str | None = None  # blank_cells | unparsed_value | unit_assumed
    text: str = ""


def kind_of(column: str) -> str:
    if column == "change":
        return "signed"
    if column == "amount_wan":
        return "amount"
    return "count"


def read_amount(text: str, header_unit: str | None) -> Cell:
    m = AMOUNT.match(text)
    if not m:
        return Cell(None, "unparsed_value", text)
    number = float(m.group(1))
    unit = m.group(2) or header_unit
    if unit == "元":
        return Cell(round(number / 10000, 10), None, text)
    if unit in ("万元", "万"):
        return Cell(number, None, text)
    # A bare amount with no unit anywhere is taken as 万元; 0 is 0 in any unit.
    return Cell(number, None if number == 0 else "unit_assumed", text)


@lru_cache(maxsize=65536)
def read_cell(raw: str | None, kind: str = "count", header_unit: str | None = None) -> Cell:
    """One cell with known boundaries -> value, or None with the reason."""
    text = norm(raw)
    if text in PLACEHOLDERS or set(text) <= set("-—－/―─–"):
        return Cell(None, "blank_cells", text)
    if kind == "amount":
        return read_amount(text.replace(",", "") if GROUPED.match(text.split(".")[0]) else text, header_unit)
    if GROUPED.match(text):
        text = text.replace(",", "")
    text = text.rstrip(COUNT_UNITS) if text[:1].isdigit() else text
    if re.fullmatch(r"\d+", text):
        return Cell(int(text), None, text)
    if kind == "signed" and re.fullmatch(r"[+-]\d+", text):
        return Cell(int(text), None, text)
    return Cell(None, "unparsed_value", text)


# --- run-together values --------------------------------------------------------------------

TOKEN_SPLIT = re.compile(r"[\s\u00a0\u3000]+")
ATOM = re.compile(r"^[+-]?\d+(?:\.\d+)(?:万元|元|万)?$|^[+-]?\d+(?:万元|元|万)$")
DIGITS = re.compile(r"^[+-]?\d+$")


def tokens_of(text: str) -> list[str] | None:
    """Whitespace tokens; a sign inside a run starts a new token (`35-15` -> `35`, `-15`).

    None when the text holds something that is not a value at all.
    """
    out: list[str] = []
    for tok in TOKEN_SPLIT.split(nfkc(text).strip()):
        if not tok:
            continue
        for part in re.split(r"(?=[+-])", tok):
            if not part:
                continue
            if part in PLACEHOLDERS and part != "":
                out.append("-")  # an explicit placeholder still marks one (blank) cell
            elif ATOM.match(part) or DIGITS.match(part) or GROUPED.match(part):
                out.append(part)
            else:
                return None
    return out


WHOLE = {
    "count": re.compile(r"^(?:0|[1-9]\d*)$"),
    "signed": re.compile(r"^[+-]?(?:0|[1-9]\d*)$"),
    "amount": re.compile(r"^(?:0|[1-9]\d*)(?:\.\d+)?(?:万元|元|万)?$"),
}
PIECE = re.compile(r"^[+-]?\d+")


def _pieces(rest: str, kind: str):
    """Values a cell of `kind` can take from the start of `rest`: (characters used, text).

    The whole rest when it is a value of that kind, and every shorter integer at its start (the
    digits after it then belong to later cells). A signed piece fits only a signed cell.
    """
    if WHOLE[kind].match(rest):
        yield len(rest), rest
    digits = PIECE.match(rest)
    if not digits:
        return
    signed = rest[0] in "+-"
    if signed and kind == "count":
        return
    for end in range(int(signed) + 1, digits.end()):
        piece = rest[:end]
        if WHOLE["signed" if signed else "count"].match(piece):
            yield end, piece


def split_run(text: str, kinds: list[str]) -> list[str | None] | None:
    """Place run-together values into len(kinds) cells, in order, blanks allowed anywhere.

    Returns the cells' texts (None = blank) when exactly one placement exists, else None.
    Arithmetic rules and prose are never used to choose: they would then check themselves.
    """
    tokens = tokens_of(text)
    if tokens is None:
        return None
    return _unique_placement(tuple(tokens), tuple(kinds))


@lru_cache(maxsize=4096)
def _unique_placement(tokens: tuple[str, ...], kinds: tuple[str, ...]) -> list[str | None] | None:
    n = len(kinds)
    memo: dict[tuple[int, int, int], int] = {}

    def moves(t: int, p: int, c: int):
        """(next state, what cell c receives) for every way to fill cell c from position (t, p)."""
        yield (t, p, c + 1), None  # cell c left blank
        if t >= len(tokens):
            return
        tok = tokens[t]
        if tok == "-":
            yield (t + 1, 0, c + 1), None  # a printed placeholder fills exactly this cell
            return
        if GROUPED.match(tok):
            if p == 0 and kinds[c] != "signed":
                yield (t + 1, 0, c + 1), tok.replace(",", "")
            return
        rest = tok[p:]
        for used, piece in _pieces(rest, kinds[c]):
            np_ = p + used
            yield ((t + 1, 0, c + 1) if np_ == len(tok) else (t, np_, c + 1)), piece

    def ways(t: int, p: int, c: int) -> int:
        if c == n:
            return 1 if t == len(tokens) else 0
        key = (t, p, c)
        if key in memo:
            return memo[key]
        total = 0
        for state, _ in moves(t, p, c):
            total += ways(*state)
            if total >= 2:
                break
        memo[key] = min(total, 2)
        return memo[key]

    if all(tok == "-" for tok in tokens):
        return [None] * n  # nothing but blanks, however they are spread
    if ways(0, 0, 0) != 1:
        return None
    cells: list[str | None] = []
    state = (0, 0, 0)
    while state[2] < n:
        for nxt, piece in moves(*state):
            if ways(*nxt) == 1:
                cells.append(piece)
                state = nxt
                break
    return cells
