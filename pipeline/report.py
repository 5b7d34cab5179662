"""A one-file HTML report of a run: what was read, which labels it got, which figures it holds.

`write_report` turns the rows of a run's tables (passages, figures, errors) and the manifest's
documents into `report.html`: counts, heat maps of MiGOF categories and SDG goals per document,
the most frequent SDG targets, a sortable figures table linked to its passages, the passages
with their tags and a link to their page in the PDF, and the errors.

The file is self-contained (inline style and script, no network) so it can be mailed or opened
from a shared drive as it is. Every piece of text from the tables is escaped.
"""

from __future__ import annotations

import html
import math
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .io import atomic_write_bytes, unsafe_cell
from .taxonomy import Taxonomy, load_taxonomy, normalise_sdg_label, split_labels

Row = dict[str, Any]

MIGOF_ORDER = ("P1", "P2", "P3", "O1", "O2", "O3")
TOP_TARGETS = 15
MAX_PASSAGES = 2000
NAME_CHARS = 90

_UNSAFE_ID_CHAR = re.compile(r"[^A-Za-z0-9-]")


# --- small helpers -------------------------------------------------------------------------


def _text(value: Any) -> str:
    """A cell as display text: None is blank, a float that is a whole number loses its `.0`."""
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    # cells written for spreadsheets may carry a `'` before formula-like text
    return unsafe_cell(str(value))


def _number(value: Any) -> str:
    """A figure's value for reading: `"1600000000.0"` -> `"1,600,000,000"`; text stays as it is."""
    try:
        number = float(_text(value))
    except ValueError:
        return _text(value)
    if not math.isfinite(number):
        return _text(value)
    if number.is_integer():
        return f"{int(number):,}"
    return f"{number:,.4f}".rstrip("0").rstrip(".")


def _e(value: Any) -> str:
    return html.escape(_text(value), quote=True)


def _int(value: Any) -> int:
    """A count or page number from a cell that may be "", None, "3" or "3.0"; 0 when unreadable."""
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return 0


