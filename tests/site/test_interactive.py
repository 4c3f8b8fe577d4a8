"""La página interactiva (``book/interactivo.md``) en Chromium, desde ``file://``, frente al paquete.

* El archivo de pesos del sitio corresponde al punto de control que hay ahora en ``companion/pretrained/``
  (misma suma SHA-256) y contiene exactamente sus pesos en float16.
* Para varios textos, la distribución del carácter siguiente que calcula la página es la de
  ``companion.export.next_char_probs`` con el mismo modelo (pesos float16) a menos de 1e-4, también con
  temperatura y top-k; las compuertas, celdas y estados de cada capa son los de las ecuaciones del
  capítulo 5 calculadas aquí con NumPy.
* La generación voraz de la página (top-k = 1) es igual a ``companion.generate.generate(strategy="greedy")``.
* El muestreo con semilla: ``companion.generate.generate`` usa el generador de torch
  (``torch.multinomial`` con un ``torch.Generator``), cuyo algoritmo interno JavaScript no puede reproducir,
  así que la página no puede dar su mismo texto. Página y paquete comparten en cambio el muestreo por
  inversión con las uniformes de *mulberry32* de ``companion.export``: las uniformes son idénticas bit a bit
  y el texto es el de ``companion.export.generate_portable``. Como las probabilidades se calculan con
  redondeos distintos (float32 en torch, float64 en la página; diferencias del orden de 1e-7), una elección
  solo podría diferir si la uniforme cae a menos de 1e-6 de un borde de la distribución acumulada: la prueba
  exige igualdad hasta el primer paso así (si lo hay) y dice cuál fue.
* La interfaz: «Generar» y «Paso a paso» escriben el texto, el gráfico de las diez mayores probabilidades y
  la tira de colores; un texto con caracteres fuera del vocabulario recibe un mensaje en español; no hay
  errores en la consola; a 390 píxeles de ancho (un teléfono) nada se sale de la pantalla.
"""
from __future__ import annotations

import re

import numpy as np
import pytest

from site_helpers import BUILD, SITE
from test_browser import browser, load  # noqa: F401  (la fijación del navegador es compartida)

PAGE = SITE / "book" / "interactivo.html"
WEIGHTS = SITE / "_static" / "lstm-pesos.js"
SCREENSHOTS = BUILD / "screenshots"
PROMPTS = ["En un lugar de la Mancha", "¡Válame Dios!, dijo Sancho.", "  la fermosura de Dulcinea del Toboso",
           "w", "ÑANDÚ, pingüino y cigüeña; 1605\n\ty más"]
TOLERANCE = 1e-4
ROUNDING = 1e-6  # margen por debajo del cual los redondeos distintos pueden cambiar una elección


@pytest.fixture(scope="module")
def reference(site):
    from companion.checkpoint import PRETRAINED_DIR, load_pretrained, round_to_half
    from companion.export import file_checksum, read_web_weights

    assert WEIGHTS.is_file(), f"No existe {WEIGHTS}: la extensión _ext/lstm_web.py no exportó los pesos."
    header, tensors = read_web_weights(WEIGHTS)
    path = PRETRAINED_DIR / f"{header['source']}.pt"
    assert header["checksum"] == file_checksum(path), (
        f"Los pesos del sitio no son los de {path} (el punto de control cambió después de construir): "
        "vuelva a construir el libro con jupyter-book build.")
    model, vocab, _ = load_pretrained(header["source"])
    round_to_half(model)  # sin efecto si el punto de control ya está en float16
    return model, vocab, header, tensors


@pytest.fixture(scope="module")
def tab(browser, site):  # noqa: F811
    assert PAGE.is_file(), f"No se construyó {PAGE}"
    browser.set_window_size(1366, 1600)
    facts, logs = load(browser, PAGE)
    assert not logs, "Errores en la consola al cargar la página:\n" + "\n".join(e["message"] for e in logs)
    assert browser.execute_script("return Boolean(window.LSTMWeb && window.LSTMWeb.model)"), \
        "La página no cargó el modelo (window.LSTMWeb.model)"
    return browser


def js(tab, script, *args):
    return tab.execute_script(script, *args)


def console_errors(tab):
    return [e["message"] for e in tab.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]


