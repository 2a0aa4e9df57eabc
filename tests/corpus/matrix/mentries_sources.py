"""Matrix-form derivations from public sources (see SOURCES.md), encoded by hand."""

from __future__ import annotations
