"""Write realistic 政府信息公开工作年度报告 documents in the national format from cell values.

Used by the parser tests, the benchmarks, the loopback demo portals and the demo:

    cells = consistent_cells("2021", seed=7)          # every cell, every hard rule of FORMATS §8a holds
    page  = render_html(cells, style="trs")           # a whole portal article page (bytes)
    docx  = render_docx(cells)                        # python-docx, real merged cells
    pdf   = render_pdf(cells, engine="reportlab")     # fast, pure Python; engine="libreoffice" via DOCX

A report is {"active": {...}, "requests": {...}, "appeals": {...}} keyed as crawler.parse.keys; a value
is an int (or a float for amounts); None renders as an empty cell. `cell_text` overrides the printed
text of any cell ({"fees.amount_wan": "8477万元", "licensing.change": "+5", "new.natural": "-"}); keys
may carry their table as a prefix ("requests.other.natural") when that reads clearer.
"""

from __future__ import annotations

import html
import io
import random
from dataclasses import dataclass

from crawler.parse import keys

STYLES = ("trs", "hanweb", "gkmlpt", "nfcms", "ucap", "plain")
FULLWIDTH = str.maketrans("0123456789+-.", "０１２３４５６７８９＋－．")
RULE_TEXT = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"


# --------------------------------------------------------------------------- cell values


def consistent_cells(fmt: str, seed: int, *, applications: int | None = None) -> dict:
    """Every cell of `fmt` filled so that balance, outcome_total, row_total and appeals_total hold.

    `applications` fixes `new.total` (the applications received this year). Deterministic by seed.
    """
    if fmt not in keys.FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    rnd = random.Random(f"{fmt}-{seed}")
    active: dict = {}
    for row, _, cols in keys.ACTIVE_ROWS[fmt]:
        for col, _ in cols:
            key = f"{row}.{col}"
            if col == "amount_wan":
                active[key] = rnd.choice([0, round(rnd.uniform(1, 900), 2), rnd.randint(1, 3000)])
            elif col == "change":
                prev = active[f"{row}.prev_items"]
                active[key] = rnd.randint(-min(prev, 8), 15)
            elif row == "rules":
                active[key] = rnd.choice([0, 0, rnd.randint(0, 4)])
            elif row == "normative_docs":
                active[key] = rnd.choice([0, rnd.randint(0, 12), rnd.randint(10, 90)])
            else:
                active[key] = rnd.choice([0, rnd.randint(0, 40), rnd.randint(0, 2500)])
    if fmt == "2019":
        for row in ("rules", "normative_docs"):
            # Published so far can only grow: published <= total.
            active[f"{row}.total"] = max(active[f"{row}.total"], active[f"{row}.published"])
    else:
        for row in ("rules", "normative_docs"):
            active[f"{row}.in_force"] = max(active[f"{row}.in_force"], active[f"{row}.issued"])

    total_new = (
        applications
        if applications is not None
        else rnd.choice([0, rnd.randint(1, 30), rnd.randint(30, 400)])
    )
    # Mostly individuals apply; spread the rest over the five organisation columns.
    new = dict.fromkeys(keys.APPLICANT_COLUMNS, 0)
    for _ in range(total_new):
        col = "natural" if rnd.random() < 0.8 else rnd.choice(keys.APPLICANT_COLUMNS[1:])
        new[col] += 1
    carried_over = {
        c: (rnd.randint(0, 3) if new[c] and rnd.random() < 0.3 else 0) for c in keys.APPLICANT_COLUMNS
    }
    outcomes = keys.outcome_rows(fmt)
    weights = {"granted": 50, "partly_granted": 10, "unavailable.not_held": 15, "not_processed.duplicate": 4}
    requests: dict = {}
    for c in keys.APPLICANT_COLUMNS:
        pool = new[c] + carried_over[c]
        forward = rnd.randint(0, min(pool, 3)) if pool and rnd.random() < 0.3 else 0
        done = dict.fromkeys(outcomes, 0)
        for _ in range(pool - forward):
            row = rnd.choices(outcomes, weights=[weights.get(r, 1) for r in outcomes])[0]
            done[row] += 1
        requests[f"new.{c}"] = new[c]
        requests[f"carried_over.{c}"] = carried_over[c]
        for row in outcomes:
            requests[f"{row}.{c}"] = done[row]
        requests[f"total.{c}"] = pool - forward
        requests[f"carried_forward.{c}"] = forward
    for row in keys.request_rows(fmt):
        requests[f"{row}.total"] = sum(requests[f"{row}.{c}"] for c in keys.APPLICANT_COLUMNS)
    requests = {k: requests[k] for k in keys.request_keys(fmt)}

    appeals: dict = {}
    for group, _ in keys.APPEAL_GROUPS:
        parts = [rnd.choice([0, 0, 0, rnd.randint(0, 6)]) for _ in range(4)]
        for (col, _), value in zip(keys.APPEAL_COLUMNS[:4], parts, strict=True):
            appeals[f"{group}.{col}"] = value
        appeals[f"{group}.total"] = sum(parts)
    return {"active": active, "requests": requests, "appeals": appeals}


