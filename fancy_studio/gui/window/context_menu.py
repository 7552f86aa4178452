"""The canvas's right-click menu: a node's, a frame's or note's, or the empty canvas's.

One menu per right-click, parented to the window (objectName "canvas-context-menu") and deleted when it
closes. It is given the window, whose actions and action groups (run, datum, param, group, align,
annotation) it puts in the menu; it never imports the main window.
"""

from __future__ import annotations

from uuid import UUID

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QMainWindow, QMenu


def show_canvas_menu(window: QMainWindow, node_id: UUID | None, where: QPoint) -> None:
    """Open the menu for a right-click at global position `where` (on the node `node_id`, if any)."""
    from fancy_studio.gui.canvas import cell_preview  # not at import: the window's frame shows before the canvas

    menu = QMenu(window)
    menu.setObjectName("canvas-context-menu")
    if node_id is not None:
        up_to = menu.addAction("Run &Up to Here")
        up_to.setObjectName("run-up-to-action")
        up_to.setEnabled(not window.runner.running and bool(window.run_actions.targets_for({node_id})))
        up_to.triggered.connect(lambda: window.run_actions.run_up_to(node_id))
        menu.addAction(window.run_actions.run_selected_action)
        menu.addAction(window.datum_actions.show_lineage_action)
        menu.addSeparator()
        window.param_actions.fill_node_menu(menu, node_id, window.view.mapToScene(window.view.viewport().mapFromGlobal(where)))
        menu.addSeparator()
        menu.addActions([window.rename_action, window.cut_action, window.copy_action, window.duplicate_action, window.delete_action])
        window.group_actions.fill_menu(menu, node_id,
                                       window.view.mapToScene(window.view.viewport().mapFromGlobal(where)))
        cell_preview.add_toggle(menu, window.document, window.scene.item_for(node_id))  # a cell's Show Preview
        if window.align_actions.selected_count() >= 2:
            menu.addSeparator()
            window.align_actions.fill_menu(menu)
    elif (annotation := window.scene.annotations.at(window.view.mapToScene(
            window.view.viewport().mapFromGlobal(where)))[0]) is not None:
        if not annotation.isSelected():
            window.scene.select_ids({annotation.item_id})
        window.annotation_actions.fill_menu(menu, annotation, [window.cut_action, window.copy_action,
                                                               window.duplicate_action, window.delete_action])
        if window.align_actions.selected_count() >= 2:
            menu.addSeparator()
            window.align_actions.fill_menu(menu)
    else:
        at = window.view.mapToScene(window.view.viewport().mapFromGlobal(where))
        menu.addActions([window.run_actions.run_action, window.paste_action])
        menu.addSeparator()
        annotations = window.annotation_actions
        for text, name, add in (("Add &Frame Here", "add-frame-here-action", annotations.add_frame),
                                ("Add N&ote Here", "add-note-here-action", annotations.add_note)):
            action = menu.addAction(text)
            action.setObjectName(name)
            action.triggered.connect(lambda _=False, add=add: add(at))
        menu.addSeparator()
        menu.addActions([window.select_all_action, window.auto_layout_action, window.zoom_fit_action])
        window.group_actions.fill_menu(menu, None)
    menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # one menu per right-click, gone when closed
    menu.popup(where)
