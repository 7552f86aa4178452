"""The open workflow and every way to change it: the document, its undoable commands, the clipboard, the edit lock."""