# --------------------------------------------------------------------------- the document model


@dataclass
class Cell:
    text: str
    rowspan: int = 1
    colspan: int = 1
    header: bool = False


@dataclass
class Options:
    cell_text: dict
    extra_rows: bool
    annotated: bool
    fullwidth: bool


def _fmt_of(report: dict) -> str:
    if report.get("format") in keys.FORMATS:
        return report["format"]
    active = report.get("active") or {}
    return (
        "2019"
        if any(k in active for k in ("rules.made", "licensing.prev_items", "procurement.projects"))
        else "2021"
    )


def _number_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value == int(value) else repr(value)
    return str(value)


def _value(report: dict, table: str, key: str, opts: Options) -> str:
    for k in (f"{table}.{key}", key):
        if k in opts.cell_text:
            return opts.cell_text[k]
    text = _number_text((report.get(table) or {}).get(key))
    return text.translate(FULLWIDTH) if opts.fullwidth else text


def _full(label: str) -> str:
    """keys.py spells labels with ASCII brackets; the format prints full-width ones."""
    return label.replace("(", "（").replace(")", "）").replace(",", "，")


def _active_table(report: dict, fmt: str, opts: Options) -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    blocks = {
        "2019": [
            ("第二十条第（一）项", ["rules", "normative_docs"]),
            ("第二十条第（五）项", ["licensing", "other_services"]),
            ("第二十条第（六）项", ["penalty", "enforcement"]),
            ("第二十条第（八）项", ["fees"]),
            ("第二十条第（九）项", ["procurement"]),
        ],
        "2021": [
            ("第二十条第（一）项", ["rules", "normative_docs"]),
            ("第二十条第（五）项", ["licensing"]),
            ("第二十条第（六）项", ["penalty", "enforcement"]),
            ("第二十条第（八）项", ["fees"]),
        ],
    }[fmt]
    spec = {row: (labels[0], cols) for row, labels, cols in keys.ACTIVE_ROWS[fmt]}
    for block, row_keys in blocks:
        head = f"政府信息公开条例{block}" if opts.annotated else block
        rows.append([Cell(head, colspan=4, header=True)])
        cols = spec[row_keys[0]][1]
        spans = _spans(len(cols))
        header = [Cell("信息内容", header=True)]
        for (col, label), span in zip(cols, spans, strict=True):
            header.append(Cell(_annotate(col, label, fmt, opts), colspan=span, header=True))
        rows.append(header)
        for row in row_keys:
            label, cols = spec[row]
            line = [Cell(label, header=True)]
            for (col, _), span in zip(cols, spans, strict=True):
                line.append(Cell(_value(report, "active", f"{row}.{col}", opts), colspan=span))
            rows.append(line)
            if opts.extra_rows and row == "normative_docs":
                # 湖北's provincial template adds a row the national format does not have.
                extra = [Cell("其他主动公开文件", header=True)]
                extra += [Cell(str(n), colspan=s) for n, s in zip((12, 12, 40), spans, strict=True)]
                rows.append(extra)
    return rows


def _spans(n: int) -> list[int]:
    """Table 1 has three value columns; a block with fewer values widens its last one."""
    return {1: [3], 2: [1, 2], 3: [1, 1, 1]}[n]


def _annotate(col: str, label: str, fmt: str, opts: Options) -> str:
    if col == "amount_wan" and fmt == "2021":
        label = "本年收费金额（单位：万元）"  # as the format prints it
    if not opts.annotated:
        return label
    if col == "prev_items":
        return f"{label}(指上一年度事项数)"
    if col == "change":
        return f"{label}(减用负值表示，如-8)"
    if col == "decisions":
        return f"{label}（件）"
    return label


