"""The passage text a Doc was made from, kept beside it.

`Doc.text` joins the tokens again on every access; the rules, figures and classifier components
each read the whole text of every passage, so the text the Doc was made from is kept on it.
"""

from __future__ import annotations

from spacy.tokens import Doc

if not Doc.has_extension("migtag_text"):
    Doc.set_extension("migtag_text", default=None)


def text_of(doc: Doc) -> str:
    """The text of the Doc: the passage text it was made from, else the tokens joined."""
    text = doc._.migtag_text
    return text if text is not None else doc.text