def _short(text: str, limit: int = NAME_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip(" ,;:") + "…"


def anchor_id(passage_id: Any) -> str:
    """An HTML id for a passage: `p-` plus the id with every unsafe character escaped as `_hex_`.

    The escape is reversible (a literal `_` is escaped too), so two passage ids never share an
    anchor, and the result needs no quoting in a URL fragment or a CSS selector.
    """
    raw = _text(passage_id)
    return "p-" + _UNSAFE_ID_CHAR.sub(lambda m: f"_{ord(m.group()):x}_", raw)


def _migof_labels(cell: Any) -> list[str]:
    return [label.upper() for label in split_labels(_text(cell))]


def _sdg_labels(cell: Any) -> list[str]:
    return [normalise_sdg_label(label) for label in split_labels(_text(cell))]


def _scores(cell: Any, sdg: bool) -> dict[str, str]:
    """`"SDG 10.7: 0.91; SDG 8.8: 0.4"` -> `{"10.7": "0.91", "8.8": "0.4"}`."""
    scores: dict[str, str] = {}
    for part in _text(cell).split(";"):
        label, _, score = part.partition(":")
        if label.strip() and score.strip():
            key = normalise_sdg_label(label) if sdg else label.strip().upper()
            scores[key] = score.strip()
    return scores


def _doc_name(path: Any) -> str:
    return Path(_text(path)).name


def _page_links(documents: list[Row]) -> dict[str, str]:
    """File name -> `file://` URI of the PDF, for the documents whose path is known."""
    links: dict[str, str] = {}
    for document in documents:
        path = _text(document.get("path"))
        if path:
            try:
                links.setdefault(Path(path).name, Path(path).resolve().as_uri())
            except (OSError, ValueError):
                continue
    return links


def _doc_order(documents: list[Row], *row_lists: list[Row]) -> list[str]:
    """Document names in manifest order, then any named only in the tables."""
    names = [_doc_name(d.get("path")) for d in documents if _text(d.get("path"))]
    for rows in row_lists:
        names.extend(_text(row.get("doc")) for row in rows if _text(row.get("doc")))
    return list(dict.fromkeys(names))


def _none(what: str) -> str:
    return f'<p class="none">No {html.escape(what)}.</p>'


def _cell_style(count: int, top: int) -> str:
    """Blue with an alpha growing with the count, so the busiest cell of a map is the darkest."""
    if count <= 0 or top <= 0:
        return ""
    alpha = 0.12 + 0.78 * count / top
    ink = "#fff" if alpha > 0.55 else "#10243e"
    return f' style="background:rgba(29,78,216,{alpha:.2f});color:{ink}"'


# --- sections ------------------------------------------------------------------------------


def _header(
    title: str, passages: list[Row], figures: list[Row], errors: list[Row], documents: list[Row]
) -> str:
    status = Counter(_text(d.get("status")) or "unknown" for d in documents)
    pages = sum(_int(d.get("pages")) for d in documents)
    stats = [
        ("documents", len(documents)),
        ("ok", status.get("ok", 0)),
        ("partial", status.get("partial", 0)),
        ("failed", status.get("failed", 0)),
        ("pages", pages),
        ("passages", len(passages)),
        ("figures", len(figures)),
        ("errors", len(errors)),
    ]
    tiles = "".join(
        f'<div class="stat stat-{name}"><b data-count="{name}">{value}</b><span>{name}</span></div>'
        for name, value in stats
    )
    return (
        f"<header><h1>{html.escape(title)}</h1>"
        f'<div class="stats">{tiles}</div>'
        '<nav><a href="#documents">Documents</a><a href="#heatmaps">Heat maps</a>'
        '<a href="#targets">Top targets</a><a href="#figures">Figures</a>'
        '<a href="#passages">Passages</a><a href="#errors">Errors</a></nav></header>'
    )


def _documents_section(documents: list[Row], links: dict[str, str]) -> str:
    head = '<section id="documents"><h2>Documents</h2>'
    if not documents:
        return head + _none("documents listed") + "</section>"
    rows = []
    for d in documents:
        name = _doc_name(d.get("path"))
        status = _text(d.get("status")) or "unknown"
        link = links.get(name)
        label = (
            f'<a href="{html.escape(link)}">{html.escape(name)}</a>' if link else html.escape(name)
        )
        rows.append(
            f'<tr><td title="{_e(d.get("path"))}">{label}</td>'
            f'<td><span class="badge {html.escape(status)}">{html.escape(status)}</span></td>'
            f'<td class="n">{_int(d.get("pages"))}</td><td class="n">{_int(d.get("passages"))}</td>'
            f'<td class="n">{_int(d.get("figures"))}</td><td class="n">{_int(d.get("errors"))}</td>'
            f'<td class="hash" title="{_e(d.get("sha256"))}">{_e(_text(d.get("sha256"))[:12])}</td></tr>'
        )
    return (
        head + '<table class="grid"><thead><tr><th>document</th><th>status</th><th>pages</th>'
        "<th>passages</th><th>figures</th><th>errors</th><th>sha256</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></section>"
    )


def _heatmap(
    caption: str,
    docs: list[str],
    columns: list[tuple[str, str, str]],
    counts: dict[str, Counter[str]],
    prefix: str = "",
) -> str:
    """One doc x label table; `columns` is (label, heading, name) per column."""
    top = max((n for per_doc in counts.values() for n in per_doc.values()), default=0)
    head = "".join(
        f'<th title="{html.escape(prefix + heading)} — {html.escape(name)}">{html.escape(heading)}</th>'
        for _, heading, name in columns
    )
    body = []
    for doc in docs:
        cells = []
        for label, heading, name in columns:
            n = counts.get(doc, Counter()).get(label, 0)
            tip = f"{doc} · {prefix}{heading} — {name}: {n} passage{'s' if n != 1 else ''}"
            cells.append(
                f'<td class="heat" data-doc="{html.escape(doc)}" data-label="{html.escape(label)}"'
                f' title="{html.escape(tip)}"{_cell_style(n, top)}>{n or ""}</td>'
            )
        body.append(
            f'<tr><th class="doc" title="{html.escape(doc)}">{html.escape(doc)}</th>{"".join(cells)}</tr>'
        )
    legend = "".join(
        f"<li><b>{html.escape(heading)}</b> {html.escape(_short(name, 60))}</li>"
        for _, heading, name in columns
    )
    return (
        f'<h3>{html.escape(caption)}</h3><div class="scroll"><table class="heatmap">'
        f'<thead><tr><th class="doc">document</th>{head}</tr></thead>'
        f'<tbody>{"".join(body)}</tbody></table></div><ul class="legend">{legend}</ul>'
    )


def _heatmaps_section(docs: list[str], passages: list[Row], taxonomy: Taxonomy) -> str:
    head = '<section id="heatmaps"><h2>Labels per document</h2>'
    if not docs or not passages:
        return head + _none("passages to count") + "</section>"
    migof: dict[str, Counter[str]] = {}
    goals: dict[str, Counter[str]] = {}
    for row in passages:
        doc = _text(row.get("doc"))
        # a passage counts once per label even if a cell repeats it
        migof.setdefault(doc, Counter()).update(set(_migof_labels(row.get("migof"))))
        goals.setdefault(doc, Counter()).update(set(_sdg_labels(row.get("sdg_goals"))))
    migof_labels = [m for m in MIGOF_ORDER if m in taxonomy.migof] + [
        m for m in taxonomy.migof if m not in MIGOF_ORDER
    ]
    migof_columns = [(m, m, taxonomy.migof[m]) for m in migof_labels]
    goal_columns = [(g, g, taxonomy.goals[g]) for g in taxonomy.goals]
    return (
        head + '<p class="hint">Passages per document tagged with each label; darker is more. '
        "Hover a cell for the label's name.</p>"
        + _heatmap("MiGOF categories", docs, migof_columns, migof)
        + _heatmap("SDG goals", docs, goal_columns, goals, prefix="SDG ")
        + "</section>"
    )


def _targets_section(passages: list[Row], taxonomy: Taxonomy) -> str:
    head = '<section id="targets"><h2>Most frequent SDG targets</h2>'
    counts: Counter[str] = Counter()
    for row in passages:
        counts.update(set(_sdg_labels(row.get("sdg_targets"))))
    if not counts:
        return head + _none("SDG targets tagged") + "</section>"
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:TOP_TARGETS]
    top = ranked[0][1]
    rows = []
    for target, n in ranked:
        name = taxonomy.targets.get(target, "")
        rows.append(
            f'<tr data-target="{html.escape(target)}"><td class="label">SDG {html.escape(target)}</td>'
            f'<td title="{html.escape(name)}">{html.escape(_short(name))}</td>'
            f'<td class="n">{n}</td><td class="barcell"><div class="bar" style="width:{100 * n / top:.1f}%">'
            "</div></td></tr>"
        )
    return (
        head
        + f'<p class="hint">Top {len(ranked)} of {len(counts)} targets by number of passages.</p>'
        '<table class="grid targets"><thead><tr><th>target</th><th>name</th><th>passages</th><th></th>'
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table></section>"
    )


