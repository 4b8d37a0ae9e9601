"""HTML pages -> Document: decode, find the article body, and read it as paragraph lines and tables.

Government pages are decoded by the order of trust of PORTALS.md §6 (HTTP charset, then the page's
own declaration, each verified by a clean decode, then detection), parsed with lxml (falling back to
BeautifulSoup through lxml's soupparser when lxml gives up), and read in reading order. Data tables
keep their merged cells (rowspan/colspan) expanded: the text at the top-left position and None at
every other position the cell covers. Layout tables (tables holding tables, one-cell wrappers) are
not data: their cells are read as blocks.
"""

from __future__ import annotations

import re
from functools import lru_cache

from lxml import etree

from crawler.parse.model import Document, ParseError, Table

# ---------------------------------------------------------------------------------------- text

_SPACE = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")


def normalise_space(text: str) -> str:
    """Collapse every run of whitespace (also NBSP, U+3000, zero-width) into one space; strip the ends."""
    return _SPACE.sub(" ", text).strip()


def join_pieces(pieces: list[str]) -> str:
    """Join text pieces that were separate blocks (paragraphs in a cell, lines of a PDF cell).

    Chinese runs on without spaces (申请人情 + 况); a space is kept only where Latin text or digits meet.
    """
    out = ""
    for piece in pieces:
        if not piece:
            continue
        if out and (out[-1].isascii() and out[-1].isalnum()) and (piece[0].isascii() and piece[0].isalnum()):
            out += " "
        out += piece
    return out


