"""The registry of agencies (INTERFACE §2): read a YAML or CSV file, check every line, load it.

    entries = read_registry(path)                      # -> [AgencyEntry]; RegistryError lists all problems
    result = import_registry(db, path, allowed_hosts=(...), now=...)   # upsert, in one transaction

Nothing is imported when any line is wrong, and every problem names its line in the file.
CSV columns: id,name,aliases,kind,region,deadline,sources. `aliases` and `sources` hold several
values separated by `;` or `|`; a source may be followed by a space and its family
(`http://x.gov.cn/col/col1/index.html hanweb`).
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

import yaml

from db.store import write_transaction

KIND_DEADLINES = {"department": "01-31", "government": "03-31", "township": "01-31"}
FAMILIES = ("trs", "hanweb", "gkmlpt", "jpaas", "anhui", "generic")
FIELDS = ("id", "name", "aliases", "kind", "region", "deadline", "sources")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_LIST_SEPARATORS = re.compile(r"[;|]")


class RegistryError(Exception):
    """The registry file cannot be imported; `problems` holds one line per problem, each with its line."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class Source:
    url: str
    family: str | None = None
    line: int = 0


@dataclass
class AgencyEntry:
    id: str
    name: str
    kind: str
    line: int
    aliases: list[str] = field(default_factory=list)
    region: str | None = None
    deadline_override: str | None = None
    sources: list[Source] = field(default_factory=list)

    @property
    def deadline(self) -> str:
        return self.deadline_override or KIND_DEADLINES[self.kind]


@dataclass
class ImportResult:
    agencies: int
    new: int
    updated: int
    sources: int
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return f"imported {self.agencies} agencies ({self.new} new, {self.updated} updated), {self.sources} sources"


# --- reading ------------------------------------------------------------------------------


@dataclass
class RawEntry:
    """One agency as written, before checking: values, and the line of each field."""

    line: int
    values: dict
    lines: dict


