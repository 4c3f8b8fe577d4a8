"""Ortografía del curso con Hunspell (diccionario español) y la lista de palabras del proyecto.

Revisa la prosa de cada capítulo y página (celdas Markdown de ``book/*.ipynb`` y archivos
``book/*.md``), sin código, matemáticas, URL, código en línea, sintaxis de directivas y roles de MyST,
claves de citas ni HTML, y los mensajes en español del paquete ``companion`` (textos de las
excepciones, ayuda de argparse, etiquetas de tqdm y de las figuras), extraídos con ``ast``.

El texto en cursiva (``*así*``) se revisa con los diccionarios español e inglés a la vez: el curso da
en cursiva el término inglés la primera vez (*compuerta de olvido* (*forget gate*)). No se revisan las
siglas (RNN, LSTM), los nombres con mayúsculas internas (PyTorch), y en los mensajes del paquete
tampoco lo entrecomillado con comillas rectas ni los nombres de Python del propio paquete (``clean``,
``temperature``…), que son código. Una palabra compuesta con guion (``one-hot``) se acepta entera si
está en la lista; si no, se revisa cada parte.

Uso::

    python scripts/spellcheck.py            # lista las palabras desconocidas; sale con 1 si hay alguna
    python scripts/spellcheck.py --all      # además, cuenta cuántas veces aparece cada una

Las palabras correctas que Hunspell no conoce (términos técnicos, nombres propios) se añaden, una por
línea, a ``book/_words.txt``.
"""
from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

from book_text import ROOT, call_name, cells, literal_parts, package_modules, pages, strip_code_and_math

WORDLIST = ROOT / "book" / "_words.txt"
SPANISH = "es_ES"
SPANISH_AND_ENGLISH = "es_ES,en_US"

LETTERS = "A-Za-zÁÉÍÓÚÜÑáéíóúüñ"
WORD = re.compile(rf"^[{LETTERS}]+(?:[-'’][{LETTERS}]+)*$")
CODE_WORDS = {"None", "True", "False", "str", "int", "float", "dict", "list", "tuple", "bool", "bytes"}
EDGE_PUNCT = "¿?¡!.,;:()[]«»\"'“”‘’…—–*_"


# ---------------------------------------------------------------------------- Markdown (MyST)
def markdown_prose(text: str) -> tuple[str, str]:
    """Devuelve (prosa normal, prosa en cursiva) de un texto MyST."""
    text = strip_code_and_math(text)
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", text)     # imágenes: se queda el texto alternativo
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)      # enlaces: se queda el texto
    text = re.sub(r"\[\^[^\]]*\]:?", " ", text)                # notas al pie
    text = re.sub(r"<https?://[^>]*>|https?://\S+|www\.\S+", " ", text)
    text = re.sub(r"</?[A-Za-z][^>]*>", " ", text)             # HTML
    text = re.sub(r"^\s*\([\w:.-]+\)=\s*$", " ", text, flags=re.M)  # etiquetas (nombre)=
    text = re.sub(r"\{\{[^}]*\}\}", " ", text)                 # sustituciones {{ ... }}
    text = re.sub(r"^\s*:[\w-]+:.*$", " ", text, flags=re.M)   # opciones de directiva sueltas
    italic = re.findall(r"(?<![*\w])\*([^*\n]+)\*(?![*\w])|(?<![_\w])_([^_\n]+)_(?![_\w])", text)
    italic_text = " ".join(a or b for a, b in italic)
    text = re.sub(r"(?<![*\w])\*([^*\n]+)\*(?![*\w])|(?<![_\w])_([^_\n]+)_(?![_\w])", " ", text)
    return text, italic_text


def book_sources() -> list[tuple[str, str, str]]:
    """(origen, prosa, cursiva) de cada celda Markdown y de cada página ``.md`` del libro."""
    sources = [(origin, text) for _, origin, text in cells("markdown")] + pages()
    return [(origin, *markdown_prose(text)) for origin, text in sources]


# ---------------------------------------------------------------------------- mensajes del paquete
MESSAGE_CALLS = {"ValueError", "TypeError", "RuntimeError", "FileNotFoundError", "KeyError", "IndexError",
                 "NotImplementedError", "OSError", "ArgumentTypeError", "error", "warn"}
MESSAGE_KEYWORDS = {"help", "description", "epilog", "desc", "label", "xlabel", "ylabel", "title"}
MESSAGE_METHODS = {"set_xlabel", "set_ylabel", "set_title", "suptitle", "xlabel", "ylabel", "title",
                   "set_description", "write"}


def package_identifiers() -> set[str]:
    """Nombres y valores de código del paquete: funciones, clases, argumentos y atributos, y las cadenas
    que el código compara o admite como opción (``"constant"`` en ``lr_schedule == "constant"`` o en
    ``choices=``)."""
    names = set()
    for _, tree in package_modules():
        for node in ast.walk(tree):
            for attr in ("id", "attr", "arg", "name"):
                value = getattr(node, attr, None)
                if isinstance(value, str):
                    names.add(value)
            values = []
            if isinstance(node, ast.Compare):
                values = [node.left, *node.comparators]
            elif isinstance(node, ast.keyword) and node.arg in ("choices", "default"):
                values = [node.value]
            for value in values:
                items = value.elts if isinstance(value, (ast.Tuple, ast.List, ast.Set)) else [value]
                names.update(i.value for i in items if isinstance(i, ast.Constant) and isinstance(i.value, str))
    return names


