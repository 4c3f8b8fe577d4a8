// La LSTM del curso en el navegador: propagación hacia delante, muestreo reproducible e interfaz de la
// página book/interactivo.md. Los pesos llegan en window.LSTM_WEIGHTS (lstm-pesos.js, escrito al construir
// el sitio por _ext/lstm_web.py con companion.export.write_web_weights): float16 en base64 y una cabecera.
//
// Las ecuaciones son las del capítulo 5, para un solo ejemplo (vectores fila):
//   I_t = σ(X_t W_xi + H_{t-1} W_hi + b_i)      F_t = σ(X_t W_xf + H_{t-1} W_hf + b_f)
//   O_t = σ(X_t W_xo + H_{t-1} W_ho + b_o)      C~_t = tanh(X_t W_xc + H_{t-1} W_hc + b_c)
//   C_t = F_t ⊙ C_{t-1} + I_t ⊙ C~_t            H_t = O_t ⊙ tanh(C_t)
// con los pesos en el convenio de torch.nn.LSTM (matrices traspuestas (4h, d) y (4h, h), bloques en el
// orden i, f, c~, o, y dos sesgos que se suman). La salida es Ŷ_t = H_t W_hq + b_q (de la última capa).
// Todo se calcula en doble precisión con los pesos float16 exactos del punto de control.
(function () {
  "use strict";

  // ------------------------------------------------------------------ números como en companion.display
  const THIN = "\u202F";
  const NBSP = "\u00A0";
  function fmtNum(value, digits) {
    const text = Math.abs(value).toFixed(digits);
    const parts = text.split(".");
    let integer = parts[0];
    if (integer.length > 4) integer = integer.replace(/\B(?=(\d{3})+(?!\d))/g, THIN);
    return (value < 0 && Number(text) !== 0 ? "-" : "") + integer + (parts.length > 1 ? "." + parts[1] : "");
  }
  const fmtInt = (n) => fmtNum(Math.round(n), 0);
  const fmtPct = (fraction, digits) => fmtNum(100 * fraction, digits === undefined ? 1 : digits) + NBSP + "%";
  const fmtMB = (bytes) => fmtNum(bytes / 1e6, 1) + NBSP + "MB";
  const fmtTime = (ms) => (ms < 1000 ? fmtNum(ms, 0) + NBSP + "ms" : fmtNum(ms / 1000, 2) + NBSP + "s");

  // ------------------------------------------------------------------ pesos
  function halfToFloat(h) {
    const sign = h & 0x8000 ? -1 : 1;
    const exponent = (h >> 10) & 0x1f;
    const fraction = h & 0x3ff;
    if (exponent === 0) return sign * fraction * Math.pow(2, -24);
    if (exponent === 31) return fraction ? NaN : sign * Infinity;
    return sign * (1 + fraction / 1024) * Math.pow(2, exponent - 15);
  }

  function decodeTensors(payload) {
    const header = payload.header;
    const binary = atob(payload.data);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    // Cada float16 se convierte con una tabla de sus 65 536 valores posibles (exactos en doble precisión).
    const table = new Float64Array(65536);
    for (let i = 0; i < 65536; i++) table[i] = halfToFloat(i);
    const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
    const view = new DataView(bytes.buffer);
    const halves = littleEndian ? new Uint16Array(bytes.buffer, 0, bytes.length >> 1) : null;
    const tensors = {};
    for (const entry of header.tensors) {
      const size = entry.shape.reduce((a, b) => a * b, 1);
      const out = new Float64Array(size);  // en doble precisión el producto es más rápido que en float32
      for (let i = 0; i < size; i++) {
        const k = entry.offset + i;
        out[i] = table[halves ? halves[k] : view.getUint16(2 * k, true)];
      }
      tensors[entry.name] = out;
    }
    return tensors;
  }

  const sigmoid = (x) => 1 / (1 + Math.exp(-x));

  class LSTMModel {
    constructor(payload) {
      if (!payload || !payload.header || payload.header.format !== "companion-web-lstm") {
        throw new Error("Los pesos del modelo no tienen el formato esperado (companion-web-lstm).");
      }
      const header = payload.header;
      const cfg = header.config;
      this.header = header;
      this.itos = header.itos;
      this.stoi = new Map(this.itos.map((s, i) => [s, i]));
      this.V = cfg.vocab_size;
      this.H = cfg.hidden_size;
      this.L = cfg.num_layers;
      this.E = cfg.embedding_dim;  // null: entrada one-hot
      const t = decodeTensors(payload);
      const H = this.H, V = this.V, G = 4 * H;
      this.layers = [];
      for (let l = 0; l < this.L; l++) {
        const bias = new Float64Array(G);
        const bih = t["bias_ih_l" + l], bhh = t["bias_hh_l" + l];
        for (let r = 0; r < G; r++) bias[r] = bih[r] + bhh[r];
        this.layers.push({ Wih: t["weight_ih_l" + l], Whh: t["weight_hh_l" + l], bias: bias,
                           inputSize: l === 0 ? cfg.input_size : H });
      }
      // La entrada de la primera capa es uno de los V símbolos: X_t W_x* + b_* se precalcula para cada uno.
      const first = this.layers[0];
      const D = first.inputSize;
      this.inputTable = new Float64Array(V * G);
      for (let v = 0; v < V; v++) {
        for (let r = 0; r < G; r++) {
          let s = first.bias[r];
          if (this.E === null) {
            s += first.Wih[r * D + v];
          } else {
            const emb = t.embedding;
            for (let e = 0; e < D; e++) s += first.Wih[r * D + e] * emb[v * D + e];
          }
          this.inputTable[v * G + r] = s;
        }
      }
      this.Whq = t.W_hq;  // (H, V)
      this.bq = t.b_q;
      this.z = new Float64Array(G);
      this.numParameters = header.num_parameters;
    }

    initialState() {
      const layers = [];
      for (let l = 0; l < this.L; l++) layers.push({ h: new Float64Array(this.H), c: new Float64Array(this.H) });
      return layers;
    }

    // Un paso: lee el símbolo `id`, actualiza `state` y devuelve los logits del siguiente carácter. Si se pasa
    // `trace`, guarda en él, por capa, I, F, O, C~, C y H (Float32Array de tamaño h).
    step(state, id, trace) {
      const H = this.H, G = 4 * H, V = this.V, z = this.z;
      let below = null;
      for (let l = 0; l < this.L; l++) {
        const layer = this.layers[l], st = state[l], hPrev = st.h;
        if (l === 0) {
          const base = id * G;
          for (let r = 0; r < G; r++) z[r] = this.inputTable[base + r];
        } else {
          const W = layer.Wih;
          for (let r = 0; r < G; r++) {
            let s = layer.bias[r];
            const row = r * H;
            for (let j = 0; j < H; j++) s += W[row + j] * below[j];
            z[r] = s;
          }
        }
        const U = layer.Whh;
        for (let r = 0; r < G; r++) {
          let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
          const row = r * H;
          let j = 0;
          for (; j + 3 < H; j += 4) {
            s0 += U[row + j] * hPrev[j];
            s1 += U[row + j + 1] * hPrev[j + 1];
            s2 += U[row + j + 2] * hPrev[j + 2];
            s3 += U[row + j + 3] * hPrev[j + 3];
          }
          for (; j < H; j++) s0 += U[row + j] * hPrev[j];
          z[r] += (s0 + s1) + (s2 + s3);
        }
        const rec = trace ? { I: new Float32Array(H), F: new Float32Array(H), O: new Float32Array(H),
                              G: new Float32Array(H), C: new Float32Array(H), H: new Float32Array(H) } : null;
        const h = new Float64Array(H);
        for (let j = 0; j < H; j++) {
          const i = sigmoid(z[j]);
          const f = sigmoid(z[H + j]);
          const g = Math.tanh(z[2 * H + j]);
          const o = sigmoid(z[3 * H + j]);
          const c = f * st.c[j] + i * g;
          st.c[j] = c;
          h[j] = o * Math.tanh(c);
          if (rec) { rec.I[j] = i; rec.F[j] = f; rec.O[j] = o; rec.G[j] = g; rec.C[j] = c; rec.H[j] = h[j]; }
        }
        st.h = h;
        below = h;
        if (trace) trace.push(rec);
      }
      const logits = new Float64Array(V);
      for (let v = 0; v < V; v++) logits[v] = this.bq[v];
      for (let j = 0; j < H; j++) {
        const hj = below[j], row = j * V;
        for (let v = 0; v < V; v++) logits[v] += hj * this.Whq[row + v];
      }
      return logits;
    }
  }

  // ------------------------------------------------------------------ texto y muestreo (companion.export)
  // Limpieza del curso (companion.data.clean): minúsculas; cada tramo que no sea a-z, ñ, á, é, í, ó, ú, ü
  // se convierte en un espacio.
  function clean(text) {
    return String(text).normalize("NFC").toLowerCase().replace(/[^a-zñáéíóúü]+/g, " ");
  }

  // Generador de uniformes mulberry32 (el mismo que companion.export.mulberry32).
  function mulberry32(seed) {
    let a = seed >>> 0;
    return function () {
      a = (a + 0x6D2B79F5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  // softmax(z / τ) conservando, si topK < V, solo los topK mayores (a igual valor, el de menor índice).
  function samplingProbs(logits, temperature, topK) {
    const V = logits.length;
    const scores = new Float64Array(V);
    for (let v = 0; v < V; v++) scores[v] = logits[v] / temperature;
    if (topK !== null && topK !== undefined && topK < V) {
      const order = Array.from(scores.keys()).sort((a, b) => (scores[b] - scores[a]) || (a - b));
      const keep = new Uint8Array(V);
      for (let i = 0; i < topK; i++) keep[order[i]] = 1;
      for (let v = 0; v < V; v++) if (!keep[v]) scores[v] = -Infinity;
    }
    let max = -Infinity;
    for (let v = 0; v < V; v++) if (scores[v] > max) max = scores[v];
    const probs = new Float64Array(V);
    let total = 0;
    for (let v = 0; v < V; v++) { probs[v] = Math.exp(scores[v] - max); total += probs[v]; }
    for (let v = 0; v < V; v++) probs[v] /= total;
    return probs;
  }

  function argmax(values) {
    let best = 0;
    for (let v = 1; v < values.length; v++) if (values[v] > values[best]) best = v;
    return best;
  }

  // Inversión de la función de distribución: primer índice con u < p_0 + … + p_i.
  function sampleIndex(probs, u) {
    let cumulative = 0, last = 0;
    for (let v = 0; v < probs.length; v++) {
      if (probs[v] > 0) last = v;
      cumulative += probs[v];
      if (u < cumulative) return v;
    }
    return last;
  }

  // Una sesión: el texto leído, el estado, la traza de activaciones y los logits del siguiente carácter.
  class Session {
    constructor(model, ids, seed) {
      this.model = model;
      this.ids = [];
      this.trace = [];
      this.promptLength = ids.length;
      this.state = model.initialState();
      this.rng = mulberry32(seed);
      for (const id of ids) this.feed(id);
    }
    feed(id) {
      const rec = [];
      this.logits = this.model.step(this.state, id, rec);
      this.ids.push(id);
      this.trace.push(rec);
    }
    next(temperature, topK) {
      const probs = samplingProbs(this.logits, temperature, topK);
      const id = topK === 1 ? argmax(probs) : sampleIndex(probs, this.rng());
      this.feed(id);
      return id;
    }
    text() { return this.ids.map((i) => this.model.itos[i]).join(""); }
  }

  function checkPrompt(model, prompt) {
    const text = clean(prompt);
    if (!text) {
      return { error: "El texto inicial está vacío: escriba al menos una letra, por ejemplo «en un lugar»." };
    }
    const unknown = [...new Set(Array.from(text).filter((ch) => !model.stoi.has(ch)))].sort();
    if (unknown.length) {
      const list = unknown.map((ch) => "«" + ch + "»").join(", ");
      return {
        text: text, unknown: unknown,
        error: (unknown.length === 1 ? "El carácter " + list + " no está" : "Los caracteres " + list + " no están") +
          " en el vocabulario del modelo (los " + model.V + " símbolos del Quijote limpio). " +
          "Quítelo o sustitúyalo por otro del vocabulario y vuelva a intentarlo.",
      };
    }
    return { text: text, ids: Array.from(text).map((ch) => model.stoi.get(ch)) };
  }

  // ------------------------------------------------------------------ API (la usan las pruebas y el banco)
  let model = null;
  let loadError = null;
  let loadMs = null;
  function getModel() {
    if (model || loadError) return model;
    try {
      if (!window.LSTM_WEIGHTS) throw new Error("No se cargó el archivo de pesos lstm-pesos.js.");
      const start = performance.now();
      model = new LSTMModel(window.LSTM_WEIGHTS);
      loadMs = performance.now() - start;
    } catch (error) {
      loadError = error;
    }
    return model;
  }

  function loadedModel() {
    const m = getModel();
    if (!m) throw new Error("El modelo no está disponible: " + loadError);
    return m;
  }

  function startSession(m, prompt, seed) {
    const checked = checkPrompt(m, prompt);
    if (checked.error) throw new Error(checked.error);
    return new Session(m, checked.ids, seed === undefined ? 0 : seed);
  }

  // Cálculos sobre el modelo que devuelve `resolve()`: el de la página o, con withWeights, otro cualquiera.
  function modelApi(resolve) {
    return {
      // Distribución del carácter siguiente a `prompt` (limpiado), con temperatura y top-k.
      distribution(prompt, options) {
        const o = options || {};
        const session = startSession(resolve(), prompt, 0);
        return Array.from(samplingProbs(session.logits, o.temperature || 1, o.topK === undefined ? null : o.topK));
      },
      // Texto inicial limpiado seguido de `length` caracteres (topK = 1: voraz) y el tiempo en milisegundos.
      generate(prompt, options) {
        const o = options || {};
        const start = performance.now();
        const session = startSession(resolve(), prompt, o.seed === undefined ? 0 : o.seed);
        const length = o.length === undefined ? 100 : o.length;
        for (let i = 0; i < length; i++) session.next(o.temperature || 1, o.topK === undefined ? null : o.topK);
        return { text: session.text(), ms: performance.now() - start };
      },
      // Activaciones de la capa `layer` en cada paso del texto: {I, F, O, G (C~), C, H}, listas de listas.
      activations(prompt, layer) {
        const session = startSession(resolve(), prompt, 0);
        const out = { I: [], F: [], O: [], G: [], C: [], H: [] };
        for (const rec of session.trace) for (const k of Object.keys(out)) out[k].push(Array.from(rec[layer || 0][k]));
        return out;
      },
    };
  }

  const api = {
    ...modelApi(loadedModel),
    get model() { return getModel(); },
    // Milisegundos que tardó en decodificarse el modelo (base64 → float16 → tablas de la primera capa).
    get loadMs() { getModel(); return loadMs; },
    clean: clean,
    check: (prompt) => checkPrompt(loadedModel(), prompt),
    uniforms: (seed, n) => { const r = mulberry32(seed); return Array.from({ length: n }, () => r()); },
    // Los mismos cálculos con otros pesos (mismo formato que window.LSTM_WEIGHTS): lo usan las pruebas para
    // comprobar modelos de varias capas o con entrada one-hot.
    withWeights(payload) { const m = new LSTMModel(payload); return modelApi(() => m); },
  };
  window.LSTMWeb = api;

  // ------------------------------------------------------------------ colores (viridis y coolwarm de matplotlib)
  const VIRIDIS = [[68, 1, 84], [72, 40, 120], [62, 74, 137], [49, 104, 142], [38, 130, 142],
                   [31, 158, 137], [53, 183, 121], [109, 205, 89], [180, 222, 44], [253, 231, 37]];
  const COOLWARM = [[59, 76, 192], [98, 130, 234], [141, 176, 254], [184, 208, 249], [221, 221, 221],
                    [245, 196, 173], [244, 154, 123], [222, 96, 77], [180, 4, 38]];
  function colormap(stops, x) {
    const t = Math.min(1, Math.max(0, x)) * (stops.length - 1);
    const i = Math.min(stops.length - 2, Math.floor(t));
    const f = t - i;
    return stops[i].map((c, k) => Math.round(c + f * (stops[i + 1][k] - c)));
  }
  const rgb = (c) => "rgb(" + c.join(",") + ")";
  const inkFor = (c) => (0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2] > 150 ? "#111" : "#fff");

  const QUANTITIES = {
    I: { label: "compuerta de entrada I", signed: false },
    F: { label: "compuerta de olvido F", signed: false },
    O: { label: "compuerta de salida O", signed: false },
    G: { label: "celda candidata C̃", signed: true, bound: 1 },
    C: { label: "celda de memoria C", signed: true },
    H: { label: "estado oculto H", signed: true, bound: 1 },
  };

  // ------------------------------------------------------------------ interfaz
  // La página guarda su estado en un objeto `ui`: el modelo (m), sus controles (els) y la sesión en curso
  // (texto generado, trazas de la LSTM y logits del paso siguiente). Cada función de aquí hace una cosa:
  // leer un control, dibujar una parte de la página o responder a un botón.
  const shown = (ch) => (ch === " " ? "␣" : ch);

  function findElements() {
    const $ = (id) => document.getElementById(id);
    return {
      prompt: $("lw-prompt"), temp: $("lw-temp"), tempOut: $("lw-temp-valor"), topk: $("lw-topk"),
      topkOut: $("lw-topk-valor"), seed: $("lw-seed"), length: $("lw-length"), generate: $("lw-generate"),
      step: $("lw-step"), message: $("lw-message"), text: $("lw-text"), strip: $("lw-strip"),
      legend: $("lw-legend"), chart: $("lw-chart"), chartTitle: $("lw-chart-title"), layer: $("lw-layer"),
      quantity: $("lw-quantity"), unit: $("lw-unit"), findUnit: $("lw-find-unit"), info: $("lw-info"),
      status: $("lw-status"), size: $("lw-size"),
    };
  }

  // --- lo que dicen los controles
  const temperature = (ui) => Number(ui.els.temp.value);
  const topK = (ui) => (Number(ui.els.topk.value) >= ui.m.V ? null : Number(ui.els.topk.value));
  const seedOf = (ui) => Math.max(0, Math.floor(Number(ui.els.seed.value) || 0));
  const layerOf = (ui) => Number(ui.els.layer.value) || 0;
  const unitOf = (ui) => Math.min(ui.m.H - 1, Math.max(0, Math.floor(Number(ui.els.unit.value) || 0)));

  function showMessage(els, text, isError) {
    els.message.textContent = text || "";
    els.message.classList.toggle("lw-error", Boolean(isError));
    els.message.hidden = !text;
  }

  function updateLabels(ui) {
    const k = topK(ui);
    ui.els.tempOut.textContent = fmtNum(temperature(ui), 2);
    ui.els.topkOut.textContent = k === null ? "todos (" + ui.m.V + ")" : k === 1 ? "1 (voraz)" : String(k);
  }

  // --- el modelo en la página: su descripción y los límites de los controles
  function describeModel(ui) {
    const m = ui.m, h = m.header, cfg = h.config;
    ui.els.info.textContent = "Modelo «" + (h.source || "lstm") + "»: LSTM de " + cfg.num_layers +
      (cfg.num_layers === 1 ? " capa" : " capas") + " con h = " + fmtInt(cfg.hidden_size) +
      (cfg.embedding_dim ? " y embedding de " + fmtInt(cfg.embedding_dim) : " y entrada one-hot") + ", " +
      fmtInt(m.numParameters) + " parámetros y " + fmtInt(m.V) + " símbolos.";
    if (ui.els.size) {
      ui.els.size.textContent = fmtMB(h.file_bytes) + " (" + fmtInt(h.file_bytes) + " bytes: " +
        fmtInt(m.numParameters) + " pesos en float16, " + fmtMB(h.weight_bytes) + ", codificados en base64)";
    }
  }

  function fitControls(ui) {
    const m = ui.m, els = ui.els;
    els.topk.max = String(m.V);
    if (Number(els.topk.value) > m.V) els.topk.value = String(m.V);
    els.unit.max = String(m.H - 1);
    els.layer.innerHTML = "";
    for (let l = 0; l < m.L; l++) {
      const option = document.createElement("option");
      option.value = String(l);
      option.textContent = "capa " + (l + 1);
      els.layer.appendChild(option);
    }
    els.layer.closest(".lw-campo").hidden = m.L === 1;
  }

  // --- la sesión: el texto inicial leído por la LSTM, al que se añaden caracteres
  function begin(ui) {
    const checked = checkPrompt(ui.m, ui.els.prompt.value);
    if (checked.error) {
      ui.session = null;
      ui.sessionKey = null;
      showMessage(ui.els, checked.error, true);
      renderAll(ui);
      return false;
    }
    showMessage(ui.els, "");
    ui.session = new Session(ui.m, checked.ids, seedOf(ui));
    ui.sessionKey = ui.els.prompt.value + "\u0000" + seedOf(ui);
    return true;
  }

  // --- dibujo: el texto, la franja de colores y el gráfico del carácter siguiente
  function span(className, text) {
    const element = document.createElement("span");
    if (className) element.className = className;
    if (text !== undefined) element.textContent = text;
    return element;
  }

  function renderText(ui) {
    ui.els.text.innerHTML = "";
    if (!ui.session) return;
    const text = ui.session.text(), cut = ui.session.promptLength;
    ui.els.text.append(span("lw-prompt-text", text.slice(0, cut)), span("lw-generated", text.slice(cut)));
  }

  // Escala de colores de una magnitud: compuertas en [0, 1] (viridis); con signo, simétrica (coolwarm).
  function stripScale(info, values) {
    if (!info.signed) return { low: 0, high: 1, stops: VIRIDIS };
    const bound = info.bound || Math.max(1e-6, ...values.map(Math.abs));
    return { low: -bound, high: bound, stops: COOLWARM };
  }

  function stripCells(ui, values, scale) {
    const s = ui.session, fragment = document.createDocumentFragment();
    s.ids.forEach((id, t) => {
      const color = colormap(scale.stops, (values[t] - scale.low) / (scale.high - scale.low));
      const cell = span("lw-cell" + (t >= s.promptLength ? " lw-cell-gen" : ""), shown(ui.m.itos[id]));
      cell.style.background = rgb(color);
      cell.style.color = inkFor(color);
      cell.title = "«" + shown(ui.m.itos[id]) + "» (posición " + (t + 1) + "): " + fmtNum(values[t], 3);
      fragment.appendChild(cell);
    });
    return fragment;
  }

  function stripLegend(ui, scale, what) {
    const bar = span("lw-legend-bar");
    bar.style.background = "linear-gradient(to right, " +
      Array.from({ length: 11 }, (_, i) => rgb(colormap(scale.stops, i / 10))).join(", ") + ")";
    ui.els.legend.append(span("lw-legend-label", what), span("", fmtNum(scale.low, 2)), bar,
                         span("", fmtNum(scale.high, 2)));
  }

  function renderStrip(ui) {
    ui.els.strip.innerHTML = "";
    ui.els.legend.innerHTML = "";
    if (!ui.session) return;
    const layer = layerOf(ui), key = ui.els.quantity.value, unit = unitOf(ui), info = QUANTITIES[key];
    const values = ui.session.trace.map((rec) => rec[layer][key][unit]);
    const scale = stripScale(info, values);
    ui.els.strip.appendChild(stripCells(ui, values, scale));
    stripLegend(ui, scale, info.label + ", unidad " + unit + (ui.m.L > 1 ? ", capa " + (layer + 1) : "") +
      " (color de cada carácter al leerlo)");
  }

  function barRow(symbol, p) {
    const row = document.createElement("div");
    row.className = "lw-bar-row";
    const track = span("lw-bar-track"), bar = span("lw-bar");
    bar.style.width = (100 * p).toFixed(2) + "%";
    track.appendChild(bar);
    row.append(span("lw-bar-label", shown(symbol)), track, span("lw-bar-value", fmtPct(p, 1)));
    return row;
  }

  function renderChart(ui) {
    ui.els.chart.innerHTML = "";
    if (!ui.session) return;
    const probs = samplingProbs(ui.session.logits, temperature(ui), topK(ui));
    const order = Array.from(probs.keys()).sort((a, b) => (probs[b] - probs[a]) || (a - b)).slice(0, 10);
    ui.els.chartTitle.textContent = "Siguiente carácter tras «…" + ui.session.text().slice(-20) + "»";
    for (const v of order) ui.els.chart.appendChild(barRow(ui.m.itos[v], probs[v]));
  }

  function renderAll(ui) {
    renderText(ui);
    renderStrip(ui);
    renderChart(ui);
  }

  // --- botones: generar, paso a paso y buscar la unidad que más cambia
  function generate(ui) {
    if (ui.busy) return;
    const start = performance.now();
    if (!begin(ui)) return;
    const run = {
      start: start, done: 0, temp: temperature(ui), k: topK(ui),
      total: Math.min(1000, Math.max(1, Math.floor(Number(ui.els.length.value) || 200))),
    };
    ui.busy = true;
    ui.els.generate.disabled = true;
    generateChunk(ui, run);
  }

  // Se genera por tramos de 25 caracteres para que la página siga respondiendo y el texto aparezca
  // mientras se escribe.
  function generateChunk(ui, run) {
    const end = Math.min(run.total, run.done + 25);
    for (; run.done < end; run.done++) ui.session.next(run.temp, run.k);
    renderText(ui);
    if (run.done < run.total) {
      setTimeout(() => generateChunk(ui, run), 0);
      return;
    }
    renderAll(ui);
    ui.busy = false;
    ui.els.generate.disabled = false;
    ui.els.status.textContent = generatedCount(run.total) + " en " + fmtTime(performance.now() - run.start) + ".";
  }

  function step(ui) {
    if (ui.busy) return;
    // Con otro texto u otra semilla, la sesión empieza de nuevo: se lee el texto y se genera el primer carácter.
    if (!ui.session || ui.els.prompt.value + "\u0000" + seedOf(ui) !== ui.sessionKey) {
      if (!begin(ui)) return;
    }
    ui.session.next(temperature(ui), topK(ui));
    renderAll(ui);
    const n = ui.session.ids.length - ui.session.promptLength;
    ui.els.status.textContent = "Paso a paso: " + generatedCount(n) + ".";
  }

  // «1 carácter generado», «2 caracteres generados»: el número concuerda con el sustantivo.
  function generatedCount(n) {
    return fmtInt(n) + (n === 1 ? " carácter generado" : " caracteres generados");
  }

  // La unidad cuya magnitud `key` de la capa `layer` recorre el intervalo más amplio a lo largo del texto.
  function widestUnit(trace, layer, key, H) {
    let best = 0, bestSpread = -1;
    for (let j = 0; j < H; j++) {
      let lo = Infinity, hi = -Infinity;
      for (const rec of trace) {
        const x = rec[layer][key][j];
        if (x < lo) lo = x;
        if (x > hi) hi = x;
      }
      if (hi - lo > bestSpread) { bestSpread = hi - lo; best = j; }
    }
    return best;
  }

  function findUnit(ui) {
    if (!ui.session) return;
    ui.els.unit.value = String(widestUnit(ui.session.trace, layerOf(ui), ui.els.quantity.value, ui.m.H));
    renderStrip(ui);
  }

  function bindControls(ui) {
    const els = ui.els;
    els.temp.addEventListener("input", () => { updateLabels(ui); renderChart(ui); });
    els.topk.addEventListener("input", () => { updateLabels(ui); renderChart(ui); });
    els.generate.addEventListener("click", () => generate(ui));
    els.step.addEventListener("click", () => step(ui));
    els.findUnit.addEventListener("click", () => findUnit(ui));
    for (const el of [els.layer, els.quantity, els.unit]) el.addEventListener("input", () => renderStrip(ui));
    els.prompt.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) generate(ui);
    });
  }

  // Prepara la página interactiva (si la hay): carga el modelo, ajusta los controles y lee el texto inicial.
  function setupPage() {
    const root = document.getElementById("lstm-web");
    if (!root) return;
    const els = findElements();
    const m = getModel();
    if (!m) {
      showMessage(els, "No se pudo cargar el modelo: " + (loadError && loadError.message ? loadError.message : loadError) +
                  " Vuelva a construir el sitio.", true);
      els.generate.disabled = els.step.disabled = true;
      return;
    }
    root.classList.add("lw-listo");
    const ui = { m: m, els: els, session: null, sessionKey: null, busy: false };
    describeModel(ui);
    fitControls(ui);
    bindControls(ui);
    updateLabels(ui);
    if (begin(ui)) renderAll(ui);
    els.status.textContent = "Modelo cargado. Pulse «Generar» o «Paso a paso».";
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setupPage);
  } else {
    setupPage();
  }
})();
