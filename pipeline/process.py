"""One document through every stage, as plain data: the units of work of a batch worker.

`DocumentJobs` reads a PDF, cuts it into passages, tags them and returns the rows of the tables,
in steps, so that a large document is read as page ranges on several cores: `start` reads the
first range and finishes a short document at once, `read` reads another range, `finish`
assembles the ranges and tags; `rest` reads all the other ranges and finishes, for one worker.
The spaCy pipeline is built once
per process and kept.
"""

from __future__ import annotations

import hashlib
import resource
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .extract import PageBatch, assemble, detect_language, read_pages
from .io import error_row, figure_rows, passage_row, table_rows
from .locations import default_model_dir, spacy_model_name
from .records import Document, Problem, TaggedPassage
from .segment import segment
from .taxonomy import labels_hash

if TYPE_CHECKING:
    from spacy.language import Language


@lru_cache(maxsize=2)
def cached_nlp(model_dir: str) -> Language:
    # imported here, in the workers that tag: the parent of a batch only schedules DocumentJobs,
    # and spaCy with scikit-learn take seconds to import
    from .nlp import build_nlp

    return build_nlp(model_dir)


def resolve_model_dir(model_dir: str | Path | None) -> Path:
    return Path(model_dir) if model_dir else default_model_dir()


def pipeline_version(model_dir: Path) -> str:
    """What a shard was made with: migtag, the model files, the labels and the spaCy pipeline."""
    digest = hashlib.sha256()
    for name in ("model.skops", "labels.json", "reviewed.json"):
        if (model_dir / name).exists():
            digest.update((model_dir / name).read_bytes())
    digest.update(labels_hash().encode())
    digest.update(spacy_model_name().encode())
    return f"{__version__}-{digest.hexdigest()[:12]}"


@dataclass(frozen=True)
class DocumentJobs:
    """The steps of one document, each run in a worker and returning plain data.

    A document of more than `range_pages` pages is read in ranges of that many pages.
    """

    model_dir: str
    range_pages: int = 40

    def start(self, path: str, sha256: str) -> dict[str, Any]:
        """Read the first range; a document that fits in it is finished here.

        Returns `{"shard": rows}` when done, else `{"n_pages": n, "batch": PageBatch}`.
        """
        started = time.perf_counter()
        batch = read_pages(path, first=0, last=self.range_pages)
        if batch.n_pages <= self.range_pages:
            return {"shard": tag_document(assemble(path, sha256, [batch]), self.model_dir, started)}
        return {"n_pages": batch.n_pages, "batch": batch, "seconds": time.perf_counter() - started}

    def read(self, path: str, first: int, last: int) -> PageBatch:
        return read_pages(path, first=first, last=last)

    def finish(self, path: str, sha256: str, batches: list[PageBatch]) -> dict[str, Any]:
        """Assemble the ranges of a large document and tag it."""
        return tag_document(assemble(path, sha256, batches), self.model_dir, time.perf_counter())

    def rest(self, path: str, sha256: str, batch: PageBatch) -> dict[str, Any]:
        """Read every page after the first range in one go, assemble and tag: a large document
        where its ranges cannot run side by side (one worker, or a Dask task), so that handing
        each range to and fro would only cost time."""
        started = time.perf_counter()
        rest = read_pages(path, first=self.range_pages)
        return tag_document(assemble(path, sha256, [batch, rest]), self.model_dir, started)

    def warm_up(self) -> None:
        """Build the spaCy pipeline with the model, once per worker, before its first task."""
        cached_nlp(self.model_dir)

    def ranges(self, n_pages: int) -> list[tuple[int, int]]:
        """The page ranges after the first, as (first, last) with the last excluded."""
        return [(first, min(first + self.range_pages, n_pages)) for first in range(self.range_pages, n_pages, self.range_pages)]


def tag_document(document: Document, model_dir: str, started: float) -> dict[str, Any]:
    """Segment and tag a document that has been read; its table rows and problems."""
    from .nlp import tag_passages

    nlp = cached_nlp(model_dir)
    passages = list(segment(document))
    problems = list(document.problems)
    if document.lang == "en":
        # a mostly English report can still hold a summary in French or Spanish
        languages = [(passage, detect_language(passage.text, min_words=25)) for passage in passages]
        english = iter(tag_passages(nlp, [p for p, lang in languages if lang == "en"]))
        tagged = [next(english) if lang == "en" else TaggedPassage(passage=p) for p, lang in languages]
        foreign = [(p.page, lang) for p, lang in languages if lang != "en"]
        if foreign:
            pages = sorted({page for page, _ in foreign})
            names = ", ".join(sorted({lang for _, lang in foreign}))
            problems.append(
                Problem(document.name, document.path, "tag", "NotEnglish",
                        f"{len(foreign)} passage(s) not in English ({names}) on pages {_page_list(pages)}: kept, not classified")
            )
    else:
        tagged = [TaggedPassage(passage=passage) for passage in passages]
    return {
        "doc": document.name,
        "pages": document.n_pages,
        "lang": document.lang,
        "passages": [passage_row(item) for item in tagged],
        "figures": [row for item in tagged for row in figure_rows(item)],
        "tables": [row for page in document.pages for row in table_rows(document.name, page.tables)],
        "errors": [error_row(problem) for problem in problems],
        "seconds": round(time.perf_counter() - started, 3),
        # the peak of the process that ran this step: a worker's high-water mark so far
        "worker_peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def _page_list(pages: list[int]) -> str:
    shown = ", ".join(str(page) for page in pages[:12])
    return shown + (f" and {len(pages) - 12} more" if len(pages) > 12 else "")
