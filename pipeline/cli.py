"""The `migtag` command line: parses options, calls one function, prints.

Exit status: 0 when the command did its job (a batch in which some files failed still exits 0
and lists them in errors.csv); 1 when it could not run at all; 2 for usage errors.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
from functools import partial
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table as RichTable

app = typer.Typer(
    name="migtag",
    help="Tag IOM and partner report PDFs with SDG targets, MiGOF categories and the figures they report.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(stderr=True)
log = logging.getLogger("pipeline")

ModelOption = Annotated[
    Path | None,
    typer.Option("--model", help="Model folder to use (default: the shipped model in models/).", show_default=False),
]


def _fail(message: str) -> typer.Exit:
    console.print(f"[bold red]error:[/] {message}")
    return typer.Exit(1)


def _load_model(folder: Path) -> None:
    from .classify import load_model

    load_model(folder)


def _check_model(model: Path | None) -> Path:
    from .classify import ModelError, load_model
    from .process import resolve_model_dir

    try:
        folder = resolve_model_dir(model)
        load_model(folder)
    except ModelError as exc:
        raise _fail(str(exc)) from exc
    return folder


@app.callback()
def main(verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log what each stage does.")] = False) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


@app.command()
def run(
    inputs: Annotated[list[str], typer.Argument(help="PDF files, folders of PDFs (searched recursively) or globs.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the tables.")],
    workers: Annotated[int | None, typer.Option(help="Worker processes (default: the number of cores).", min=1)] = None,
    model: ModelOption = None,
    dask: Annotated[
        str | None, typer.Option("--dask", help="Run on a Dask scheduler at this address, or 'local' for a LocalCluster (needs the dask extra).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Reprocess every document, ignoring finished ones from an earlier run.")] = False,
    timeout_per_file: Annotated[
        float, typer.Option(help="Seconds a document (or a page range of a large one) may take before its worker is stopped.", min=1)
    ] = 300.0,
    max_memory_per_file: Annotated[
        float, typer.Option(help="GiB of memory a worker may use; a document that needs more fails alone.", min=0.5)
    ] = 2.0,
    range_pages: Annotated[
        int, typer.Option(help="A document longer than this is read in ranges of this many pages, in parallel (with one worker: its first range, then the rest in one task).", min=1)
    ] = 40,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress and no summary; errors only.")] = False,
    formats: Annotated[
        list[str] | None, typer.Option("--format", help="Also write the tables as 'xlsx' (passages.xlsx, figures.xlsx); CSV is always written.")
    ] = None,
) -> None:
    """Batch: read PDFs and write passages.csv, figures.csv, tables.csv, errors.csv and manifest.json.

    Each document runs in a worker process under a time and a memory limit; a file that fails
    becomes a row of errors.csv and the batch goes on. A rerun with the same arguments skips
    documents already finished (unless --force), so an interrupted run can simply be started again.
    """
    # the parent of a batch neither reads nor tags: it imports neither spaCy nor scikit-learn,
    # and loads the model only to check it, while the workers start
    from .batch import GIB, SHARDS, BatchSettings, default_workers, run_batch
    from .locations import ModelError, check_model_folder
    from .process import DocumentJobs, pipeline_version, resolve_model_dir

    try:
        folder = check_model_folder(resolve_model_dir(model))
    except ModelError as exc:
        raise _fail(str(exc)) from exc
    formats = tuple(dict.fromkeys(["csv", *(f.lower() for f in formats or [])]))
    if set(formats) - {"csv", "xlsx"}:
        raise _fail(f"--format takes csv or xlsx, not {', '.join(sorted(set(formats) - {'csv', 'xlsx'}))}")
    if force and (out / SHARDS).exists():
        shutil.rmtree(out / SHARDS)
    version = pipeline_version(folder)  # hashes the model file: once
    settings = BatchSettings(
        workers=workers or default_workers(),
        backend="dask" if dask else "pool",
        scheduler=dask,
        timeout_per_file=timeout_per_file,
        max_memory_per_file=int(max_memory_per_file * GIB),
        progress="quiet" if quiet else "auto",
        formats=formats,
    )
    try:
        result = run_batch(
            inputs,
            out,
            jobs=DocumentJobs(str(folder), range_pages),
            version=version,
            settings=settings,
            extra_manifest={"model": str(folder), "model_version": version},
            review_choices=_review_choices() if "xlsx" in formats else None,
            preflight=partial(_load_model, folder),
        )
    except ModelError as exc:
        raise _fail(str(exc)) from exc
    except KeyboardInterrupt:
        console.print("[yellow]interrupted:[/] finished documents are kept; run the same command again to go on")
        raise typer.Exit(130) from None
    except (ImportError, ValueError, OSError) as exc:
        raise _fail(str(exc)) from exc
    if result.documents == 0 and result.errors == result.input_errors:
        raise _fail(f"no PDF found in: {' '.join(inputs)} (see {result.files['errors.csv']})")
    if quiet:
        return
    typer.echo(
        f"{result.documents} documents ({result.ok} ok, {result.partial} partial, {result.failed} failed; "
        f"{result.skipped} already done), {result.pages} pages, {result.passages} passages "
        f"({result.tagged} tagged, {result.tags} tags), {result.figures} figures, {result.errors} errors "
        f"in {result.seconds:.1f} s"
    )
    for name, path in result.files.items():
        typer.echo(f"  {name:<14} {path}")


def _review_choices():
    from .corpus import REVIEW_STATUSES
    from .io import ReviewChoices
    from .taxonomy import load_taxonomy

    taxonomy = load_taxonomy()
    return ReviewChoices(
        statuses=REVIEW_STATUSES,
        migof=dict(taxonomy.migof),
        targets={f"SDG {label}": text for label, text in taxonomy.targets.items()},
    )


def _read_passages(source: typer.FileText) -> list[tuple[str, str, str]]:
    """(id, text, section) per input line; `section` is an optional heading path."""
    items = []
    for number, line in enumerate(source, 1):
        line = line.rstrip("\n")
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError:
            data = None
        if isinstance(data, dict) and "text" in data:
            items.append((str(data.get("id") or f"p{number}"), str(data["text"]), str(data.get("section") or "")))
        else:
            items.append((f"p{number}", line, ""))
    return items


@app.command()
def tag(
    source: Annotated[typer.FileText, typer.Argument(help="Text or JSON Lines with a 'text' field; '-' for standard input.")] = "-",  # type: ignore[assignment]
    model: ModelOption = None,
) -> None:
    """Text in, JSON Lines out: the tags and figures of each input line, in order."""
    from .io import tagged_to_json
    from .nlp import build_nlp, tag_passages
    from .records import Passage

    folder = _check_model(model)
    items = _read_passages(source)
    try:
        nlp = build_nlp(folder)
    except RuntimeError as exc:
        raise _fail(str(exc)) from exc
    passages = [Passage(passage_id=i, doc_id="", doc="", page=0, n=n, text=t, section=s) for n, (i, t, s) in enumerate(items)]
    for item in tag_passages(nlp, passages):
        sys.stdout.write(json.dumps(tagged_to_json(item), ensure_ascii=False) + "\n")


@app.command()
def train(
    corpus: Annotated[Path, typer.Option(help="Folder (or file) of labelled JSON Lines passages.")] = Path("corpus"),
    reviewed: Annotated[
        list[Path] | None, typer.Option("--reviewed", help="Reviewed passages.csv or passages.xlsx to learn from (repeatable).")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="New model folder (default: models/migtag-<date>).")] = None,
    name: Annotated[str | None, typer.Option(help="Model name (default: the folder name).")] = None,
    keep_default: Annotated[bool, typer.Option("--keep-default", help="Do not make the new model the default, whatever its scores.")] = False,
    compare_on: Annotated[
        Path | None, typer.Option("--compare-on", help="Labelled passages whose fixed test split decides between the new model and the default (default: --corpus).")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite an existing model folder, and make the new model the default even when it scores worse.")
    ] = False,
) -> None:
    """(Re)train the classifier from corpus/ plus reviewed tables; write a new model folder.

    The new model and the current default are scored on the same fixed test split; the new one
    becomes the default only when it is not worse (or with --force).
    """
    from datetime import datetime

    from .classify import ModelError, default_model_dir, models_dir
    from .corpus import CorpusError, load_corpus, merge_reviewed, read_reviewed
    from .train import score_on_test_split, training_sources
    from .train import train as train_model

    reviewed = reviewed or []
    out = out or models_dir() / f"migtag-{datetime.now():%Y%m%d-%H%M%S}"
    if out.exists() and any(out.iterdir()) and not force:
        raise _fail(f"{out} exists; choose another --out or add --force")
    try:
        passages = load_corpus(corpus)
        extra = [p for path in reviewed for p in read_reviewed(path)]
    except (CorpusError, OSError) as exc:
        raise _fail(str(exc)) from exc
    passages = merge_reviewed(passages, extra)
    try:
        current = default_model_dir().resolve()
    except ModelError:
        current = None
    if current is not None and (current == out.resolve() or not (current / "model.skops").exists()):
        current = None  # retraining the default in place, or no usable default: nothing to compare
    console.print(f"training on {len(passages)} passages ({len(extra)} reviewed) …")
    try:
        metrics = train_model(passages, out, name=name or out.name, sources=training_sources(corpus, reviewed))
    except ValueError as exc:
        raise _fail(str(exc)) from exc
    test = metrics["test_split"] or metrics["cross_validated"]
    typer.echo(f"model written to {out}")
    for field in ("migof", "sdg_goals", "sdg_targets"):
        typer.echo(f"  {field:<12} test micro-F1 {test[field]['micro']['f1']:.3f}  macro-F1 {test[field]['macro']['f1']:.3f}")
    typer.echo(f"  MiGOF top-1 accuracy {test['migof_top1_accuracy']:.3f}")
    if keep_default:
        return
    make_default = True
    if current is not None:
        from .corpus import text_hash

        seen = frozenset(text_hash(p.text) for p in extra)
        new_scores = score_on_test_split(out, compare_on or corpus, exclude=seen)
        old_scores = score_on_test_split(current, compare_on or corpus, exclude=seen)
        typer.echo(f"on the fixed test split ({new_scores['n']} passages), combined F1 (mean micro-F1 of MiGOF, goals, targets):")
        typer.echo(f"  new      {out.name:<28} {new_scores['combined_f1']:.3f}")
        typer.echo(f"  default  {current.name:<28} {old_scores['combined_f1']:.3f}")
        if new_scores["combined_f1"] < old_scores["combined_f1"]:
            make_default = force
            if not force:
                console.print(f"[yellow]not made the default:[/] {out.name} scores worse than {current.name}; add --force to make it the default anyway")
    if make_default:
        (models_dir() / "DEFAULT").write_text(os.path.relpath(out.resolve(), models_dir().resolve()) + "\n", encoding="utf-8")
        typer.echo(f"{out.name} is now the default model")


@app.command()
def models() -> None:
    """List the model folders with their scores; the default is marked."""
    from .classify import ModelError, default_model_dir, models_dir

    try:
        current = default_model_dir().resolve()
    except ModelError:
        current = None
    folder_of_models = models_dir()
    table = RichTable(title=f"models in {folder_of_models}")
    for column in ("", "model", "trained", "passages", "reviewed", "MiGOF F1", "goal F1", "target F1", "top-1"):
        table.add_column(column, justify="left" if column in {"", "model", "trained"} else "right")
    found = 0
    for folder in sorted(p for p in folder_of_models.iterdir() if (p / "labels.json").exists()):
        found += 1
        try:
            metrics = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            metrics = {}
        test = metrics.get("test_split") or {}

        def f1(field: str, test: dict = test) -> str:
            return f"{test[field]['micro']['f1']:.3f}" if field in test else "-"

        table.add_row(
            "*" if folder.resolve() == current else "", folder.name, str(metrics.get("trained_at", "-"))[:16],
            str(metrics.get("n_train", "-")), str(metrics.get("n_reviewed", 0)), f1("migof"), f1("sdg_goals"),
            f1("sdg_targets"), f"{test['migof_top1_accuracy']:.3f}" if "migof_top1_accuracy" in test else "-",
        )
    if not found:
        raise _fail(f"no model folders in {folder_of_models}; run `migtag train`")
    Console(width=None if sys.stdout.isatty() else 130).print(table)
    typer.echo("* the default (models/DEFAULT). Scores: classifier on each model's held-out test split.")


review_app = typer.Typer(help="Help the review: pick what to review first.", no_args_is_help=True)
app.add_typer(review_app, name="review")


@review_app.command("suggest")
def review_suggest(
    table: Annotated[Path, typer.Argument(help="passages.csv (or .xlsx) of a run.")],
    n: Annotated[int, typer.Option("--n", help="How many passages to pick.", min=1)] = 50,
    model: ModelOption = None,
    out: Annotated[Path | None, typer.Option("--out", help="Where to write the picks (default: review_queue.csv next to TABLE).")] = None,
) -> None:
    """Pick the passages the model is least sure of (and a few it is sure of, as a check).

    The picks are written as a passages table with a `review_reason` column: review them there
    and retrain with `migtag train --reviewed` on that file.
    """
    from .classify import load_model
    from .corpus import CorpusError, review_rows
    from .io import PASSAGE_COLUMNS, write_csv
    from .review import suggest

    folder = _check_model(model)
    try:
        rows = [row for _, row in review_rows(table)]
    except (CorpusError, OSError) as exc:
        raise _fail(str(exc)) from exc
    picks = suggest(rows, load_model(folder), n)
    if not picks:
        raise _fail(f"nothing to suggest in {table}: every passage is reviewed, too short or a repeat")
    out = out or table.with_name("review_queue.csv")
    columns = [*PASSAGE_COLUMNS, "review_reason"]
    write_csv(out, [{**pick.row, "review_reason": pick.reason} for pick in picks], columns)
    unsure = sum(1 for pick in picks if pick.reason.startswith("unsure"))
    typer.echo(f"{len(picks)} passages to review ({unsure} the model is unsure of, {len(picks) - unsure} sure one(s) as a check): {out}")


@app.command()
def evaluate(
    data: Annotated[Path, typer.Option("--data", help="Labelled passages: a JSON Lines file or a folder of them.")],
    model: ModelOption = None,
    split: Annotated[str, typer.Option(help="Which side of the fixed split to score: all, train or test.")] = "all",
    as_json: Annotated[bool, typer.Option("--json", help="Print the metrics as one JSON object.")] = False,
    cv: Annotated[int, typer.Option("--cv", help="Cross-validate instead: train K models, each scored on the passages it did not see (ignores --model).", min=0)] = 0,
) -> None:
    """Score the tagger (rules + model) on labelled passages: precision, recall and F1 per label."""
    from .corpus import CorpusError, load_corpus
    from .evaluate import as_passages
    from .evaluate import evaluate as score
    from .nlp import build_nlp, tag_passages

    if split not in {"all", "train", "test"}:
        raise typer.BadParameter("use all, train or test", param_hint="--split")
    folder = _check_model(model)
    try:
        examples = load_corpus(data, split=None if split == "all" else split)
    except (CorpusError, OSError) as exc:
        raise _fail(str(exc)) from exc
    if not examples:
        raise _fail(f"no labelled passages in {data}")
    if cv:
        from .train import cross_validate

        if cv < 2:
            raise typer.BadParameter("needs at least 2 folds", param_hint="--cv")
        metrics = cross_validate(examples, folds=cv)
        metrics["model"] = f"{cv}-fold cross-validation"
    else:
        nlp = build_nlp(folder, with_parser=False)
        tagged = list(tag_passages(nlp, as_passages(examples)))
        metrics = score(examples, tagged)
        metrics["model"] = str(folder)
    if as_json:
        typer.echo(json.dumps(metrics))
        return
    _print_metrics(metrics)


def _print_metrics(metrics: dict) -> None:
    out = Console()
    for field in ("migof", "sdg_goals", "sdg_targets"):
        block = metrics[field]
        table = RichTable(title=f"{field} ({metrics['n']} passages)")
        for column in ("label", "precision", "recall", "F1", "support"):
            table.add_column(column, justify="right" if column != "label" else "left")
        for label, scores in block["per_label"].items():
            table.add_row(label, f"{scores['precision']:.3f}", f"{scores['recall']:.3f}", f"{scores['f1']:.3f}", str(scores["support"]))
        for name in ("micro", "macro"):
            s = block[name]
            table.add_row(f"[bold]{name}", f"{s['precision']:.3f}", f"{s['recall']:.3f}", f"{s['f1']:.3f}", "")
        out.print(table)
    out.print(f"MiGOF top-1 accuracy: {metrics['migof_top1_accuracy']:.3f}")
    confusion = metrics["migof_confusion"]
    if confusion:
        labels = list(confusion)
        table = RichTable(title="MiGOF confusion (rows: main label, columns: top tag)")
        table.add_column("")
        for label in labels:
            table.add_column(label, justify="right")
        for label in labels:
            table.add_row(label, *(str(confusion[label][other]) for other in labels))
        out.print(table)


@app.command()
def explain(
    text: Annotated[str, typer.Argument(help="The passage to explain.")],
    model: ModelOption = None,
) -> None:
    """Show every tag and figure of one passage with the evidence behind it."""
    from .nlp import build_nlp

    folder = _check_model(model)
    nlp = build_nlp(folder)
    doc = nlp(text)
    out = Console()
    tags = doc._.migtag_tags
    table = RichTable(title="Tags")
    for column in ("field", "label", "score", "source", "evidence"):
        table.add_column(column)
    for field in ("migof", "sdg_targets", "sdg_goals"):
        for item in tags[field]:
            table.add_row(field, item.label, f"{item.score:.2f}", item.source, "; ".join(item.evidence))
    out.print(table)
    scores = doc._.migtag_model_scores or {}
    near = sorted(
        ((key, s) for key, s in scores.items() if s.score < s.threshold and s.score >= s.threshold * 0.5),
        key=lambda pair: -pair[1].score,
    )[:8]
    if near:
        table = RichTable(title="Near misses (model score below the label's threshold)")
        for column in ("label", "score", "threshold", "strongest terms"):
            table.add_column(column)
        for key, s in near:
            table.add_row(key, f"{s.score:.2f}", f"{s.threshold:.2f}", ", ".join(s.evidence))
        out.print(table)
    hits = doc._.migtag_rule_hits or []
    if hits:
        table = RichTable(title="Rule hits")
        for column in ("field", "label", "kind", "matched"):
            table.add_column(column)
        for hit in hits:
            table.add_row(hit.field, hit.label, hit.kind, hit.evidence)
        out.print(table)
    figures = doc._.migtag_figures or []
    table = RichTable(title="Figures")
    for column in ("text", "value", "kind", "unit", "counted", "qualifier", "year", "change"):
        table.add_column(column)
    for figure in figures:
        table.add_row(
            figure.text, f"{figure.value:g}", figure.kind, figure.unit or "", figure.counted or "",
            figure.qualifier or "", str(figure.year or ""), figure.change or "",
        )
    out.print(table)


if __name__ == "__main__":
    app()
