"""`manage.py flowexport <flow> --format bpmn` (viewflow's own command) for every flow, checked
against the BPMN 2.0 XML schema that SpiffWorkflow ships (BPMN20.xsd and the DI, DC and
Semantic schemas it imports), plus the references the schema leaves unchecked."""

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import SpiffWorkflow
from django.core.management import call_command
from lxml import etree
from viewflow.workflow.fields import get_flow_ref

from tests.conftest import ROOT
from workflows.flows import FLOWS
from workflows.nodes import HumanTask

SCHEMA_DIR = Path(SpiffWorkflow.__file__).parent / "bpmn" / "parser" / "schema"
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
NS = {"bpmn": BPMN, "bpmndi": BPMNDI}


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    # The imports (Semantic.xsd, BPMNDI.xsd, DC.xsd, DI.xsd) resolve beside the main file.
    return etree.XMLSchema(etree.parse(str(SCHEMA_DIR / "BPMN20.xsd")))


def export(flow_class: Any, tmp_path: Path) -> bytes:
    output = tmp_path / f"{flow_class.__name__}.bpmn"
    call_command(
        "flowexport", get_flow_ref(flow_class), "--format", "bpmn", "--output", str(output)
    )
    return output.read_bytes()


def local(qname: str) -> str:
    """`incoming`, `outgoing` and `bpmnElement` are QNames; ours carry no prefix."""
    return qname.split(":", 1)[-1]


@pytest.mark.parametrize("name", list(FLOWS))
def test_export_is_valid_bpmn(name: str, schema: etree.XMLSchema, tmp_path: Path) -> None:
    flow_class: Any = FLOWS[name]
    document = etree.fromstring(export(flow_class, tmp_path))
    valid = schema.validate(document)
    assert valid, [f"line {e.line}: {e.message}" for e in schema.error_log]

    [process] = document.findall("bpmn:process", NS)
    ids = {element.get("id") for element in document.iter() if element.get("id")}
    flows = {flow.get("id"): flow for flow in process.findall("bpmn:sequenceFlow", NS)}
    # The schema types sourceRef/targetRef as IDREF, but libxml2 does not resolve them.
    nodes = {node.get("id") for node in process if node.tag != f"{{{BPMN}}}sequenceFlow"}
    for flow in flows.values():
        assert {flow.get("sourceRef"), flow.get("targetRef")} <= nodes, flow.get("id")
    # Every node's incoming/outgoing names a sequence flow that leads to or from that node.
    for node in process:
        for direction, end in (("incoming", "targetRef"), ("outgoing", "sourceRef")):
            for ref in node.findall(f"bpmn:{direction}", NS):
                flow = flows.get(local(ref.text or ""))
                assert flow is not None, (node.get("id"), ref.text)
                assert flow.get(end) == node.get("id"), (node.get("id"), ref.text)
    # The diagram draws exactly the process's elements.
    drawn = {
        local(element.get("bpmnElement", ""))
        for element in document.iter(f"{{{BPMNDI}}}BPMNShape", f"{{{BPMNDI}}}BPMNEdge")
    }
    assert drawn <= ids
    assert {f.get("id") for f in flows.values()} <= drawn
    # Each task people do is a user task with its title, wired into the flow.
    tasks = {task.get("id"): task.get("name") for task in process.findall("bpmn:userTask", NS)}
    humans = [node for node in flow_class.instance.nodes() if isinstance(node, HumanTask)]
    assert tasks == {f"id_node_{node.name}": str(node.task_title) for node in humans}
    for task_id in tasks:
        assert process.find(f"bpmn:userTask[@id='{task_id}']/bpmn:incoming", NS) is not None
        assert process.find(f"bpmn:userTask[@id='{task_id}']/bpmn:outgoing", NS) is not None
    assert len(process.findall("bpmn:startEvent", NS)) == 1
    assert process.findall("bpmn:endEvent", NS)


def test_the_schema_check_catches_an_invalid_export(
    schema: etree.XMLSchema, tmp_path: Path
) -> None:
    """The validation above has teeth: the same export with an unknown element, or a
    sequence flow without its target, fails."""
    document = etree.fromstring(export(FLOWS["assembly_decision"], tmp_path))
    assert schema.validate(document)
    process = document.find("bpmn:process", NS)
    assert process is not None
    etree.SubElement(process, f"{{{BPMN}}}noSuchElement")
    assert not schema.validate(document)
    document = etree.fromstring(export(FLOWS["assembly_decision"], tmp_path))
    flow = document.find(".//bpmn:sequenceFlow", NS)
    assert flow is not None
    del flow.attrib["targetRef"]  # required
    assert not schema.validate(document)


def test_the_documented_command_line_works() -> None:
    """As README.md and API.md give it, in a process of its own."""
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "flowexport",
            "workflows/flows.assembly_decision.AssemblyDecisionFlow",
            "--format",
            "bpmn",
        ],
        cwd=ROOT,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    document = etree.fromstring(result.stdout)
    assert document.tag == f"{{{BPMN}}}definitions"