# ------------------------------------------------------------------------------------ decoding

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.I)
_HTTP_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9_:.\-]+)""", re.I)
# Declarations no Chinese portal means: servers default to them, they decode anything, prove nothing.
_UNTRUSTED = {"iso-8859-1", "latin-1", "latin1", "windows-1252", "cp1252", "us-ascii", "ascii", "iso8859-1"}
_GB = {
    "gb2312",
    "gbk",
    "gb18030",
    "x-gbk",
    "gb_2312-80",
    "csgb2312",
    "euc-cn",
    "cp936",
    "hz-gb-2312",
    "gb_2312",
}


def _canonical(name: str | None) -> str | None:
    if not name:
        return None
    name = name.strip().lower()
    if name in _GB:
        # GB18030 is a superset: a page labelled GB2312 with a rare character still decodes.
        return "gb18030"
    if name in ("utf8", "utf-8", "unicode-1-1-utf-8"):
        return "utf-8"
    return name


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_html(data: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Bytes -> (text, encoding used). Declared encodings are trusted only when they decode cleanly."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace"), "utf-8"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace"), "utf-16"
    declared: list[str] = []
    if content_type:
        m = _HTTP_CHARSET.search(content_type)
        if m:
            declared.append(m.group(1))
    declared += [m.group(1).decode("ascii", "ignore") for m in _META_CHARSET.finditer(data[:200_000])]
    candidates = []
    for name in declared:
        enc = _canonical(name)
        if enc and enc not in _UNTRUSTED and enc not in candidates:
            candidates.append(enc)
    ascii_only = data.isascii()
    if ascii_only:
        return data.decode("ascii"), candidates[0] if candidates else "ascii"
    for enc in candidates:
        if enc == "gb18030" and "utf-8" not in candidates:
            # GB18030 decodes most UTF-8 byte strings without error (into nonsense); real UTF-8 with
            # Chinese in it is never accidentally valid UTF-8, so that check comes first.
            text = _strict(data, "utf-8")
            if text is not None:
                return text, "utf-8"
        text = _strict(data, enc)
        if text is not None:
            return text, enc
    from bs4.dammit import UnicodeDammit

    dammit = UnicodeDammit(data, known_definite_encodings=["utf-8", "gb18030"], is_html=True)
    if dammit.unicode_markup is not None and dammit.original_encoding:
        return dammit.unicode_markup, dammit.original_encoding
    return data.decode("gb18030", "replace"), "gb18030"


# ------------------------------------------------------------------------------------- parsing

_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True, no_network=True)


def _parse(text: str):
    text = _XML_DECL.sub("", text, count=1)
    try:
        # Plain lxml elements: lxml.html's per-element Python class lookup costs more than the parse.
        root = etree.fromstring(text, _PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        root = None
    if root is None or not _has_text(root):
        # lxml gives up on some broken markup (or an empty result); BeautifulSoup is more forgiving.
        try:
            from lxml.html import soupparser

            root = soupparser.fromstring(text)
        except Exception as exc:  # noqa: BLE001 - any failure of the fallback means unreadable
            raise ParseError(f"unreadable HTML: {exc}") from None
    return root


def _has_text(root) -> bool:
    return any(piece.strip() for piece in root.itertext())


# ---------------------------------------------------------------------------------------- body

# Where CMS families put the article (PORTALS.md §3), most specific first: (attribute, value).
BODY_MARKERS = [
    ("class", "TRS_Editor"),
    ("id", "zoom"),
    ("id", "ivs_content"),
    ("class", "wzzw-article"),
    ("class", "news_cont_d_wrap"),
    ("tag", "ucapcontent"),
    ("class", "article-content"),
    ("id", "content"),
    ("tag", "article"),
]
_MARKER_RANK = {marker: rank for rank, marker in enumerate(BODY_MARKERS)}
MIN_BODY_TEXT = 40

_SKIP = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "iframe",
        "select",
        "option",
        "button",
        "textarea",
        "nav",
        "head",
        "title",
        "meta",
        "link",
        "object",
        "embed",
        "svg",
        "map",
    }
)
_BLOCK = frozenset(
    {
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "section",
        "article",
        "blockquote",
        "center",
        "pre",
        "form",
        "header",
        "footer",
        "address",
        "figure",
        "figcaption",
        "main",
        "aside",
        "hr",
        "caption",
        "fieldset",
        "legend",
        "tr",
        "td",
        "th",
        "tbody",
        "thead",
        "tfoot",
        "ucapcontent",
        "body",
        "html",
    }
)


def _text_len(el) -> int:
    return len(normalise_space("".join(el.itertext())))


def _enough_text(el, n: int = MIN_BODY_TEXT) -> bool:
    seen = 0
    for piece in el.itertext():
        seen += len(piece.strip())
        if seen >= n:
            return True
    return False


# The attributes and tags a body marker can sit on, in document order. libxml2 collects them far
# faster than a Python loop over every element (Word-pasted pages have thousands of <span>s), and
# faster than an XPath that tests the marker values itself (contains() per element is slow there).
# Word-pasted pages put class="MsoNormal" on every paragraph: those are left out in C already.
_MARKER_NODES = etree.XPath(
    "descendant-or-self::*/@id | descendant-or-self::*/@class[. != 'MsoNormal']"
    " | descendant-or-self::ucapcontent | descendant-or-self::article"
)


def _marker_rank(node) -> int | None:
    """The best body-marker rank of one result of _MARKER_NODES (an attribute value or an element)."""
    name = getattr(node, "attrname", None)
    if name is None:
        return _MARKER_RANK[("tag", node.tag)]
    # str(): the result is a "smart" string that references its element; the cache must not keep trees alive.
    return _attribute_rank(name, str(node))


@lru_cache(maxsize=4096)
def _attribute_rank(name: str, value: str) -> int | None:
    """Cached: class values repeat on every element of a Word-pasted page (MsoNormal...)."""
    if name == "id":
        return _MARKER_RANK.get(("id", value))
    ranks = [r for r in (_MARKER_RANK.get(("class", c)) for c in value.split()) if r is not None]
    return min(ranks) if ranks else None


def find_body(root):
    """The first element carrying the best-ranked body marker and some text; else a guess."""
    best: dict = {}  # element -> best rank; insertion order is document order
    for node in _MARKER_NODES(root):
        rank = _marker_rank(node)
        if rank is None:
            continue
        el = node.getparent() if getattr(node, "attrname", None) else node
        if el not in best or rank < best[el]:
            best[el] = rank
    ranked = sorted(
        ((rank, order, el) for order, (el, rank) in enumerate(best.items())), key=lambda x: (x[0], x[1])
    )
    for _rank, _order, el in ranked:
        if _enough_text(el):
            return el
    return _guess_body(root)


def _guess_body(root):
    """No known container: the element holding the data tables, else the one with most paragraph text."""
    tables = [t for t in root.iter("table") if _is_data_table(t)]
    body = root.find("body")
    if body is None:
        body = root
    if tables:
        node = _common_ancestor(tables)
        # A wrapper around the tables alone is too narrow: climb until prose is included.
        while node is not body and node.getparent() is not None and _prose_len(node) < 200:
            node = node.getparent()
        return node
    scores: dict = {}
    for p in root.iter("p", "br"):
        parent = p.getparent()
        if parent is not None:
            scores[parent] = scores.get(parent, 0) + _text_len(p) + len((p.tail or "").strip())
    if scores:
        return max(scores, key=scores.get)
    return body


def _common_ancestor(elements):
    paths = []
    for el in elements:
        chain = []
        while el is not None:
            chain.append(el)
            el = el.getparent()
        paths.append(chain[::-1])
    common = paths[0][0]
    for level in zip(*paths, strict=False):
        if all(x is level[0] for x in level):
            common = level[0]
        else:
            break
    return common


def _prose_len(el) -> int:
    """Text of `el` that is not inside a table."""
    total = 0
    for node in el.iter():
        if node.tag == "table" or not isinstance(node.tag, str):
            continue
        inside = False
        parent = node.getparent()
        while parent is not None and parent is not el:
            if parent.tag == "table":
                inside = True
                break
            parent = parent.getparent()
        if not inside:
            total += len((node.text or "").strip())
    return total


# -------------------------------------------------------------------------------------- tables


def _rows_of(table) -> list:
    """The table's own rows, not those of tables nested in it."""
    rows = []
    for child in table:
        tag = child.tag
        if tag == "tr":
            rows.append(child)
        elif tag in ("tbody", "thead", "tfoot"):
            rows.extend(c for c in child if c.tag == "tr")
    return rows