def _requests_table(report: dict, fmt: str, opts: Options) -> list[list[Cell]]:
    rows: list[list[Cell]] = [
        [Cell(RULE_TEXT, rowspan=3, colspan=3, header=True), Cell("申请人情况", colspan=7, header=True)],
        [
            Cell("自然人", rowspan=2, header=True),
            Cell("法人或其他组织", colspan=5, header=True),
            Cell("总计", rowspan=2, header=True),
        ],
        [Cell(label, header=True) for _, label in keys.REQUEST_COLUMNS[1:6]],
    ]
    labels = {key: _full(label) for key, label, _ in keys.REQUEST_ROWS}
    order = keys.request_rows(fmt)
    group_of = {
        "withheld": ("（三）不予公开", 8),
        "unavailable": ("（四）无法提供", 3),
        "not_processed": ("（五）不予处理", 5),
        "other": ("（六）其他处理", 3),
    }
    outcome_span = len(keys.outcome_rows(fmt)) + 1  # the outcome rows and （七）总计
    seen_groups: set[str] = set()

    def values(row: str) -> list[Cell]:
        return [Cell(_value(report, "requests", f"{row}.{col}", opts)) for col, _ in keys.REQUEST_COLUMNS]

    for row in order:
        if row in ("new", "carried_over", "carried_forward"):
            rows.append([Cell(labels[row], colspan=3, header=True), *values(row)])
            continue
        line: list[Cell] = []
        if row == "granted":
            line.append(Cell("三、本年度办理结果", rowspan=outcome_span, header=True))
        group = row.split(".")[0] if "." in row else None
        if group is None:
            line.append(Cell(labels[row], colspan=2, header=True))
        else:
            if group not in seen_groups:
                seen_groups.add(group)
                name, span = group_of[group]
                line.append(Cell(name, rowspan=span, header=True))
            line.append(Cell(labels[row], header=True))
        rows.append(line + values(row))
    return rows


def _appeals_table(report: dict, opts: Options) -> list[list[Cell]]:
    cols = [label for _, label in keys.APPEAL_COLUMNS]
    rows = [
        [Cell("行政复议", colspan=5, header=True), Cell("行政诉讼", colspan=10, header=True)],
        [
            *(Cell(c, rowspan=2, header=True) for c in cols),
            Cell("未经复议直接起诉", colspan=5, header=True),
            Cell("复议后起诉", colspan=5, header=True),
        ],
        [Cell(c, header=True) for c in cols * 2],
        [
            Cell(_value(report, "appeals", f"{g}.{c}", opts))
            for g, _ in keys.APPEAL_GROUPS
            for c, _ in keys.APPEAL_COLUMNS
        ],
    ]
    return rows


def place(rows: list[list[Cell]]) -> tuple[list[tuple[int, int, Cell]], int, int]:
    """HTML's table layout: the (row, column) where each cell starts, and the grid size."""
    taken: set[tuple[int, int]] = set()
    out = []
    width = 0
    for r, line in enumerate(rows):
        c = 0
        for cell in line:
            while (r, c) in taken:
                c += 1
            out.append((r, c, cell))
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken.add((r + dr, c + dc))
            c += cell.colspan
            width = max(width, c)
    height = max(r for r, _ in taken) + 1 if taken else 0
    return out, height, width


def _int(report: dict, table: str, key: str, opts: Options) -> int | None:
    """A value for the prose, only when the table prints exactly that number."""
    if key in opts.cell_text or f"{table}.{key}" in opts.cell_text:
        return None
    value = (report.get(table) or {}).get(key)
    return value if isinstance(value, int) else None