_FIGURE_COLUMNS = (
    ("doc", "doc", "text"),
    ("page", "page", "num"),
    ("text", "figure", "text"),
    ("value", "value", "num"),
    ("kind", "kind", "text"),
    ("unit", "unit", "text"),
    ("counted", "counted", "text"),
    ("qualifier", "qualifier", "text"),
    ("year", "year", "num"),
    ("change", "change", "text"),
)


def _figures_section(figures: list[Row], anchors: set[str]) -> str:
    head = '<section id="figures"><h2>Figures</h2>'
    if not figures:
        return head + _none("figures found") + "</section>"
    ths = "".join(
        f'<th data-type="{kind}" title="sort by {heading}">{heading}</th>'
        for _, heading, kind in _FIGURE_COLUMNS
    )
    rows = []
    for figure in figures:
        anchor = anchor_id(figure.get("passage_id"))
        cells = []
        for key, _, kind in _FIGURE_COLUMNS:
            value = html.escape(_number(figure.get(key))) if key == "value" else _e(figure.get(key))
            if key == "text":
                title = f' title="{_e(figure.get("sentence"))}"'
                # a passage left out of the capped list has no anchor to jump to
                value = f'<a href="#{anchor}">{value}</a>' if anchor in anchors else value
                cells.append(f"<td{title}>{value}</td>")
            else:
                cells.append(f'<td class="{"n" if kind == "num" else key}">{value}</td>')
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return (
        head + f'<p class="hint">{len(figures)} figures. Click a column heading to sort; '
        "click a figure to see its passage.</p>"
        f'<div class="scroll"><table class="grid sortable" id="figure-table"><thead><tr>{ths}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div></section>"
    )