def _cells_of(tr) -> list:
    return list(tr.iterchildren("td", "th"))


def _is_data_table(table) -> bool:
    if next(table.iterdescendants("table"), None) is not None:
        return False
    # One cell per row: a wrapper for layout, never a statistical table. (Stops at the first wider row.)
    return any(len(_cells_of(r)) > 1 for r in _rows_of(table))


_SPAN = re.compile(r"\s*(\d+)")


def _span(value: str | None, name: str, limit: int) -> int:
    """A rowspan/colspan attribute value as a count of rows/columns."""
    if not value:
        return 1
    if value.isascii() and value.isdigit():
        n = int(value)  # the usual case, without the regex
    else:
        m = _SPAN.match(value)
        if not m:
            return 1
        n = int(m.group(1))
    if n == 0 and name == "rowspan":
        return limit  # rowspan=0: to the end of the table
    return max(1, min(n, limit))


def read_table(table) -> Table:
    """rowspan/colspan expanded: text at the top-left position, None at the other covered positions."""
    rows = _rows_of(table)
    _mark_blocks(table, rows)
    grid: dict[tuple[int, int], str | None] = {}
    width = 0
    for r, tr in enumerate(rows):
        c = 0
        for cell in tr.iterchildren("td", "th"):
            while (r, c) in grid:
                c += 1
            rowspan = cell.get("rowspan")  # most cells have neither: no call for them
            rowspan = _span(rowspan, "rowspan", len(rows) - r) if rowspan else 1
            colspan = cell.get("colspan")
            colspan = _span(colspan, "colspan", 1000) if colspan else 1
            if rowspan > 1 or colspan > 1:  # most cells cover only their own position
                for dr in range(rowspan):
                    for dc in range(colspan):
                        grid[(r + dr, c + dc)] = None
            grid[(r, c)] = cell_text(cell)
            c += colspan
            if c > width:
                width = c
    out = [[grid.get((r, c)) for c in range(width)] for r in range(len(rows))]
    return Table(rows=[row for row in out if any(v is not None for v in row)] or out)


_CJK_GAP = re.compile(
    r"(?<=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]) (?=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef])"
)
_SEP = "\ufdd0"  # a noncharacter: marks a block boundary inside a cell while its text is gathered in one pass
_CELL_BLOCKS = ("p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr")


def _mark_blocks(table, rows: list) -> None:
    """Mark block boundaries inside the cells. The table's own rows hold the cells: no mark needed there."""
    for el in list(table.iter("script", "style")):
        _drop_keep_tail(el)
    own_rows = set(rows)
    for el in table.iter(*_CELL_BLOCKS):
        tag = el.tag
        if tag == "tr" and el in own_rows:
            continue
        el.tail = _SEP + (el.tail or "")
        if tag != "br":
            el.text = _SEP + (el.text or "")


def _drop_keep_tail(el) -> None:
    parent = el.getparent()
    previous = el.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + (el.tail or "")
    else:
        parent.text = (parent.text or "") + (el.tail or "")
    parent.remove(el)


def _all_text(el) -> str:
    """All text inside `el`, as "".join(el.itertext()) gives it, gathered by libxml2 in one call (faster)."""
    return etree.tostring(el, method="text", encoding=str, with_tail=False)


def cell_text(cell) -> str:
    """All text of a cell, its own blocks joined (Word splits runs anywhere: 申请人情 + 况 -> 申请人情况)."""
    return _clean_cell_text(_all_text(cell))


@lru_cache(maxsize=16384)  # cell texts repeat (0, 1, row labels...) within and across documents
def _clean_cell_text(raw: str) -> str:
    text = raw.strip(_SEP + " \t\r\n")
    if _SEP in text:
        text = join_pieces([normalise_space(piece) for piece in text.split(_SEP)])
    else:
        text = normalise_space(text)
    # Source line breaks between Word runs are not spaces in Chinese text.
    return _CJK_GAP.sub("", text) if " " in text else text