def blocks(
    report: dict, *, agency: str, year: int, signed: str | None, opts: Options
) -> list[tuple[str, object]]:
    """The report body as ("h"|"p"|"table"|"sign", content) blocks, shared by every container."""
    fmt = _fmt_of(report)
    out: list[tuple[str, object]] = [
        (
            "p",
            f"根据《中华人民共和国政府信息公开条例》（以下简称《条例》）规定，现公布{agency}{year}年度政府信息公开"
            f"工作年度报告。本报告所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。",
        ),
        ("h", "一、总体情况"),
        (
            "p",
            f"{year}年，{agency}坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《条例》，"
            "不断深化政务公开，推进决策、执行、管理、服务、结果公开。",
        ),
    ]
    new = _int(report, "requests", "new.total", opts)
    prev = _int(report, "requests", "carried_over.total", opts)
    done = _int(report, "requests", "total.total", opts)
    forward = _int(report, "requests", "carried_forward.total", opts)
    apply_bits = []
    if new is not None:
        apply_bits.append(f"本年度共收到政府信息公开申请{new}件")
    if prev is not None:
        apply_bits.append(f"上年结转{prev}件")
    if done is not None:
        apply_bits.append(f"办结{done}件")
    if forward is not None:
        apply_bits.append(f"结转下年度继续办理{forward}件")
    if apply_bits:
        out.append(("p", "（二）依申请公开。" + "，".join(apply_bits) + "。"))
    review = _int(report, "appeals", "review.total", opts)
    suits = [_int(report, "appeals", f"{g}.total", opts) for g in ("suit_direct", "suit_after_review")]
    if review is not None and None not in suits:
        out.append(("p", f"全年发生政府信息公开行政复议{review}件，行政诉讼{sum(suits)}件。"))
    out += [
        ("p", "（三）政府信息管理。严格落实政府信息公开属性源头认定机制，规范发布流程，加强公开前保密审查。"),
        ("p", "（四）平台建设。持续优化政府网站信息公开专栏，及时更新栏目内容。"),
        ("p", "（五）监督保障。将政务公开工作纳入年度工作要点，加强培训和考核。"),
        ("h", "二、主动公开政府信息情况"),
        ("table", _active_table(report, fmt, opts)),
        ("h", "三、收到和处理政府信息公开申请情况"),
        ("table", _requests_table(report, fmt, opts)),
        ("h", "四、政府信息公开行政复议、行政诉讼情况"),
        ("table", _appeals_table(report, opts)),
        ("h", "五、存在的主要问题及改进情况"),
        (
            "p",
            "本年度政府信息公开工作虽取得一定成效，但仍存在公开内容不够全面、解读形式较为单一等问题。"
            "下一步，我们将进一步加强学习培训，提升公开质量。",
        ),
        ("h", "六、其他需要报告的事项"),
        ("p", "本年度未收取信息处理费。" if fmt == "2021" else "无其他需要报告的事项。"),
        ("sign", agency),
    ]
    if signed:
        out.append(("sign", _chinese_date(signed)))
    return out


def _chinese_date(iso: str) -> str:
    y, m, d = (int(x) for x in iso[:10].split("-"))
    return f"{y}年{m}月{d}日"


def _prepare(report, agency, year, title, published, signed, cell_text, extra_rows, annotated, fullwidth):
    fmt = _fmt_of(report)
    year = year or (2021 if fmt == "2021" else 2020)
    title = title or f"{agency}{year}年政府信息公开工作年度报告"
    if published == "auto":
        published = f"{year + 1}-01-20"
    if signed == "auto":
        signed = published
    opts = Options(dict(cell_text or {}), extra_rows, annotated, fullwidth)
    return fmt, year, title, published, signed, opts


# --------------------------------------------------------------------------- HTML


def _html_cell_text(text: str, word: bool, rnd: random.Random) -> str:
    if not word:
        return html.escape(text)
    if not text:
        return '<span style="font-family:仿宋_GB2312"><o:p>&nbsp;</o:p></span>'
    # Word-pasted markup: runs split anywhere, even inside a word (申请人情|况).
    pieces, i = [], 0
    while i < len(text):
        step = rnd.randint(1, 4)
        pieces.append(text[i : i + step])
        i += step
    runs = "".join(
        f'<span style="font-size:10.5pt;font-family:仿宋_GB2312"><font face="方正仿宋_GBK">{html.escape(p)}</font></span>'
        for p in pieces
    )
    return runs + "<o:p></o:p>"


