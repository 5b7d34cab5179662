"""migtag: tag IOM and partner report PDFs with SDG targets, MiGOF categories and figures."""

from __future__ import annotations

__version__ = "0.1.0"