# ------------------------------------------------------------------------------ reading order


_LEAF_BLOCKS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "center", "pre"})
_STRUCTURE = _BLOCK | _SKIP | {"br", "img", "table"}


def _inline_only(el) -> bool:
    """No block, skipped, br, img or table element inside `el`.

    A Python loop: lxml's iterdescendants(*tags) builds a matcher for the ~60 tags on every call,
    which costs more than looking at the few inline runs of a paragraph.
    """
    return all(node.tag not in _STRUCTURE for node in el.iterdescendants())


class _Reader:
    """Walk an element tree and emit paragraph lines and Tables in reading order."""

    def __init__(self) -> None:
        self.blocks: list[str | Table] = []
        self.buf: list[str] = []
        self.images = 0

    def flush(self) -> None:
        if self.buf:
            line = normalise_space("".join(self.buf))
            self.buf = []
            if line:
                self.blocks.append(line)

    def walk(self, el) -> None:
        tag = el.tag
        if not isinstance(tag, str):  # comments, processing instructions
            if el.tail:
                self.buf.append(el.tail)
            return
        tag = tag.lower()
        if tag in _SKIP:
            pass
        elif tag == "br":
            self.flush()
        elif tag == "img":
            self.images += 1
        elif tag == "table":
            self.flush()
            if _is_data_table(el):
                self.images += sum(1 for _ in el.iter("img"))
                self.blocks.append(read_table(el))
            else:
                self._children(el)
            self.flush()
        elif tag in _BLOCK:
            self.flush()
            if tag in _LEAF_BLOCKS and _inline_only(el):
                # A paragraph of inline runs only (the common case): its text in one C-level pass.
                self.buf.append(_all_text(el))
            else:
                self._children(el)
            self.flush()
        else:
            self._children(el)
        if el.tail:
            self.buf.append(el.tail)

    def _children(self, el) -> None:
        if el.text:
            self.buf.append(el.text)
        for child in el:
            self.walk(child)


def _lines(el) -> list[str]:
    """The lines of an element (used for cells: nested blocks become separate pieces)."""
    reader = _Reader()
    reader._children(el)
    reader.flush()
    out = []
    for block in reader.blocks:
        if isinstance(block, Table):
            out.extend(v for row in block.rows for v in row if v)
        else:
            out.append(block)
    return out


def read_body(body) -> tuple[list[str | Table], int]:
    reader = _Reader()
    reader._children(body)
    reader.flush()
    return reader.blocks, reader.images


# -------------------------------------------------------------------------------- meta, chrome