def _html_table(rows: list[list[Cell]], word: bool, rnd: random.Random) -> str:
    out = [
        '<table class="MsoNormalTable" border="1" cellspacing="0" cellpadding="0" '
        'style="border-collapse:collapse;border:none" width="600"><tbody>'
    ]
    for line in rows:
        out.append("<tr>")
        for cell in line:
            attrs = ""
            if cell.rowspan > 1:
                attrs += f' rowspan="{cell.rowspan}"'
            if cell.colspan > 1:
                attrs += f' colspan="{cell.colspan}"'
            body = _html_cell_text(cell.text, word, rnd)
            if word:
                body = f'<p class="MsoNormal" align="center" style="text-align:center">{body}</p>'
            out.append(f'<td{attrs} valign="center">{body}</td>')
        out.append("</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def _html_body(items: list[tuple[str, object]], word: bool, rnd: random.Random) -> str:
    out = []
    for kind, content in items:
        if kind == "table":
            out.append(_html_table(content, word, rnd))  # type: ignore[arg-type]
        elif kind == "h":
            out.append(
                f'<p style="text-indent:2em"><strong>{_html_cell_text(content, word, rnd)}</strong></p>'
            )
        elif kind == "sign":
            out.append(f'<p style="text-align:right">{_html_cell_text(content, word, rnd)}</p>')
        else:
            out.append(f'<p style="text-indent:2em">{_html_cell_text(content, word, rnd)}</p>')
    return "\n".join(out)


def render_html(
    report: dict,
    *,
    style: str = "trs",
    title: str | None = None,
    agency: str = "示例县人民政府办公室",
    year: int | None = None,
    published: str | None = "auto",
    pubdate_meta: bool = True,
    signed: str | None = "auto",
    encoding: str = "utf-8",
    declare_charset: bool = True,
    declared: str | None = None,
    cell_text: dict | None = None,
    word: bool = False,
    extra_rows: bool = False,
    annotated: bool = False,
    fullwidth: bool = False,
    images: int = 0,
) -> bytes:
    """A whole portal article page holding the report.

    `published` ("YYYY-MM-DD"; "auto" = 20 January of the year after `year`; None = no date on the page)
    appears in the byline (and in `<meta name="PubDate">` when `pubdate_meta`); `signed` is the date under
    the signature ("auto" = published). `encoding` is the byte encoding; `declared` the charset the page
    claims (default: the encoding; pass "utf-8" with encoding="gbk" for a page that lies), and
    `declare_charset=False` leaves it out. `word=True` gives Word-pasted markup (runs split mid-word,
    `<o:p>` empty cells). `images` adds that many `<img>` to the body.
    """
    if style not in STYLES:
        raise ValueError(f"unknown style {style!r}; one of {', '.join(STYLES)}")
    fmt, year, title, published, signed, opts = _prepare(
        report, agency, year, title, published, signed, cell_text, extra_rows, annotated, fullwidth
    )
    rnd = random.Random(f"{title}-{fmt}")
    body = _html_body(blocks(report, agency=agency, year=year, signed=signed, opts=opts), word, rnd)
    body += "".join(
        f'\n<p style="text-align:center"><img src="/images/table{i + 1}.png" alt=""></p>'
        for i in range(images)
    )
    charset = declared or encoding
    t = html.escape(title)
    a = html.escape(agency)
    widget = f'<span id="utime">{year + 3}年12月3日 星期二</span>'
    pub_meta = f'<meta name="PubDate" content="{published} 09:30">' if published and pubdate_meta else ""
    made = _shift(published, -3) if published else f"{year + 1}-01-17"
    if style == "trs":
        head = (
            f'<meta name="ArticleTitle" content="{t}">{pub_meta}<meta name="ContentSource" content="{a}">'
            f'<meta name="ColumnName" content="政府信息公开年报">'
        )
        page = f"""<div class="header"><div class="top-bar">{widget}<a href="/">首页</a> | <a href="/wza/">无障碍</a></div>
<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li><li><a href="/hdjl/">互动交流</a></li></ul></div></div>
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; 政府信息公开年报</div>
<div class="article">
<h1 class="article-title">{t}</h1>
<div class="article-info">{f"<span>发布时间：{published}</span>" if published else ""}<span>来源：{a}</span><span>浏览次数：<b id="hits">128</b></span></div>
<div class="article-con"><div class="TRS_Editor">
{body}
</div></div>
<div class="share">分享到：微信 微博</div>
</div>
<div class="footer"><p>主办单位：{a}　网站标识码：1234567890　ICP备案号：京ICP备00000000号</p></div>"""
    elif style == "hanweb":
        head = f'<meta name="ArticleTitle" content="{t}">{pub_meta}<meta name="ContentSource" content="{a}">'
        page = f"""<div id="header"><div class="wrap">{widget}<a href="/col/col1/index.html">首页</a></div></div>
<div class="main"><div class="bt_title">{t}</div>
<div class="xxgk_info"><span>{f"发布日期：{published}" if published else ""}</span>　<span>信息来源：{a}</span>　<span>访问次数：<script>document.write(hits)</script></span></div>
<div id="zoom">
{body}
</div>
<div class="print"><a href="javascript:window.print()">打印本页</a> <a href="javascript:window.close()">关闭窗口</a></div></div>
<div id="footer">版权所有：{a}</div>"""
    elif style in ("gkmlpt", "nfcms"):
        head = f'<meta name="ArticleTitle" content="{t}">{pub_meta}<meta name="ContentSource" content="{a}"><meta name="ArticleId" content="4123456">'
        pub_row = (
            f'<td class="label">发布日期：</td><td>{published}</td>'
            if published
            else '<td class="label">发布日期：</td><td></td>'
        )
        page = f"""<div class="header">{widget}<div class="logo">{a}</div></div>
<div class="classify"><table class="gk-meta">
<tr><td class="label">索引号：</td><td>11440100000000000X/{year + 1}-0000123</td><td class="label">分类：</td><td>政府信息公开年报</td></tr>
<tr><td class="label">发布机构：</td><td>{a}</td><td class="label">成文日期：</td><td>{made}</td></tr>
<tr><td class="label">名称：</td><td colspan="3">{t}</td></tr>
<tr><td class="label">文号：</td><td></td>{pub_row}</tr>
</table></div>
<div class="news_cont_d">
<h1 class="title">{t}</h1>
<div class="news_cont_d_wrap">
{body}
</div></div>
<div class="footer">{a} 版权所有</div>"""
    elif style == "ucap":
        head = f'<meta name="SiteName" content="{a}"><meta name="others" content="页面生成时间 {year + 2}-05-28 15:46:43">{pub_meta}'
        page = f"""<div class="header-t"><div class="fl">{widget}</div></div>
<div class="xxgk-table"><table class="table_content"><tbody>
<tr><td class="c1">名称</td><td class="c4" colspan="3">{t}</td></tr>
<tr><td class="c1">索引号</td><td class="c2">014314799/{year + 1}-00002</td><td class="c1">分类</td><td class="c3">信息公开年报</td></tr>
<tr><td class="c1">发布机构</td><td class="c2">{a}</td><td class="c1">公开日期</td><td class="c3">{f"<publishtime>{published}</publishtime>" if published else ""}</td></tr>
<tr><td class="c1">文号</td><td class="c2"></td><td class="c1">关键词</td><td class="c3"></td></tr>
</tbody></table></div>
<h1 class="article-title"><ucaptitle>{t}</ucaptitle></h1>
<div class="article-content" id="zoomcon"><ucapcontent>
{body}
</ucapcontent></div>
<div class="footer">{a}</div>"""
    else:  # plain: old-style nested layout tables, no recognisable body container
        head = ""
        page = f"""<table width="980" border="0" align="center" cellpadding="0" cellspacing="0"><tr><td>
<table width="100%" border="0"><tr><td class="top">{widget}　<a href="/">网站首页</a></td></tr></table>
<table width="100%" border="0" cellpadding="0" cellspacing="0"><tr><td width="200" valign="top"><a href="/zwgk/">政务公开</a><br><a href="/bsfw/">办事服务</a></td>
<td valign="top"><table width="100%" border="0"><tr><td align="center" class="bt"><b>{t}</b></td></tr>
<tr><td align="center" class="info">{f"发布日期：{published}　　" if published else ""}来源：{a}</td></tr>
<tr><td class="zw">
{body}
</td></tr></table></td></tr></table>
<table width="100%"><tr><td align="center">版权所有 {a}</td></tr></table>
</td></tr></table>"""
    if declare_charset:
        meta_charset = (
            f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">'
            if style in ("plain", "hanweb")
            else f'<meta charset="{charset}">'
        )
    else:
        meta_charset = ""
    doc = (
        f"<!DOCTYPE html>\n<html>\n<head>\n{meta_charset}\n<title>{t}_{a}</title>\n{head}\n"
        f"<script>var hits = 128;</script><style>td {{ border: 1px solid #000 }}</style>\n</head>\n<body>\n{page}\n</body>\n</html>\n"
    )
    # Sites labelled GB2312 really serve GBK/GB18030 bytes.
    codec = "gb18030" if encoding.lower().replace("-", "") in ("gb2312", "gb18030") else encoding
    return doc.encode(codec, errors="xmlcharrefreplace")


def _shift(iso: str, days: int) -> str:
    import datetime as dt

    return (dt.date.fromisoformat(iso[:10]) + dt.timedelta(days=days)).isoformat()


# --------------------------------------------------------------------------- DOCX


def render_docx(
    report: dict,
    *,
    title: str | None = None,
    agency: str = "示例县人民政府办公室",
    year: int | None = None,
    published: str | None = "auto",
    signed: str | None = "auto",
    cell_text: dict | None = None,
    extra_rows: bool = False,
    annotated: bool = False,
    fullwidth: bool = False,
) -> bytes:
    """A Word report: title, paragraphs and the three tables with real merged cells (`cell.merge`)."""
    from docx import Document as Docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    fmt, year, title, published, signed, opts = _prepare(
        report, agency, year, title, published, signed, cell_text, extra_rows, annotated, fullwidth
    )
    doc = Docx()
    doc.core_properties.title = title
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.5)
    doc.styles["Normal"].font.size = Pt(10.5)
    heading = doc.add_paragraph(title)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for kind, content in blocks(report, agency=agency, year=year, signed=signed, opts=opts):
        if kind == "table":
            _docx_table(doc, content)  # type: ignore[arg-type]
        else:
            para = doc.add_paragraph(str(content))
            if kind == "sign":
                para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


