"""Write docs/workflow.schema.json: the JSON Schema of a workflow file, generated from the model.

Run it after changing `fancy_studio/core/workflow.py`:

    .venv/bin/python docs/generate_schema.py

`tests/core/test_schema_doc.py` fails while the committed file differs from what the model generates.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

SCHEMA_PATH = Path(__file__).resolve().parent / "workflow.schema.json"


def schema_text() -> str:
    """The schema as the file holds it: indented by 2, with a trailing newline."""
    from fancy_studio.core.workflow import Workflow

    return json.dumps(Workflow.model_json_schema(), indent=2, ensure_ascii=False) + "\n"


def main() -> int:
    SCHEMA_PATH.write_text(schema_text(), encoding="utf-8")
    print(f"wrote {SCHEMA_PATH}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    raise SystemExit(main())
