"""The side panels around the canvas: the function palette, the inspector (with its value editor) and Problems."""