def read_registry(path: str) -> list[AgencyEntry]:
    """Read and check a registry file (.csv is CSV, anything else YAML). Raises RegistryError."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise RegistryError([f"{path}: cannot read: {exc.strerror or exc}"]) from None
    reader = _read_csv if path.lower().endswith(".csv") else _read_yaml
    raw_entries = reader(path, data)
    return check_entries(path, raw_entries)


def _read_yaml(path: str, data: bytes) -> list[RawEntry]:
    try:
        root = yaml.compose(data.decode("utf-8-sig"), Loader=yaml.SafeLoader)
    except UnicodeDecodeError:
        raise RegistryError([f"{path}: not UTF-8 text"]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}" if mark else "?"
        what = " ".join(str(exc.problem or "cannot read YAML").split())
        if exc.context and exc.context_mark:
            # where the unfinished thing began (a quote, a list): what a truncated file points at
            what += f" ({exc.context} started at line {exc.context_mark.line + 1})"
        raise RegistryError([f"{path}:{where}: YAML error: {what}"]) from None
    except yaml.YAMLError as exc:
        raise RegistryError([f"{path}: YAML error: {' '.join(str(exc).split())}"]) from None
    if root is None:
        return []
    items = root
    if isinstance(root, yaml.MappingNode):
        found = [value for key, value in root.value if key.value == "agencies"]
        if not found:
            raise RegistryError([f"{path}:line {root.start_mark.line + 1}: no `agencies:` list"])
        items = found[0]
    if isinstance(items, yaml.ScalarNode) and items.value in ("", "~", "null"):
        return []
    if not isinstance(items, yaml.SequenceNode):
        raise RegistryError([f"{path}:line {items.start_mark.line + 1}: `agencies` must be a list"])
    constructor = yaml.constructor.SafeConstructor()
    entries = []
    for item in items.value:
        line = item.start_mark.line + 1
        if not isinstance(item, yaml.MappingNode):
            entries.append(RawEntry(line, {"__not_a_mapping__": True}, {}))
            continue
        values, lines = {}, {}
        for key, value in item.value:
            values[str(key.value)] = constructor.construct_object(value, deep=True)
            lines[str(key.value)] = key.start_mark.line + 1
            if key.value == "sources" and isinstance(value, yaml.SequenceNode):
                lines["sources[]"] = [v.start_mark.line + 1 for v in value.value]
        entries.append(RawEntry(line, values, lines))
    return entries


def _read_csv(path: str, data: bytes) -> list[RawEntry]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("gb18030", errors="replace")  # saved from Excel on a Chinese desktop
    reader = csv.reader(io.StringIO(text, newline=""))
    header, entries, start = None, [], 1
    for row in reader:
        line, start = start, reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue
        if header is None:
            header = [cell.strip().lower() for cell in row]
            unknown = [h for h in header if h not in FIELDS]
            if unknown or "id" not in header:
                raise RegistryError(
                    [
                        f"{path}:line {line}: CSV header must name columns {','.join(FIELDS)} (got {','.join(row)})"
                    ]
                )
            continue
        values = {h: (cell.strip() or None) for h, cell in zip(header, row, strict=False)}
        for name in ("aliases", "sources"):
            if values.get(name):
                values[name] = [v.strip() for v in _LIST_SEPARATORS.split(values[name]) if v.strip()]
        values["sources"] = [_csv_source(s) for s in values.get("sources") or []]
        entries.append(RawEntry(line, values, {name: line for name in values}))
    return entries


def _csv_source(text: str):
    url, _, family = text.partition(" ")
    return {"url": url, "family": family.strip()} if family.strip() else url


# --- checking -----------------------------------------------------------------------------


def check_entries(path: str, raw_entries: list[RawEntry]) -> list[AgencyEntry]:
    problems, entries, first_line = [], [], {}
    for raw in raw_entries:
        entry, entry_problems = _check_entry(raw)
        agency_id = _text(raw.values.get("id"))
        id_line = raw.lines.get("id", raw.line)
        if agency_id in first_line:
            entry_problems.append(
                (id_line, f"duplicate id {agency_id!r} (first at line {first_line[agency_id]})")
            )
        elif agency_id:
            first_line[agency_id] = id_line
        problems += [f"{path}:line {line}: {message}" for line, message in sorted(entry_problems)]
        if entry is not None and not entry_problems:
            entries.append(entry)
    if problems:
        raise RegistryError(problems)
    return entries


def _check_entry(raw: RawEntry) -> tuple[AgencyEntry | None, list[tuple[int, str]]]:
    if raw.values.get("__not_a_mapping__"):
        return None, [(raw.line, "an agency must be a mapping with id, name, kind ...")]
    values, problems = raw.values, []

    def at(name: str) -> int:
        return raw.lines.get(name, raw.line)

    for name in values:
        if name not in FIELDS:
            problems.append((at(name), f"unknown field {name!r} (fields: {', '.join(FIELDS)})"))
    agency_id = _text(values.get("id"))
    if not agency_id:
        problems.append((raw.line, "missing id"))
    elif not _ID.match(agency_id):
        problems.append((at("id"), f"bad id {agency_id!r}: use ASCII letters, digits, '.', '_', '-'"))
    name = _text(values.get("name"))
    if not name:
        problems.append(
            (at("name") if "name" in values else raw.line, f"missing name for {agency_id or 'agency'}")
        )
    kind = _text(values.get("kind"))
    if kind not in KIND_DEADLINES:
        problems.append(
            (
                at("kind") if "kind" in values else raw.line,
                f"unknown kind {kind!r} (expected {' | '.join(KIND_DEADLINES)})",
            )
        )
    deadline = values.get("deadline")
    if deadline is not None and not _valid_deadline(deadline):
        problems.append(
            (at("deadline"), f'bad deadline {deadline!r}: expected MM-DD, a real date such as "01-31"')
        )
    aliases = values.get("aliases") or []
    if isinstance(aliases, str):
        aliases = [aliases]
    if not isinstance(aliases, list) or not all(isinstance(a, str | int) for a in aliases):
        problems.append((at("aliases"), "aliases must be a list of names"))
        aliases = []
    sources = _check_sources(values.get("sources"), raw, problems)
    if problems:
        return None, problems
    entry = AgencyEntry(
        id=agency_id,
        name=name,
        kind=kind,
        line=raw.line,
        aliases=[str(a).strip() for a in aliases if str(a).strip()],
        region=_text(values.get("region")),
        deadline_override=deadline,
        sources=sources,
    )
    return entry, []


def _check_sources(value, raw: RawEntry, problems: list) -> list[Source]:
    if value is None:
        return []
    line = raw.lines.get("sources", raw.line)
    if isinstance(value, str | dict):
        value = [value]
    if not isinstance(value, list):
        problems.append((line, "sources must be a list of URLs"))
        return []
    item_lines = raw.lines.get("sources[]") or [line] * len(value)
    sources = []
    for item, item_line in zip(value, item_lines, strict=False):
        url, family = item, None
        if isinstance(item, dict):
            unknown = set(item) - {"url", "family"}
            if unknown:
                problems.append(
                    (item_line, f"unknown source field(s) {', '.join(sorted(map(str, unknown)))}")
                )
            url, family = item.get("url"), item.get("family")
        url = _text(url)
        if not _valid_url(url):
            problems.append((item_line, f"malformed source URL {url!r}: need http:// or https:// and a host"))
            continue
        if family is not None and family not in FAMILIES:
            problems.append((item_line, f"unknown family {family!r} (expected {' | '.join(FAMILIES)})"))
            continue
        sources.append(Source(url, family, item_line))
    return sources


def _text(value) -> str | None:
    if value is None or isinstance(value, list | dict):
        return None
    text = str(value).strip()
    return text or None


def _valid_deadline(value) -> bool:
    if not isinstance(value, str) or not re.fullmatch(r"\d{2}-\d{2}", value):
        return False
    try:
        date(2000, int(value[:2]), int(value[3:]))  # a leap year, so 02-29 is a real date
    except ValueError:
        return False
    return True


def _valid_url(url: str | None) -> bool:
    if not url or any(c.isspace() for c in url):
        return False
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises for a malformed port
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def host_warnings(path: str, entries: list[AgencyEntry], allowed_hosts=()) -> list[str]:
    """PORTALS §8: a registry source off *.gov.cn and off the allow-list may be a spam mirror."""
    allowed = [h.strip().lower() for h in allowed_hosts if h.strip()]
    warnings = []
    for entry in entries:
        for source in entry.sources:
            host = (urlsplit(source.url).hostname or "").lower()
            if _under(host, ["gov.cn", *allowed]):
                continue
            warnings.append(
                f"{path}:line {source.line or entry.line}: warning: {entry.id} source {source.url} is not under *.gov.cn"
                " nor in NIANBAO_ALLOWED_HOSTS (a mirror?)"
            )
    return warnings


def _under(host: str, domains: list[str]) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains)


# --- importing ----------------------------------------------------------------------------


def import_registry(db, path: str, *, allowed_hosts=(), now: str | None = None) -> ImportResult:
    """Check the whole file, then upsert its agencies and sources in one transaction.

    Agencies absent from the file are kept (their reports and findings stay meaningful); an agency's
    source list is replaced by the file's; `sources` rows (crawl history) are never deleted.
    """
    entries = read_registry(path)
    if now is None:
        from datetime import datetime

        now = datetime.now().astimezone().isoformat(timespec="seconds")
    urls = set()
    with write_transaction(db):
        existing = {row[0] for row in db.execute("SELECT id FROM agencies").fetchall()}
        for entry in entries:
            _upsert_agency(db, entry, now)
            urls.update(source.url for source in entry.sources)
    new = sum(entry.id not in existing for entry in entries)
    return ImportResult(
        agencies=len(entries),
        new=new,
        updated=len(entries) - new,
        sources=len(urls),
        warnings=host_warnings(path, entries, allowed_hosts),
    )


def _upsert_agency(db, entry: AgencyEntry, now: str) -> None:
    db.execute(
        "INSERT INTO agencies (id, name, kind, region, deadline, deadline_override, aliases, imported_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET name = excluded.name,"
        " kind = excluded.kind, region = excluded.region, deadline = excluded.deadline,"
        " deadline_override = excluded.deadline_override, aliases = excluded.aliases,"
        " imported_at = excluded.imported_at",
        [
            entry.id,
            entry.name,
            entry.kind,
            entry.region,
            entry.deadline,
            entry.deadline_override,
            json.dumps(entry.aliases, ensure_ascii=False),
            now,
        ],
    )
    db.execute("DELETE FROM agency_sources WHERE agency_id = ?", [entry.id])
    for source in entry.sources:
        db.execute(
            "INSERT OR REPLACE INTO agency_sources (agency_id, url, family) VALUES (?, ?, ?)",
            [entry.id, source.url, source.family],
        )
        db.execute("INSERT OR IGNORE INTO sources (url) VALUES (?)", [source.url])
        if source.family:
            db.execute("UPDATE sources SET family = ? WHERE url = ?", [source.family, source.url])