_DOCX_COLUMNS = {
    4: [4.6, 3.8, 3.8, 3.8],
    10: [1.0, 1.7, 4.6, 1.25, 1.25, 1.25, 1.25, 1.25, 1.25, 1.25],
    15: [1.06] * 15,
}


def _docx_table(doc, rows: list[list[Cell]]) -> None:
    from docx.oxml import OxmlElement
    from docx.shared import Cm, Pt

    placed, height, width = place(rows)
    table = doc.add_table(rows=height, cols=width)
    table.style = "Table Grid"
    table.autofit = False
    widths = [Cm(w) for w in _DOCX_COLUMNS.get(width, [16.0 / width] * width)]
    for row in table.rows:
        # A row never breaks across pages, as in the format's own Word template.
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    # Take every cell once before merging: table.cell() recomputes the whole grid on each call.
    grid = [list(row.cells) for row in table.rows]
    for column, w in zip(table.columns, widths, strict=True):
        column.width = w
    for line in grid:
        for c, cell in enumerate(line):
            cell.width = widths[c]
    for r, c, cell in placed:
        target = grid[r][c]
        target.text = cell.text
        for run in target.paragraphs[0].runs:
            run.font.size = Pt(8 if width > 4 else 10)
    for r, c, cell in placed:
        if cell.rowspan > 1 or cell.colspan > 1:
            grid[r][c].merge(grid[r + cell.rowspan - 1][c + cell.colspan - 1])


