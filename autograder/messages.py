"""Everything the autograder says to a student, in Spanish (the course's language) and English."""

from __future__ import annotations

LANGUAGES = ("es", "en")

TEXT = {
    "passed": ("correcto", "passed"),
    "failed": ("incorrecto", "failed"),
    "kind.typical": ("típico", "typical"),
    "kind.edge": ("borde", "edge"),
    "kind.random": ("aleatorio", "random"),
    "case": ("caso", "case"),
    "step": ("paso {step} de {steps}", "step {step} of {steps}"),
    "points": ("puntos", "points"),
    "total": ("Total", "Total"),
    "practice": ("(casos de práctica: la nota final usa otros casos, ocultos)",
                 "(practice cases: the final grade uses other, hidden cases)"),
    "status.wrong": ("la salida no coincide con la del motor", "the output does not match the engine's"),
    "status.missing": ("no está definida en tu archivo", "is not defined in your file"),
    "status.not_implemented": ("aún sin implementar (NotImplementedError)",
                               "not implemented yet (NotImplementedError)"),
    "status.error": ("tu función lanzó una excepción: {type}: {message}",
                     "your function raised an exception: {type}: {message}"),
    "status.exit": ("tu función terminó el proceso con sys.exit({message})",
                    "your function ended the process with sys.exit({message})"),
    "status.timeout": ("tiempo agotado: tardó más de {seconds:g} s (¿un bucle infinito?)",
                       "time-out: it took more than {seconds:g} s (an endless loop?)"),
    "status.crashed.exit": ("el proceso terminó sin responder (código de salida {code}: ¿os._exit?)",
                            "the process ended without answering (exit code {code}: os._exit?)"),
    "status.crashed.SIGSEGV": ("el proceso se cayó con un fallo de segmentación (SIGSEGV): acceso a memoria inválido",
                               "the process crashed with a segmentation fault (SIGSEGV): invalid memory access"),
    "status.crashed.SIGKILL": ("el proceso fue terminado (SIGKILL): ¿demasiada memoria?",
                               "the process was killed (SIGKILL): too much memory?"),
    "status.crashed.SIGXCPU": ("se agotó el tiempo de CPU del proceso", "the process ran out of CPU time"),
    "status.crashed.signal": ("el proceso murió por la señal {signal}", "the process died of signal {signal}"),
    "status.crashed.pipe": ("el proceso cerró su canal con el corrector",
                            "the process closed its channel to the grader"),
    "status.crashed.disk": ("tu código escribió demasiado en disco ({bytes} bytes, {entries} archivos): se detuvo",
                            "your code wrote too much to disk ({bytes} bytes, {entries} files): it was stopped"),
    "status.load_timeout": ("cargar tu archivo tardó demasiado ({message}): ¿código que se ejecuta al definir?",
                            "loading your file took too long ({message}): code that runs at definition time?"),
    "status.load_crashed": ("el proceso terminó mientras cargaba tu archivo ({message})",
                            "the process ended while loading your file ({message})"),
    "status.memory": ("se superó el límite de memoria (MemoryError)", "the memory limit was exceeded (MemoryError)"),
    "status.load_error": ("tu archivo no se pudo cargar: {type}: {message}",
                          "your file could not be loaded: {type}: {message}"),
    "status.syntax_error": ("error de sintaxis ({where}): {message}", "syntax error ({where}): {message}"),
    "status.not_run": ("no se ejecutó: el proceso de tu entrega falló demasiadas veces",
                       "not run: your submission's process failed too many times"),
    "status.protocol": ("el proceso devolvió algo ilegible: {message}", "the process sent back something unreadable: "
                        "{message}"),
    "status.count": ("devolvió {received} salida(s); se esperaban {expected}: {names}",
                     "it returned {received} output(s); expected {expected}: {names}"),
    "output.type": ("{name}: se esperaba un array de números y llegó {received_type}",
                    "{name}: expected an array of numbers, got {received_type}"),
    "output.shape": ("{name}: forma esperada {expected_shape}, recibida {received_shape}",
                     "{name}: expected shape {expected_shape}, got {received_shape}"),
    "output.dtype": ("{name}: dtype esperado {expected_dtype}, recibido {received_dtype} (no cambies el tipo de los "
                     "datos)",
                     "{name}: expected dtype {expected_dtype}, got {received_dtype} (keep the input's dtype)"),
    "output.values": ("{name}: {wrong_count} de {size} valores incorrectos; error máximo absoluto {max_abs_error:.3g}, "
                      "relativo {max_rel_error:.3g}; el primero en {index}: esperado {expected_value:.6g}, recibido "
                      "{received_value:.6g}",
                      "{name}: {wrong_count} of {size} values wrong; largest absolute error {max_abs_error:.3g}, "
                      "relative {max_rel_error:.3g}; the first at {index}: expected {expected_value:.6g}, got "
                      "{received_value:.6g}"),
    "output.nonfinite": ("{name}: contiene {nan} NaN y {inf} inf", "{name}: contains {nan} NaN and {inf} inf"),
    "hint": ("pista", "hint"),
    "where.line": ("línea {line}", "line {line}"),
    "where.cell": ("celda {cell}, línea {line}", "cell {cell}, line {line}"),
    "forbidden": ("usa {names}: la entrega debe ser una implementación propia", "uses {names}: the submission must be "
                  "an implementation of your own"),
    "forbidden.zero": ("por eso esta función vale 0 puntos", "so this function scores 0 points"),
    "forbidden.report": ("el profesor decidirá si cuenta", "your instructor decides whether it counts"),
    "consistency.ok": ("tu backward coincide con diferencias finitas de tu {forward}",
                       "your backward agrees with finite differences of your {forward}"),
    "consistency.inconsistent": ("tu backward NO coincide con diferencias finitas de tu {forward} en {outputs} "
                                 "(error relativo {error:.2g})",
                                 "your backward does NOT agree with finite differences of your {forward} in "
                                 "{outputs} (relative error {error:.2g})"),
    "consistency.forward_failed": ("no se pudo comparar con diferencias finitas: tu {forward} falló",
                                   "could not compare with finite differences: your {forward} failed"),
    "printed": ("Lo que imprimió tu código (inicio):", "What your code printed (start):"),
    "isolation": ("aviso: este sistema no permite aislar los archivos (Landlock); la corrección sigue",
                  "note: this system cannot isolate files (Landlock); grading goes on"),
}


def say(key: str, lang: str = "es", **values) -> str:
    """The message ``key`` in ``lang`` with ``values`` filled in."""
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {LANGUAGES}, got {lang!r}")
    text = TEXT[key][LANGUAGES.index(lang)]
    return text.format(**values) if values else text


def pick(translations: dict | None, lang: str) -> str:
    """One language from a {"es": ..., "en": ...} dictionary (Spanish when the other is missing)."""
    if not translations:
        return ""
    return translations.get(lang) or translations.get("es") or ""
