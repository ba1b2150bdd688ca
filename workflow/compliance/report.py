"""Render a :class:`~workflow.compliance.replay.ComplianceResult` as text, JSON or one HTML file.

The HTML report is self-contained (inline CSS, no script, no external resource) and escapes
every value taken from the bundle, so a hostile bundle cannot inject markup into it.

Import rule: standard library and ``workflow.compliance`` only.
"""

from __future__ import annotations

import html
from typing import Any

from workflow.compliance.findings import HARD, Finding, Lang
from workflow.compliance.replay import ComplianceResult

_LABELS: dict[str, tuple[str, str]] = {
    "title": ("Laporan kepatuhan Jejak", "Jejak compliance report"),
    "intact": ("integritas UTUH", "integrity INTACT"),
    "broken": ("integritas TIDAK UTUH — tidak ada yang diulang", "integrity BROKEN — nothing was replayed"),
    "entries": ("entri", "entries"),
    "unpinned": ("kunci log diambil dari bundel sendiri; gunakan --vkey untuk mematoknya",
                 "the log key came from the bundle itself; pass --vkey to pin it"),
    "process": ("Proses", "Process"),
    "none": ("tidak ada temuan", "no findings"),
    "summary": ("{p} proses, {h} temuan keras, {s} temuan lunak", "{p} process(es), {h} hard, {s} soft finding(s)"),
    "hard": ("KERAS", "HARD"),
    "soft": ("lunak", "soft"),
    "rule": ("Aturan", "Rule"),
    "severity": ("Tingkat", "Severity"),
    "entries_h": ("Entri", "Entries"),
    "finding": ("Temuan", "Finding"),
    "problem": ("Masalah integritas", "Integrity problem"),
}


def label(key: str, lang: Lang) -> str:
    pair = _LABELS[key]
    return pair[0] if lang == "id" else pair[1]


def _entries(f: Finding) -> str:
    return ", ".join("pending" if i < 0 else str(i) for i in f.entries) or "-"


def integrity_json(result: ComplianceResult) -> dict[str, Any]:
    report = result.integrity
    return {**report.to_json(), "checkpoint_size": report.checkpoint_size, "vkey_pinned": report.vkey_pinned}


def to_json(result: ComplianceResult) -> dict[str, Any]:
    """``{"ok", "integrity": {...audit report}, "processes", "summary": {"hard", "soft"}, "findings": [...]}``."""
    return {
        "ok": result.ok,
        "integrity": integrity_json(result),
        "processes": list(result.processes),
        "summary": {"hard": result.hard, "soft": result.soft},
        "findings": [f.to_json() for f in result.findings],
    }


def to_text(result: ComplianceResult, name: str, lang: Lang = "id") -> str:
    """The human report: integrity verdict, then findings grouped by process."""
    report = result.integrity
    lines = []
    if not report.ok:
        lines.append(f"{name}: {label('broken', lang)} ({report.size} {label('entries', lang)}).")
        for p in report.problems:
            at = "bundle" if p.index is None else f"entry {p.index}"
            lines.append(f"  {at}: {p.kind}: {p.detail}")
        return "\n".join(lines)
    lines.append(f"{name}: {label('intact', lang)} — {report.size} {label('entries', lang)}.")
    if not report.vkey_pinned:
        lines.append(f"note: {label('unpinned', lang)}.")
    for pid in result.processes:
        own = result.for_process(pid)
        lines.append(f"{label('process', lang)} {pid}: {len(own) or label('none', lang)}")
        for f in own:
            sev = label("hard" if f.severity == HARD else "soft", lang)
            lines.append(f"  [{sev}] {f.rule} {f.title(lang)} (entry {_entries(f)}): {f.message(lang)}")
    lines.append(label("summary", lang).format(p=len(result.processes), h=result.hard, s=result.soft))
    return "\n".join(lines)


_CSS = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#1a1a1a;max-width:70rem}
table{border-collapse:collapse;width:100%;margin-bottom:1.5rem}
th,td{border:1px solid #ccc;padding:.35rem .5rem;text-align:left;vertical-align:top}
.hard{color:#fff;background:#b00020;padding:0 .3rem;border-radius:3px}
.soft{background:#ffe08a;padding:0 .3rem;border-radius:3px}
.ok{color:#0a6b2d}.bad{color:#b00020}
"""


def to_html(result: ComplianceResult, name: str, lang: Lang = "id") -> str:
    """One self-contained, escaped HTML document."""
    e = html.escape
    report = result.integrity
    out = [f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{e(label('title', lang))}</title><style>{_CSS}</style></head><body>",
           f"<h1>{e(label('title', lang))}</h1><p><code>{e(name)}</code></p>"]
    if not report.ok:
        out.append(f'<p class="bad"><strong>{e(label("broken", lang))}</strong></p><table><tr>'
                   f'<th>{e(label("entries_h", lang))}</th><th>{e(label("problem", lang))}</th><th></th></tr>')
        for p in report.problems:
            out.append(f"<tr><td>{e('-' if p.index is None else str(p.index))}</td><td>{e(p.kind)}</td>"
                       f"<td>{e(p.detail)}</td></tr>")
        out.append("</table></body></html>")
        return "\n".join(out)
    out.append(f'<p class="ok">{e(label("intact", lang))} — {report.size} {e(label("entries", lang))}.</p>')
    if not report.vkey_pinned:
        out.append(f"<p>{e(label('unpinned', lang))}.</p>")
    out.append(f"<p>{e(label('summary', lang).format(p=len(result.processes), h=result.hard, s=result.soft))}</p>")
    for pid in result.processes:
        own = result.for_process(pid)
        out.append(f'<h2 id="process-{e(str(pid))}">{e(label("process", lang))} {e(str(pid))}</h2>')
        if not own:
            out.append(f"<p>{e(label('none', lang))}</p>")
            continue
        out.append(f"<table><tr><th>{e(label('severity', lang))}</th><th>{e(label('rule', lang))}</th>"
                   f"<th>{e(label('entries_h', lang))}</th><th>{e(label('finding', lang))}</th></tr>")
        for f in own:
            sev = "hard" if f.severity == HARD else "soft"
            out.append(f'<tr><td><span class="{sev}">{e(label(sev, lang))}</span></td>'
                       f"<td>{e(f.rule)} {e(f.title(lang))}</td><td>{e(_entries(f))}</td>"
                       f"<td>{e(f.message(lang))}</td></tr>")
        out.append("</table>")
    out.append("</body></html>")
    return "\n".join(out)
