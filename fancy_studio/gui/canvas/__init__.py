"""The node canvas: draws the document's workflow and turns gestures into undoable document edits."""

from fancy_studio.gui.canvas.scene import WorkflowScene
from fancy_studio.gui.canvas.view import WorkflowView

__all__ = ["WorkflowScene", "WorkflowView"]