def test_weights_file_is_the_checkpoint(reference):
    model, vocab, header, tensors = reference
    state = model.state_dict()
    rnn = model.rnn
    assert header["itos"] == vocab.itos
    assert header["config"]["hidden_size"] == rnn.hidden_size
    assert header["config"]["num_layers"] == rnn.num_layers
    names = {"embedding": "embedding.weight", "W_hq": "W_hq", "b_q": "b_q"}
    names.update({f"{p}_l{l}": f"rnn.{p}_l{l}" for l in range(rnn.num_layers)
                  for p in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")})
    assert set(tensors) == {k for k, v in names.items() if v in state}
    for name, array in tensors.items():
        np.testing.assert_array_equal(array.astype(np.float32), state[names[name]].numpy(), err_msg=name)
    assert header["file_bytes"] == WEIGHTS.stat().st_size
    assert header["num_parameters"] == model.num_parameters()


def test_page_ready_and_in_spanish(tab, reference):
    facts = js(tab, """
        return {status: document.getElementById('lw-status').textContent,
                bars: document.querySelectorAll('#lw-chart .lw-bar-row').length,
                cells: document.querySelectorAll('#lw-strip .lw-cell').length,
                text: document.getElementById('lw-text').textContent,
                size: document.getElementById('lw-size').textContent,
                info: document.getElementById('lw-info').textContent,
                message: document.getElementById('lw-message').hidden};""")
    assert "Modelo cargado" in facts["status"]
    assert facts["bars"] == 10
    assert facts["cells"] == len(facts["text"]) > 0
    assert "MB" in facts["size"] and "float16" in facts["size"]
    assert "parámetros" in facts["info"]
    assert facts["message"], "El texto inicial de ejemplo no debería dar ningún mensaje de error"


def test_clean_like_the_package(tab):
    from companion.data import clean

    for prompt in PROMPTS + ["İstanbul 😀 Ça va", "Œuvre — «¿Qué?»"]:
        assert js(tab, "return LSTMWeb.clean(arguments[0])", prompt) == clean(prompt), prompt


@pytest.mark.parametrize("temperature,top_k", [(1.0, None), (0.7, 5), (1.5, None)])
def test_distribution_equals_companion(tab, reference, temperature, top_k):
    from companion.export import next_char_probs

    model, vocab, _, _ = reference
    worst = 0.0
    for prompt in PROMPTS:
        expected = next_char_probs(model, vocab, prompt, temperature=temperature, top_k=top_k)
        got = np.array(js(tab, "return LSTMWeb.distribution(arguments[0], {temperature: arguments[1], topK: arguments[2]})",
                          prompt, temperature, top_k))
        assert got.shape == expected.shape
        diff = float(np.abs(got - expected).max())
        assert diff < TOLERANCE, f"{prompt!r}: la distribución difiere en {diff:.2e}"
        assert abs(got.sum() - 1) < 1e-9
        worst = max(worst, diff)
    print(f"diferencia máxima (τ={temperature}, top-k={top_k}): {worst:.1e}")


def _numpy_lstm(model, ids):
    """Las ecuaciones del capítulo 5 en NumPy (float64) con los pesos del modelo: activaciones por capa."""
    state = {k: v.double().numpy() for k, v in model.state_dict().items()}
    rnn = model.rnn
    h = rnn.hidden_size
    X = state["embedding.weight"][ids] if model.embedding is not None else np.eye(model.vocab_size)[ids]
    layers = []
    for l in range(rnn.num_layers):
        W_x, W_h = state[f"rnn.weight_ih_l{l}"].T, state[f"rnn.weight_hh_l{l}"].T
        b = state[f"rnn.bias_ih_l{l}"] + state[f"rnn.bias_hh_l{l}"]
        H, C = np.zeros(h), np.zeros(h)
        out = {k: [] for k in "IFOGCH"}
        sigma = lambda x: 1 / (1 + np.exp(-x))  # noqa: E731
        for x in X:
            z = x @ W_x + H @ W_h + b
            I, F, G, O = sigma(z[:h]), sigma(z[h:2 * h]), np.tanh(z[2 * h:3 * h]), sigma(z[3 * h:])
            C = F * C + I * G
            H = O * np.tanh(C)
            for k, v in zip("IFOGCH", (I, F, O, G, C, H)):
                out[k].append(v)
        layers.append({k: np.array(v) for k, v in out.items()})
        X = layers[-1]["H"]
    return layers, X @ state["W_hq"] + state["b_q"]


def test_gates_follow_the_chapter_equations(tab, reference):
    import torch

    model, vocab, header, _ = reference
    prompt = PROMPTS[1]
    from companion.data import clean

    ids = vocab.encode(clean(prompt)).numpy()
    layers, logits = _numpy_lstm(model, ids)
    with torch.no_grad():
        torch_logits, _ = model(torch.tensor([ids.tolist()]))
    assert np.abs(logits - torch_logits[0].double().numpy()).max() < 1e-4, "la referencia de NumPy no es la LSTM de torch"
    for l, expected in enumerate(layers):
        got = js(tab, "return LSTMWeb.activations(arguments[0], arguments[1])", prompt, l)
        for k in "IFOGCH":
            diff = np.abs(np.array(got[k]) - expected[k]).max()
            assert diff < TOLERANCE, f"capa {l + 1}, {k}: difiere en {diff:.2e}"


@pytest.mark.parametrize("options", [dict(num_layers=2, embedding_dim=8), dict(num_layers=3, embedding_dim=None)],
                         ids=["2-capas-embedding", "3-capas-one-hot"])
def test_other_shapes_of_lstm(tab, tmp_path, options):
    """La página lee los tamaños de la cabecera: otros modelos (varias capas, one-hot) también coinciden."""
    import json

    import torch

    from companion.checkpoint import round_to_half
    from companion.data import Vocab, clean
    from companion.export import generate_portable, next_char_probs, write_web_weights
    from companion.model import build_model

    vocab = Vocab(clean("En un lugar de la Mancha, de cuyo nombre no quiero acordarme, vivía un hidalgo"))
    torch.manual_seed(1)
    model = build_model(cell="lstm", vocab_size=len(vocab), hidden_size=20, **options).eval()
    round_to_half(model)
    path = tmp_path / "pesos.js"
    write_web_weights(model, vocab, path)
    text = path.read_text(encoding="utf-8")
    payload = json.loads(text[text.index("=") + 1:].strip().rstrip(";"))
    prompt = "De la Mancha, un hidalgo"
    got = js(tab, "return LSTMWeb.withWeights(arguments[0]).distribution(arguments[1])", payload, prompt)
    diff = np.abs(np.array(got) - next_char_probs(model, vocab, prompt)).max()
    assert diff < TOLERANCE
    layers, _ = _numpy_lstm(model, vocab.encode(clean(prompt)).numpy())
    for l, expected in enumerate(layers):
        acts = js(tab, "return LSTMWeb.withWeights(arguments[0]).activations(arguments[1], arguments[2])",
                  payload, prompt, l)
        assert np.abs(np.array(acts["C"]) - expected["C"]).max() < TOLERANCE, f"capa {l + 1}"
    generated = js(tab, "return LSTMWeb.withWeights(arguments[0]).generate(arguments[1], "
                        "{length: 60, temperature: 1.2, seed: 5}).text", payload, prompt)
    assert generated == generate_portable(model, vocab, prompt, length=60, temperature=1.2, seed=5)


@pytest.mark.parametrize("prompt", PROMPTS[:3])
def test_greedy_generation_equals_companion(tab, reference, prompt):
    from companion.generate import generate

    model, vocab, _, _ = reference
    expected = generate(model, vocab, prompt, length=200, strategy="greedy")
    got = js(tab, "return LSTMWeb.generate(arguments[0], {length: 200, topK: 1}).text", prompt)
    assert got == expected


def test_uniforms_identical(tab):
    import itertools

    from companion.export import mulberry32

    for seed in (0, 1, 12345, 2**32 - 1):
        got = js(tab, "return LSTMWeb.uniforms(arguments[0], 2000)", seed)
        assert got == list(itertools.islice(mulberry32(seed), 2000)), seed


@pytest.mark.parametrize("seed,temperature,top_k", [(1, 0.8, 10), (2, 1.0, None), (3, 1.3, 20), (4, 0.5, None)])
def test_seeded_generation_equals_portable(tab, reference, seed, temperature, top_k):
    from companion.export import _portable

    model, vocab, _, _ = reference
    prompt = "En un lugar de la Mancha"
    ids, margins = _portable(model, vocab, prompt, 200, temperature, top_k, seed)
    expected = vocab.decode(ids)
    got = js(tab, "return LSTMWeb.generate(arguments[0], {length: 200, temperature: arguments[1], topK: arguments[2], "
                   "seed: arguments[3]}).text", prompt, temperature, top_k, seed)
    start = len(expected) - 200
    close = [i for i, m in enumerate(margins) if m < ROUNDING]
    checked = close[0] if close else 200
    assert got[:start + checked + 1] == expected[:start + checked + 1], (
        f"semilla {seed}: la página generó {got[start:]!r} y el paquete {expected[start:]!r}")
    if close:
        print(f"semilla {seed}: el paso {close[0]} tiene un margen {margins[close[0]]:.1e}; se compara hasta ahí")


def _set(tab, element_id, value):
    js(tab, "const el = document.getElementById(arguments[0]); el.value = arguments[1];"
             "el.dispatchEvent(new Event('input'));", element_id, value)


def _wait_generated(tab):
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(tab, 30).until(lambda d: re.search(r"generados? en", d.find_element("id", "lw-status").text))


def _generate(tab, **fields):
    """Rellena los controles (``prompt="…"`` → ``lw-prompt``), pulsa «Generar» y espera a que termine."""
    for name, value in fields.items():
        _set(tab, f"lw-{name}", value)
    tab.find_element("id", "lw-generate").click()
    _wait_generated(tab)


def test_buttons_generate_step_and_strip(tab, reference):
    from companion.export import generate_portable

    model, vocab, _, _ = reference
    tab.get_log("browser")
    prompt = "Dijo don Quijote a Sancho"
    _generate(tab, prompt=prompt, seed="7", temp="0.9", topk="12", length="80")
    text = tab.find_element("id", "lw-text").text
    assert text == generate_portable(model, vocab, prompt, length=80, temperature=0.9, top_k=12, seed=7)
    before = js(tab, "return document.querySelectorAll('#lw-strip .lw-cell').length")
    assert before == len(text)
    tab.find_element("id", "lw-step").click()
    after = tab.find_element("id", "lw-text").text
    assert after == generate_portable(model, vocab, prompt, length=81, temperature=0.9, top_k=12, seed=7)
    assert js(tab, "return document.querySelectorAll('#lw-strip .lw-cell').length") == len(after)
    assert js(tab, "return document.querySelectorAll('#lw-chart .lw-bar-row').length") == 10
    # La tira cambia de color al elegir otra magnitud y otra unidad.
    colors = js(tab, "return Array.from(document.querySelectorAll('#lw-strip .lw-cell')).map(c => c.style.background)")
    _set(tab, "lw-quantity", "C")
    tab.find_element("id", "lw-find-unit").click()
    colors2 = js(tab, "return Array.from(document.querySelectorAll('#lw-strip .lw-cell')).map(c => c.style.background)")
    assert colors != colors2 and len(set(colors2)) > 5
    assert "celda de memoria" in tab.find_element("id", "lw-legend").text
    assert not console_errors(tab)


def test_out_of_vocabulary_message(tab, reference):
    _, vocab, _, _ = reference
    tab.get_log("browser")
    outside = sorted(set("abcdefghijklmnopqrstuvwxyzñáéíóúü") - set(vocab.itos))
    assert outside, "el vocabulario tiene todas las letras que deja clean: no hay caracteres desconocidos que probar"
    _set(tab, "lw-prompt", f"Un {outside[0]}ilómetro")
    tab.find_element("id", "lw-generate").click()
    message = tab.find_element("id", "lw-message")
    assert message.is_displayed()
    assert f"«{outside[0]}»" in message.text and "no está en el vocabulario" in message.text
    assert js(tab, "return document.querySelectorAll('#lw-chart .lw-bar-row').length") == 0
    tab.find_element("id", "lw-step").click()
    assert message.is_displayed()
    _set(tab, "lw-prompt", "")
    tab.find_element("id", "lw-step").click()
    assert "vacío" in message.text
    _set(tab, "lw-prompt", "en un lugar")
    tab.find_element("id", "lw-step").click()
    assert not message.is_displayed()
    # La primera pulsación con un texto nuevo ya genera un carácter, y el estado lo dice en singular.
    assert len(tab.find_element("id", "lw-text").text) == len("en un lugar") + 1
    assert "1 carácter generado." in tab.find_element("id", "lw-status").text
    # «Generar» con un solo carácter también concuerda en número.
    _generate(tab, prompt="en un lugar", seed="0", length="1")
    assert tab.find_element("id", "lw-status").text.startswith("1 carácter generado en ")
    assert not console_errors(tab)


def test_phone_width_and_screenshots(tab):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    _generate(tab, prompt="En un lugar de la Mancha, de cuyo nombre no quiero acordarme", seed="1", length="200",
              quantity="F")
    js(tab, "document.getElementById('lstm-web').scrollIntoView({block: 'start'})")
    assert tab.save_screenshot(str(SCREENSHOTS / "interactivo.png"))
    assert tab.find_element("id", "lstm-web").screenshot(str(SCREENSHOTS / "interactivo-panel.png"))
    try:
        tab.set_window_size(390, 900)
        facts, logs = load(tab, PAGE)
        assert not logs
        _generate(tab)
        overflow = js(tab, """
            const root = document.getElementById('lstm-web');
            const wide = Array.from(root.querySelectorAll('*')).filter(
                (el) => el.getBoundingClientRect().right > window.innerWidth + 1).map((el) => el.id || el.className);
            return {tab: document.documentElement.scrollWidth, view: window.innerWidth, wide: wide.slice(0, 5)};""")
        assert overflow["tab"] <= overflow["view"] + 1 and not overflow["wide"], overflow
        js(tab, "document.getElementById('lstm-web').scrollIntoView({block: 'start'})")
        assert tab.save_screenshot(str(SCREENSHOTS / "interactivo-movil.png"))
    finally:
        tab.set_window_size(1366, 1600)
