"""Banco de pruebas 4: la LSTM del curso en el navegador (página ``book/interactivo.md``).

Abre la página construida (``_build/html/book/interactivo.html``) desde ``file://`` en Chromium sin cabeza
(el mismo que usan las pruebas del sitio) y mide:

* el tiempo de generar 200 caracteres tras el texto inicial «En un lugar de la Mancha» (24 caracteres, que
  también hay que leer), con τ = 0.8 y top-k = 10, y con decodificación voraz: mediana, mínimo y máximo de
  ``--repeats`` ejecuciones, medidos con ``performance.now()`` dentro de la página;
* el tiempo de CPU que gastó en esas generaciones el proceso de Chromium que ejecuta la página (de
  ``/proc``): con la máquina cargada, el reloj de pared mide sobre todo la espera por un núcleo;
* el tiempo de decodificar el modelo al cargar la página (base64 → float16 → tablas de la primera capa);
* los bytes que descarga la página: el HTML y cada recurso que el navegador pidió
  (``performance.getEntriesByType("resource")``), con el tamaño de su archivo en el disco (desde ``file://``
  el navegador no informa de los bytes transferidos), separados en pesos, JavaScript y CSS propios,
  MathJax y el resto (tema del libro).

Uso (con el libro ya construido)::

    python benchmarks/browser.py                    # escribe benchmarks/results/browser.md
    python benchmarks/browser.py --repeats 3 --output /tmp/b.md
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.common import write_atomic  # noqa: E402
from companion.display import fmt_int, fmt_num  # noqa: E402

sys.path.insert(0, str(ROOT / "tests" / "site"))
from site_helpers import start_chromium  # noqa: E402  (el mismo arranque de Chromium que las pruebas del sitio)

sys.path.insert(0, str(ROOT / "_ext"))
from lstm_web import SCRIPT_FILE, WEIGHTS_FILE  # noqa: E402  (los nombres de los archivos de la página)

PAGE = ROOT / "_build" / "html" / "book" / "interactivo.html"
PROMPT = "En un lugar de la Mancha"
GROUP_LABELS = {
    "weights": f"pesos ({WEIGHTS_FILE})",
    "page_code": f"JavaScript y CSS de la página ({Path(SCRIPT_FILE).stem}.*)",
    "mathjax": "MathJax y sus tipografías",
    "rest": "resto (HTML, tema del libro)",
}
# Las dos generaciones que se miden: opciones de LSTMWeb.generate (sin la semilla) y su fila en la tabla.
DECODINGS = {
    "sampling": ({"temperature": 0.8, "topK": 10}, "muestreo (τ = 0.8, top-k = 10)"),
    "greedy": ({"topK": 1}, "voraz (top-k = 1)"),
}


def start_browser():
    """Chromium sin ventana como en las pruebas del sitio, con el registro de la red (``performance``)."""
    driver = start_chromium("--window-size=1366,1600", logs=("performance",))
    driver.set_script_timeout(120)
    return driver


def renderer_cpu_seconds(driver) -> float:
    """Tiempo de CPU (usuario + sistema) de los procesos «renderer» de Chromium, leído de ``/proc``.

    En una máquina cargada, el reloj de pared mide sobre todo la espera por la CPU; el tiempo de CPU del
    proceso que ejecuta la página es lo que el cálculo costaría con un núcleo libre.
    """
    root = driver.service.process.pid
    children: dict[int, list[int]] = {}
    info = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        pid, ppid = int(entry.name), int(fields[1])
        children.setdefault(ppid, []).append(pid)
        info[pid] = (cmdline, int(fields[11]) + int(fields[12]))
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        stack += children.get(pid, [])
        if pid in info and "--type=renderer" in info[pid][0]:
            total += info[pid][1]
    return total / os.sysconf("SC_CLK_TCK")


def downloaded_bytes(driver) -> dict:
    # Desde file:// la API de tiempos de recursos del navegador queda vacía: se leen las peticiones del
    # registro de rendimiento de Chromium (eventos Network.requestWillBeSent del protocolo DevTools).
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"].split("#")[0].split("?")[0])
    groups = dict.fromkeys(GROUP_LABELS, 0)
    seen = set()
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme == "data":
            continue
        if parts.scheme != "file":
            raise RuntimeError(f"La página pidió un recurso que no es un archivo local: {url}")
        path = Path(unquote(parts.path))
        if path in seen:
            continue
        seen.add(path)
        size = path.stat().st_size
        name = path.name
        if name == WEIGHTS_FILE:
            groups["weights"] += size
        elif name.startswith(Path(SCRIPT_FILE).stem + "."):
            groups["page_code"] += size
        elif "mathjax" in path.parts:
            groups["mathjax"] += size
        else:
            groups["rest"] += size
    return {"groups": groups, "total": sum(groups.values()), "files": len(seen)}


def measure(repeats: int, page: Path = PAGE) -> dict:
    if not page.is_file():
        raise SystemExit(f"No existe {page}: construya antes el libro (jupyter-book build .).")
    driver = start_browser()
    try:
        driver.get(page.resolve().as_uri())
        driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "const wait = () => (document.readyState === 'complete' && window.LSTMWeb) ? done() : setTimeout(wait, 50);"
            "wait();")
        info = driver.execute_script(
            "const m = LSTMWeb.model; return {load: LSTMWeb.loadMs, H: m.H, L: m.L, V: m.V, params: m.numParameters,"
            " source: m.header.source, ua: navigator.userAgent};")
        driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "(window.MathJax && MathJax.startup && MathJax.startup.promise ? MathJax.startup.promise : Promise.resolve())"
            ".then(() => setTimeout(done, 500));")
        sizes = downloaded_bytes(driver)
        driver.execute_script("LSTMWeb.generate(arguments[0], {length: 50, seed: 0})", PROMPT)  # calentamiento
        times, cpu = {key: [] for key in DECODINGS}, {}
        for key, (options, _) in DECODINGS.items():
            before = renderer_cpu_seconds(driver)
            for i in range(repeats):
                result = driver.execute_script(
                    "return LSTMWeb.generate(arguments[0], Object.assign({length: 200}, arguments[1]))", PROMPT,
                    dict(options, seed=i) if key == "sampling" else options)
                assert len(result["text"]) == len(PROMPT) + 200
                times[key].append(result["ms"])
            cpu[key] = 1000 * (renderer_cpu_seconds(driver) - before) / repeats
        version = driver.capabilities.get("browserVersion", "?")
    finally:
        driver.quit()
    return {"info": info, "times": times, "cpu": cpu, "sizes": sizes, "version": version}


def markdown(result: dict, repeats: int) -> str:
    info, sizes = result["info"], result["sizes"]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [
        f"La LSTM del curso en el navegador: Chromium {result['version']} sin cabeza, página abierta desde "
        f"`file://`; modelo «{info['source']}» ({info['L']} capa(s), h = {info['H']}, "
        f"{fmt_int(info['params'])} parámetros). Generar 200 caracteres tras «{PROMPT}» (que también se lee), "
        f"mediana de {repeats} ejecuciones; {platform.machine()}, {os.cpu_count()} núcleos, carga media de la "
        f"máquina al terminar {fmt_num(load, 1)}.",
        "",
        "Reloj de pared: `performance.now()` en la página. CPU: tiempo de CPU del proceso de Chromium que "
        "ejecuta la página (de `/proc`, resolución 10 ms), promedio por generación; en una máquina cargada es, "
        "aproximadamente, lo que el cálculo tardaría con un núcleo libre.",
        "",
        "| Generación de 200 caracteres | Pared, mediana (ms) | Pared, mínimo (ms) | Pared, máximo (ms) | CPU (ms) |",
        "|---|---:|---:|---:|---:|",
    ]
    for key, values in result["times"].items():
        lines.append(f"| {DECODINGS[key][1]} | {fmt_num(statistics.median(values), 0)} | "
                     f"{fmt_num(min(values), 0)} | {fmt_num(max(values), 0)} | {fmt_num(result['cpu'][key], 0)} |")
    lines += ["", f"Decodificar el modelo al cargar la página: {fmt_num(info['load'], 0)} ms.", "",
              f"Bytes que descarga la página ({sizes['files']} archivos):", "",
              "| Parte | Bytes | MB |", "|---|---:|---:|"]
    for key, size in sizes["groups"].items():
        lines.append(f"| {GROUP_LABELS[key]} | {fmt_int(size)} | {fmt_num(size / 1e6, 2)} |")
    lines.append(f"| **total** | **{fmt_int(sizes['total'])}** | **{fmt_num(sizes['total'] / 1e6, 2)}** |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "results" / "browser.md")
    parser.add_argument("--page", type=Path, default=PAGE, help="página construida (por omisión la de _build/html)")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error("--repeats debe ser al menos 1")
    text = markdown(measure(args.repeats, args.page), args.repeats)
    write_atomic(args.output, text)
    print(text)


if __name__ == "__main__":
    main()