# --------------------------------------------------------------------------- PDF


def render_pdf(report: dict, *, engine: str = "reportlab", **kwargs) -> bytes:
    """A real PDF with a text layer and ruled tables.

    engine="libreoffice": the DOCX of `render_docx` converted by headless LibreOffice (slow, ~2 s, the
    real thing). engine="reportlab": drawn directly with reportlab and the Adobe CID font STSong-Light
    (fast, pure Python; hundreds per minute). Keyword arguments as for render_docx.
    """
    if engine == "libreoffice":
        from crawler.parse.office import convert

        return convert(render_docx(report, **kwargs), "docx", "pdf", timeout=120)
    if engine != "reportlab":
        raise ValueError(f"unknown PDF engine {engine!r}")
    return _reportlab_pdf(report, **kwargs)


_FONT = "STSong-Light"
_PAGE_W, _PAGE_H = 595.0, 842.0
_MARGIN = 56.0
_COLUMNS = {4: [150, 110, 110, 110], 10: [24, 48, 152, 40, 40, 40, 40, 40, 40, 40], 15: [32.8] * 15}


def _reportlab_pdf(
    report,
    *,
    title=None,
    agency="示例县人民政府办公室",
    year=None,
    published="auto",
    signed="auto",
    cell_text=None,
    extra_rows=False,
    annotated=False,
    fullwidth=False,
) -> bytes:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if _FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(_FONT))
    fmt, year, title, published, signed, opts = _prepare(
        report, agency, year, title, published, signed, cell_text, extra_rows, annotated, fullwidth
    )
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=(_PAGE_W, _PAGE_H))
    pdf.setTitle(title)
    state = {"y": _PAGE_H - _MARGIN, "page": 1}

    def new_page():
        pdf.setFont(_FONT, 9)
        pdf.drawCentredString(_PAGE_W / 2, 30, f"- {state['page']} -")
        pdf.showPage()
        state["page"] += 1
        state["y"] = _PAGE_H - _MARGIN

    def text_block(text: str, size: float, align: str = "left", indent: float = 0.0):
        width = _PAGE_W - 2 * _MARGIN
        for i, line in enumerate(_wrap(text, width, size, first=indent)):
            if state["y"] < _MARGIN + size:
                new_page()
            pdf.setFont(_FONT, size)
            x = _MARGIN + (indent if i == 0 else 0)
            if align == "center":
                pdf.drawCentredString(_PAGE_W / 2, state["y"] - size, line)
            elif align == "right":
                pdf.drawRightString(_PAGE_W - _MARGIN, state["y"] - size, line)
            else:
                pdf.drawString(x, state["y"] - size, line)
            state["y"] -= size * 1.6

    text_block(title, 15, "center")
    state["y"] -= 8
    for kind, content in blocks(report, agency=agency, year=year, signed=signed, opts=opts):
        if kind == "table":
            _pdf_table(pdf, content, state, new_page)  # type: ignore[arg-type]
        elif kind == "sign":
            text_block(str(content), 10.5, "right")
        else:
            text_block(str(content), 10.5, indent=21)
    pdf.setFont(_FONT, 9)
    pdf.drawCentredString(_PAGE_W / 2, 30, f"- {state['page']} -")
    pdf.showPage()
    pdf.save()
    return buf.getvalue()