_DATE_WIDGET = re.compile(r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日.{0,6}星期|星期[一二三四五六日天]")
CHROME_WORDS = (
    "发布时间",
    "发布日期",
    "公开日期",
    "日期",
    "时间",
    "来源",
    "发布机构",
    "索引号",
    "文号",
    "成文日期",
    "生成日期",
)
# Times that are never a publish date: a collector's stamp, a page-build stamp, visitor counters.
_NOT_BYLINE = ("采集时间", "页面生成时间", "访问次数", "浏览次数")
_CHROME_WORDS_IN_TEXT = ("日期", "时间", "来源", "发布机构", "索引号", "文号")
_ALL_TEXT_NODES = etree.XPath("//text()")


def _chrome_text_nodes(root) -> list:
    """Text nodes holding a chrome word. Filtered in Python: libxml2's contains() per node is slower."""
    return [t for t in _ALL_TEXT_NODES(root) if any(w in t for w in _CHROME_WORDS_IN_TEXT)]


_WIDGET_IDS = {"utime", "time", "date", "nowtime", "today", "currentdate", "datetime"}


def read_meta(root) -> dict[str, str]:
    # One walk over the tree collects all three kinds; they are then read in their order of precedence.
    found: dict[str, list] = {"meta": [], "title": [], "publishtime": []}
    for el in root.iter("meta", "title", "publishtime"):
        found[el.tag].append(el)
    meta: dict[str, str] = {}
    for el in found["meta"]:
        name = el.get("name") or el.get("property") or el.get("http-equiv")
        content = el.get("content")
        if name and content is not None and name.lower() not in ("content-type", "viewport"):
            meta.setdefault(name, content.strip())
    for el in found["title"]:
        text = normalise_space(_all_text(el))
        if text:
            meta.setdefault("title", text)
            break
    for el in found["publishtime"]:
        text = normalise_space(_all_text(el))
        if text:
            meta["publishtime"] = text
            break
    return meta


def _inside(el, ancestor) -> bool:
    while el is not None:
        if el is ancestor:
            return True
        el = el.getparent()
    return False


def _is_widget(el) -> bool:
    """A JS-filled date widget (header bar clock) or an element inside one."""
    depth = 0
    while el is not None and depth < 4:
        if (el.get("id") or "").lower() in _WIDGET_IDS:
            return True
        el = el.getparent()
        depth += 1
    return False


def read_chrome(root, body) -> list[str]:
    """Byline and metadata-table lines outside the body: 发布日期：…, 来源：…, 索引号：…"""
    parent = body.getparent() if body is not None else None
    if parent is None:
        return _read_chrome(root, body)
    # Search the page with the body swapped out: faster, and nothing of the body can leak in.
    stand_in = etree.Element("bodyplaceholder")
    stand_in.tail = body.tail
    parent.replace(body, stand_in)
    try:
        return _read_chrome(root, stand_in)
    finally:
        parent.replace(stand_in, body)


def _read_chrome(root, body) -> list[str]:
    lines: list[str] = []
    seen_tables: set = set()
    seen_blocks: set = set()
    for text in _chrome_text_nodes(root):
        el = text.getparent()
        if el is None or _inside(el, body) or _is_widget(el):
            continue
        if isinstance(el.tag, str) and el.tag.lower() in _SKIP:
            continue
        if any(
            isinstance(a.tag, str) and a.tag.lower() in ("script", "style", "head")
            for a in el.iterancestors()
        ):
            continue
        cell = next((a for a in [el, *el.iterancestors()] if a.tag in ("td", "th")), None)
        if cell is not None:
            table = next(cell.iterancestors("table"), None)
            if table is not None and table not in seen_tables and not _contains(table, body):
                seen_tables.add(table)
                lines.extend(_metadata_lines(table))
            if table is not None and not _contains(table, body):
                continue
        block = next((a for a in [el, *el.iterancestors()] if isinstance(a.tag, str) and a.tag in _BLOCK), el)
        if block in seen_blocks:
            continue
        if _contains(block, body):
            # Too wide (the block holds the body too): take just this element's text.
            line = normalise_space(_visible_text(el))
        else:
            seen_blocks.add(block)
            line = normalise_space(_visible_text(block))
        if _keep_chrome(line):
            lines.append(line)
    out: list[str] = []
    for line in lines:
        if line not in out:
            out.append(line)
    return out


def _contains(el, body) -> bool:
    return body is not None and _inside(body, el)


def _visible_text(el) -> str:
    """Text as shown: script and style contents left out, inline elements separated by a space."""
    return " ".join(_texts(el))


def _texts(el):
    if el.text and el.tag not in _SKIP:
        yield el.text
    for child in el:
        if isinstance(child.tag, str) and child.tag not in _SKIP:
            yield from _texts(child)
        if child.tail:
            yield child.tail


def _keep_chrome(line: str) -> bool:
    if not line or len(line) > 200 or _DATE_WIDGET.search(line):
        return False
    if any(w in line for w in _NOT_BYLINE) and not any(
        w in line for w in ("发布时间", "发布日期", "公开日期")
    ):
        return False
    return any(w in line for w in CHROME_WORDS)


def _metadata_lines(table) -> list[str]:
    """A 政务公开 metadata table as "label：value" lines (label cells hold the field names)."""
    out = []
    for tr in table.iter("tr"):
        cells = [normalise_space(_visible_text(c)) for c in _cells_of(tr)]
        i = 0
        while i < len(cells):
            label = cells[i].rstrip("：:").strip()
            if (
                label
                and len(label) <= 8
                and i + 1 < len(cells)
                and not cells[i].endswith(tuple("0123456789"))
            ):
                value = cells[i + 1]
                if any(w in label for w in CHROME_WORDS) or label in ("名称", "分类", "主题分类", "关键词"):
                    line = f"{label}：{value}"
                    if _keep_chrome(line) or label in ("名称", "分类", "主题分类"):
                        out.append(line)
                i += 2
            else:
                if _keep_chrome(cells[i]):
                    out.append(cells[i])
                i += 1
    return out


# ---------------------------------------------------------------------------------------- entry


def read_html(data: bytes, source: str, *, content_type: str | None = None) -> Document:
    text, _encoding = decode_html(data, content_type)
    root = _parse(text)
    body = find_body(root)
    blocks, images = read_body(body)
    return Document(
        source=source,
        blocks=blocks,
        meta=read_meta(root),
        chrome=read_chrome(root, body),
        images=images,
        container="html",
    )
