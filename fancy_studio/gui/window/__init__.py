"""The main window and what belongs to it alone: menus and toolbar, recent files, crash recovery, file drops, help."""
