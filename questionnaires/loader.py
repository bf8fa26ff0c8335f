"""The only code that reads questionnaire YAML.

YAML is read strictly: ``safe_load`` semantics, duplicate keys rejected, anchors, aliases and tags refused,
files over :data:`MAX_FILE_BYTES` and nesting deeper than :data:`MAX_NESTING` levels refused. Every
problem is reported with the file, the line (where YAML gives one), the field path
(``dimensions[2].items[4].levels``) and what was expected; all problems of a questionnaire are collected,
not just the first. Nothing here caches: the UI caches at its edge.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from questionnaires.schema import Dimension, Questionnaire, QuestionnaireMeta, requirement_problems
from questionnaires.taskmap_schema import TaskMapTemplate

MAX_FILE_BYTES = 1_000_000
#: How deep mappings and lists may nest in a questionnaire file (the format itself needs 4 levels); deeper
#: files are refused while they are parsed, before anything recursive (composing, constructing) sees them.
MAX_NESTING = 50
META_FILE = "questionnaire.yaml"
DEFAULT_QUESTIONNAIRE_ID = "human-system-design"
SHIPPED_DIR = Path(__file__).resolve().parent
ENV_DIRS = "LAYERWISE_QUESTIONNAIRE_DIRS"

PathKey = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a questionnaire file, located as precisely as the YAML allows."""

    file: str
    message: str
    path: str = ""
    line: int | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class QuestionnaireError(Exception):
    """A questionnaire that cannot be loaded; ``problems`` lists every problem found."""

    def __init__(self, folder: Path | str, problems: Sequence[Problem]) -> None:
        self.folder = str(folder)
        self.problems = list(problems)
        lines = "\n".join(f"  - {problem}" for problem in self.problems)
        super().__init__(
            f"questionnaire in {self.folder} is not valid ({len(self.problems)} problems):\n{lines}"
        )


@dataclass
class Catalog:
    """Every questionnaire found: the valid ones by (id, version) and the errors of the broken ones."""

    questionnaires: dict[tuple[str, str], Questionnaire] = field(default_factory=dict)
    folders: dict[tuple[str, str], Path] = field(default_factory=dict)
    errors: list[QuestionnaireError] = field(default_factory=list)

    def ids(self) -> list[str]:
        """The ids of the valid questionnaires, sorted, each once."""
        return sorted({qid for qid, _ in self.questionnaires})

    def latest(self, questionnaire_id: str) -> Questionnaire:
        """The highest version of a questionnaire; ``KeyError`` names the id when there is none."""
        versions = [
            (tuple(int(p) for p in ver.split(".")), q) for (qid, ver), q in self.questionnaires.items()
        ]
        matching = [(key, q) for key, q in versions if q.id == questionnaire_id]
        if not matching:
            raise KeyError(
                f"no valid questionnaire '{questionnaire_id}' (valid ones: {', '.join(self.ids()) or 'none'})"
            )
        return max(matching, key=lambda pair: pair[0])[1]

    def get(self, questionnaire_id: str, version: str | None = None) -> Questionnaire:
        """A questionnaire by id and version (the latest version when ``version`` is None)."""
        if version is None:
            return self.latest(questionnaire_id)
        try:
            return self.questionnaires[(questionnaire_id, version)]
        except KeyError:
            raise KeyError(f"no valid questionnaire '{questionnaire_id}' version {version}") from None


# --- strict YAML ---------------------------------------------------------------------------------------