def _chips(
    labels: Iterable[str],
    names: dict[str, str],
    scores: dict[str, str],
    kind: str,
    prefix: str = "",
) -> str:
    chips = []
    for label in labels:
        tip = f"{prefix}{label} — {names.get(label, '')}"
        if label in scores:
            tip += f" (score {scores[label]})"
        chips.append(
            f'<span class="chip {kind}" title="{html.escape(tip)}">{html.escape(prefix + label)}</span>'
        )
    return "".join(chips)


def _select_passages(passages: list[Row], figure_ids: set[str]) -> list[Row]:
    """All passages when they fit; past the cap, the ones with tags or figures come first."""
    if len(passages) <= MAX_PASSAGES:
        return passages

    def useful(row: Row) -> bool:
        return bool(
            _text(row.get("migof"))
            or _text(row.get("sdg_targets"))
            or _text(row.get("sdg_goals"))
            or _int(row.get("n_figures"))
            or _text(row.get("passage_id")) in figure_ids
        )

    wanted = [row for row in passages if useful(row)]
    if len(wanted) >= MAX_PASSAGES:
        return wanted[:MAX_PASSAGES]
    filler = [row for row in passages if not useful(row)][: MAX_PASSAGES - len(wanted)]
    keep = {id(row) for row in wanted + filler}
    return [row for row in passages if id(row) in keep]


def _passage(row: Row, links: dict[str, str], taxonomy: Taxonomy, figure_count: int) -> str:
    doc = _text(row.get("doc"))
    page = _int(row.get("page"))
    where = f"{html.escape(doc)} · p. {page}" if page else html.escape(doc)
    link = links.get(doc)
    if link and page:
        href = f"{html.escape(link)}#page={page}"
        where = f'<a class="pdf" href="{href}" title="open the PDF at this page">{where}</a>'
    migof = _chips(
        _migof_labels(row.get("migof")),
        taxonomy.migof,
        _scores(row.get("migof_scores"), sdg=False),
        "migof",
    )
    targets = _chips(
        _sdg_labels(row.get("sdg_targets")),
        taxonomy.targets,
        _scores(row.get("sdg_target_scores"), sdg=True),
        "target",
        "SDG ",
    )
    goals = _chips(
        _sdg_labels(row.get("sdg_goals")),
        taxonomy.goals,
        _scores(row.get("sdg_goal_scores"), sdg=True),
        "goal",
        "SDG ",
    )
    extras = []
    n_figures = max(_int(row.get("n_figures")), figure_count)
    if n_figures:
        extras.append(
            f'<span class="meta">{n_figures} figure{"s" if n_figures != 1 else ""}</span>'
        )
    if _text(row.get("review_status")):
        extras.append(f'<span class="badge review">review: {_e(row.get("review_status"))}</span>')
    note = _text(row.get("review_note"))
    tags = migof + goals + targets or '<span class="meta">no tags</span>'
    section = _e(row.get("section"))
    return (
        f'<article class="passage" id="{anchor_id(row.get("passage_id"))}">'
        f'<div class="where">{where}<span class="section" title="{section}">{section}</span>'
        f'<span class="pid">{_e(row.get("passage_id"))}</span></div>'
        f'<div class="tags">{tags}{"".join(extras)}</div>'
        f'<p class="text">{_e(row.get("text"))}</p>'
        + (f'<p class="note">{html.escape(note)}</p>' if note else "")
        + "</article>"
    )


