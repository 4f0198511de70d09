"""Every action of every flow's steps has a label in each language of the site: the task
page's buttons and the history's rows never show an action's code."""

from django.utils import translation

from workflows.flows import FLOWS
from workflows.nodes import HumanTask
from workflows.views import _action_label


def test_every_action_of_every_flow_is_labelled() -> None:
    unlabelled = []
    for process_type, flow_class in sorted(FLOWS.items()):
        actions = {
            action
            for node in flow_class.instance.nodes()
            if isinstance(node, HumanTask)
            for action in node.actions
        }
        for action in sorted(actions):
            for language in ("sq", "sr", "sr-latn", "en"):
                with translation.override(language):
                    label = str(_action_label(flow_class, action))
                if label == action or "_" in label:
                    unlabelled.append(f"{process_type}: {action} ({language})")
    assert not unlabelled, unlabelled
