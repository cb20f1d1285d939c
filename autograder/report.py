"""Writing a grading report (the dictionary of :mod:`autograder.grading`) for people and machines:
a terminal table, JSON, and Gradescope's ``results.json``. Spanish by default, English on request."""

from __future__ import annotations

import json

from .messages import TEXT, pick, say


def _where(frame: dict, lang: str) -> str:
    if "cell" in frame:
        return say("where.cell", lang, cell=frame["cell"], line=frame["line"])
    return say("where.line", lang, line=frame.get("line", "?"))


def _error_lines(error: dict | None, lang: str) -> list:
    if not error:
        return []
    return [f"    {_where(frame, lang)} ({frame.get('function', '?')}): {frame.get('code', '')}"
            for frame in error.get("traceback", [])]


def _status_line(case: dict, lang: str) -> str:
    status, error = case["status"], case.get("error") or {}
    if status == "error":
        if error.get("type") == "NotImplementedError":
            return say("status.not_implemented", lang)
        if error.get("type") == "SystemExit":
            return say("status.exit", lang, message=error.get("message", ""))
        if error.get("type") == "MemoryError":
            return say("status.memory", lang)
        return say("status.error", lang, type=error.get("type", "?"), message=error.get("message", ""))
    if status == "load_error" and error.get("type") == "TimeoutError" and error.get("kind") == "timeout":
        return say("status.load_timeout", lang, message=error.get("message", ""))
    if status == "load_error" and error.get("type") == "ProcessEnded":
        return say("status.load_crashed", lang, message=error.get("message", ""))
    if status == "load_error":
        return say("status.load_error", lang, type=error.get("type", "?"), message=error.get("message", ""))
    if status == "syntax_error":
        return say("status.syntax_error", lang, where=_where(error, lang), message=error.get("message", ""))
    if status == "timeout":
        return say("status.timeout", lang, seconds=case.get("timeout", 0))
    if status == "crashed":
        exit_info = case.get("exit") or {}
        if exit_info.get("kind") == "exit":
            return say("status.crashed.exit", lang, code=exit_info.get("code"))
        if exit_info.get("kind") == "disk":
            return say("status.crashed.disk", lang, bytes=exit_info.get("bytes"), entries=exit_info.get("entries"))
        if exit_info.get("kind") == "signal":
            key = f"status.crashed.{exit_info['signal']}"
            return say(key, lang) if key in TEXT else say("status.crashed.signal", lang, signal=exit_info["signal"])
        return say("status.crashed.pipe", lang)
    if status == "protocol":
        return say("status.protocol", lang, message=error.get("message", ""))
    if status == "count":
        return say("status.count", lang, received=case["received_count"], expected=case["expected_count"],
                   names=", ".join(case.get("output_names", [])))
    if status in ("missing", "not_run", "wrong"):
        return say(f"status.{status}", lang)
    return status


def _output_lines(case: dict, lang: str) -> list:
    lines = []
    for output in case.get("outputs") or []:
        status = output["status"]
        if status == "ok":
            continue
        if status == "values":
            lines.append(say("output.values", lang, name=output["name"], wrong_count=output["wrong_count"],
                             size=output["size"], max_abs_error=output.get("max_abs_error", float("nan")),
                             max_rel_error=output.get("max_rel_error", float("nan")),
                             index=output["first_wrong_index"], expected_value=output["expected_value"],
                             received_value=output["received_value"]))
        else:
            lines.append(say(f"output.{status}", lang, **{k: tuple(v) if isinstance(v, list) else v
                                                           for k, v in output.items()}))
        if output.get("nan") or output.get("inf"):
            lines.append(say("output.nonfinite", lang, name=output["name"], nan=output["nan"], inf=output["inf"]))
    return lines


def describe_case(case: dict, lang: str) -> str:
    """One line: the case's kind, its note, its arguments (shapes, dtypes, values)."""
    parts = [say(f"kind.{case['kind']}", lang)]
    note = pick(case.get("note"), lang)
    if note:
        parts.append(note)
    arguments = ", ".join(f"{name}={value}" for name, value in case["description"].items())
    return f"{' · '.join(parts)}: {arguments}"


def render_case(case: dict, lang: str = "es") -> list:
    mark = "✓" if case["passed"] else "✗"
    head = f"  {mark} {say('case', lang)} {case['number']} ({case['points']:g}/{case['max_points']:g}) " \
           f"{describe_case(case, lang)}"
    if case["passed"]:
        return [head]
    lines = [head]
    status = _status_line(case, lang)
    if case.get("steps", 1) > 1 and case["status"] not in ("missing", "syntax_error", "load_error", "not_run"):
        status = f"{say('step', lang, step=case.get('step', 1), steps=case['steps'])}: {status}"
    lines.append(f"    → {status}")
    lines.extend(f"    {line}" for line in _output_lines(case, lang))
    lines.extend(_error_lines(case.get("error"), lang))
    for found in case.get("hints") or []:
        lines.append(f"    {say('hint', lang)}: {pick(found, lang)}")
    return lines


def render_function(entry: dict, lang: str = "es") -> str:
    """A function's block: its signature and score, then one line per case (details for failed ones)."""
    lines = [f"{entry['signature']}    {entry['score']:g}/{entry['max_score']:g} {say('points', lang)}",
             f"  {pick(entry.get('summary'), lang)}"]
    if entry.get("forbidden"):
        policy = "forbidden.zero" if entry.get("forbidden_policy") == "zero" else "forbidden.report"
        lines.append(f"  ! {say('forbidden', lang, names=', '.join(entry['forbidden']))}; {say(policy, lang)}")
    for case in entry["cases"]:
        lines.extend(render_case(case, lang))
    consistency = entry.get("consistency")
    if consistency:
        key = f"consistency.{consistency['status']}"
        bad = [c for c in consistency.get("checks", []) if not c["ok"]]
        lines.append("  ~ " + say(key, lang, forward=consistency["forward"],
                                  outputs=", ".join(c["output"] for c in bad),
                                  error=max((c["relative_error"] for c in bad), default=0.0)))
    return "\n".join(lines)


def render(report: dict, lang: str = "es") -> str:
    """The whole report as text for a terminal or a feedback file."""
    blocks = [report["file"]]
    if report.get("practice"):
        blocks.append(say("practice", lang))
    if report.get("isolation") is False:
        blocks.append(say("isolation", lang))
    blocks.extend(render_function(entry, lang) for entry in report["functions"])
    blocks.append(f"{say('total', lang)}: {report['score']:g}/{report['max_score']:g} {say('points', lang)}")
    if report.get("printed"):
        blocks.append(say("printed", lang) + "\n" + report["printed"].rstrip()[:2000])
    return "\n\n".join(blocks) + "\n"


def to_json(report: dict) -> str:
    return json.dumps(report, ensure_ascii=False, indent=1, allow_nan=True)


def to_gradescope(report: dict, lang: str = "es") -> dict:
    """Gradescope's results.json: one test per graded function, its feedback as output."""
    tests = [{"name": entry["signature"], "score": entry["score"], "max_score": entry["max_score"],
              "output": render_function(entry, lang), "visibility": "visible"} for entry in report["functions"]]
    output = say("practice", lang) if report.get("practice") else ""
    return {"score": report["score"], "output": output, "tests": tests, "visibility": "visible",
            "stdout_visibility": "hidden"}
