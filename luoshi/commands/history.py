"""``luoshi history ID``: every recorded change to one commitment."""

from __future__ import annotations

import json

import click

from luoshi.commands.output import echo_json, table


@click.command("history")
@click.argument("commitment_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
def history(commitment_id: int, as_json: bool) -> None:
    """显示任务的全部变更记录（谁、何时、改了什么）。"""
    from luoshi.commands.support import unit_of_work
    from luoshi.ledger.services import common
    from luoshi.ledger.services.history import history as load

    with unit_of_work(None) as session:
        common.commitment(session, commitment_id)
        events = load(session, commitment_id)
        data = [
            {
                "id": e.id,
                "at": e.at.isoformat(),
                "actor": e.actor,
                "entity": e.entity_type,
                "entity_id": e.entity_id,
                "action": e.action,
                "before": e.before,
                "after": e.after,
            }
            for e in events
        ]
    if as_json:
        echo_json(data)
        return

    def brief(d: dict | None) -> str:
        return "" if not d else json.dumps(d, ensure_ascii=False)

    rows = [
        [e["at"][:19].replace("T", " "), e["actor"], f"{e['entity']} {e['entity_id']}", e["action"],
         brief(e["after"]) if e["action"] == "create" else f"{brief(e['before'])} → {brief(e['after'])}"]
        for e in data
    ]  # fmt: skip
    click.echo(table(["时间 (UTC)", "操作人", "对象", "动作", "变化"], rows, max_col=90))
