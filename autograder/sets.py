"""The exercise sets, one per lecture (lecture 004 one per section): their keys,
the file name of their exercises and notebooks, and their titles."""

# key -> (file stem in solutions/ and exercises/, Spanish title)
SETS = {
    "000": ("000_profundidad", "Profundidad"),
    "001": ("001_ciclo_de_trabajo", "Ciclo de trabajo"),
    "002": ("002_redes_profundas_y_cnn", "Redes profundas y CNN"),
    "003": ("003_regularizacion", "Regularización"),
    "004_1": ("004_1_activaciones", "Activaciones y aproximación"),
    "004_2": ("004_2_optimizacion", "Optimización"),
    "004_3": ("004_3_detalles", "Detalles: inicialización"),
    "004_4": ("004_4_regularizacion", "Regularización"),
    "004_5": ("004_5_convolucionales", "Redes convolucionales"),
    "004_6": ("004_6_recurrentes", "Redes recurrentes"),
}


def set_of_file(name: str) -> str | None:
    """The set a submitted file belongs to, from its name (``004_5_convolucionales.ipynb`` -> ``"004_5"``)."""
    for key in sorted(SETS, key=len, reverse=True):
        if name.startswith(SETS[key][0]) or name.startswith(key + "_") or name.split(".")[0] == key:
            return key
    return None