def _passages_section(
    passages: list[Row], figures: list[Row], links: dict[str, str], taxonomy: Taxonomy
) -> tuple[str, set[str]]:
    """The passage list and the anchors it defines (the figures table links only to those)."""
    head = '<section id="passages"><h2>Passages</h2>'
    if not passages:
        return head + _none("passages") + "</section>", set()
    per_passage = Counter(_text(f.get("passage_id")) for f in figures)
    shown = _select_passages(passages, set(per_passage))
    note = (
        f'<p class="hint warn">Showing {len(shown)} of {len(passages)} passages '
        "(those with tags or figures first); the CSV tables hold them all.</p>"
        if len(shown) < len(passages)
        else f'<p class="hint">{len(passages)} passages. The document link opens the PDF at the page.</p>'
    )
    items = "".join(
        _passage(row, links, taxonomy, per_passage.get(_text(row.get("passage_id")), 0))
        for row in shown
    )
    anchors = {anchor_id(row.get("passage_id")) for row in shown}
    return head + note + items + "</section>", anchors


def _errors_section(errors: list[Row]) -> str:
    head = '<section id="errors"><h2>Errors</h2>'
    if not errors:
        return head + _none("errors") + "</section>"
    rows = "".join(
        f'<tr><td title="{_e(e.get("path"))}">{_e(e.get("doc"))}</td><td>{_e(e.get("stage"))}</td>'
        f'<td class="err">{_e(e.get("error"))}</td><td>{_e(e.get("message"))}</td>'
        f'<td class="n">{_e(e.get("page"))}</td></tr>'
        for e in errors
    )
    return (
        head + '<table class="grid errors"><thead><tr><th>doc</th><th>stage</th><th>error</th>'
        f"<th>message</th><th>page</th></tr></thead><tbody>{rows}</tbody></table></section>"
    )


# --- page ----------------------------------------------------------------------------------

_STYLE = """
:root{--ink:#1d2733;--muted:#5f6b7a;--line:#dde3ea;--bg:#f6f8fb;--card:#fff;--accent:#1d4ed8}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
color:var(--ink);background:var(--bg)}
main{max-width:1220px;margin:0 auto;padding:0 20px 40px}
header{background:#0f2a4a;color:#fff;padding:18px 20px 0}
header h1{margin:0 auto 12px;max-width:1180px;font-size:22px;font-weight:600}
.stats{display:flex;flex-wrap:wrap;gap:10px;max-width:1180px;margin:0 auto}
.stat{background:rgba(255,255,255,.1);border-radius:6px;padding:6px 14px;min-width:92px}
.stat b{display:block;font-size:20px}.stat span{font-size:12px;opacity:.8}
.stat-failed b,.stat-errors b{color:#fecaca}.stat-partial b{color:#fde68a}
nav{max-width:1180px;margin:12px auto 0;display:flex;gap:18px;padding-bottom:10px}
nav a{color:#cfe0ff;text-decoration:none;font-size:13px}nav a:hover{color:#fff}
section{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:14px 18px;margin-top:18px}
h2{margin:0 0 8px;font-size:17px}h3{margin:14px 0 6px;font-size:14px;color:var(--muted)}
.hint{color:var(--muted);margin:0 0 8px;font-size:13px}.warn{color:#9a3412}
.none{color:var(--muted);font-style:italic}
.scroll{overflow-x:auto}
table{border-collapse:collapse}
.grid{width:100%}
.grid th,.grid td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
.grid th{font-size:12px;color:var(--muted);font-weight:600;background:#f1f4f8}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.hash{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;color:var(--muted)}
.heatmap th,.heatmap td{border:1px solid #fff;padding:0;text-align:center;font-size:12px}
.heatmap thead th{color:var(--muted);padding:3px 0;min-width:40px;cursor:help}
.heatmap td.heat{width:44px;height:28px;background:#eef1f5;font-variant-numeric:tabular-nums}
.heatmap th.doc{text-align:left;padding:0 10px 0 0;max-width:300px;min-width:200px;overflow:hidden;
text-overflow:ellipsis;white-space:nowrap;font-weight:500}
.legend{columns:3;font-size:12px;color:var(--muted);padding-left:16px;margin:6px 0 4px}
.legend b{color:var(--ink)}
.targets td.label{white-space:nowrap;font-weight:600}
.targets td.n{width:1%;white-space:nowrap}.barcell{width:24%}.bar{height:12px;background:var(--accent);border-radius:3px;min-width:2px}
.sortable th{cursor:pointer;user-select:none;white-space:nowrap}
.sortable th[aria-sort=ascending]::after{content:" \\25B2"}.sortable th[aria-sort=descending]::after{content:" \\25BC"}
.sortable td{font-size:13px}.sortable a{color:var(--accent);text-decoration:none}
.passage{border-top:1px solid var(--line);padding:10px 0}
.passage:target{background:#fff7d6;outline:2px solid #f2c94c;outline-offset:2px}
.where{font-size:12px;color:var(--muted);display:flex;gap:12px;align-items:baseline}
.where a{white-space:nowrap}
.where a{color:var(--accent)}.section{font-style:italic;flex:1;min-width:0;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}.pid{font-family:ui-monospace,Menlo,monospace}
.tags{margin:4px 0}.text{margin:4px 0 0;max-width:110ch}
.chip{display:inline-block;border-radius:10px;padding:0 8px;margin:0 4px 2px 0;font-size:12px;cursor:help}
.chip.migof{background:#e0e7ff;color:#3730a3}.chip.goal{background:#dcfce7;color:#166534}
.chip.target{background:#fef3c7;color:#92400e}
.meta{font-size:12px;color:var(--muted);margin-right:6px}
.badge{display:inline-block;border-radius:4px;padding:0 6px;font-size:12px;background:#e5e7eb}
.badge.ok{background:#dcfce7;color:#166534}.badge.partial{background:#fef3c7;color:#92400e}
.badge.failed{background:#fee2e2;color:#991b1b}.badge.review{background:#ede9fe;color:#5b21b6}
.note{font-size:12px;color:#5b21b6;margin:2px 0 0}
.errors td.err{color:#991b1b;font-weight:600}
footer{color:var(--muted);font-size:12px;text-align:center;margin-top:18px}
"""

