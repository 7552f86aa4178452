"""The document's edges: its private parts stay private, and only the undo commands change the model.

Every edit of the workflow is a `QUndoCommand`; the commands change it through the document's public
model changes (`insert_nodes`, `delete_nodes`, `set_wire`, …), which are not undoable by themselves, so
nothing else may call them. These read the source (every module and test) and name each line that does.
"""

from __future__ import annotations

import ast
from pathlib import Path

import fancy_studio
from fancy_studio.gui.document.document import WorkflowDocument

PACKAGE = Path(fancy_studio.__file__).parent
TESTS = Path(__file__).parents[1]
DOCUMENT_MODULE = PACKAGE / "gui" / "document" / "document.py"
COMMANDS_MODULE = PACKAGE / "gui" / "document" / "commands.py"
ANNOTATION_COMMANDS_MODULE = PACKAGE / "gui" / "document" / "annotation_commands.py"
PARAM_COMMANDS_MODULE = PACKAGE / "gui" / "document" / "param_commands.py"

MODEL_CHANGES = {"insert_nodes", "reinsert_nodes", "delete_nodes", "set_wire", "set_cell", "set_step_label",
                 "set_step_timeout", "set_step_params", "set_step_bypass",
                 "set_positions", "set_layout", "order_layout",
                 "insert_annotations", "delete_annotations", "update_annotations"}
"""The document's public methods that change the workflow without an undo command."""


def _attribute_uses(names: set[str], folders: list[Path], skip: set[Path]) -> list[str]:
    """`file:line name` for every `<something other than self>.<name>` in the Python files under folders."""
    found = []
    for folder in folders:
        for path in sorted(folder.rglob("*.py")):
            if path in skip:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
                if (isinstance(node, ast.Attribute) and node.attr in names
                        and not (isinstance(node.value, ast.Name) and node.value.id == "self")):
                    found.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno} {node.attr}")
    return found


def test_the_model_changes_are_public_methods_of_the_document():
    for name in MODEL_CHANGES:
        assert callable(getattr(WorkflowDocument, name)), name
        assert WorkflowDocument.__dict__[name].__doc__, f"{name} says why it is there"


def test_nothing_outside_the_document_uses_its_private_members():
    private = {name for name in vars(WorkflowDocument) if name.startswith("_") and not name.startswith("__")}
    assert {"_rebuild_indexes", "_index_step"} <= private  # the scan looks for something real
    assert _attribute_uses(private, [PACKAGE, TESTS], skip={DOCUMENT_MODULE}) == []


def test_only_the_undo_commands_call_the_model_changes():
    assert _attribute_uses(MODEL_CHANGES, [PACKAGE],
                           skip={DOCUMENT_MODULE, COMMANDS_MODULE, ANNOTATION_COMMANDS_MODULE,
                                 PARAM_COMMANDS_MODULE}) == []
