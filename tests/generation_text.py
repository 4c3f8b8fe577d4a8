"""Texto diminuto que comparten las pruebas de generación y de búsqueda en haz (y su modelo de conftest).

Vive en un módulo con nombre propio, y no en ``conftest.py``, porque ``from conftest import …`` encuentra el
``conftest.py`` que pytest haya cargado primero (el de ``tests/site`` si se ejecuta ``pytest tests``).
También guarda :class:`DeviceProbe`, el modelo falso con que ambas comprueban el dispositivo de las entradas.
"""
import torch

GENERATION_TEXT = "sancho y quijote van por la mancha buscando aventuras de caballería " * 4


class DeviceProbe(torch.nn.Module):
    """Modelo falso con su parámetro en el dispositivo «meta», que aquí hace de GPU: anota en qué dispositivo
    recibe cada entrada y devuelve logits uniformes (y un estado de ceros) en la CPU."""

    def __init__(self, vocab_size):
        super().__init__()
        self.anchor = torch.nn.Parameter(torch.empty(1, device="meta"))
        self.vocab_size, self.devices = vocab_size, []

    def forward(self, X, state=None):
        self.devices.append(X.device)
        return torch.zeros(*X.shape, self.vocab_size), torch.zeros(1, X.shape[0], 1)
