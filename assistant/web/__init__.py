"""The web front ends: Gradio chat, embeddable widget, JSON API, document view, staff view."""

from .app import create_app

__all__ = ["create_app"]