def message_texts(calls=MESSAGE_CALLS | MESSAGE_METHODS, every_argument: bool = False):
    """(origen, texto) de las cadenas que ``companion/*.py`` pasa a las llamadas ``calls`` (el primer
    argumento o, con ``every_argument``, todos) y a los argumentos con nombre de ``MESSAGE_KEYWORDS``."""
    for path, tree in package_modules():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            args = node.args if every_argument else node.args[:1]
            values = args if call_name(node.func) in calls else []
            values += [k.value for k in node.keywords if k.arg in MESSAGE_KEYWORDS]
            for value in values:
                for text in literal_parts(value):
                    yield f"companion/{path.name}:{node.lineno}", text


def package_messages() -> list[tuple[str, str, str]]:
    """(origen, mensaje, "") de cada mensaje para el usuario en ``companion/*.py``, sin lo entrecomillado
    ni los nombres del paquete (son código)."""
    identifiers = package_identifiers()
    out = []
    for origin, text in message_texts():
        text = re.sub(r"'[^']*'|\"[^\"]*\"|`[^`]*`", " ", text)
        out.append((origin, " ".join(w for w in text.split() if w.strip(EDGE_PUNCT) not in identifiers), ""))
    return out


# ---------------------------------------------------------------------------- Hunspell
def words(text: str, wordlist: frozenset[str] = frozenset()) -> list[str]:
    """Palabras de ``text`` que hay que revisar: sin siglas, números ni restos de código."""
    found = []
    for chunk in text.split():
        chunk = chunk.strip(EDGE_PUNCT)
        if not chunk or not WORD.match(chunk) or ("-" in chunk and known(chunk, wordlist)):
            continue
        for word in re.split(r"[-]", chunk):
            word = word.strip("'’")
            if len(word) < 2 or word.isupper() or word in CODE_WORDS or re.search(r".[A-Z]", word):
                continue  # siglas, nombres de Python y nombres con mayúsculas internas (PyTorch, LSTMScratch)
            found.append(word)
    return found


def hunspell_unknown(candidates: set[str], dictionaries: str) -> set[str]:
    if not candidates:
        return set()
    if not shutil.which("hunspell"):
        raise SystemExit("No se encuentra hunspell: instale los paquetes hunspell, hunspell-es y "
                         "hunspell-en-us (scripts/install.sh).")
    result = subprocess.run(["hunspell", "-d", dictionaries, "-l", "-i", "utf-8"],
                            input="\n".join(sorted(candidates)), capture_output=True, text=True,
                            encoding="utf-8", check=False)
    if result.returncode != 0 or "Can't open affix or dictionary" in result.stderr:
        raise SystemExit(f"Hunspell falló con -d {dictionaries}: {result.stderr.strip()}")
    return set(result.stdout.split())


def load_wordlist(path: Path = WORDLIST) -> set[str]:
    if not path.is_file():
        return set()
    lines = path.read_text(encoding="utf-8").splitlines()
    return {line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")}


def known(word: str, wordlist: set[str]) -> bool:
    return word in wordlist or word.lower() in wordlist or word.capitalize() in wordlist


ENCLITIC = re.compile(r"^(.{3,}?)(selos|selas|selo|sela|nos|los|las|les|lo|la|le|me|te|se|os)$")
ACCENTED = str.maketrans("áéíóú", "aeiou")


def enclitic_stems(word: str) -> list[str]:
    """Formas sin pronombre enclítico: «Calcúlelas» → «Calcule», «desplegarlas» → «desplegar»."""
    match = ENCLITIC.match(word)
    if not match:
        return []
    stem = match.group(1)
    return [stem, stem.translate(ACCENTED)]


def unknown_words(sources=None, wordlist=None) -> dict[str, list[str]]:
    """Palabras desconocidas → lugares donde aparecen."""
    sources = book_sources() + package_messages() if sources is None else sources
    wordlist = load_wordlist() if wordlist is None else wordlist
    plain, italic = defaultdict(set), defaultdict(set)
    for origin, prose, cursive in sources:
        for word in words(prose, frozenset(wordlist)):
            plain[word].add(origin)
        for word in words(cursive, frozenset(wordlist)):
            italic[word].add(origin)
    bad = {w: plain[w] for w in hunspell_unknown(set(plain), SPANISH)}
    for word in hunspell_unknown(set(italic), SPANISH_AND_ENGLISH):
        bad.setdefault(word, set()).update(italic[word])
    bad = {w: where for w, where in bad.items() if not known(w, wordlist)}
    # Verbos con pronombres enclíticos (Hunspell no conoce muchos): se aceptan si la forma sin
    # pronombre es correcta.
    stems = {w: enclitic_stems(w) for w in bad}
    good_stems = {s for group in stems.values() for s in group} - hunspell_unknown(
        {s for group in stems.values() for s in group}, SPANISH)
    return {w: sorted(where) for w, where in sorted(bad.items()) if not set(stems[w]) & good_stems}


def main(argv: list[str]) -> int:
    bad = unknown_words()
    if not bad:
        print("Ortografía: ninguna palabra desconocida.")
        return 0
    print(f"Ortografía: {len(bad)} palabras desconocidas (corríjalas o añádalas a "
          f"{WORDLIST.relative_to(ROOT)} si son correctas):")
    for word, where in sorted(bad.items(), key=lambda item: item[0].lower()):
        extra = f"  [{len(where)}]" if "--all" in argv else ""
        print(f"  {word}{extra}  ←  {', '.join(where[:3])}{' …' if len(where) > 3 else ''}")
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
