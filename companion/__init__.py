"""Paquete complementario del curso de redes neuronales recurrentes."""
