"""The topology's nodes as one record each, read from its columns as the page reads them
(`readTopology` in js/graph.ts): what the tests check node by node."""

from __future__ import annotations


def node_records(topology: dict) -> list[dict]:
    """Per node id: label, name, op, inputs, and only where they apply group, exponent, unknown_op
    and shared (absent: top level, no constant power, a known op, not a shared parameter)."""
    columns = topology["columns"]
    fields = ("label", "name", "op", "inputs", "group")
    assert len({len(columns[field]) for field in fields}) <= 1, "columns of different lengths"
    records = []
    for label, name, op, inputs, group in zip(*(columns[field] for field in fields)):
        record = {"label": label, "name": name, "op": op, "inputs": inputs}
        if group >= 0:
            record["group"] = group
        records.append(record)
    for i, exponent in topology["exponents"]:
        records[i]["exponent"] = exponent
    for i in topology["unknown_ops"]:
        records[i]["unknown_op"] = True
    for i in topology["shared"]:
        records[i]["shared"] = True
    return records