#: libyaml's parser (C) when PyYAML was built with it, as its wheels are: the pure-Python parser took most of a
#: new server's first page (reading the questionnaires).
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_SafeLoader):  # type: ignore[valid-type,misc]
    """SafeLoader that refuses duplicate keys (PyYAML silently keeps the last one)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)  # type: ignore[no-untyped-call]
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"duplicate key '{key}' (first defined on line {seen[key] + 1})",
                    key_node.start_mark,
                )
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


_STANDARD_TAG = "tag:yaml.org,2002:"


def _refuse_anchors_tags_and_deep_nesting(text: str) -> None:
    """Raise a ``yaml.MarkedYAMLError`` at the first anchor, alias, explicit tag or too deep a nesting.

    The parser (PyYAML's or libyaml's) is not recursive, so this first pass is safe on any input; composing
    is, and a file nested thousands of levels deep would exhaust the stack there.
    """
    depth = 0
    for event in yaml.parse(text, Loader=_SafeLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_NESTING:
                raise yaml.MarkedYAMLError(
                    problem=f"nested more than {MAX_NESTING} levels deep; a questionnaire file needs a few "
                    "levels of mappings and lists (questionnaire → dimensions → items → levels)",
                    problem_mark=event.start_mark,
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        if isinstance(event, yaml.AliasEvent):
            raise yaml.MarkedYAMLError(
                problem="aliases (*name) are not allowed", problem_mark=event.start_mark
            )
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            raise yaml.MarkedYAMLError(
                problem="anchors (&name) are not allowed", problem_mark=event.start_mark
            )
        tag = getattr(event, "tag", None)
        implicit = getattr(event, "implicit", True)
        explicit = tag is not None and (
            implicit is False or (isinstance(implicit, tuple) and not any(implicit))
        )
        if explicit and tag not in ("!", None):
            raise yaml.MarkedYAMLError(
                problem=f"tags such as '{tag}' are not allowed", problem_mark=event.start_mark
            )


def _node_index(node: yaml.Node, path: PathKey, index: dict[PathKey, tuple[int, str | None]]) -> None:
    """Record the line (1-based) and raw scalar text of every node, keyed by its path."""
    raw = node.value if isinstance(node, yaml.ScalarNode) else None
    index[path] = (node.start_mark.line + 1, raw)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.start_mark)
            index[(*path, key)] = (key_node.start_mark.line + 1, None)
            _node_index(value_node, (*path, key), index)
    elif isinstance(node, yaml.SequenceNode):
        for position, child in enumerate(node.value):
            _node_index(child, (*path, position), index)


@dataclass
class YamlDocument:
    """A parsed YAML file with the line of every value, for error messages."""

    file: Path
    data: Any
    nodes: dict[PathKey, tuple[int, str | None]]

    def line_of(self, path: PathKey) -> int | None:
        """The line of the deepest known node on ``path`` (the field itself, or its nearest parent)."""
        for cut in range(len(path), -1, -1):
            found = self.nodes.get(tuple(path[:cut]))
            if found is not None:
                return found[0]
        return None

    def raw_of(self, path: PathKey) -> str | None:
        """The text a scalar had in the file (before YAML turned ``NO`` into ``False``), if known."""
        found = self.nodes.get(tuple(path))
        return found[1] if found else None


def read_yaml(file: Path) -> YamlDocument:
    """Read one YAML file strictly; raise :class:`QuestionnaireError` naming the file and line."""
    try:
        size = file.stat().st_size
    except OSError as exc:
        raise QuestionnaireError(
            file.parent, [Problem(file.name, f"cannot be read: {exc.strerror}")]
        ) from None
    if size > MAX_FILE_BYTES:
        raise QuestionnaireError(
            file.parent,
            [
                Problem(
                    file.name,
                    f"is {size:,} bytes; questionnaire files may be at most {MAX_FILE_BYTES:,} bytes",
                )
            ],
        )
    try:
        text = file.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise QuestionnaireError(
            file.parent, [Problem(file.name, f"is not UTF-8 text (byte {exc.start} cannot be decoded)")]
        ) from None
    try:
        _refuse_anchors_tags_and_deep_nesting(text)
        # composed once: the nodes give the lines, the same nodes become the data
        loader = _StrictLoader(text)
        try:
            node = loader.get_single_node()
            data = None if node is None else loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        message = " ".join(part for part in (exc.context, exc.problem) if part) or str(exc)
        raise QuestionnaireError(
            file.parent, [Problem(file.name, f"invalid YAML: {message}", line=line)]
        ) from None
    except yaml.YAMLError as exc:
        raise QuestionnaireError(file.parent, [Problem(file.name, f"invalid YAML: {exc}")]) from None
    nodes: dict[PathKey, tuple[int, str | None]] = {}
    if node is not None:
        _node_index(node, (), nodes)
    return YamlDocument(file=file, data=data, nodes=nodes)


# --- validation ----------------------------------------------------------------------------------------


def format_path(path: Iterable[str | int]) -> str:
    """``('items', 4, 'levels')`` → ``items[4].levels``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _explain(error: dict[str, Any], document: YamlDocument, loc: PathKey) -> str:
    """A message for people: pydantic's, plus what YAML did to an unquoted boolean or number."""
    message = str(error["msg"])
    value = error.get("input")
    raw = document.raw_of(loc)
    if error["type"] == "string_type" and isinstance(value, bool | int | float) and raw is not None:
        kind = "boolean" if isinstance(value, bool) else "number"
        return f"expected text, but YAML read `{raw}` as the {kind} {str(value).lower()}; put it in quotes"
    if error["type"] == "extra_forbidden":
        return f"unknown key '{loc[-1]}' (not part of the questionnaire format; check the spelling)"
    if error["type"] == "missing":
        return f"required field '{loc[-1]}' is missing"
    return message


