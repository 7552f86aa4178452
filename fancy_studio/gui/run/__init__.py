"""Running the open workflow: the Run/Stop actions, the worker thread and the live status the canvas and panels show."""
