// Traduce los textos que otras extensiones escriben con JavaScript (sphinx-togglebutton crea sus
// botones al cargar la página, con la etiqueta accesible en inglés). Los demás textos de la interfaz
// se traducen al construir el sitio (_ext/spanish_ui.py y locales/es/).
(function () {
  const labels = { "Toggle hidden content": "Mostrar u ocultar el contenido" };
  function translate() {
    for (const [english, spanish] of Object.entries(labels)) {
      document.querySelectorAll(`[aria-label="${english}"]`).forEach((el) => {
        el.setAttribute("aria-label", spanish);
      });
    }
  }
  document.addEventListener("DOMContentLoaded", () => setTimeout(translate, 0));
  window.addEventListener("load", translate);
})();