def _validate(
    model: type[BaseModel], document: YamlDocument, prefix: str, problems: list[Problem]
) -> BaseModel | None:
    """Validate a document against a model, appending every error (with line and path) to ``problems``."""
    data = document.data
    if not isinstance(data, dict):
        problems.append(
            Problem(
                document.file.name, f"must be a mapping of keys to values, not {type(data).__name__}", line=1
            )
        )
        return None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            loc: PathKey = tuple(part for part in error["loc"] if not _is_union_tag(part))
            path = format_path(loc)
            full_path = f"{prefix}.{path}" if prefix and path else (prefix or path)
            problems.append(
                Problem(
                    document.file.name,
                    _explain(error, document, loc),
                    path=full_path,
                    line=document.line_of(loc),
                )
            )
        return None


def _is_union_tag(part: str | int) -> bool:
    # pydantic adds the union member's type ('int', 'none', 'constrained-int') to the location; drop it
    return isinstance(part, str) and (
        part in {"int", "none", "str", "float", "bool"} or part.startswith("constrained")
    )


def load_questionnaire(folder: Path | str) -> Questionnaire:
    """Load and validate the questionnaire in ``folder``; raise :class:`QuestionnaireError` with all problems."""
    folder = Path(folder)
    problems: list[Problem] = []
    meta_file = folder / META_FILE
    if not meta_file.is_file():
        raise QuestionnaireError(folder, [Problem(META_FILE, f"is missing in {folder}")])
    meta_doc = read_yaml(meta_file)
    meta = _validate(QuestionnaireMeta, meta_doc, "", problems)
    dimension_ids: list[str] = []
    if isinstance(meta, QuestionnaireMeta):
        dimension_ids = list(meta.dimensions)
    elif isinstance(meta_doc.data, dict) and isinstance(meta_doc.data.get("dimensions"), list):
        dimension_ids = [d for d in meta_doc.data["dimensions"] if isinstance(d, str)]

    dimensions: list[Dimension] = []
    documents: dict[str, tuple[int, YamlDocument]] = {}
    for index, dimension_id in enumerate(dimension_ids):
        file = folder / f"{dimension_id}.yaml"
        if not file.is_file():
            problems.append(
                Problem(
                    META_FILE,
                    f"names dimension '{dimension_id}', but {file.name} does not exist",
                    path=f"dimensions[{index}]",
                    line=meta_doc.line_of(("dimensions", index)),
                )
            )
            continue
        try:
            document = read_yaml(file)
        except QuestionnaireError as exc:
            problems.extend(exc.problems)
            continue
        dimension = _validate(Dimension, document, f"dimensions[{index}]", problems)
        if isinstance(dimension, Dimension):
            if dimension.id != dimension_id:
                problems.append(
                    Problem(
                        file.name,
                        f"id '{dimension.id}' must match the file name '{dimension_id}'",
                        path=f"dimensions[{index}].id",
                        line=document.line_of(("id",)),
                    )
                )
            dimensions.append(dimension)
            documents[dimension.id] = (index, document)

    for requirement in requirement_problems(dimensions):
        index, document = documents[requirement.dimension_id]
        problems.append(
            Problem(
                document.file.name,
                requirement.message,
                path=f"dimensions[{index}].{format_path(requirement.path)}",
                line=document.line_of(requirement.path),
            )
        )
    listed = {f"{d}.yaml" for d in dimension_ids} | {META_FILE}
    for stray in sorted(p.name for p in folder.glob("*.y*ml")):
        if stray not in listed:
            problems.append(
                Problem(stray, f"is not listed under 'dimensions' in {META_FILE}; add it or remove it")
            )

    if problems or not isinstance(meta, QuestionnaireMeta):
        raise QuestionnaireError(folder, problems)
    fields = {name: getattr(meta, name) for name in QuestionnaireMeta.model_fields if name != "dimensions"}
    try:
        return Questionnaire.model_validate({**fields, "dimensions": dimensions})
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            loc = tuple(error["loc"])
            message = str(error["msg"]).removeprefix("Value error, ")
            problems.append(Problem(META_FILE, message, path=format_path(loc) or "dimensions"))
        raise QuestionnaireError(folder, problems) from None