# Sorting is numeric for columns marked data-type="num" (blanks sort last), text otherwise.
_SCRIPT = """
document.querySelectorAll("table.sortable").forEach(function (table) {
  var heads = table.tHead.rows[0].cells;
  Array.prototype.forEach.call(heads, function (th, col) {
    th.addEventListener("click", function () {
      var asc = th.getAttribute("aria-sort") !== "ascending";
      Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", asc ? "ascending" : "descending");
      var numeric = th.dataset.type === "num";
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      function key(row) {
        var t = row.cells[col].textContent.trim();
        if (!numeric) return t.toLowerCase();
        var n = parseFloat(t.replace(/,/g, ""));
        return isNaN(n) ? null : n;
      }
      rows.sort(function (a, b) {
        var x = key(a), y = key(b);
        if (x === y) return 0;
        if (x === null || x === "") return 1;
        if (y === null || y === "") return -1;
        return (x < y ? -1 : 1) * (asc ? 1 : -1);
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
});
"""


def render_report(
    passages: list[Row],
    figures: list[Row],
    errors: list[Row],
    documents: list[Row],
    *,
    title: str = "migtag run",
) -> str:
    """The report as an HTML string."""
    taxonomy = load_taxonomy()
    links = _page_links(documents)
    docs = _doc_order(documents, passages, figures, errors)
    passage_html, anchors = _passages_section(passages, figures, links, taxonomy)
    body = "".join(
        [
            _documents_section(documents, links),
            _heatmaps_section(docs, passages, taxonomy),
            _targets_section(passages, taxonomy),
            _figures_section(figures, anchors),
            passage_html,
            _errors_section(errors),
        ]
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>"
        f"{_header(title, passages, figures, errors, documents)}<main>{body}"
        "<footer>Generated by migtag. Labels: SDG goals and targets, IOM Migration Governance "
        f"Framework (MiGOF).</footer></main><script>{_SCRIPT}</script></body></html>\n"
    )


def write_report(
    out: Path,
    passages: list[dict],
    figures: list[dict],
    errors: list[dict],
    documents: list[dict],
    *,
    title: str = "migtag run",
) -> Path:
    """Write `out/report.html` whole or not at all, and return its path."""
    path = Path(out) / "report.html"
    atomic_write_bytes(
        path, render_report(passages, figures, errors, documents, title=title).encode("utf-8")
    )
    return path
