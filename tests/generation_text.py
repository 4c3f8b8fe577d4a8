"""Texto diminuto que comparten las pruebas de generación y de búsqueda en haz (y su modelo de conftest).

Vive en un módulo con nombre propio, y no en ``conftest.py``, porque ``from conftest import …`` encuentra el
``conftest.py`` que pytest haya cargado primero (el de ``tests/site`` si se ejecuta ``pytest tests``).
"""
GENERATION_TEXT = "sancho y quijote van por la mancha buscando aventuras de caballería " * 4
