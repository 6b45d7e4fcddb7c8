"""The answer side, one module per step: understand → candidates → score → compose → refuse.

``assistant.engine`` runs the steps; retrieval lives in ``assistant.retrieval``.
"""