def _wrap(text: str, width: float, size: float, first: float = 0.0) -> list[str]:
    """Break text into lines of `width` points (the first line `first` points shorter)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines, line = [], ""
    for ch in text:
        room = width - (first if not lines else 0.0)
        if stringWidth(line + ch, _FONT, size) > room and line:
            lines.append(line)
            line = ch
        else:
            line += ch
    lines.append(line)
    return lines


def _pdf_table(pdf, rows: list[list[Cell]], state: dict, new_page) -> None:
    placed, height, width = place(rows)
    widths = _COLUMNS.get(width) or [(_PAGE_W - 2 * _MARGIN) / width] * width
    size = 7.5 if width > 4 else 9.0
    lead = size * 1.25
    pad = 3.0
    wrapped = {}
    heights = [lead + 2 * pad] * height
    for r, c, cell in placed:
        w = sum(widths[c : c + cell.colspan]) - 2 * pad
        wrapped[(r, c)] = _wrap(cell.text, w, size) if cell.text else []
    # Rows grow to hold their single-row cells, then the last row of a rowspan grows for the rest.
    for span_pass in (False, True):
        for r, c, cell in placed:
            if (cell.rowspan > 1) != span_pass:
                continue
            need = len(wrapped[(r, c)]) * lead + 2 * pad
            have = sum(heights[r : r + cell.rowspan])
            if need > have:
                heights[r + cell.rowspan - 1] += need - have
    total = sum(heights)
    if state["y"] - total < _MARGIN:
        new_page()
    top = state["y"]
    x0 = _MARGIN
    pdf.setLineWidth(0.6)
    for r, c, cell in placed:
        x = x0 + sum(widths[:c])
        y_top = top - sum(heights[:r])
        w = sum(widths[c : c + cell.colspan])
        h = sum(heights[r : r + cell.rowspan])
        pdf.rect(x, y_top - h, w, h, stroke=1, fill=0)
        lines = wrapped[(r, c)]
        pdf.setFont(_FONT, size)
        y = y_top - (h - len(lines) * lead) / 2 - size
        for line in lines:
            pdf.drawCentredString(x + w / 2, y, line)
            y -= lead
    state["y"] = top - total - 12