# --- discovery -----------------------------------------------------------------------------------------


def questionnaire_folders(extra_dirs: Iterable[Path] = ()) -> list[Path]:
    """Folders holding a ``questionnaire.yaml``: the shipped ones, then those under each extra folder.

    An extra folder may be a questionnaire folder itself or hold questionnaire folders.
    """
    roots = [SHIPPED_DIR, *extra_dirs]
    found: list[Path] = []
    for root in roots:
        root = Path(root)
        if (root / META_FILE).is_file():
            found.append(root)
            continue
        if root.is_dir():
            found.extend(sorted(child for child in root.iterdir() if (child / META_FILE).is_file()))
    return found


def env_questionnaire_dirs() -> list[Path]:
    """Extra folders named by ``LAYERWISE_QUESTIONNAIRE_DIRS`` (separated by ':')."""
    value = os.environ.get(ENV_DIRS, "")
    return [Path(part) for part in value.split(os.pathsep) if part.strip()]


def get_catalog(extra_dirs: Iterable[Path] | None = None) -> Catalog:
    """Load every questionnaire found; broken ones are reported in ``Catalog.errors``, never raised."""
    catalog = Catalog()
    dirs = env_questionnaire_dirs() if extra_dirs is None else list(extra_dirs)
    for folder in questionnaire_folders(dirs):
        try:
            questionnaire = load_questionnaire(folder)
        except QuestionnaireError as exc:
            catalog.errors.append(exc)
            continue
        except Exception as exc:  # a file no check foresaw must not hide the valid questionnaires
            problem = Problem(META_FILE, f"could not be loaded ({type(exc).__name__}: {exc})")
            catalog.errors.append(QuestionnaireError(folder, [problem]))
            continue
        key = (questionnaire.id, questionnaire.version)
        if key in catalog.questionnaires:
            catalog.errors.append(
                QuestionnaireError(
                    folder,
                    [
                        Problem(
                            META_FILE,
                            f"id '{key[0]}' version {key[1]} is already provided by {catalog.folders[key]}; "
                            "give this one another id or version",
                        )
                    ],
                )
            )
            continue
        catalog.questionnaires[key] = questionnaire
        catalog.folders[key] = folder
    return catalog


def get_questionnaire(questionnaire_id: str, version: str | None = None) -> Questionnaire:
    """A valid questionnaire by id (and version; latest when None); ``KeyError`` says what exists."""
    return get_catalog().get(questionnaire_id, version)


def default_questionnaire() -> Questionnaire:
    """The shipped questionnaire ``human-system-design``, loaded strictly (raises when it is broken)."""
    return load_questionnaire(SHIPPED_DIR / DEFAULT_QUESTIONNAIRE_ID)


# --- task-map templates ----------------------------------------------------------------------------------

TASKMAP_TEMPLATES_DIR = SHIPPED_DIR / "taskmap-templates"


def load_taskmap_template(file: Path | str) -> TaskMapTemplate:
    """Load and validate one task-map template; raise :class:`QuestionnaireError` with every problem (file,
    line, field path), like a questionnaire."""
    path = Path(file)
    document = read_yaml(path)
    problems: list[Problem] = []
    template = _validate(TaskMapTemplate, document, "", problems)
    if problems or template is None:
        raise QuestionnaireError(path.parent, problems)
    return template  # type: ignore[return-value]


def taskmap_templates(folder: Path | str = TASKMAP_TEMPLATES_DIR) -> list[TaskMapTemplate]:
    """Every task-map template in ``folder`` (``*.yaml``), by file name; an invalid one raises."""
    return [load_taskmap_template(file) for file in sorted(Path(folder).glob("*.yaml"))]
