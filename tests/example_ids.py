"""The bundled example workflow and the ids of its nodes, for tests that poke at particular nodes."""

from pathlib import Path
from uuid import UUID

EXAMPLE = Path(__file__).parents[1] / "resources" / "examples" / "temperature.json"
CELSIUS = UUID("5f0c6a86-4a44-4a55-9a55-000000000010")
FACTOR = UUID("5f0c6a86-4a44-4a55-9a55-000000000011")
SCALED = UUID("5f0c6a86-4a44-4a55-9a55-000000000014")
FAHRENHEIT = UUID("5f0c6a86-4a44-4a55-9a55-000000000015")
MULTIPLY = UUID("5f0c6a86-4a44-4a55-9a55-000000000020")
ADD = UUID("5f0c6a86-4a44-4a55-9a55-000000000021")
