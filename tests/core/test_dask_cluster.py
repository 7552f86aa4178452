"""Reaching a Dask cluster (issue 15): targets, an unreachable scheduler told before anything runs, which
functions need nothing on the workers. (The executor's own tests start a real cluster:
test_dask_executor.py.)"""

from __future__ import annotations

import socket

import pytest

pytest.importorskip("distributed")

from fancy_studio.core import FancyError
from fancy_studio.core.dask import ClusterError, DaskTarget, connect, parse_dask_target
from fancy_studio.core.dask.cluster import describe_missing, travels_by_value
from fancy_studio.core.function_files import load_functions_file, unload_functions_file
from fancy_studio.core.functions import registry
from tests.core import dask_functions


@pytest.mark.parametrize("text, target", [
    ("local", DaskTarget()),
    ("local:2", DaskTarget(workers=2)),
    (" local:16 ", DaskTarget(workers=16)),
    ("tcp://10.0.0.9:8786", DaskTarget(address="tcp://10.0.0.9:8786")),
    ("scheduler.example:8786", DaskTarget(address="tcp://scheduler.example:8786")),
])
def test_a_dask_target_is_local_local_n_or_a_scheduler_address(text, target):
    parsed = parse_dask_target(text)
    assert parsed == target
    assert parsed.local is (target.address is None)
    assert parse_dask_target(str(parsed)) == parsed


@pytest.mark.parametrize("text", ["local:0", "local:two", "remote", "", "http//x"])
def test_anything_else_is_a_clear_error(text):
    with pytest.raises(ClusterError, match="local, local:N or a scheduler address|not a local cluster size"):
        parse_dask_target(text)


def test_a_scheduler_that_is_not_there_is_a_one_line_error_before_anything_runs():
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    with pytest.raises(ClusterError) as raised:
        connect(address, timeout=2)
    message = str(raised.value)
    assert message.startswith(f"cannot reach the Dask scheduler at {address} (") and "\n" not in message
    assert isinstance(raised.value, FancyError)
    with pytest.raises(ClusterError, match="give its host and port"):
        connect("tcp://127.0.0.1", timeout=1)


def test_which_functions_travel_by_value(tmp_path):
    def local(x: int) -> int:
        return x

    assert travels_by_value(local)  # defined in a function: its code travels
    assert not travels_by_value(dask_functions.double)  # importable: sent by reference
    assert not travels_by_value(registry.get("math.increment").func)  # the built-in library
    functions_file = tmp_path / "my_functions.py"
    functions_file.write_text("from fancy_studio.core import fancy_function\n\n"
                              "@fancy_function('mine.twice')\ndef twice(x: int) -> int:\n    return 2 * x\n")
    loaded = load_functions_file(functions_file, registry)
    try:
        assert loaded.ok, loaded.summary()
        assert travels_by_value(registry.get("mine.twice").func)  # a functions file's: by value
    finally:
        unload_functions_file(functions_file, registry)


def test_the_missing_functions_message_names_each_slug_and_what_to_do():
    text = describe_missing({"b.two": "not on tcp://w2: …", "a.one": "not on tcp://w1: …"})
    assert text.index("a.one") < text.index("b.two")
    assert "install their plugin on every worker" in text


def test_a_cluster_without_workers_is_told_before_anything_runs():
    import distributed

    from fancy_studio.core import Engine, InMemoryStore, Workflow, WorkflowStep
    from fancy_studio.core.dask import DaskExecutor

    with distributed.LocalCluster(n_workers=0, processes=True, host="127.0.0.1", dashboard_address=":0",
                                  silence_logs=50) as cluster, distributed.Client(cluster) as client:
        wf = Workflow(name="nobody")
        wf.add_step(WorkflowStep(function_slug="t.double", inputs={"x": wf.input_cell("a", 1).id}))
        executor = DaskExecutor(client)
        with pytest.raises(ClusterError, match=r"the Dask cluster at tcp://127\.0\.0\.1:\d+ has no workers"):
            Engine(InMemoryStore(), registry=dask_functions.test_registry(), executor=executor).run(wf)
        assert executor.submitted == []
